/**
 * The network map in Graphviz DOT: one cluster per host, problems drawn in red (error) or
 * orange (warning). Node names are positional; labels are DOT-quoted.
 */
import type { GraphNode, NetworkGraph } from './networkGraph';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const SHAPES: Record<GraphNode['kind'], string> = {
  host: 'box',
  bridge: 'box3d',
  uplink: 'parallelogram',
  link: 'parallelogram',
  group: 'hexagon',
  tap: 'box',
  vm: 'ellipse',
};

function attributes(node: GraphNode<unknown>): string {
  const text = [node.label, ...node.detail].join('\n');
  const parts = [`label=${quote(text)}`, `shape=${SHAPES[node.kind]}`];
  const style = [node.kind === 'tap' ? 'rounded' : '', node.problem === 'warning' ? 'dashed' : ''].filter(Boolean);
  if (style.length) parts.push(`style=${quote(style.join(','))}`);
  if (node.problem === 'error') parts.push('color="#d73a49"', 'penwidth=2');
  if (node.problem === 'warning') parts.push('color="#e36209"', 'penwidth=2');
  return parts.join(', ');
}

export function formatDot(graph: NetworkGraph<unknown>): string {
  const ids = new Map(graph.nodes.map((node, i) => [node.id, `n${i}`]));
  const lines = ['digraph microvm_network {', '  rankdir=LR;', '  node [fontname="sans-serif"];'];
  graph.nodes
    .filter((n) => n.kind === 'host')
    .forEach((host, i) => {
      lines.push(`  subgraph cluster_${i} {`, `    label=${quote(host.label)};`);
      for (const node of graph.nodes.filter((n) => n.host === host.id)) lines.push(`    ${ids.get(node.id)} [${attributes(node)}];`);
      lines.push('  }');
    });
  for (const edge of graph.edges) {
    lines.push(`  ${ids.get(edge.from)} -> ${ids.get(edge.to)}${edge.label ? ` [label=${quote(edge.label)}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
