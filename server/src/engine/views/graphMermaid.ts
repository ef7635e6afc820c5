/**
 * The network map as a Mermaid flowchart (for a README or a CI summary): one subgraph per host,
 * problems styled as classes. Node names are positional (`n0`, `n1`, …) because Mermaid ids
 * cannot hold every character an interface name can.
 */
import type { GraphNode, NetworkGraph } from './networkGraph';

/** Mermaid reads `"…"` labels literally except for `"` and `#…;` entities. */
function label(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function shape(id: string, node: GraphNode<unknown>): string {
  // A tap shows why it is where it is; a bridge its tap count; the rest only their names.
  const lines = node.kind === 'tap' ? [node.label, ...node.detail] : node.kind === 'bridge' ? [node.label, ...node.detail.slice(0, 1)] : [node.label];
  const text = lines.map(label).join('<br/>');
  switch (node.kind) {
    case 'bridge':
      return `${id}[["${text}"]]`;
    case 'uplink':
    case 'link':
      return `${id}[/"${text}"/]`;
    case 'group':
      return `${id}{{"${text}"}}`;
    case 'vm':
      return `${id}(["${text}"])`;
    default:
      return `${id}["${text}"]`;
  }
}

export function formatMermaid(graph: NetworkGraph<unknown>): string {
  const ids = new Map(graph.nodes.map((node, i) => [node.id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const host of graph.nodes.filter((n) => n.kind === 'host')) {
    lines.push(`  subgraph ${ids.get(host.id)}["${label(host.label)}"]`);
    for (const node of graph.nodes.filter((n) => n.host === host.id)) lines.push(`    ${shape(ids.get(node.id)!, node)}`);
    lines.push('  end');
  }
  for (const edge of graph.edges) {
    const arrow = edge.label ? `-- "${label(edge.label)}" -->` : '-->';
    lines.push(`  ${ids.get(edge.from)} ${arrow} ${ids.get(edge.to)}`);
  }
  const errors = graph.nodes.filter((n) => n.problem === 'error').map((n) => ids.get(n.id));
  const warnings = graph.nodes.filter((n) => n.problem === 'warning').map((n) => ids.get(n.id));
  if (errors.length || warnings.length) {
    lines.push('  classDef error stroke:#d73a49,stroke-width:3px');
    lines.push('  classDef warning stroke:#e36209,stroke-width:3px,stroke-dasharray:5 3');
    if (errors.length) lines.push(`  class ${errors.join(',')} error`);
    if (warnings.length) lines.push(`  class ${warnings.join(',')} warning`);
  }
  return lines.join('\n') + '\n';
}
