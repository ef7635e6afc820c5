/**
 * "MicroVM Network: Explain Tap": the decision chain of the tap under the cursor (or of an id
 * typed in), from the server's `microvm-net.explainTap` command, shown in its own output
 * channel, where each `path:line` is a link.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { protocol } from './lazy';

interface ExplainAnswer {
  taps: { tap: string; destination: string; text: string }[];
}

export function explainTapCommand(running: () => Promise<LanguageClient | undefined>): vscode.Disposable {
  let channel: vscode.OutputChannel | undefined;
  return vscode.Disposable.from(
    { dispose: () => channel?.dispose() },
    vscode.commands.registerCommand('microvmNet.explainTap', async (tapId?: unknown) => {
      const client = await running();
      if (!client) return;
      const editor = vscode.window.activeTextEditor;
      let argument: unknown;
      if (typeof tapId === 'string') argument = { tap: tapId };
      else if (editor && editor.document.uri.scheme === 'file') {
        argument = { uri: client.code2ProtocolConverter.asUri(editor.document.uri), position: client.code2ProtocolConverter.asPosition(editor.selection.active) };
      }
      let answer = argument ? await execute(client, argument) : { taps: [] };
      if (answer.taps.length === 0) {
        const typed = await vscode.window.showInputBox({ prompt: 'Tap id to explain (as written in microvm.interfaces)', placeHolder: 'vm-web' });
        if (!typed) return;
        answer = await execute(client, { tap: typed });
        if (answer.taps.length === 0) {
          void vscode.window.showInformationMessage(`No MicroVM interface has the id ${typed}.`);
          return;
        }
      }
      channel ??= vscode.window.createOutputChannel('MicroVM Network: Explain');
      channel.clear();
      channel.appendLine(answer.taps.map((t) => t.text).join('\n\n'));
      channel.show(true);
    }),
  );
}

function execute(client: LanguageClient, argument: unknown): Promise<ExplainAnswer> {
  return client.sendRequest('workspace/executeCommand', { command: protocol().EXPLAIN_TAP_COMMAND, arguments: [argument] }) as Promise<ExplainAnswer>;
}
