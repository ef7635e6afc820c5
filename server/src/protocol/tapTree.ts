/**
 * The tree of a tap report: host → bridge → tap. A bridge is a device of one host, so two
 * configurations' `br0` are two nodes, never one; taps on no bridge come first under their host.
 * Plain data in, plain data out (no VS Code, no LSP library), so the VS Code tree view and any
 * other client group taps the same way, and tests can check the grouping without an editor.
 */
import type { TapReportEntry } from './protocol';

export interface TapTreeBridge {
  name: string;
  taps: TapReportEntry[];
}

export interface TapTreeHost {
  /** The configuration running these taps; null for taps no configuration is known to run. */
  host: string | null;
  /** Taps on no bridge, sorted by id. */
  unattached: TapReportEntry[];
  /** Sorted by name; taps sorted by id. */
  bridges: TapTreeBridge[];
}

/** Two entries for the same interface of the same VM on the same host are one row. */
function rowKey(tap: TapReportEntry): string {
  const { uri, range } = tap.location;
  return [tap.host ?? '', tap.vm ?? '', tap.id, uri, range.start.line, range.start.character].join('\0');
}

function append<K>(map: Map<K, TapReportEntry[]>, key: K, tap: TapReportEntry): void {
  const list = map.get(key);
  if (list) list.push(tap);
  else map.set(key, [tap]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareTaps(a: TapReportEntry, b: TapReportEntry): number {
  return compareText(a.id, b.id) || compareText(a.vm ?? '', b.vm ?? '') || compareText(a.location.uri, b.location.uri);
}

/** Hosts by name, the taps no configuration runs last. */
export function groupTapsByHost(taps: readonly TapReportEntry[]): TapTreeHost[] {
  const rows = new Map<string, TapReportEntry>();
  for (const tap of taps) if (!rows.has(rowKey(tap))) rows.set(rowKey(tap), tap);
  const hosts = new Map<string | null, TapReportEntry[]>();
  for (const tap of rows.values()) append(hosts, tap.host, tap);
  const names = [...hosts.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : compareText(a, b)));
  return names.map((host) => {
    const own = hosts.get(host)!;
    const bridges = new Map<string, TapReportEntry[]>();
    for (const tap of own) if (tap.bridge !== null) append(bridges, tap.bridge, tap);
    return {
      host,
      unattached: own.filter((t) => t.bridge === null).sort(compareTaps),
      bridges: [...bridges.keys()].sort(compareText).map((name) => ({ name, taps: bridges.get(name)!.sort(compareTaps) })),
    };
  });
}
