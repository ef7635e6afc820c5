/**
 * A quick fix that edits or creates another file (a unit in network.nix for a tap in vms.nix, a
 * new .network file) would leave the user looking at the tap, not knowing what changed where.
 * Such an action gets a command VS Code runs right after applying the edit: the changed file
 * opens at the change, as a preview, so one Undo and a look are all a user needs.
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';

export const REVEAL_EDIT_COMMAND = 'microvmNet.revealEdit';

/** The first file other than `documentUri` an edit touches, and where; null when none. */
export function otherFileTarget<P>(documentUri: string, entries: readonly (readonly [string, readonly P[]])[]): { uri: string; at: P | null } | null {
  const other = entries.find(([uri]) => uri !== documentUri);
  return other ? { uri: other[0], at: other[1][0] ?? null } : null;
}

export const revealEditsMiddleware: Pick<Middleware, 'provideCodeActions'> = {
  async provideCodeActions(document, range, context, token, next) {
    const actions = await next(document, range, context, token);
    for (const action of actions ?? []) {
      if (!(action instanceof vscode.CodeAction) || !action.edit || action.command) continue;
      const entries = action.edit.entries().map(([uri, edits]) => [uri.toString(), edits.map((e) => e.range.start)] as const);
      const target = otherFileTarget(document.uri.toString(), entries);
      if (target) action.command = { title: 'Show the edited file', command: REVEAL_EDIT_COMMAND, arguments: [target.uri, target.at] };
    }
    return actions;
  },
};

export function registerRevealEdit(): vscode.Disposable {
  return vscode.commands.registerCommand(REVEAL_EDIT_COMMAND, async (uri: string, at: vscode.Position | null) => {
    const position = at ?? new vscode.Position(0, 0);
    await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: true, preserveFocus: false, selection: new vscode.Range(position, position) });
  });
}
