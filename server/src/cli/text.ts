/**
 * Human output: `file:line:col: severity code message` per diagnostic, a summary line, then the
 * files that had syntax errors or were skipped.
 */
import type { CheckReport, Notice, Summary } from './report';
import { summarize } from './report';
import type { Severity } from '../engine/model';

export interface TextOptions {
  color: boolean;
  /** Only the diagnostic lines. */
  quiet: boolean;
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
    for (const notice of report.notices) lines.push(paint('yellow', noticeLine(notice)));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
