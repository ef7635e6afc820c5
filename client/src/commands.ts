/** The extension's commands; each talks to the server through the custom protocol. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  RescanRequest,
  SHOW_REFERENCES_COMMAND,
  TapReportRequest,
  type ShowReferencesArgs,
} from '../../server/src/protocol/protocol';
import { showReport } from './report';

export function registerCommands(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  refreshTree: () => void,
): vscode.Disposable[] {
  const running = async (): Promise<boolean> => {
    if (client.isRunning()) return true;
    void vscode.window.showWarningMessage('The MicroVM network language server is not running.');
    return false;
  };
  return [
    vscode.commands.registerCommand('microvmNet.restartServer', async () => {
      output.info('restarting the language server (requested)');
      await client.restart();
      refreshTree();
    }),
    vscode.commands.registerCommand('microvmNet.rescan', async () => {
      if (!(await running())) return;
      const result = await client.sendRequest(RescanRequest);
      const truncated = result.truncated ? `, ${result.truncated} left out by microvmNet.maxFiles` : '';
      vscode.window.setStatusBarMessage(`MicroVM network: scanned ${result.files} files${truncated}`, 5000);
      refreshTree();
    }),
    vscode.commands.registerCommand('microvmNet.showTapReport', async () => {
      if (!(await running())) return;
      await showReport(await client.sendRequest(TapReportRequest));
    }),
    // Code lenses carry protocol values; the built-in references view wants vscode types.
    vscode.commands.registerCommand(SHOW_REFERENCES_COMMAND, async (...[uri, position, locations]: ShowReferencesArgs) => {
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
