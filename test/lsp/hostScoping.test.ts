/**
 * The built server over two independent flakes in one folder (`examples/homelab` and
 * `examples/seed` side by side): what an editor receives about one host — related information,
 * hover links, bridge completion, tap report rows — never points into the other. The engine-level
 * test (test/unit/views/hostScoping.test.ts) checks every view; this one checks the protocol
 * carries the same answers.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LineIndex } from '../../server/src/engine/text';
import { ensureBuilt, fileUri, LspClient, REPO } from './harness';

before(ensureBuilt);

describe('built server over two flakes side by side', () => {
  const root = mkdtempSync(join(tmpdir(), 'microvm-net-two-flakes-'));
  const homelab = join(root, 'homelab');
  const seed = join(root, 'seed');
  let client: LspClient;

  before(async () => {
    cpSync(join(REPO, 'examples', 'homelab'), homelab, { recursive: true });
    cpSync(join(REPO, 'examples', 'seed'), seed, { recursive: true });
    client = await LspClient.start({ roots: [root] });
  });
  after(async () => {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const inside = (dir: string) => (uri: string) => uri.startsWith(fileUri(dir) + '/');

  for (const [name, dir, vmsFile, foreign] of [
    ['homelab', () => homelab, 'hosts/hypervisor/vms.nix', 'brprim4'],
    ['seed', () => seed, 'hosts/hv/vms.nix', 'br0'],
  ] as const) {
    test(`${name}: the tap warning's related information and hover stay in ${name}`, async () => {
      const uri = fileUri(join(dir(), vmsFile));
      const d = await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge', 30_000);
      const related = d.relatedInformation ?? [];
      assert.ok(related.length > 0, 'the warning names the units that bridge other taps');
      for (const r of related) assert.ok(inside(dir())(r.location.uri), `related information points at ${r.location.uri}`);
      const hover = await client.hover(uri, d.range.start);
      assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
      const links = [...hover.contents.value.matchAll(/\]\((file:\/\/[^)#]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `the hover links the units it names: ${hover.contents.value}`);
      for (const link of links) assert.ok(inside(dir())(link), `the hover links ${link}`);
      assert.doesNotMatch(hover.contents.value, new RegExp(`\`${foreign}\``), 'the hover names the other host\'s bridge');
    });
  }

  test('bridge completion in each network.nix offers only that host\'s bridge', async () => {
    for (const [file, expected] of [
      [join(homelab, 'hosts/hypervisor/network.nix'), ['br0']],
      [join(seed, 'hosts/hv/network.nix'), ['brprim4']],
    ] as const) {
      const text = readFileSync(file, 'utf8');
      const needle = 'networkConfig.Bridge = "';
      const position = new LineIndex(text).positionAt(text.indexOf(needle) + needle.length);
      const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: fileUri(file) }, position })) as { label: string }[];
      assert.deepEqual(items.map((i) => i.label), expected, file);
    }
  });

  test('the tap report names each tap with its own host, each row once', async () => {
    const report = (await client.connection.sendRequest('microvmNet/tapReport')) as {
      taps: { host: string | null; id: string; location: { uri: string }; reasons: { text: string; location: { uri: string } }[] }[];
      stats: { configurations: number };
    };
    assert.equal(report.stats.configurations, 2);
    const rows = report.taps.map((t) => `${t.host} ${t.id}`).sort();
    assert.deepEqual(rows, ['hv my-microvm', 'hypervisor tap-media', 'hypervisor vm-dns', 'hypervisor vm-git']);
    for (const tap of report.taps) {
      const dir = tap.host === 'hv' ? seed : homelab;
      assert.ok(inside(dir)(tap.location.uri), `${tap.id} is defined in ${tap.location.uri}`);
      assert.ok(tap.reasons.length > 0, `${tap.id} has reasons`);
      for (const r of tap.reasons) assert.ok(inside(dir)(r.location.uri), `a reason of ${tap.id} rests on ${r.location.uri}`);
    }
  });
});
