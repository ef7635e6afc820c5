/**
 * The map page (bundled by scripts/build.mjs into dist/webview/map.js, loaded by a nonce'd
 * script tag). Receives the network map from the extension, lays it out with dagre (hosts as
 * clusters, left to right: groups and uplinks → bridges → taps → VMs) and draws SVG coloured only
 * by the theme's CSS variables. A click (or Enter) on a node asks the extension to open its
 * definition. No network access: everything it needs is in the message.
 */
import dagre from '@dagrejs/dagre';
import type { GraphNode, NetworkGraph } from '../../server/src/engine/views/networkGraph';
import type { ProtocolLocation } from '../../server/src/protocol/protocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

type Node = GraphNode<ProtocolLocation>;
const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const LINE = 16;
const PAD_X = 10;
const PAD_Y = 6;
const TITLE = 22;

const measure = (() => {
  const context = document.createElement('canvas').getContext('2d');
  const style = getComputedStyle(document.body);
  return (text: string, bold = false): number => {
    if (!context) return text.length * 7.5;
    context.font = `${bold ? 'bold ' : ''}${style.fontSize || '13px'} ${style.fontFamily || 'sans-serif'}`;
    return context.measureText(text).width;
  };
})();

function lines(node: Node): string[] {
  return [node.label, ...node.detail];
}

function element<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  parent?.appendChild(el);
  return el;
}

function legend(): void {
  const header = document.getElementById('legend')!;
  header.replaceChildren();
  for (const [cls, text] of [
    ['bridge', 'bridge'],
    ['tap', 'tap / VM'],
    ['warning', 'warning'],
    ['error', 'error'],
  ]) {
    const item = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${cls}`;
    item.append(swatch, text);
    header.appendChild(item);
  }
  const hint = document.createElement('span');
  hint.textContent = 'Click a node to open its definition.';
  header.appendChild(hint);
}

function render(graph: NetworkGraph<ProtocolLocation>): void {
  const main = document.getElementById('map')!;
  if (graph.nodes.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No MicroVM interfaces or hosts found in this workspace.';
    main.replaceChildren(p);
    return;
  }
  const g = new dagre.graphlib.Graph({ compound: true });
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 56, edgesep: 8, marginx: 12, marginy: 34 });
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const hasChildren = new Set(graph.nodes.map((n) => n.host).filter((h): h is string => h !== null));
  for (const node of graph.nodes) {
    if (node.kind === 'host' && hasChildren.has(node.id)) {
      g.setNode(node.id, { label: node.label });
      continue;
    }
    const text = lines(node);
    const width = Math.ceil(Math.max(...text.map((t, i) => measure(t, i === 0)))) + 2 * PAD_X;
    g.setNode(node.id, { width, height: text.length * LINE + 2 * PAD_Y });
    if (node.host) g.setParent(node.id, node.host);
  }
  for (const edge of graph.edges) g.setEdge(edge.from, edge.to, { label: edge.label ?? '' });
  dagre.layout(g);

  const size = g.graph();
  const svg = element('svg', { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), role: 'img', 'aria-label': 'MicroVM network map' });
  const defs = element('defs', {}, svg);
  const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  element('path', { d: 'M 0 0 L 10 5 L 0 10 z' }, marker);

  for (const node of graph.nodes.filter((n) => n.kind === 'host' && hasChildren.has(n.id))) {
    const box = g.node(node.id);
    const group = element('g', { class: 'host', 'data-id': node.id, 'data-label': node.label }, svg);
    // dagre leaves no room for a cluster's title: the box grows upwards by TITLE (inside nodesep).
    element('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2 - TITLE, width: box.width, height: box.height + TITLE, rx: 6 }, group);
    const title = element('text', { x: box.x - box.width / 2 + 10, y: box.y - box.height / 2 - TITLE + 16 }, group);
    title.textContent = `${node.label} · ${node.detail.join(' · ')}`;
  }
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const points = edge.points ?? [];
    if (points.length === 0) continue;
    const group = element('g', { class: 'edge', 'data-from': e.v, 'data-to': e.w }, svg);
    element('path', { d: points.map((p: { x: number; y: number }, i: number) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' '), 'marker-end': 'url(#arrow)' }, group);
    if (edge.label) {
      const mid = points[Math.floor(points.length / 2)];
      const text = element('text', { x: mid.x + 4, y: mid.y - 4 }, group);
      text.textContent = String(edge.label);
    }
  }
  for (const node of graph.nodes) {
    if (node.kind === 'host' && hasChildren.has(node.id)) continue;
    const box = g.node(node.id);
    const parents = graph.edges.filter((e) => e.to === node.id).map((e) => byId.get(e.from)?.label ?? '');
    const classes = ['node', node.kind, node.problem ? `problem-${node.problem}` : '', node.location ? 'clickable' : ''].filter(Boolean);
    const group = element('g', {
      class: classes.join(' '),
      'data-id': node.id,
      'data-kind': node.kind,
      'data-label': node.label,
      'data-parents': parents.join('\n'),
      ...(node.group ? { 'data-group': node.group } : {}),
      ...(node.status ? { 'data-status': node.status } : {}),
    }, svg);
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    element('rect', { x, y, width: box.width, height: box.height, rx: node.kind === 'tap' ? 4 : 2 }, group);
    lines(node).forEach((line, i) => {
      const text = element('text', { x: x + PAD_X, y: y + PAD_Y + LINE * (i + 1) - 4, class: i === 0 ? 'label' : 'detail' }, group);
      if (i === 0) text.setAttribute('font-weight', 'bold');
      text.textContent = line;
    });
    const tooltip = element('title', {}, group);
    tooltip.textContent = [...lines(node), ...node.problems].join('\n');
    if (node.location) {
      const location = node.location;
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.setAttribute('aria-label', `${node.kind} ${node.label}: ${node.detail.join(', ')}. Open its definition.`);
      group.addEventListener('click', () => vscode.postMessage({ type: 'open', location }));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') vscode.postMessage({ type: 'open', location });
      });
    }
  }
  main.replaceChildren(svg);
}

window.addEventListener('message', (event: MessageEvent<{ type: string; graph?: NetworkGraph<ProtocolLocation> }>) => {
  if (event.data?.type === 'graph' && event.data.graph) render(event.data.graph);
});
legend();
vscode.postMessage({ type: 'ready' });
