/**
 * Turns an engine snapshot into the CLI report: the docs/cli.md §4 JSON object (`data`), plus what
 * the other formats need beside it (related locations and reasons for SARIF, every notice for
 * `--verbose`, the interface definitions no configuration reaches). Text, JSON and SARIF all read
 * this one structure.
 *
 * Paths are relative to `base` (the first PATH, or the current directory) with `/` separators;
 * lines and columns are 1-based, columns in UTF-16 code units.
 */
import * as path from 'node:path';
import type { FailOn } from './args';
import type { AnalysisSnapshot, ScanReport } from '../engine/service';
import type { Diagnostic, NoticeKind, Outcome, OutcomeStatus, Reason, Severity, ViaKind } from '../engine/model';
import { collectNotices, groupNotices, type Notice } from '../engine/notices';
import { displayPattern, isKnown, knownText } from '../engine/pattern';
import { reasonLocation, reasonText } from '../engine/reasons';
import type { Location } from '../engine/text';

export const REPORT_VERSION = 2;

// ------------------------------------------------------------------------------------------
// The JSON contract (docs/cli.md §4). Key order here is the order JSON output prints.

export interface ReportVia {
  kind: ViaKind;
  unit: string | null;
  file: string | null;
  line: number | null;
}

export interface ReportInterface {
  host: string | null;
  vm: string | null;
  id: string;
  idKnown: boolean;
  type: string | null;
  mac: string | null;
  file: string;
  line: number;
  column: number;
  status: OutcomeStatus;
  bridge: string | null;
  via?: ReportVia;
  /** "why (file:line)", most decisive first; never empty. */
  reasons: string[];
}

export interface ReportDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

export interface ReportNotice {
  kind: NoticeKind;
  count: number;
  message: string;
  files: string[];
}

export interface ReportStats {
  files: number;
  nixFiles: number;
  networkdFiles: number;
  configurations: number;
  ms: number;
}

export interface ReportData {
  version: typeof REPORT_VERSION;
  interfaces: ReportInterface[];
  diagnostics: ReportDiagnostic[];
  notices: ReportNotice[];
  stats: ReportStats;
}

// ------------------------------------------------------------------------------------------
// Beside the contract.

export interface ReportRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ReportRelated extends ReportRange {
  message: string;
}

/** An interface definition no configuration reaches, for the text summary. */
export interface UnplacedInterface {
  file: string;
  line: number;
  id: string;
  why: string;
}

export interface CheckReport {
  data: ReportData;
  /** Parallel to `data.diagnostics`. */
  related: ReportRelated[][];
  /** Parallel to `data.diagnostics`: the reasons of the outcome a diagnostic reports, if any. */
  reasons: string[][];
  /** Every notice behind `data.notices` (paths relative), for `--verbose`. */
  notices: Notice[];
  unplaced: UnplacedInterface[];
  /** Diagnostics an inline comment silences: not in `data` (nor the exit status), only SARIF shows them. */
  suppressed: { diagnostic: ReportDiagnostic; related: ReportRelated[]; reasons: string[]; justification: string }[];
}

export interface ReportOptions {
  /** Absolute directory paths are made relative to. */
  base: string;
  scan?: ScanReport;
  /** Overrides `snapshot.stats.ms` (the CLI reports its own wall time). */
  ms?: number;
}

/** Relative, `/`-separated path of an absolute file against `base`. */
export function relativePath(base: string, file: string): string {
  const rel = path.relative(base, file);
  if (rel === '') return path.basename(file);
  return rel.split(path.sep).join('/');
}

export function toRange(base: string, location: Location): ReportRange {
  const { start, end } = location.range;
  return {
    file: relativePath(base, location.file),
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareStrings(a, b);
}

export function compareDiagnostics(a: ReportDiagnostic, b: ReportDiagnostic): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.code, b.code) ||
    a.endLine - b.endLine ||
    a.endColumn - b.endColumn ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareStrings(a.message, b.message)
  );
}

export function compareInterfaces(a: ReportInterface, b: ReportInterface): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.id, b.id) ||
    compareNullable(a.host, b.host) ||
    compareNullable(a.vm, b.vm)
  );
}

function reportInterface(base: string, outcome: Outcome): ReportInterface {
  const iface = outcome.interface;
  const at = iface.id.location;
  const mac = iface.mac ? knownText(iface.mac.value) ?? null : null;
  const viaAt = outcome.via?.location;
  const via: ReportVia | undefined = outcome.via && {
    kind: outcome.via.kind,
    unit: outcome.via.unit ?? null,
    file: viaAt ? relativePath(base, viaAt.file) : null,
    line: viaAt ? viaAt.range.start.line + 1 : null,
  };
  return {
    host: iface.host,
    vm: iface.vm,
    id: displayPattern(iface.id.value),
    idKnown: isKnown(iface.id.value),
    type: iface.type,
    mac,
    file: relativePath(base, at.file),
    line: at.range.start.line + 1,
    column: at.range.start.character + 1,
    status: outcome.status,
    bridge: outcome.bridge,
    ...(via ? { via } : {}),
    reasons: reportReasons(base, outcome),
  };
}

/** "why (file:line)": the words, then where a reader checks them. */
export function reportReason(base: string, reason: Reason, outcome: Outcome): string {
  const at = reasonLocation(reason, outcome.interface);
  return `${reasonText(reason)} (${relativePath(base, at.file)}:${at.range.start.line + 1})`;
}

function reportReasons(base: string, outcome: Outcome): string[] {
  return outcome.reasons.map((r) => reportReason(base, r, outcome));
}

function reportDiagnostic(base: string, diagnostic: Diagnostic): ReportDiagnostic {
  const range = toRange(base, diagnostic.location);
  return {
    file: range.file,
    line: range.line,
    column: range.column,
    endLine: range.endLine,
    endColumn: range.endColumn,
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Notices about files the analysis could not fully read, and about the scan itself; paths relative. */
export function reportNotices(base: string, snapshot: AnalysisSnapshot, scan?: ScanReport): Notice[] {
  const notices = collectNotices(snapshot.facts, scan?.skipped).map((n) => ({ ...n, file: n.file === null ? null : relativePath(base, n.file) }));
  if (scan && scan.truncated > 0) {
    notices.push({
      kind: 'scan-truncated',
      file: null,
      message: `scan stopped at ${plural(scan.files, 'file')} (--max-files); ${plural(scan.truncated, 'file')} not analysed`,
    });
  }
  return notices;
}

function unplacedInterfaces(base: string, outcomes: readonly Outcome[]): UnplacedInterface[] {
  const out: UnplacedInterface[] = [];
  for (const { interface: iface } of outcomes) {
    if (iface.unplaced === undefined) continue;
    const at = iface.id.location;
    out.push({ file: relativePath(base, at.file), line: at.range.start.line + 1, id: displayPattern(iface.id.value), why: iface.unplaced });
  }
  return out.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.id, b.id));
}

export function buildReport(snapshot: AnalysisSnapshot, options: ReportOptions): CheckReport {
  const { base } = options;
  const interfaces = snapshot.outcomes.map((o) => reportInterface(base, o)).sort(compareInterfaces);

  const entries: { diagnostic: ReportDiagnostic; related: ReportRelated[]; reasons: string[] }[] = [];
  for (const list of snapshot.diagnostics.values()) {
    for (const d of list) {
      entries.push({
        diagnostic: reportDiagnostic(base, d),
        related: d.related.map((r) => ({ ...toRange(base, r.location), message: r.message })),
        reasons: d.outcome ? reportReasons(base, d.outcome) : [],
      });
    }
  }
  entries.sort((a, b) => compareDiagnostics(a.diagnostic, b.diagnostic));

  const notices = reportNotices(base, snapshot, options.scan);
  const stats = snapshot.stats;
  return {
    data: {
      version: REPORT_VERSION,
      interfaces,
      diagnostics: entries.map((e) => e.diagnostic),
      notices: groupNotices(notices).map(({ kind, count, message, files }) => ({ kind, count, message, files })),
      stats: {
        files: stats.files,
        nixFiles: stats.nixFiles,
        networkdFiles: stats.networkdFiles,
        configurations: snapshot.facts.hosts.length,
        ms: Math.max(0, Math.round(options.ms ?? stats.ms)),
      },
    },
    related: entries.map((e) => e.related),
    reasons: entries.map((e) => e.reasons),
    notices,
    unplaced: unplacedInterfaces(base, snapshot.outcomes),
    suppressed: (snapshot.suppressed ?? [])
      .map((d) => ({
        diagnostic: reportDiagnostic(base, d),
        related: d.related.map((r) => ({ ...toRange(base, r.location), message: r.message })),
        reasons: d.outcome ? reportReasons(base, d.outcome) : [],
        justification: d.suppression.justification,
      }))
      .sort((a, b) => compareDiagnostics(a.diagnostic, b.diagnostic)),
  };
}

// ------------------------------------------------------------------------------------------
// Severity thresholds and counts shared by the formats and the exit code.


export function atOrAbove(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[failOn];
}

/** 0 when nothing reaches `failOn`, else 1. */
export function exitCodeFor(data: ReportData, failOn: FailOn): 0 | 1 {
  return data.diagnostics.some((d) => atOrAbove(d.severity, failOn)) ? 1 : 0;
}

export interface Summary {
  taps: number;
  bridged: number;
  routed: number;
  withoutBridge: number;
  unknown: number;
  /** Interfaces that are not taps in networkd's sense (macvtap, user). */
  notApplicable: number;
  errors: number;
  warnings: number;
  infos: number;
  hints: number;
  files: number;
}

export function summarize(data: ReportData): Summary {
  const s: Summary = {
    taps: 0,
    bridged: 0,
    routed: 0,
    withoutBridge: 0,
    unknown: 0,
    notApplicable: 0,
    errors: 0,
    warnings: 0,
    infos: 0,
    hints: 0,
    files: data.stats.files,
  };
  for (const i of data.interfaces) {
    switch (i.status) {
      case 'not-applicable':
        s.notApplicable++;
        continue;
      case 'bridged':
        s.bridged++;
        break;
      case 'routed':
        s.routed++;
        break;
      case 'unknown':
        s.unknown++;
        break;
      case 'bridge-undefined':
      case 'shadowed':
      case 'unmanaged':
        s.withoutBridge++;
        break;
    }
    s.taps++;
  }
  for (const d of data.diagnostics) {
    if (d.severity === 'error') s.errors++;
    else if (d.severity === 'warning') s.warnings++;
    else if (d.severity === 'info') s.infos++;
    else s.hints++;
  }
  return s;
}
