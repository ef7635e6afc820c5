/**
 * The tap report as Markdown, shown in the Markdown preview of a read-only virtual document
 * (scheme `microvm-net-report`): nothing to save, no dirty buffer left behind.
 */
import * as vscode from 'vscode';
import type { TapReport, TapReportEntry } from '../../server/src/protocol/protocol';
import { protocol } from './lazy';

export function reportMarkdown(report: TapReport): string {
  const lines = [
    '# MicroVM tap report',
    '',
    `${report.taps.length} tap interface(s) in ${report.stats.configurations} configuration(s), ${report.stats.files} files ` +
      `(${report.stats.nixFiles} Nix, ${report.stats.networkdFiles} networkd), analysed in ${report.stats.ms} ms.`,
    '',
  ];
  const notices = noticeLines(report);
  if (report.taps.length === 0) return [...lines, 'No `microvm.interfaces` found.', ...notices].join('\n') + '\n';
  lines.push('| Host | VM | Tap | Status | Bridge | Via | Defined at |', '|---|---|---|---|---|---|---|');
  const sorted = [...report.taps].sort(byProblemFirst);
  for (const tap of sorted) {
    lines.push(
      `| ${cell(tap.host)} | ${cell(tap.vm)} | \`${tap.id}\` | ${tap.status} | ${cell(tap.bridge ?? (tap.link ? `macvtap on ${tap.link}` : null))} | ${cell(via(tap))} | ${cell(where(tap.location))} |`,
    );
  }
  const explained = sorted.filter((t) => protocol().statusCategory(t.status) !== 'bridged' && t.reasons.length);
  if (explained.length) {
    lines.push('', '## Why', '');
    for (const tap of explained) {
      lines.push(`### \`${tap.id}\` (${tap.status})`, '', ...tap.reasons.map((r) => `- ${r.text} (${where(r.location)})`), '');
    }
  }
  lines.push(...notices);
  return lines.join('\n') + '\n';
}

/** One line per kind, as the CLI prints them. */
function noticeLines(report: TapReport): string[] {
  if (report.notices.length === 0) return [];
  const lines = ['', '## Not analysed', ''];
  for (const notice of report.notices) {
    const files = notice.uris.map((uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)));
    const count = notice.count > 1 ? ` (${notice.count} times)` : '';
    const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? `, and ${files.length - 3} more` : '');
    lines.push(`- ${notice.message}${count}${shown ? `: ${shown}` : ''}`);
  }
  return lines;
}

export const REPORT_SCHEME = 'microvm-net-report';

/** Serves each report by its URI; keeps the last few, which is all an open preview needs. */
export class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private count = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '# MicroVM tap report\n\nThis report is no longer available: run "Show Tap Report" again.\n';
  }

  add(text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/MicroVM tap report ${++this.count}.md` });
    this.texts.set(uri.toString(), text);
    for (const key of [...this.texts.keys()].slice(0, -5)) this.texts.delete(key);
    return uri;
  }
}

/** Opens the report in the Markdown preview; returns its URI (tests read the document through it). */
export async function showReport(report: TapReport, documents: ReportDocuments): Promise<vscode.Uri> {
  const uri = documents.add(reportMarkdown(report));
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // Without the built-in Markdown extension: the read-only document itself.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  }
  return uri;
}

function byProblemFirst(a: TapReportEntry, b: TapReportEntry): number {
  const rank = (t: TapReportEntry) => ({ problem: 0, unknown: 1, other: 2, bridged: 3 })[protocol().statusCategory(t.status)];
  return rank(a) - rank(b) || (a.host ?? '').localeCompare(b.host ?? '') || a.id.localeCompare(b.id);
}

function via(tap: TapReportEntry): string | null {
  if (!tap.via) return null;
  return tap.via.unit ? `${tap.via.kind}: ${tap.via.unit}` : tap.via.kind;
}

function where(location: TapReportEntry['location']): string {
  return `${vscode.workspace.asRelativePath(vscode.Uri.parse(location.uri))}:${location.range.start.line + 1}`;
}

function cell(value: string | null): string {
  return value === null ? '—' : value.replace(/\|/g, '\\|');
}
