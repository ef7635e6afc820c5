/** The extension's commands; each talks to the server through the custom protocol. */
import * as vscode from 'vscode';
import type { ShowReferencesArgs } from '../../server/src/protocol/protocol';
import { protocol, SHOW_REFERENCES_COMMAND } from './lazy';
import { NetworkMapPanel } from './networkMap';
import { REPORT_SCHEME, ReportDocuments, showReport } from './report';
import { explainTapCommand } from './explain';
import { registerRevealEdit } from './revealEdits';
import type { ClientSession } from './session';

export function registerCommands(session: ClientSession, output: vscode.LogOutputChannel, refreshTree: () => void): vscode.Disposable[] {
  /** The running client, waiting for a start in progress; warns when there is none. */
  const running = async () => {
    const client = await session.ready();
    if (client?.isRunning()) return client;
    void vscode.window.showWarningMessage('The MicroVM network language server is not running.');
    return undefined;
  };
  const reports = new ReportDocuments();
  return [
    explainTapCommand(running),
    registerRevealEdit(),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.commands.registerCommand('microvmNet.showMap', () => NetworkMapPanel.show(session, output)),
    vscode.commands.registerCommand('microvmNet.restartServer', async () => {
      output.info('restarting the language server (requested)');
      await session.restart();
      refreshTree();
    }),
    vscode.commands.registerCommand('microvmNet.rescan', async () => {
      const client = await running();
      if (!client) return;
      const result = await client.sendRequest(protocol().RescanRequest);
      const truncated = result.truncated ? `, ${result.truncated} left out by microvmNet.maxFiles` : '';
      vscode.window.setStatusBarMessage(`MicroVM network: scanned ${result.files} files${truncated}`, 5000);
      refreshTree();
    }),
    vscode.commands.registerCommand('microvmNet.showTapReport', async () => {
      const client = await running();
      if (!client) return;
      return showReport(await client.sendRequest(protocol().TapReportRequest), reports);
    }),
    // Code lenses carry protocol values; the built-in references view wants vscode types.
    vscode.commands.registerCommand(SHOW_REFERENCES_COMMAND, async (...[uri, position, locations]: ShowReferencesArgs) => {
      const client = await running();
      if (!client) return;
      const p2c = client.protocol2CodeConverter;
      await vscode.commands.executeCommand(
        'editor.action.showReferences',
        p2c.asUri(uri),
        p2c.asPosition(position),
        locations.map((l) => p2c.asLocation(l)),
      );
    }),
  ];
}
