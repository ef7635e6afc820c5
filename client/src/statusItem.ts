/**
 * The status bar item "MicroVM: 1 tap without bridge": shown in every editor (not only on Nix
 * and networkd documents, where a language status item would hide it), opens the tap report.
 */
import * as vscode from 'vscode';
import type { AnalysisSummary } from '../../server/src/protocol/protocol';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The item's text for a summary (kept apart so its wording is plain to read and test). */
export function statusText(summary: Pick<AnalysisSummary, 'bridged' | 'problems' | 'unknown' | 'total'>): string {
  if (summary.total === 0) return 'MicroVM: no taps';
  if (summary.problems > 0) return `MicroVM: ${plural(summary.problems, 'tap')} without bridge`;
  if (summary.unknown > 0) return `MicroVM: ${plural(summary.unknown, 'tap')} not known`;
  if (summary.bridged === summary.total) return `MicroVM: ${plural(summary.total, 'tap')}, all bridged`;
  return `MicroVM: ${summary.bridged} of ${plural(summary.total, 'tap')} bridged`;
}

export class TapStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('microvmNet.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'MicroVM Network';
    this.item.text = '$(sync~spin) MicroVM';
    this.item.tooltip = 'MicroVM Network: starting';
    this.item.command = { title: 'Show Tap Report', command: 'microvmNet.showTapReport' };
    this.item.show();
  }

  update(summary: AnalysisSummary): void {
    const icon = summary.scanning ? '$(sync~spin) ' : summary.problems > 0 ? '$(warning) ' : '';
    this.item.text = `${icon}${statusText(summary)}`;
    const truncated = summary.truncated ? `; ${summary.truncated} files left out (microvmNet.maxFiles)` : '';
    this.item.tooltip =
      `MicroVM Network: ${summary.bridged} bridged, ${summary.problems} without bridge, ${summary.unknown} not known — ` +
      `${plural(summary.total, 'MicroVM tap')} in ${plural(summary.files, 'file')}${truncated}. Click for the tap report.`;
    this.item.backgroundColor = summary.problems > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  stopped(): void {
    this.item.text = '$(error) MicroVM';
    this.item.tooltip = 'MicroVM Network: the language server is not running';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
