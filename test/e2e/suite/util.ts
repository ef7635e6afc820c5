/** Helpers for the integration suite: fixture expectations, waiting, hover and diagnostic text. */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'microvm-net.microvm-net';
export const SOURCE = 'microvm-net';
export const COMMANDS = ['microvmNet.restartServer', 'microvmNet.rescan', 'microvmNet.showTapReport', 'microvmNet.showReferences', 'microvmNet.showMap', 'microvmNet.explainTap'];

/**
 * MICROVM_NET_E2E_BREAK=1 flips one expectation (the bridge the hover must name) so that a run
 * can show the suite really fails.
 */
export const BREAK = process.env.MICROVM_NET_E2E_BREAK === '1';

/** The `expected.json` of an example workspace (see examples/README.md). */
export interface ExpectedDiagnostic {
  code: string;
  file: string;
  /** 1-based, like the CLI. */
  line: number;
  /** 1-based, UTF-16. */
  column: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  messageIncludes?: string[];
}

export interface ExpectedInterface {
  id: string;
  status: string;
  bridge: string | null;
  via: string | null;
  vm: string | null;
  host: string | null;
  file: string;
  line: number;
  column: number;
}

export interface Fixture {
  name: string;
  root: vscode.Uri;
  interfaces: ExpectedInterface[];
  diagnostics: ExpectedDiagnostic[];
}

/** Read synchronously: mocha builds the test list from it before anything runs. */
export function loadFixture(): Fixture {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs a fixture workspace folder');
  const expected = JSON.parse(readFileSync(join(folder.uri.fsPath, 'expected.json'), 'utf8')) as {
    interfaces?: ExpectedInterface[];
    diagnostics?: ExpectedDiagnostic[];
  };
  return {
    name: basename(folder.uri.fsPath),
    root: folder.uri,
    interfaces: expected.interfaces ?? [],
    diagnostics: expected.diagnostics ?? [],
  };
}

export function uriOf(fixture: Fixture, file: string): vscode.Uri {
  return vscode.Uri.joinPath(fixture.root, ...file.split('/'));
}

export function positionOf(item: { line: number; column: number }): vscode.Position {
  return new vscode.Position(item.line - 1, item.column - 1);
}

/**
 * The bridge a tap-without-bridge diagnostic says the tap should be on: the example's
 * `messageIncludes` names it (examples/README.md).
 */
export function intendedBridge(d: ExpectedDiagnostic): string {
  const bridge = d.messageIncludes?.[0];
  if (!bridge) throw new Error(`expected.json: ${d.code} at ${d.file}:${d.line} names no bridge in messageIncludes`);
  return bridge;
}

export const SEVERITY: Record<ExpectedDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function ours(d: vscode.Diagnostic): boolean {
  return d.source === SOURCE;
}

/** Polls `probe` until it returns something other than undefined/false; fails with `what`. */
export async function waitFor<T>(what: string | (() => string), probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${why}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The published diagnostic matching an expectation, if any. */
export function findDiagnostic(fixture: Fixture, expected: ExpectedDiagnostic): vscode.Diagnostic | undefined {
  const at = positionOf(expected);
  return vscode.languages
    .getDiagnostics(uriOf(fixture, expected.file))
    .find((d) => ours(d) && codeOf(d) === expected.code && d.range.start.isEqual(at));
}

export function waitForDiagnostic(fixture: Fixture, expected: ExpectedDiagnostic, timeoutMs?: number): Promise<vscode.Diagnostic> {
  return waitFor(`${expected.code} at ${expected.file}:${expected.line}:${expected.column}`, () => findDiagnostic(fixture, expected), timeoutMs);
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const ds = vscode.languages.getDiagnostics(uri).filter(ours);
  return ds.length ? ds.map((d) => `${codeOf(d)}@${d.range.start.line + 1}:${d.range.start.character + 1}`).join(', ') : 'none';
}

export function hoverText(hovers: vscode.Hover[] | undefined): string {
  const parts: string[] = [];
  for (const hover of hovers ?? []) {
    for (const content of hover.contents) {
      if (typeof content === 'string') parts.push(content);
      else parts.push(content.value);
    }
  }
  return parts.join('\n---\n');
}

export async function hoverAt(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hoverText(hovers);
}

/** Waits until a hover at `position` contains `mustInclude` (the server may still be scanning). */
export function waitForHover(uri: vscode.Uri, position: vscode.Position, mustInclude: string, timeoutMs = 30_000): Promise<string> {
  let last = '';
  return waitFor(
    () => `a hover at ${basename(uri.fsPath)}:${position.line + 1}:${position.character + 1} mentioning ${mustInclude} (last: ${JSON.stringify(last)})`,
    async () => {
      last = await hoverAt(uri, position);
      return last.includes(mustInclude) ? last : undefined;
    },
    timeoutMs,
  );
}

export async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
  return (all ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

/**
 * Runs the tap report command and reads the report: a read-only virtual Markdown document shown
 * in the Markdown preview (the command returns its URI). Fails if it is an untitled or dirty buffer.
 */
export async function reportOpenedBy(command: string): Promise<{ text: string; languageId: string }> {
  const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(command);
  if (!uri) throw new Error(`${command} returned no report URI`);
  if (uri.scheme === 'untitled' || uri.scheme === 'file') throw new Error(`the report is a ${uri.scheme} document: ${uri}`);
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.isDirty) throw new Error('the report document is dirty');
  const previewed = await waitFor(`the Markdown preview of ${uri}`, () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /preview/i.test(t.label) && t.label.includes('MicroVM tap report')),
  );
  const result = { text: doc.getText(), languageId: doc.languageId };
  await vscode.window.tabGroups.close(previewed);
  return result;
}
