/**
 * The built server under conditions editors really produce: cancelled requests on a big
 * workspace, requests about closed, deleted or never-existing files, stale and out-of-order
 * changes, files deleted and recreated while open, and a workspace larger than
 * `microvmNet.maxFiles`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CancellationTokenSource,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DocumentSymbolRequest,
  FileChangeType,
  HoverRequest,
  LSPErrorCodes,
  MessageType,
  ReferencesRequest,
  ResponseError,
  WorkspaceSymbolRequest,
  type ShowMessageParams,
} from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces, tempDir } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

/** `count` lone guest modules (one tap each), bridged by one unit file; the tap id of guest i is `vm-<i>`. */
function bigWorkspace(count: number): string {
  const root = tempDir('microvm-net-big-');
  mkdirSync(join(root, 'vms'));
  mkdirSync(join(root, 'etc', 'systemd', 'network'), { recursive: true });
  writeFileSync(join(root, 'etc', 'systemd', 'network', '10-br0.netdev'), '[NetDev]\nName=br0\nKind=bridge\n');
  writeFileSync(join(root, 'etc', 'systemd', 'network', '20-vms.network'), '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n');
  for (let i = 0; i < count; i++) {
    const mac = `02:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}:01`;
    writeFileSync(
      join(root, 'vms', `g${i}.nix`),
      `{ lib, ... }:\n{\n  networking.hostName = "g${i}";\n  microvm.interfaces = [ { type = "tap"; id = "vm-${i}"; mac = "${mac}"; } ];\n}\n`,
    );
  }
  return root;
}

const isCancelled = (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled;

/** Waits until the first scan ended and an analysis was announced. */
async function scanned(client: LspClient, taps: number): Promise<void> {
  await client.waitForNotification<{ scanning: boolean; total: number }>(
    'microvmNet/analysisSummary',
    (s) => !s.scanning && s.total === taps,
    60_000,
  );
}

describe('cancellation on a big workspace', () => {
  test('cancelled requests answer RequestCancelled (or promptly), and the server stays responsive', async () => {
    const root = bigWorkspace(1000);
    const client = await LspClient.start({ roots: [root] });
    try {
      await scanned(client, 1000);
      const uri = await client.openFile(join(root, 'vms', 'g7.nix'));
      const outcomes: string[] = [];
      for (let round = 0; round < 3; round++) {
        // Each edit invalidates the analysis, so the next request re-analyses 1000 modules.
        await client.replaceText(uri, round % 2 ? '"g7-b"' : '"g7"', round % 2 ? '"g7"' : '"g7-b"');
        const long = client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'vm-' });
        const queued = Array.from({ length: 8 }, (_, i) => {
          const source = new CancellationTokenSource();
          const request =
            i % 2
              ? client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: `vm-${i}` }, source.token)
              : client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 3, character: 50 } }, source.token);
          source.cancel();
          return request.then(
            () => 'answered',
            (e: unknown) => {
              if (isCancelled(e)) return 'cancelled';
              throw e;
            },
          );
        });
        outcomes.push(...(await Promise.all(queued)));
        const symbols = await long;
        assert.ok(Array.isArray(symbols) && symbols.length >= 1000, `symbols: ${symbols?.length}`);
      }
      console.log(`cancelled requests: ${outcomes.filter((o) => o === 'cancelled').length} answered RequestCancelled, ${outcomes.filter((o) => o === 'answered').length} answered before the cancel arrived`);
      assert.ok(outcomes.includes('cancelled'), 'queued requests behind a long one are cancelled, not run');
      // Still responsive: a fresh hover on the edited tap is answered.
      const hover = await client.hover(uri, { line: 3, character: 50 });
      assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
      assert.match(hover.contents.value, /vm-7/);
    } finally {
      await client.stop();
    }
  });
});

describe('requests about files that are not there', () => {
  test('closed, deleted and never-existing files get empty answers; the server stays up', async () => {
    const root = copyWorkspace('seed');
    const vms = join(root, 'hosts', 'hv', 'vms.nix');
    const client = await LspClient.start({ roots: [root] });
    try {
      const uri = await client.openFile(vms);
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
      await client.close(uri);
      rmSync(vms);
      await client.filesChanged([{ uri, type: FileChangeType.Deleted }]);
      await client.waitForDiagnostics(uri, (ds) => ds.length === 0, 30_000);

      for (const target of [uri, fileUri(join(root, 'never', 'there.nix')), fileUri(join(root, 'gone.network'))]) {
        const textDocument = { uri: target };
        const position = { line: 11, character: 20 };
        const c = client.connection;
        assert.equal(await c.sendRequest(HoverRequest.type, { textDocument, position }), null, target);
        assert.deepEqual(await c.sendRequest(DefinitionRequest.type, { textDocument, position }), [], target);
        assert.deepEqual(await c.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } }), [], target);
        assert.deepEqual(await c.sendRequest(DocumentSymbolRequest.type, { textDocument }), [], target);
        assert.deepEqual(await c.sendRequest(CodeLensRequest.type, { textDocument }), [], target);
        assert.deepEqual(await c.sendRequest(CompletionRequest.type, { textDocument, position }), [], target);
        assert.deepEqual(await client.codeActions(target, { start: position, end: position }), [], target);
      }
      // Changes and closes for documents never opened are ignored, not fatal.
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri: fileUri(join(root, 'never.nix')), version: 9 },
        contentChanges: [{ text: 'x' }],
      });
      const report = (await client.connection.sendRequest('microvmNet/tapReport')) as { taps: unknown[] };
      assert.deepEqual(report.taps, []);
      assert.equal(client.exitCode, null);
    } finally {
      await client.stop();
    }
  });
});

describe('stale and out-of-order changes', () => {
  test('a didChange at or below the held version is ignored; later changes apply to the right text', async () => {
    const root = copyWorkspace('seed');
    const client = await LspClient.start({ roots: [root] });
    try {
      const uri = await client.openFile(join(root, 'hosts', 'hv', 'vms.nix'));
      const seedWarning = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
      await client.replaceText(uri, '"my-microvm"', '"my-microvm-long1"'); // version 2
      await client.waitForDiagnostic(uri, (d) => d.code === 'interface-name-too-long', 30_000);

      // Late copies of older edits: a version 1 (out of order) and a repeated version 2. Applied,
      // they would cut into the id and corrupt everything after.
      for (const version of [1, 2]) {
        await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version },
          contentChanges: [{ range: { start: { line: 11, character: 20 }, end: { line: 11, character: 25 } }, text: '' }],
        });
      }
      await client.waitFor('stale change logged', () => client.logs.filter((l) => /ignored a stale change/.test(l)).length === 2 || undefined);

      // Version 3, against the text of version 2, restores the seed id: exact seed warning again.
      await client.replaceText(uri, '"my-microvm-long1"', '"my-microvm"');
      const ds = await client.waitForDiagnostics(uri, (x) => !x.some((d) => d.code === 'interface-name-too-long'), 30_000);
      assert.deepEqual(
        ds.map((d) => [d.code, d.range]),
        [[seedWarning.code, seedWarning.range]],
      );
      // The server's copy is at version 3: a fix names it.
      const [fix] = await client.codeActions(uri, seedWarning);
      const edit = fix.edit!.documentChanges!.find((c) => 'textDocument' in c && c.textDocument.uri === uri);
      if (edit && 'textDocument' in edit) assert.equal(edit.textDocument.version, 3);

      // A new service (here: a folder added) is handed the server's copy of every open buffer:
      // that copy must have ignored the stale changes too.
      const scans = () => client.logs.filter((l) => /^scanned \d+ files/.test(l)).length;
      const before = scans();
      const extra = copyWorkspace('seed-files');
      await client.foldersChanged([extra], []);
      await client.waitFor('re-scan over two folders', () => scans() > before || undefined, 30_000);
      await client.connection.sendRequest('microvmNet/tapReport');
      await new Promise((r) => setTimeout(r, 400)); // past the publish debounce
      assert.deepEqual(
        client.diagnostics.get(uri)?.map((d) => [d.code, d.range]),
        [[seedWarning.code, seedWarning.range]],
      );
    } finally {
      await client.stop();
    }
  });
});

describe('files deleted and recreated while open', () => {
  test('an open buffer wins over disk events; once closed, disk rules again', async () => {
    const root = copyWorkspace('seed');
    const vms = join(root, 'hosts', 'hv', 'vms.nix');
    const original = (await import('node:fs')).readFileSync(vms, 'utf8');
    const client = await LspClient.start({ roots: [root] });
    try {
      const uri = await client.openFile(vms);
      const warning = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);

      rmSync(vms);
      await client.filesChanged([{ uri, type: FileChangeType.Deleted }]);
      // Re-created with other content while still open (git checkout, a formatter on disk...).
      writeFileSync(vms, original.replace('"my-microvm"', '"my-microvm-long1"'));
      await client.filesChanged([{ uri, type: FileChangeType.Created }]);
      await client.connection.sendRequest('microvmNet/tapReport');
      await new Promise((r) => setTimeout(r, 400)); // past the publish debounce
      assert.deepEqual(
        client.diagnostics.get(uri)?.map((d) => [d.code, d.range]),
        [[warning.code, warning.range]],
        'the buffer still decides',
      );
      // Editing the open buffer still works on its own text.
      await client.replaceText(uri, 'vcpu = 2;', 'vcpu = 4;');
      const hover = await client.hover(uri, warning.range.start);
      assert.ok(hover);

      await client.close(uri);
      await client.waitForDiagnostic(uri, (d) => d.code === 'interface-name-too-long', 30_000);

      rmSync(vms);
      await client.filesChanged([{ uri, type: FileChangeType.Deleted }]);
      await client.waitForDiagnostics(uri, (ds) => ds.length === 0, 30_000);
      writeFileSync(vms, original);
      await client.filesChanged([{ uri, type: FileChangeType.Created }]);
      const back = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
      assert.deepEqual(back.range, warning.range);
    } finally {
      await client.stop();
    }
  });
});

describe('a workspace larger than microvmNet.maxFiles', () => {
  test('20,000 files with maxFiles 500: a clear warning, diagnostics for what was scanned', async () => {
    const root = copyWorkspace('seed');
    // Sorted after flake.nix and hosts/: the seed is scanned first.
    for (let d = 0; d < 100; d++) {
      const dir = join(root, 'zz-filler', `d${String(d).padStart(3, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 200; f++) writeFileSync(join(dir, `f${f}.nix`), '{ }\n');
    }
    const client = await LspClient.start({ roots: [root], settings: () => ({ maxFiles: 500 }) });
    try {
      const shown = await client.waitForNotification<ShowMessageParams>('window/showMessage', (m) => /maxFiles/.test(m.message), 60_000);
      assert.equal(shown.type, MessageType.Warning);
      // 20,000 fillers + the seed's 4 files, 500 kept.
      assert.match(shown.message, /microvmNet\.maxFiles \(500 files\); 19504 more files were not analysed/);
      assert.ok(client.logs.some((l) => /19504 left out by microvmNet\.maxFiles/.test(l)), client.logs.join('\n'));
      const vms = fileUri(join(root, 'hosts', 'hv', 'vms.nix'));
      const d = await client.waitForDiagnostic(vms, (x) => x.code === 'tap-without-bridge', 30_000);
      assert.deepEqual(d.range.start, { line: 11, character: 17 });
      const summary = await client.waitForNotification<{ truncated: number; scanning: boolean }>(
        'microvmNet/analysisSummary',
        (s) => !s.scanning && s.truncated > 0,
      );
      assert.equal(summary.truncated, 19504);
      // A re-scan stopping at the same place does not repeat the popup.
      await client.connection.sendRequest('microvmNet/rescan');
      await client.connection.sendRequest('microvmNet/tapReport');
      assert.equal(client.notifications.filter((n) => n.method === 'window/showMessage').length, 1);
    } finally {
      await client.stop();
    }
  });
});
