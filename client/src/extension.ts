/**
 * Activation: start the language client and hang the status item, tree view and commands on
 * it. Kept to wiring; everything heavier happens in the server process.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { AnalysisSummaryNotification } from '../../server/src/protocol/protocol';
import { registerCommands } from './commands';
import { createLanguageClient } from './languageClient';
import { documentSelector, nixLanguageDefined } from './selector';
import { TapStatusItem } from './statusItem';
import { TapTreeProvider } from './tapTree';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('MicroVM Network', { log: true });
  let nixDefined = nixLanguageDefined();
  output.info(nixDefined ? '.nix documents selected by the `nix` language' : 'no extension defines `nix`: selecting **/*.nix files');

  client = createLanguageClient(context, output, nixDefined);
  const status = new TapStatusItem(documentSelector(nixDefined));
  const tree = new TapTreeProvider(() => client, output);

  context.subscriptions.push(
    output,
    status,
    tree,
    vscode.window.registerTreeDataProvider('microvmNet.network', tree),
    client.onNotification(AnalysisSummaryNotification, (summary) => {
      status.update(summary);
      if (!summary.scanning) tree.refresh();
    }),
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped) status.stopped();
    }),
    ...registerCommands(client, output, () => tree.refresh()),
    // Installing or removing a Nix extension changes how .nix documents are selected.
    vscode.extensions.onDidChange(() => {
      const now = nixLanguageDefined();
      if (now === nixDefined || !client) return;
      nixDefined = now;
      output.info('the `nix` language appeared or went away: restarting with a new document selector');
      client.clientOptions.documentSelector = documentSelector(now);
      void client.restart();
    }),
  );
  void vscode.commands.executeCommand('setContext', 'microvmNet.active', true);

  try {
    await client.start();
  } catch (e) {
    output.error(`could not start the language server: ${e instanceof Error ? e.message : String(e)}`);
    status.stopped();
  }
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c?.isRunning()) await c.stop();
}
