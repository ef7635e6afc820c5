/**
 * The tree view's shape, from the network map (engine/views/networkGraph.ts): host → the
 * "no bridge (N)" group first, then the other groups, every bridge the host defines (empty ones
 * too: they are where a fix puts a tap), macvtap links, routed taps → tap → VM. Names are in
 * natural order (the graph's). Plain data in and out, so the grouping is tested without an editor.
 */
import type { GraphNode, NetworkGraph } from '../engine/views/networkGraph';

export interface NetworkTreeNode<L> {
  node: GraphNode<L>;
  children: NetworkTreeNode<L>[];
}

const UNDER_HOST = new Set<GraphNode['kind']>(['group', 'bridge', 'link']);

export function networkTree<L>(graph: NetworkGraph<L>): NetworkTreeNode<L>[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const targets = new Map<string, GraphNode<L>[]>();
  for (const edge of graph.edges) {
    const to = byId.get(edge.to);
    if (!to || (to.kind !== 'tap' && to.kind !== 'vm')) continue;
    targets.set(edge.from, [...(targets.get(edge.from) ?? []), to]);
  }
  const below = (node: GraphNode<L>): NetworkTreeNode<L>[] => (targets.get(node.id) ?? []).map((child) => ({ node: child, children: below(child) }));
  return graph.nodes
    .filter((n) => n.kind === 'host')
    .map((host) => ({
      node: host,
      children: graph.nodes.filter((n) => n.host === host.id && UNDER_HOST.has(n.kind)).map((n) => ({ node: n, children: below(n) })),
    }));
}

/** The uplinks drawn into a bridge, for its description in the tree. */
export function uplinksOf<L>(graph: NetworkGraph<L>, bridgeId: string): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return graph.edges.filter((e) => e.to === bridgeId && byId.get(e.from)?.kind === 'uplink').map((e) => byId.get(e.from)!.label);
}
