/**
 * Protocol plumbing of the real LSP layer (server/src/lsp) over a fake engine
 * (test/lsp/fake): capabilities, registrations, progress, settings, incremental sync,
 * diagnostics publishing, code actions and their edits, custom requests.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CodeActionKind, DiagnosticSeverity, TextDocumentSyncKind, type CreateFile, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { fakeServerCommand, fileUri, LspClient, type StartOptions } from './harness';

const workspace = mkdtempSync(join(tmpdir(), 'microvm-net-lsp-'));
const rootA = join(workspace, 'a');
const rootB = join(workspace, 'b ü#');
mkdirSync(rootA);
mkdirSync(rootB);
writeFileSync(join(rootA, 'vms.nix'), '{ }\n');

after(() => rmSync(workspace, { recursive: true, force: true }));

function start(opts: Partial<StartOptions> = {}): Promise<LspClient> {
  return LspClient.start({ roots: [rootA], command: fakeServerCommand(), env: { FAKE_SCAN_STEP_MS: '20' }, ...opts });
}

/** The fake's hover reports its state as JSON. */
async function fakeState(client: LspClient, uri: string): Promise<{
  instance: number;
  roots: string[];
  settings: Record<string, unknown>;
  settingsUpdates: number;
  scans: number;
}> {
  const hover = await client.hover(uri, { line: 0, character: 0 });
  assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
  return JSON.parse(hover.contents.value);
}

/** Polls the fake's state until `check` holds (state changes land after async re-scans). */
async function stateWhen(client: LspClient, uri: string, check: (s: Awaited<ReturnType<typeof fakeState>>) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await fakeState(client, uri);
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`fake state never matched: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const textOf = (client: LspClient, uri: string) =>
  client.waitForDiagnostic(uri, (d) => d.code === 'fake-text' && d.message === `v${client.version(uri)}:${client.text(uri)}`);

describe('initialize and registrations', () => {
  let client: LspClient;
  before(async () => {
    client = await start();
  });
  after(() => client.stop());

  test('announces incremental sync and the features the engine answers', () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
    assert.equal(caps.hoverProvider, true);
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: [CodeActionKind.QuickFix] });
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.ok(caps.documentSymbolProvider);
    assert.equal(caps.workspaceSymbolProvider, true);
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.ok(caps.completionProvider);
    assert.deepEqual(caps.workspace?.workspaceFolders, { supported: true, changeNotifications: true });
    assert.equal(client.initializeResult.serverInfo?.name, 'microvm-net-lsp-fake');
  });

  test('registers file watchers and the configuration section dynamically', async () => {
    await client.waitFor('registrations', () => client.registrations.length >= 2 || undefined);
    const watchers = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(watchers, 'watched files registration');
    const globs = (watchers.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    for (const glob of ['**/*.nix', '**/*.network', '**/*.netdev', '**/*.network.d/*.conf']) assert.ok(globs.includes(glob), glob);
    const config = client.registrations.find((r) => r.method === 'workspace/didChangeConfiguration');
    assert.deepEqual(config?.registerOptions, { section: 'microvmNet' });
  });

  test('reports the initial scan as work-done progress with begin, reports and end', async () => {
    await client.waitFor('progress end', () => client.progress.some((p) => p.value.kind === 'end') || undefined);
    assert.equal(client.progressTokens.length >= 1, true);
    const token = client.progressTokens[0];
    const kinds = client.progress.filter((p) => p.token === token).map((p) => p.value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds.at(-1), 'end');
    const begin = client.progress[0].value;
    assert.ok(begin.kind === 'begin' && /Scanning/.test(begin.title));
    assert.ok(begin.kind === 'begin' && begin.cancellable === true);
  });

  test('logs through window/logMessage, including skipped files', async () => {
    await client.waitFor('scan log', () => client.logs.some((l) => /scanned 3 files/.test(l)) || undefined);
    assert.ok(client.logs.some((l) => /skipped .*big\.nix: too large/.test(l)));
  });
});

describe('settings', () => {
  test('pulls microvmNet per workspace folder and merges them', async () => {
    const client = await start({
      roots: [rootA, rootB],
      settings: (item) =>
        item.scopeUri === fileUri(rootA)
          ? { exclude: ['a/**'], maxFiles: 7, severity: { 'tap-without-bridge': 'error' } }
          : { exclude: ['b/**'], maxFiles: 9, defaultBridge: 'br9', severity: 'nonsense' },
    });
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP\n');
      const state = await fakeState(client, uri);
      assert.deepEqual(client.configurationRequests[0], [
        { scopeUri: fileUri(rootA), section: 'microvmNet' },
        { scopeUri: fileUri(rootB), section: 'microvmNet' },
      ]);
      assert.deepEqual(state.settings, {
        exclude: ['a/**', 'b/**'],
        maxFiles: 7,
        maxFileSize: 2 * 1024 * 1024,
        defaultBridge: 'br9',
        severity: { 'tap-without-bridge': 'error' },
        inlayHints: true,
      });
      const tap = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      assert.equal(tap.severity, DiagnosticSeverity.Error, 'severity override applied');
    } finally {
      await client.stop();
    }
  });

  test('a change notification re-pulls; live update when the engine supports it', async () => {
    const client = await start();
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP\n');
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      const first = await fakeState(client, uri);
      client.setSettings(() => ({ maxFiles: 5, severity: { 'tap-without-bridge': 'off' } }));
      await client.configurationChanged();
      await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
      const state = await stateWhen(client, uri, (s) => s.scans === 2);
      assert.equal(state.instance, first.instance, 'same service');
      assert.equal(state.settings.maxFiles, 5);
      assert.equal(state.settingsUpdates, 1);
      assert.equal(state.scans, 2, 'new settings re-scan');
    } finally {
      await client.stop();
    }
  });

  test('a severity-only change goes to the engine live and re-publishes, without a re-scan', async () => {
    const client = await start();
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP\n');
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge' && d.severity === DiagnosticSeverity.Warning);
      const first = await stateWhen(client, uri, (s) => s.scans === 1);
      client.setSettings(() => ({ severity: { 'tap-without-bridge': 'info' } }));
      await client.configurationChanged();
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge' && d.severity === DiagnosticSeverity.Information);
      const state = await fakeState(client, uri);
      assert.equal(state.instance, first.instance, 'same service');
      assert.equal(state.settingsUpdates, 1, 'handed to the engine');
      assert.equal(state.scans, 1, 'no re-scan');
      assert.deepEqual(state.settings.severity, { 'tap-without-bridge': 'info' });
    } finally {
      await client.stop();
    }
  });

  test('recreates the service when it cannot take settings live, keeping open buffers', async () => {
    const client = await start({ env: { FAKE_NO_LIVE_SETTINGS: '1', FAKE_SCAN_STEP_MS: '20' } });
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'hello TAP\n');
      await textOf(client, uri);
      const first = await fakeState(client, uri);
      client.setSettings(() => ({ maxFiles: 11 }));
      await client.configurationChanged();
      await client.replaceText(uri, 'hello', 'bye');
      const state = await stateWhen(client, uri, (s) => s.instance !== first.instance);
      assert.equal(state.settings.maxFiles, 11);
      await textOf(client, uri);
    } finally {
      await client.stop();
    }
  });

  test('clients without workspace/configuration get the defaults', async () => {
    const client = await start({ capabilities: { workspace: { configuration: false } } });
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), '{ }\n');
      const state = await fakeState(client, uri);
      assert.equal(client.configurationRequests.length, 0);
      assert.equal(state.settings.maxFiles, 20000);
    } finally {
      await client.stop();
    }
  });
});

describe('documents and diagnostics', () => {
  let client: LspClient;
  before(async () => {
    client = await start();
  });
  after(() => client.stop());

  test('incremental changes round-trip to the engine exactly (multi-line, UTF-16, CRLF)', async () => {
    const uri = await client.open(fileUri(join(rootA, 'sync.nix')), 'line one\r\nline 😀 two\nthree\n');
    await textOf(client, uri);
    await client.change(uri, [
      { range: { start: { line: 1, character: 7 }, end: { line: 1, character: 8 } }, text: '🎉x' },
      { range: { start: { line: 0, character: 4 }, end: { line: 2, character: 2 } }, text: '\nmiddle\r\n' },
    ]);
    await textOf(client, uri);
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'é' }]);
    await client.replaceText(uri, 'middle', 'centre');
    const final = await textOf(client, uri);
    assert.equal(final.message, `v${client.version(uri)}:${client.text(uri)}`);
  });

  test('rapid edits publish the state after the last one', async () => {
    const uri = await client.open(fileUri(join(rootA, 'rapid.nix')), '');
    await textOf(client, uri);
    for (let i = 0; i < 20; i++) {
      await client.change(uri, [{ range: { start: { line: 0, character: i }, end: { line: 0, character: i } }, text: String(i % 10) }]);
    }
    const published = await textOf(client, uri);
    assert.equal(published.message, 'v21:01234567890123456789');
    const publishes = client.publishes.filter((p) => p.uri === uri).length;
    assert.ok(publishes < 21, `debounced (${publishes} publishes for 21 versions)`);
  });

  test('diagnostics carry source, code and related information with encoded URIs', async () => {
    const uri = await client.open(fileUri(join(rootB, 'tap file.nix')), 'x TAP\n');
    const d = await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge');
    assert.equal(d.source, 'microvm-net');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(d.range, { start: { line: 0, character: 2 }, end: { line: 0, character: 5 } });
    assert.equal(d.relatedInformation?.[0].location.uri, fileUri(join(rootB, 'net work.nix')));
    assert.match(d.relatedInformation![0].location.uri, /b%20%C3%BC%23\/net%20work\.nix$/);
  });

  test('unchanged files are not re-published; files that lose all diagnostics are cleared', async () => {
    const quiet = await client.open(fileUri(join(rootA, 'quiet.nix')), 'stable\n');
    await textOf(client, quiet);
    const busy = await client.open(fileUri(join(rootA, 'busy.nix')), 'TAP\n');
    await client.waitForDiagnostic(busy, (d) => d.code === 'tap-without-bridge');
    const quietBefore = client.publishes.filter((p) => p.uri === quiet).length;
    await client.replaceText(busy, 'TAP', 'ok');
    await client.waitForDiagnostics(busy, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
    assert.equal(client.publishes.filter((p) => p.uri === quiet).length, quietBefore);
    await client.close(busy);
    await client.waitForDiagnostics(busy, (ds) => ds.length === 0);
  });

  test('non-file documents are ignored', async () => {
    const uri = await client.open('untitled:Untitled-1', 'TAP');
    const hover = await client.hover(uri, { line: 0, character: 0 });
    assert.equal(hover, null);
  });
});

describe('code actions', () => {
  test('each fix is a quickfix tied to its diagnostic; creates use CreateFile + TextDocumentEdit', async () => {
    const client = await start();
    try {
      const uri = await client.open(fileUri(join(rootA, 'fix.nix')), '{\n  id = TAP;\n}\n');
      const diag = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      const actions = await client.codeActions(uri, diag);
      assert.deepEqual(actions.map((a) => [a.title, a.kind, a.isPreferred]), [
        ['Replace TAP with BRIDGED', 'quickfix', true],
        ['Create 10-new.network', 'quickfix', false],
      ]);
      for (const a of actions) assert.deepEqual(a.diagnostics, [diag]);

      const create = actions[1].edit!.documentChanges!;
      const newUri = fileUri(join(rootA, '10-new.network'));
      assert.deepEqual(create[0], { kind: 'create', uri: newUri, options: { overwrite: false, ignoreIfExists: false } } satisfies CreateFile);
      const insert = create[1] as TextDocumentEdit;
      assert.deepEqual(insert.textDocument, { uri: newUri, version: null });
      // This client has no snippet edit support: placeholders become their defaults.
      assert.equal(insert.edits[0].newText, '[Match]\nName=vm-*\n\n[Network]\nBridge=br0$x\n');

      const replace = actions[0].edit!.documentChanges![0] as TextDocumentEdit;
      assert.equal(replace.textDocument.version, client.version(uri));

      await client.applyWorkspaceEdit(actions[0].edit!);
      await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
      assert.equal(client.text(uri), '{\n  id = BRIDGED;\n}\n');
      assert.deepEqual(await client.codeActions(uri, diag.range), []);

      await client.applyWorkspaceEdit(actions[1].edit!);
      assert.equal(client.text(newUri), '[Match]\nName=vm-*\n\n[Network]\nBridge=br0$x\n');
      assert.deepEqual(await client.codeActions(uri, diag, ['refactor']), []);
    } finally {
      await client.stop();
    }
  });

  test('snippet-capable clients get the snippet; clients without documentChanges lose create fixes', async () => {
    const snippets = await start({ capabilities: { workspace: { workspaceEdit: { snippetEditSupport: true } as object } } });
    try {
      const uri = await snippets.open(fileUri(join(rootA, 'fix.nix')), 'TAP');
      const diag = await snippets.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      const [, create] = await snippets.codeActions(uri, diag);
      const edit = (create.edit!.documentChanges![1] as TextDocumentEdit).edits[0] as unknown as { snippet: { kind: string; value: string } };
      assert.deepEqual(edit.snippet, { kind: 'snippet', value: '[Match]\nName=${1:vm-*}\n\n[Network]\nBridge=${2:br0}\\$x\n' });
    } finally {
      await snippets.stop();
    }
    const plain = await start({ capabilities: { workspace: { workspaceEdit: { documentChanges: false, resourceOperations: [] } } } });
    try {
      const uri = await plain.open(fileUri(join(rootA, 'fix.nix')), 'TAP');
      const diag = await plain.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      const actions = await plain.codeActions(uri, diag);
      assert.deepEqual(actions.map((a) => a.title), ['Replace TAP with BRIDGED']);
      assert.deepEqual(actions[0].edit, { changes: { [uri]: [{ range: diag.range, newText: 'BRIDGED' }] } });
    } finally {
      await plain.stop();
    }
  });
});

describe('navigation, workspace and custom requests', () => {
  let client: LspClient;
  let uri: string;
  before(async () => {
    client = await start();
    uri = await client.open(fileUri(join(rootA, 'nav.nix')), 'TAP here\n');
    await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
  });
  after(() => client.stop());

  test('definition, references, symbols, lenses and completion translate', async () => {
    const c = client.connection;
    const position = { line: 0, character: 1 };
    const defs = await c.sendRequest('textDocument/definition', { textDocument: { uri }, position });
    assert.deepEqual(defs, [{ uri, range: { start: position, end: { line: 0, character: 2 } } }]);
    const refs = (await c.sendRequest('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } })) as unknown[];
    assert.equal(refs.length, 2);
    const symbols = (await c.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string; children: { name: string }[] }[];
    assert.equal(symbols[0].name, 'web');
    assert.equal(symbols[0].children[0].name, 'vm-web');
    const ws = (await c.sendRequest('workspace/symbol', { query: 'br' })) as { name: string; location: { uri: string } }[];
    assert.equal(ws[0].name, 'match-br');
    assert.equal(ws[0].location.uri, fileUri(join(rootA, 'x.nix')));
    const lenses = (await c.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as { command: { command: string; title: string; arguments: unknown[] } }[];
    assert.equal(lenses[0].command.command, 'microvmNet.showReferences');
    assert.equal((lenses[0].command.arguments[2] as unknown[]).length, 1);
    assert.equal(lenses[1].command.command, '');
    const completions = (await c.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as { label: string }[];
    assert.deepEqual(completions.map((x) => x.label), ['br0']);
  });

  test('tap report and analysis summary', async () => {
    const report = (await client.connection.sendRequest('microvmNet/tapReport')) as { taps: { id: string; status: string; location: { uri: string } }[] };
    assert.deepEqual(report.taps.map((t) => [t.id, t.status, t.location.uri]), [['vm-fake', 'unmanaged', uri]]);
    const summary = await client.waitForNotification<{ problems: number; scanning: boolean }>(
      'microvmNet/analysisSummary',
      (s) => s.problems === 1 && !s.scanning,
    );
    assert.equal(summary.problems, 1);
  });

  test('rescan runs a scan with progress and returns its report', async () => {
    const before = client.progressTokens.length;
    const result = (await client.connection.sendRequest('microvmNet/rescan')) as { files: number; skipped: { uri: string }[] };
    assert.equal(result.files, 3);
    assert.equal(result.skipped[0].uri, fileUri(join(rootA, 'big.nix')));
    assert.equal(client.progressTokens.length, before + 1);
    assert.equal((await fakeState(client, uri)).scans, 2);
  });

  test('workspace folder changes recreate the service over the new roots', async () => {
    const first = await fakeState(client, uri);
    await client.foldersChanged([rootB], []);
    const state = await stateWhen(client, uri, (s) => s.instance !== first.instance);
    assert.deepEqual(state.roots, [rootA, rootB]);
    await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
  });

  test('watched file events reach the engine', async () => {
    await client.filesChanged([{ uri: fileUri(join(rootA, 'gone.nix')), type: 3 }]);
    await client.waitFor('deleted log', () => client.logs.some((l) => l.includes('fake: deleted') && l.includes('gone.nix')) || undefined);
  });

});

describe('cancellation', () => {
  test('a request waiting for the first scan answers RequestCancelled when cancelled', async () => {
    // A slow scan keeps the hover waiting for the service, so the cancel always arrives first.
    const client = await start({ env: { FAKE_SCAN_STEP_MS: '400' } });
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP');
      const { CancellationTokenSource } = await import('vscode-jsonrpc');
      const source = new CancellationTokenSource();
      const pending = client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }, source.token);
      setTimeout(() => source.cancel(), 50);
      await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
    } finally {
      await client.stop();
    }
  });
});

describe('engine failures', () => {
  test('a failing engine is reported, requests fail instead of hanging, the server stays up', async () => {
    const client = await start({ env: { FAKE_FAIL_CREATE: '1' } });
    try {
      const shown = await client.waitForNotification<{ type: number; message: string }>('window/showMessage');
      assert.match(shown.message, /fake engine cannot start/);
      assert.ok(client.logs.some((l) => /analysis engine failed: Error: fake engine cannot start/.test(l)));
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP');
      await assert.rejects(client.hover(uri, { line: 0, character: 0 }), /fake engine cannot start/);
      await client.stop();
      assert.equal(client.exitCode, 0);
    } finally {
      await client.stop();
    }
  });
});

describe('without a workspace folder list', () => {
  test('rootUri alone is the one root, and shutdown/exit ends the process', async () => {
    const client = await start({ rootUriOnly: true });
    const uri = await client.open(fileUri(join(rootA, 'vms.nix')), '{ }\n');
    assert.deepEqual((await fakeState(client, uri)).roots, [rootA]);
    await client.stop();
    assert.equal(client.exitCode, 0);
  });
});

describe('push-model settings', () => {
  test('clients without workspace/configuration can push microvmNet in didChangeConfiguration', async () => {
    const client = await start({ capabilities: { workspace: { configuration: false } } });
    try {
      const uri = await client.open(fileUri(join(rootA, 'vms.nix')), 'TAP');
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
      await client.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { microvmNet: { severity: { 'tap-without-bridge': 'off' }, maxFiles: 4 } },
      });
      await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
      assert.equal((await stateWhen(client, uri, (s) => s.settings.maxFiles === 4)).settings.maxFiles, 4);
    } finally {
      await client.stop();
    }
  });
});
