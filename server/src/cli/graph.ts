/**
 * `microvm-net graph [PATH...] --format mermaid|dot|json`: the network map of the editor's map
 * view (engine/views/networkGraph.ts), for a README or a CI summary. Paths resolve as for
 * `check`; a file PATH keeps the picture to the taps defined in it.
 */
import { insideRoots } from '../engine/roots';
import { formatDot } from '../engine/views/graphDot';
import { formatGraphJson } from '../engine/views/graphJson';
import { formatMermaid } from '../engine/views/graphMermaid';
import { buildNetworkGraph } from '../engine/views/networkGraph';
import { DEFAULT_SETTINGS, mergeSettings } from '../protocol/settings';
import type { GraphOptions } from './args';
import type { CliDeps, CliIo } from './check';
import { resolvePaths } from './paths';
import { TOOL_NAME } from './meta';

export async function runGraph(options: GraphOptions, io: CliIo, deps: CliDeps): Promise<number> {
  const { roots, checked, focused, base } = resolvePaths(options.paths, io.cwd);
  const service = await deps.createService({
    roots,
    settings: mergeSettings({ exclude: [...DEFAULT_SETTINGS.exclude, ...options.exclude] }),
    log: io.env.MICROVM_NET_DEBUG === '1' ? (msg) => io.stderr.write(`${TOOL_NAME}: debug: ${msg}\n`) : () => {},
  });
  try {
    await service.scan();
    const snapshot = service.analyze();
    const shown = focused ? { ...snapshot, outcomes: snapshot.outcomes.filter((o) => insideRoots(checked, o.interface.id.location.file)) } : snapshot;
    const graph = buildNetworkGraph(shown);
    io.stdout.write(options.format === 'json' ? formatGraphJson(graph, base) : options.format === 'dot' ? formatDot(graph) : formatMermaid(graph));
    return 0;
  } finally {
    service.dispose();
  }
}
