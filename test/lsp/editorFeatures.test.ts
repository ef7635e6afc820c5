/**
 * Issue 17's editor features through the built server, as an editor uses them: inlay hints
 * (and the setting that turns them off), prepareRename + rename of a bridge applied to the
 * buffers and checked by the server's own re-analysis, "explain tap" through
 * workspace/executeCommand, and diagnostics linking to their code's README section.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InlayHint, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

/** Asks again until `check` answers (the server applies settings and edits asynchronously). */
async function poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

type Report = { taps: { id: string; status: string; bridge: string | null }[] };

describe('inlay hints, rename, explain over examples/homelab', () => {
  const root = copyWorkspace('examples/homelab');
  const vms = join(root, 'hosts', 'hypervisor', 'vms.nix');
  const network = join(root, 'hosts', 'hypervisor', 'network.nix');
  let client: LspClient;
  let hintsOn = true;

  before(async () => {
    client = await LspClient.start({
      roots: [root],
      settings: () => ({ inlayHints: hintsOn }),
      capabilities: { textDocument: { rename: { prepareSupport: true }, inlayHint: {} }, workspace: { inlayHint: { refreshSupport: true } } },
    });
  });
  after(() => client?.stop());

  const hints = (uri: string) =>
    client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } },
    }) as Promise<InlayHint[]>;
  const report = () => client.connection.sendRequest('microvmNet/tapReport') as Promise<Report>;

  test('capabilities offer inlay hints, rename with prepare, and the explain command', () => {
    const c = client.initializeResult.capabilities;
    assert.equal(c.inlayHintProvider, true);
    assert.deepEqual(c.renameProvider, { prepareProvider: true });
    assert.deepEqual(c.executeCommandProvider?.commands, ['microvm-net.explainTap']);
  });

  test('a hint after each tap id: → br0 for the bridged pair, → no bridge for tap-media, with the reason', async () => {
    const uri = await client.openFile(vms);
    await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
    const got = await hints(uri);
    assert.deepEqual(got.map((h) => h.label), ['→ br0', '→ no bridge']);
    const text = readFileSync(vms, 'utf8').split('\n');
    assert.ok(text[got[1].position.line].slice(0, got[1].position.character).endsWith('"tap-media"'));
    assert.match(String(got[1].tooltip), /no loaded \.network unit matches/);
  });

  test('the setting turns them off (and on again)', async () => {
    hintsOn = false;
    await client.configurationChanged();
    await poll('hints off', async () => (await hints(fileUri(vms))).length === 0 || undefined);
    hintsOn = true;
    await client.configurationChanged();
    await poll('hints on', async () => (await hints(fileUri(vms))).length === 2 || undefined);
  });

  test('diagnostics link to their code in the README', async () => {
    const [d] = (await client.waitForDiagnostics(fileUri(vms), (ds) => ds.length > 0)).filter((x) => x.code === 'tap-without-bridge');
    assert.match(d.codeDescription?.href ?? '', /README\.md#tap-without-bridge$|#tap-without-bridge$/);
  });

  test('no literal backticks in the Problems panel or the quick-fix menu', async () => {
    const [d] = (await client.waitForDiagnostics(fileUri(vms), (ds) => ds.length > 0)).filter((x) => x.code === 'tap-without-bridge');
    assert.match(d.message, /'tap-media'/);
    for (const text of [d.message, ...(d.relatedInformation ?? []).map((r) => r.message)]) assert.doesNotMatch(text, /`/, text);
    const actions = await client.codeActions(fileUri(vms), d);
    assert.ok(actions.length > 0);
    for (const a of actions) assert.doesNotMatch(a.title, /`/, a.title);
  });

  test('explain via workspace/executeCommand: the decision chain with locations', async () => {
    const result = (await client.connection.sendRequest('workspace/executeCommand', { command: 'microvm-net.explainTap', arguments: [{ tap: 'tap-media' }] })) as {
      taps: { destination: string; text: string; steps: { text: string; location?: { uri: string } }[] }[];
    };
    assert.equal(result.taps.length, 1);
    assert.equal(result.taps[0].destination, '→ no bridge');
    assert.match(result.taps[0].text, /20-lan\.network: does not match/);
    assert.ok(result.taps[0].steps.some((s) => s.location?.uri === fileUri(network)));
    const byPosition = (await client.connection.sendRequest('workspace/executeCommand', {
      command: 'microvm-net.explainTap',
      arguments: [{ uri: fileUri(vms), position: (await hints(fileUri(vms)))[0].position }],
    })) as { taps: { tap: string }[] };
    assert.deepEqual(byPosition.taps.map((t) => t.tap).sort(), ['vm-dns', 'vm-git']);
  });

  test('rename br0 → lan0 from the netdev: every tap keeps its outcome under the new name', async () => {
    const uri = await client.openFile(network);
    const line = readFileSync(network, 'utf8').split('\n').findIndex((l) => l.includes('Name = "br0"'));
    const position = { line, character: readFileSync(network, 'utf8').split('\n')[line].indexOf('br0') + 1 };
    const prepared = (await client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position })) as { placeholder: string };
    assert.equal(prepared.placeholder, 'br0');
    await assert.rejects(
      client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName: 'not valid' }),
      /Cannot rename: .*space/,
    );
    const before = await report();
    const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName: 'lan0' })) as WorkspaceEdit;
    await client.applyWorkspaceEdit(edit);
    const after = await poll('re-analysed with lan0', async () => {
      const r = await report();
      return r.taps.some((t) => t.bridge === 'lan0') ? r : undefined;
    });
    const rename = (t: Report['taps'][number]) => `${t.id} ${t.status} ${t.bridge === 'br0' ? 'lan0' : t.bridge}`;
    assert.deepEqual(after.taps.map((t) => `${t.id} ${t.status} ${t.bridge}`).sort(), before.taps.map(rename).sort());
    assert.deepEqual((await hints(fileUri(vms))).map((h) => h.label), ['→ lan0', '→ no bridge']);
  });
});

describe('a client that cannot watch files (Neovim 0.7, Helix): the server watches the disk itself', () => {
  const root = copyWorkspace('examples/homelab');
  const vms = join(root, 'hosts', 'hypervisor', 'vms.nix');
  const network = join(root, 'hosts', 'hypervisor', 'network.nix');
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ roots: [root], capabilities: { workspace: { didChangeWatchedFiles: false as unknown as undefined } } });
  });
  after(() => client?.stop());

  test('an edit on disk to a file no editor has open is analysed', async () => {
    assert.equal(client.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'), false);
    await client.waitForDiagnostic(fileUri(vms), (d) => d.code === 'tap-without-bridge', 30_000);
    const text = readFileSync(network, 'utf8');
    const fixed = text.replace('"vm-*"', '"vm-*" "tap-media"');
    assert.notEqual(fixed, text);
    writeFileSync(network, fixed);
    await client.waitForDiagnostics(fileUri(vms), (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000);
  });
});

describe('settings the server ignores are named to the user', () => {
  test('an unknown code and a bad level each get a clear message', async () => {
    const root = copyWorkspace('examples/seed');
    const client = await LspClient.start({ roots: [root], settings: () => ({ severity: { 'tap-without-brige': 'error', 'mac-not-local': 'loud' } }) });
    try {
      const shown = await client.waitFor('showMessage about severity', () => {
        const texts = client.notifications.filter((n) => n.method === 'window/showMessage').map((n) => (n.params as { message: string }).message);
        return texts.length >= 2 ? texts : undefined;
      }, 30_000);
      assert.ok(shown.some((m) => /unknown diagnostic code "tap-without-brige" \(did you mean "tap-without-bridge"\?\); ignored/.test(m)), shown.join('\n'));
      assert.ok(shown.some((m) => /microvmNet\.severity\.mac-not-local: "loud" is not one of error, warning, info, hint, off; ignored/.test(m)), shown.join('\n'));
    } finally {
      await client.stop();
    }
  });
});
