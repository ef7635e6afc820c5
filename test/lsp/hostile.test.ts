/**
 * Issue 13 against the built server: it applies the CLI's rules. A symlink out of the workspace
 * that appears after the first scan is never read (defect 7), a unit opened from outside the
 * workspace decides nothing (8), a FIFO or a device imported by Nix blocks nothing (9), a
 * pathological or bad exclude glob neither hangs nor fails the scan (12), a file read with
 * `builtins.readFile` is a dependency (13), and bad params are InvalidParams (15).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ErrorCodes, FileChangeType, HoverRequest, CodeActionRequest, ResponseError, ShutdownRequest, MessageType, type ShowMessageParams } from 'vscode-languageserver-protocol';
import type { TapReport } from '../../server/src/protocol/protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces, tempDir } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

async function scanned(client: LspClient): Promise<void> {
  await client.waitForNotification<{ scanning: boolean; files: number }>('microvmNet/analysisSummary', (s) => !s.scanning && s.files > 0, 60_000);
}

async function tapReport(client: LspClient, params?: unknown): Promise<TapReport> {
  return (await client.connection.sendRequest('microvmNet/tapReport', params)) as TapReport;
}

function everythingSaid(client: LspClient): string {
  return JSON.stringify([client.publishes, client.notifications]);
}

test('defect 7: a symlink out of the workspace created after the first scan is not read on its watcher event', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  const outside = tempDir('microvm-net-outside-');
  writeFileSync(join(outside, '90-all.network'), '[Match]\nName=*\n\n[Network]\nBridge=br-stolen\n');
  const client = await LspClient.start({ roots: [ws] });
  try {
    await scanned(client);
    const vmsUri = fileUri(join(ws, 'hosts/hv/vms.nix'));
    await client.waitForDiagnostics(vmsUri, (ds) => ds.some((d) => d.code === 'tap-without-bridge'));
    symlinkSync('/etc/passwd', join(ws, 'pw.nix'));
    symlinkSync(join(outside, '90-all.network'), join(ws, '90-all.network'));
    await client.filesChanged([
      { uri: fileUri(join(ws, 'pw.nix')), type: FileChangeType.Created },
      { uri: fileUri(join(ws, '90-all.network')), type: FileChangeType.Created },
    ]);
    // The link is a unit the machine may have (issue 13, defect 16): the tap's bridge is unknown,
    // and nothing of what the link points at is read.
    const report = await tapReport(client);
    assert.deepEqual(report.taps.map((t) => [t.id, t.status, t.bridge]), [['my-microvm', 'unknown', null]]);
    assert.match(JSON.stringify(report.taps[0].reasons), /90-all\.network could not be read/);
    await client.waitForDiagnostics(vmsUri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
    const hover = await client.hover(fileUri(join(ws, 'pw.nix')), { line: 0, character: 1 });
    const tapHover = await client.hover(vmsUri, client.diagnostics.get(vmsUri)?.[0]?.range.start ?? { line: 0, character: 0 });
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0];
    for (const said of [everythingSaid(client), JSON.stringify(hover), JSON.stringify(tapHover), JSON.stringify(report)]) {
      assert.ok(!said.includes(passwd), 'text of /etc/passwd reached the client');
      assert.ok(!said.includes('br-stolen'), 'text of the linked unit reached the client');
    }
  } finally {
    await client.stop();
  }
});

test('defect 8: a .network opened from outside the workspace takes no part in its resolution', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  const outside = tempDir('microvm-net-outside-');
  const unit = join(outside, '01-steal.network');
  const text = '[Match]\nName=my-microvm\n\n[Network]\nBridge=brprim4\n';
  writeFileSync(unit, text);
  const client = await LspClient.start({ roots: [ws] });
  try {
    await scanned(client);
    await client.openFile(unit, text);
    const report = await tapReport(client);
    assert.deepEqual(report.taps.map((t) => [t.id, t.status, t.bridge]), [['my-microvm', 'unmanaged', null]]);
    const vmsUri = fileUri(join(ws, 'hosts/hv/vms.nix'));
    await client.waitForDiagnostics(vmsUri, (ds) => ds.some((d) => d.code === 'tap-without-bridge'));
    assert.deepEqual(await client.hover(fileUri(unit), { line: 1, character: 2 }), null);
  } finally {
    await client.stop();
  }
});

test('defect 9: a FIFO (and, as root, a device node) imported by Nix blocks no request, not even shutdown', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  assert.equal(spawnSync('mkfifo', [join(ws, 'hosts/hv/fifo.nix')]).status, 0, 'mkfifo');
  const imports = ['./fifo.nix'];
  if (process.getuid?.() === 0) {
    assert.equal(spawnSync('mknod', [join(ws, 'hosts/hv/zero.nix'), 'c', '1', '5']).status, 0, 'mknod');
    imports.push('./zero.nix');
  }
  writeFileSync(join(ws, 'hosts/hv/default.nix'), readFileSync(join(ws, 'hosts/hv/default.nix'), 'utf8').replace('./vms.nix', `./vms.nix\n    ${imports.join('\n    ')}`));
  const client = await LspClient.start({ roots: [ws] });
  try {
    await scanned(client);
    const report = await tapReport(client);
    assert.deepEqual(report.taps.map((t) => t.id), ['my-microvm']);
    await client.hover(fileUri(join(ws, 'hosts/hv/vms.nix')), { line: 11, character: 20 });
    const skipped = (await client.connection.sendRequest('microvmNet/rescan')) as { skipped: { uri: string; reason: string }[] };
    assert.ok(skipped.skipped.some((s) => s.uri.endsWith('fifo.nix') && s.reason === 'is a FIFO, not a regular file: skipped'), JSON.stringify(skipped));
    await Promise.race([
      client.connection.sendRequest(ShutdownRequest.type),
      new Promise((_, reject) => setTimeout(() => reject(new Error('shutdown not answered')), 10_000)),
    ]);
  } finally {
    await client.stop();
  }
});

test('defect 12: a pathological exclude glob does not hang the server, a bad one is named and ignored', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  mkdirSync(join(ws, 'deep'));
  writeFileSync(join(ws, 'deep', `${'a'.repeat(200)}.nix`), '{ }\n');
  const client = await LspClient.start({ roots: [ws], settings: () => ({ exclude: ['*a*a*a*a*a*a*a*a*b', '[z-a]', '**/.git/**'] }) });
  try {
    await scanned(client);
    const warning = await client.waitForNotification<ShowMessageParams>('window/showMessage', (m) => m.type === MessageType.Warning && m.message.includes('[z-a]'));
    assert.match(warning.message, /microvmNet\.exclude: bad glob "\[z-a\]" ignored: range out of order in \[z-a\]/);
    const report = await tapReport(client);
    assert.equal(report.taps.length, 1);
  } finally {
    await client.stop();
  }
});

test('defect 13: a file read by builtins.readFile is a dependency: changing it updates the tap', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  const vms = join(ws, 'hosts/hv/vms.nix');
  writeFileSync(vms, readFileSync(vms, 'utf8').replace('id = "my-microvm";', 'id = builtins.readFile ./tap-id.network;'));
  writeFileSync(join(ws, 'hosts/hv/tap-id.network'), 'vm-one');
  const client = await LspClient.start({ roots: [ws] });
  try {
    await scanned(client);
    assert.deepEqual((await tapReport(client)).taps.map((t) => t.id), ['vm-one']);
    writeFileSync(join(ws, 'hosts/hv/tap-id.network'), 'vm-two');
    await client.filesChanged([{ uri: fileUri(join(ws, 'hosts/hv/tap-id.network')), type: FileChangeType.Changed }]);
    assert.deepEqual((await tapReport(client)).taps.map((t) => t.id), ['vm-two']);
  } finally {
    await client.stop();
  }
});

test('defect 15: a null position or range is InvalidParams; tapReport with params before the first scan answers', { timeout: 90_000 }, async () => {
  const ws = copyWorkspace('seed');
  const client = await LspClient.start({ roots: [ws] });
  try {
    // Sent right away: the first scan has not finished.
    const early = await tapReport(client, {});
    assert.deepEqual(early.taps.map((t) => t.id), ['my-microvm']);
    const uri = fileUri(join(ws, 'hosts/hv/vms.nix'));
    const invalid = async (request: Promise<unknown>, what: RegExp) => {
      const error = await request.then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ResponseError, String(error));
      assert.equal(error.code, ErrorCodes.InvalidParams, error.message);
      assert.match(error.message, what);
    };
    await invalid(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: null } as never), /`position` must be/);
    await invalid(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: -1, character: 0 } }), /`position` must be/);
    await invalid(client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: null, context: { diagnostics: [] } } as never), /`range` must be/);
    await invalid(client.connection.sendRequest(HoverRequest.type, { textDocument: null, position: { line: 0, character: 0 } } as never), /textDocument\.uri/);
    // Still serving.
    await client.hover(uri, { line: 11, character: 20 });
  } finally {
    await client.stop();
  }
});
