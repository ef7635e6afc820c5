/**
 * Human output: `file:line:col: severity code message` per diagnostic, a summary line, how many
 * interface definitions could not be placed, then one line per kind of notice (what the analysis
 * could not do). `--verbose` lists every unplaced definition and every notice instead.
 */
import { groupNotices, type Notice } from '../engine/notices';
import type { CheckReport, ReportNotice, Summary } from './report';
import { summarize } from './report';
import type { Severity } from '../engine/model';

export interface TextOptions {
  color: boolean;
  /** Only the diagnostic lines. */
  quiet: boolean;
  /** Every notice and every unplaced definition, not one line per kind. */
  verbose?: boolean;
}

const CODES = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  cyan: '\x1b[36m',
};

type Paint = (style: keyof typeof CODES, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `${CODES[style]}${text}${CODES.reset}` : (_style, text) => text;
}

const SEVERITY_STYLE: Record<Severity, keyof typeof CODES> = {
  error: 'red',
  warning: 'yellow',
  info: 'blue',
  hint: 'cyan',
};

function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

export function summaryLine(s: Summary): string {
  const taps =
    `${count(s.taps, 'tap')}: ${s.bridged} bridged, ${s.routed} routed, ` +
    `${s.withoutBridge} without bridge, ${s.unknown} unknown`;
  const diags = [count(s.errors, 'error'), count(s.warnings, 'warning'), count(s.infos, 'info')];
  if (s.hints > 0) diags.push(count(s.hints, 'hint'));
  return `${taps}; ${diags.join(', ')} in ${count(s.files, 'file')}`;
}

export function noticeLine(notice: Notice): string {
  return notice.file === null ? notice.message : `${notice.file}: ${notice.message}`;
}

/** How many files a collapsed notice line names before "and N more". */
const FILES_NAMED = 3;

/** One kind: a single notice reads as itself; several as what the kind means, counted. */
export function noticeGroupLine(group: ReportNotice): string {
  if (group.count === 1) return group.files.length === 1 ? `${group.files[0]}: ${group.message}` : group.message;
  const named = group.files.slice(0, FILES_NAMED).join(', ');
  const more = group.files.length > FILES_NAMED ? ` and ${group.files.length - FILES_NAMED} more` : '';
  const where = group.files.length ? ` in ${count(group.files.length, 'file')} (${named}${more})` : '';
  return `${group.message}: ${group.count} times${where}; --verbose lists each`;
}

/** What the analysis could not do and what it could not place, as the text and stderr lines. */
export function sideLines(report: CheckReport, verbose: boolean): string[] {
  const lines: string[] = [];
  const unplaced = report.unplaced;
  if (unplaced.length > 0) {
    lines.push(
      `${count(unplaced.length, 'interface definition')} could not be placed in any configuration ` +
        `(reported with host null, status unknown)${verbose ? ':' : '; --verbose lists them'}`,
    );
    if (verbose) lines.push(...unplaced.map((u) => `  ${u.file}:${u.line}: \`${u.id}\`: ${u.why}`));
  }
  // Verbose expands each kind's line into its notices, in the same order.
  if (verbose) lines.push(...groupNotices(report.notices).flatMap((g) => g.notices.map(noticeLine)));
  else lines.push(...report.data.notices.map(noticeGroupLine));
  return lines;
}

/** Continuation lines of a multi-line message are indented under the first. */
function oneMessage(message: string): string {
  return message.replace(/\r?\n/g, '\n    ');
}

export function formatText(report: CheckReport, options: TextOptions): string {
  const paint = painter(options.color);
  const lines: string[] = [];
  for (const d of report.data.diagnostics) {
    lines.push(
      `${paint('bold', `${d.file}:${d.line}:${d.column}`)}: ` +
        `${paint(SEVERITY_STYLE[d.severity], d.severity)} ${paint('dim', d.code)} ${oneMessage(d.message)}`,
    );
  }
  if (!options.quiet) {
    if (lines.length > 0) lines.push('');
    lines.push(summaryLine(summarize(report.data)));
    for (const line of sideLines(report, options.verbose ?? false)) lines.push(paint('yellow', line));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
