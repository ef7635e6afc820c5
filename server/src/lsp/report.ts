/** The custom tap report and status summary (server/src/protocol/protocol.ts), from a snapshot. */
import type { Outcome } from '../engine/model';
import { collectNotices, groupNotices } from '../engine/notices';
import { displayPattern, isKnown } from '../engine/pattern';
import { reasonLocation, reasonText } from '../engine/reasons';
import type { AnalysisSnapshot, ScanReport } from '../engine/service';
import { statusCategory, type AnalysisSummary, type TapReport, type TapReportEntry } from '../protocol/protocol';
import { toLspLocation, type UriMap } from './convert';

export function tapReport(snapshot: AnalysisSnapshot, uris: UriMap, scan: ScanReport): TapReport {
  const notices = groupNotices(collectNotices(snapshot.facts, scan.skipped)).map((g) => ({
    kind: g.kind,
    count: g.count,
    message: g.message,
    uris: g.files.map((file) => uris.uri(file)),
  }));
  return {
    taps: snapshot.outcomes.map((o) => tapEntry(o, uris)),
    notices,
    stats: { ...snapshot.stats, configurations: snapshot.facts.hosts.length },
  };
}

function tapEntry(outcome: Outcome, uris: UriMap): TapReportEntry {
  const iface = outcome.interface;
  const via = outcome.via;
  return {
    host: iface.host,
    vm: iface.vm,
    id: displayPattern(iface.id.value),
    idKnown: isKnown(iface.id.value),
    type: iface.type,
    status: outcome.status,
    bridge: outcome.bridge,
    via: via
      ? {
          kind: via.kind,
          ...(via.unit !== undefined ? { unit: via.unit } : {}),
          ...(via.location ? { location: toLspLocation(via.location, uris) } : {}),
        }
      : null,
    location: toLspLocation(iface.id.location, uris),
    reasons: outcome.reasons.map((reason) => ({ text: reasonText(reason), location: toLspLocation(reasonLocation(reason, iface), uris) })),
  };
}

export function summarize(snapshot: AnalysisSnapshot | null, scan: ScanReport, scanning: boolean): Omit<AnalysisSummary, 'revision'> {
  const summary: Omit<AnalysisSummary, 'revision'> = {
    bridged: 0,
    problems: 0,
    unknown: 0,
    total: 0,
    scanning,
    files: snapshot?.stats.files ?? scan.files,
    truncated: scan.truncated,
  };
  for (const outcome of snapshot?.outcomes ?? []) {
    summary.total++;
    const category = statusCategory(outcome.status);
    if (category === 'bridged') summary.bridged++;
    else if (category === 'problem') summary.problems++;
    else if (category === 'unknown') summary.unknown++;
  }
  return summary;
}
