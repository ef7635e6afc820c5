/** Language status item: tap counts for the workspace, shown on nix and networkd documents. */
import * as vscode from 'vscode';
import type { DocumentSelector } from 'vscode-languageclient/node';
import type { AnalysisSummary } from '../../server/src/protocol/protocol';

export class TapStatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor(selector: DocumentSelector) {
    this.item = vscode.languages.createLanguageStatusItem('microvmNet.status', selector as vscode.DocumentSelector);
    this.item.name = 'MicroVM Network';
    this.item.text = '$(sync~spin) MicroVM taps';
    this.item.detail = 'starting';
    this.item.busy = true;
    this.item.command = { title: 'Report', command: 'microvmNet.showTapReport' };
  }

  update(summary: AnalysisSummary): void {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    this.item.busy = summary.scanning;
    this.item.text = `${summary.bridged} bridged, ${plural(summary.problems, 'problem')}, ${summary.unknown} unknown`;
    const truncated = summary.truncated ? `; ${summary.truncated} files left out (microvmNet.maxFiles)` : '';
    this.item.detail = `${plural(summary.total, 'MicroVM tap')} in ${plural(summary.files, 'file')}${truncated}`;
    this.item.severity =
      summary.problems > 0 || summary.truncated > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  stopped(): void {
    this.item.busy = false;
    this.item.text = 'MicroVM taps';
    this.item.detail = 'language server not running';
    this.item.severity = vscode.LanguageStatusSeverity.Error;
  }

  dispose(): void {
    this.item.dispose();
  }
}
