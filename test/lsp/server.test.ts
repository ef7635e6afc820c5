/**
 * The built server (`node dist/server.js --stdio`) over the seed fixture: the same process any
 * LSP client starts. dist/ is built first when missing or older than the sources (never skipped).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient, REPO } from './harness';

before(ensureBuilt);

describe('built server over the seed fixture', () => {
  // A copy, so fixes applied by later tests never touch the fixture.
  const root = mkdtempSync(join(tmpdir(), 'microvm-net-seed-'));
  const vms = join(root, 'hosts', 'hv', 'vms.nix');
  let client: LspClient;

  before(async () => {
    cpSync(join(REPO, 'test', 'fixtures', 'seed'), root, { recursive: true });
    client = await LspClient.start({ roots: [root] });
  });
  after(async () => {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('initializes with the full capability set and its name', () => {
    const { capabilities, serverInfo } = client.initializeResult;
    assert.equal(serverInfo?.name, 'microvm-net-lsp');
    assert.ok(capabilities.hoverProvider && capabilities.codeActionProvider && capabilities.codeLensProvider);
  });

  test('scans with progress and publishes the seed warning on the tap id', async () => {
    const uri = fileUri(vms);
    const d = await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge', 30_000);
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.equal(d.source, 'microvm-net');
    // expected.json: line 12, column 18 (1-based) is the start of the id value.
    assert.deepEqual(d.range.start, { line: 11, character: 17 });
    assert.match(d.message, /brprim4/);
    assert.ok(client.progress.some((p) => p.value.kind === 'begin'));
    assert.ok(client.progress.some((p) => p.value.kind === 'end'));
  });

  test('hover on the tap id explains the outcome and names the deciding unit', async () => {
    const uri = fileUri(vms);
    const d = await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge', 30_000);
    const hover = await client.hover(uri, { line: d.range.start.line, character: d.range.start.character + 3 });
    assert.ok(hover && typeof hover.contents === 'object' && 'kind' in hover.contents);
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /my-microvm/);
    // The unit that sets the bridge the tap should be on, and does not match it.
    assert.match(hover.contents.value, /10-uplink\.network/);
    assert.match(hover.contents.value, /brprim4/);
    assert.deepEqual(hover.range, d.range);
  });

  test('the tap report lists the seed tap as unmanaged', async () => {
    const report = (await client.connection.sendRequest('microvmNet/tapReport')) as {
      taps: { id: string; status: string; host: string | null; vm: string | null; location: { uri: string } }[];
    };
    assert.deepEqual(
      report.taps.map((t) => [t.host, t.vm, t.id, t.status, t.location.uri]),
      [['hv', 'my-microvm', 'my-microvm', 'unmanaged', fileUri(vms)]],
    );
  });

  test('an edit in an open buffer is analysed incrementally and round-trips', async () => {
    const uri = await client.openFile(vms);
    await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge', 30_000);
    // A 16-byte id: too long for a Linux interface name.
    await client.replaceText(uri, '"my-microvm"', '"my-microvm-long1"');
    await client.waitForDiagnostic(uri, (x) => x.code === 'interface-name-too-long', 30_000);
    await client.replaceText(uri, '"my-microvm-long1"', '"my-microvm"');
    await client.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'interface-name-too-long'), 30_000);
  });

  test('microvmNet.severity is applied once, by the engine: level changed, then off, then back', async () => {
    const uri = fileUri(vms);
    const level = (d: { code?: unknown; severity?: number }) => d.code === 'tap-without-bridge' && d.severity;
    client.setSettings(() => ({ severity: { 'tap-without-bridge': 'error' } }));
    await client.configurationChanged();
    await client.waitForDiagnostic(uri, (d) => level(d) === DiagnosticSeverity.Error, 30_000);
    client.setSettings(() => ({ severity: { 'tap-without-bridge': 'off' } }));
    await client.configurationChanged();
    await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000);
    client.setSettings(() => ({}));
    await client.configurationChanged();
    await client.waitForDiagnostic(uri, (d) => level(d) === DiagnosticSeverity.Warning, 30_000);
  });
});
