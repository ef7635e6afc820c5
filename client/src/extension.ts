/**
 * Activation: the output channel, status item, tree view and commands, then the language
 * client, started on the next turn (session.ts) so `activate()` returns in a few milliseconds
 * without loading vscode-languageclient. Kept to wiring; everything heavier happens in the
 * server process.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { NetworkMapPanel } from './networkMap';
import { documentSelector, nixLanguageDefined } from './selector';
import { ClientSession } from './session';
import { TapStatusItem } from './statusItem';
import { TapTreeProvider } from './tapTree';

let session: ClientSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('MicroVM Network', { log: true });
  // Which build a bug report is about: the first line of the channel.
  output.info(`MicroVM Network ${(context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '(version unknown)'}`);
  let nixDefined = nixLanguageDefined();
  output.info(nixDefined ? '.nix documents selected by the `nix` language' : 'no extension defines `nix`: selecting **/*.nix files');

  const status = new TapStatusItem();
  let tree: TapTreeProvider | undefined;
  const current = new ClientSession(context, output, status, {
    selector: () => documentSelector(nixDefined),
    nixDefined: () => nixDefined,
    summary(summary) {
      status.update(summary);
      if (!summary.scanning) {
        tree?.refresh();
        NetworkMapPanel.refreshOpen();
      }
    },
  });
  session = current;
  tree = new TapTreeProvider(() => current.current, output);
  const refreshTree = () => tree?.refresh();

  context.subscriptions.push(
    output,
    status,
    tree,
    current,
    vscode.window.registerTreeDataProvider('microvmNet.network', tree),
    ...registerCommands(current, output, refreshTree),
    // Installing or removing a Nix extension changes how .nix documents are selected.
    vscode.extensions.onDidChange(() => {
      const now = nixLanguageDefined();
      if (now === nixDefined) return;
      nixDefined = now;
      output.info('the `nix` language appeared or went away: restarting with a new document selector');
      void current.reselect();
    }),
  );
  void vscode.commands.executeCommand('setContext', 'microvmNet.active', true);
  current.startSoon();
}

export async function deactivate(): Promise<void> {
  const s = session;
  session = undefined;
  await s?.stop();
}
