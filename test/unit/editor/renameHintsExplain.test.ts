/**
 * Inlay hints, bridge rename and explain over real example workspaces. A rename is checked the
 * way a user would trust it: the edits are applied to a copy on disk, the copy is analysed
 * afresh, and every tap must keep its outcome with the bridge under its new name.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { applyTextEdits } from '../../../server/src/engine/fixes/edits';
import type { WorkspaceEdit } from '../../../server/src/engine/service';
import { LineIndex, type Position } from '../../../server/src/engine/text';
import { explanationText } from '../../../server/src/engine/explain';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const REPO = join(__dirname, '..', '..', '..');
const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copy(from: string, files: Record<string, string> = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'microvm-net-rename-')), 'ws');
  made.push(dir);
  cpSync(join(REPO, from), dir, { recursive: true });
  rmSync(join(dir, 'expected.json'), { force: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return dir;
}

async function analysed(dir: string) {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS } });
  await service.scan();
  return service;
}

type Service = Awaited<ReturnType<typeof analysed>>;

function outcomes(service: Service, dir: string) {
  return service
    .analyze()
    .outcomes.map((o) => `${relative(dir, o.interface.id.location.file)} ${o.interface.vm} ${o.status} ${o.bridge ?? '-'}`)
    .sort();
}

/** The position of the `n`th occurrence of `needle` in `file`, `offset` characters into it. */
function positionOf(file: string, needle: string, offset = 1, n = 0): Position {
  const text = readFileSync(file, 'utf8');
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} in ${file}`);
  return new LineIndex(text).positionAt(at + offset);
}

function applyToDisk(edit: WorkspaceEdit): void {
  assert.equal(edit.creates.length, 0);
  for (const change of edit.changes) writeFileSync(change.file, applyTextEdits(readFileSync(change.file, 'utf8'), change.edits));
}

/** Renames from `position` and checks by re-analysis that every tap kept its outcome under the new name. */
async function roundTrip(fixture: string, file: string, needle: string, from: string, to: string, files: Record<string, string> = {}) {
  const dir = copy(fixture, files);
  const service = await analysed(dir);
  const before = outcomes(service, dir);
  const at = positionOf(join(dir, file), needle, needle.indexOf(from) + 1);
  assert.equal(service.prepareRename(join(dir, file), at)?.name, from);
  const result = service.rename(join(dir, file), at, to);
  assert.ok(result && 'edit' in result, `rename refused: ${JSON.stringify(result)}`);
  service.dispose();
  applyToDisk(result.edit);
  const again = await analysed(dir);
  const expected = before.map((line) => line.replace(new RegExp(` ${from}$`), ` ${to}`));
  assert.deepEqual(outcomes(again, dir), expected);
  assert.ok(expected.some((l) => l.endsWith(` ${to}`)), 'some tap is on the renamed bridge');
  const diagnostics = [...again.analyze().diagnostics.values()].flat().map((d) => d.code).sort();
  again.dispose();
  return { dir, diagnostics, edit: result.edit };
}

test('rename from a Nix netdevConfig.Name: netdev, Bridge= and the bridge\'s own [Match] follow (homelab)', async () => {
  const { dir, edit } = await roundTrip('examples/homelab', 'hosts/hypervisor/network.nix', 'Name = "br0"', 'br0', 'lan0');
  const text = readFileSync(join(dir, 'hosts/hypervisor/network.nix'), 'utf8');
  assert.doesNotMatch(text, /"br0"/);
  assert.match(text, /Bridge = "lan0"/);
  assert.match(text, /"10-br0"/, 'unit names that contain the old name are left alone');
  assert.equal(edit.changes.length, 1);
});

test('rename from networkConfig.Bridge (seed) keeps the uplink on the bridge', async () => {
  const seed = readFileSync(join(REPO, 'examples/seed/hosts/hv/network.nix'), 'utf8');
  const fixed = seed.replace('matchConfig.Name = "enp3s0";', 'matchConfig.Name = [ "enp3s0" "my-microvm" ];');
  assert.notEqual(fixed, seed);
  await roundTrip('examples/seed', 'hosts/hv/network.nix', 'Bridge = "brprim4"', 'brprim4', 'brlan', { 'hosts/hv/network.nix': fixed });
});

test('rename from a script\'s master word renames the netdev too (bin-script)', async () => {
  const { dir } = await roundTrip('test/fixtures/bin-script', 'vms/files.nix', "master 'br-lan'", 'br-lan', 'brx', {});
  assert.match(readFileSync(join(dir, 'vms/files.nix'), 'utf8'), /master 'brx'/);
});

test('rename of networking.bridges.<name> renames the attribute, quoted or not', async () => {
  await roundTrip('test/fixtures/networking-bridges-networkd', 'hosts/hb1/network.nix', 'bridges.br0', 'br0', 'lan0');
  const quoted = (text: string) => text.replace('networking.bridges.br0.interfaces', 'networking.bridges."br0".interfaces');
  const dir = copy('test/fixtures/networking-bridges-networkd');
  const file = join(dir, 'hosts/hb1/network.nix');
  writeFileSync(file, quoted(readFileSync(file, 'utf8')));
  const service = await analysed(dir);
  const result = service.rename(file, positionOf(file, '"br0"', 2), 'lan-0');
  service.dispose();
  assert.ok(result && 'edit' in result, JSON.stringify(result));
  applyToDisk(result.edit);
  assert.match(readFileSync(file, 'utf8'), /bridges\.lan-0\.interfaces/);
  assert.match(readFileSync(file, 'utf8'), /interfaces\.lan-0\.useDHCP/);
});

test('rename in unit files: .netdev Name=, Bridge= and a [Match] word', async () => {
  const files = {
    'hosts/hypervisor/network.nix': '{ ... }: { systemd.network.enable = true; }\n',
  };
  const dir = copy('examples/homelab', files);
  const units = join(dir, 'hosts/hypervisor');
  writeFileSync(join(units, '10-br0.netdev'), '[NetDev]\nName=br0\nKind=bridge\n');
  writeFileSync(join(units, '20-lan.network'), '# uplink and taps on br0\n[Match]\nName=enp1s0 vm-*\n\n[Network]\nBridge=br0\n');
  writeFileSync(join(units, '30-br0.network'), '[Match]\nName=br0\n[Network]\nDescription=br0 itself\nDHCP=yes\n');
  const service = await analysed(dir);
  const before = outcomes(service, dir);
  assert.ok(before.some((l) => l.endsWith('bridged br0')), before.join('\n'));
  const result = service.rename(join(units, '10-br0.netdev'), { line: 1, character: 6 }, 'lan0');
  service.dispose();
  assert.ok(result && 'edit' in result, JSON.stringify(result));
  applyToDisk(result.edit);
  assert.equal(readFileSync(join(units, '20-lan.network'), 'utf8'), '# uplink and taps on br0\n[Match]\nName=enp1s0 vm-*\n\n[Network]\nBridge=lan0\n');
  assert.equal(readFileSync(join(units, '30-br0.network'), 'utf8'), '[Match]\nName=lan0\n[Network]\nDescription=br0 itself\nDHCP=yes\n');
  const again = await analysed(dir);
  assert.deepEqual(outcomes(again, dir), before.map((l) => l.replace(/ br0$/, ' lan0')));
  again.dispose();
});

test('rename is refused for an invalid name, a name already in use, and a name computed from a variable', async () => {
  const dir = copy('examples/homelab');
  const file = join(dir, 'hosts/hypervisor/network.nix');
  const service = await analysed(dir);
  const at = positionOf(file, 'Name = "br0"', 8);
  for (const [bad, why] of [
    ['br 0', /space/],
    ['a-very-long-bridge-name', /15 bytes/],
    ['br"0', /quote/],
    ['enp1s0', /already written/],
    ['br*', /glob/],
  ] as const) {
    const result = service.rename(file, at, bad);
    assert.ok(result && 'refused' in result, `${bad}: ${JSON.stringify(result)}`);
    assert.match(result.refused, why, bad);
  }
  assert.equal(service.prepareRename(file, positionOf(file, 'DHCP', 1)), null, 'not on a bridge name');
  service.dispose();

  const variable = copy('examples/homelab');
  const net = join(variable, 'hosts/hypervisor/network.nix');
  writeFileSync(net, readFileSync(net, 'utf8').replace('Bridge = "br0"', 'Bridge = "b${"r"}0"'));
  const s2 = await analysed(variable);
  const refused = s2.rename(net, positionOf(net, 'Name = "br0"', 8), 'lan0');
  s2.dispose();
  assert.ok(refused && 'refused' in refused, JSON.stringify(refused));
  assert.match(refused.refused, /Bridge= of 20-lan\.network .*not written as a literal|computed/);
});

test('inlay hints: one per tap id, in the one vocabulary, reasons in the tooltip', async () => {
  const dir = copy('examples/homelab');
  const service = await analysed(dir);
  const vms = join(dir, 'hosts/hypervisor/vms.nix');
  const hints = service.inlayHints(vms);
  assert.deepEqual(hints.map((h) => h.label), ['→ br0', '→ no bridge']);
  const text = readFileSync(vms, 'utf8');
  const lines = new LineIndex(text);
  assert.equal(text.slice(lines.offsetAt(hints[1].position) - '"tap-media"'.length, lines.offsetAt(hints[1].position)), '"tap-media"');
  assert.match(hints[1].tooltip, /no loaded \.network unit matches/);
  assert.deepEqual(service.inlayHints(vms, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }), []);
  service.dispose();
});

test('explain: the decision chain with every unit in networkd order, the winner and the netdev', async () => {
  const dir = copy('examples/homelab');
  const service = await analysed(dir);
  const [dns] = service.explain({ tap: 'vm-dns' });
  const text = explanationText(dns, (f) => relative(dir, f));
  assert.match(text, /^tap vm-dns of VM dns on host hypervisor/);
  assert.match(text, /20-lan\.network: matches: the winner, Bridge=br0 {2}\(hosts\/hypervisor\/network\.nix:14\)/);
  assert.match(text, /30-br0\.network: does not match/);
  assert.match(text, /bridge br0 is defined by 10-br0\.netdev {2}\(hosts\/hypervisor\/network\.nix:9\)/);
  const [media] = service.explain({ tap: 'tap-media' });
  assert.equal(media.destination, '→ no bridge');
  assert.deepEqual(service.explain({ tap: 'nothing' }), []);
  service.dispose();
});
