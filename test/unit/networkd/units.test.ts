import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadUnitFiles, type UnitFileInput } from '../../../server/src/engine/networkd';
import { knownText } from '../../../server/src/engine/pattern';
import type { UnitDefinition } from '../../../server/src/engine/model';

const E = '/repo/etc/systemd/network/';
const R = '/repo/run/systemd/network/';
const U = '/repo/usr/lib/systemd/network/';
const UL = '/repo/usr/local/lib/systemd/network/';
const bridgeOf = (u: UnitDefinition) => u.settings.filter((s) => s.key === 'Bridge').map((s) => knownText(s.value));
const byName = (units: UnitDefinition[], n: string) => units.find((u) => u.name === n)!;
const net = (bridge: string) => `[Match]\nName=vm-a\n[Network]\nBridge=${bridge}\n`;

test('kinds, names, file fields', () => {
  const units = loadUnitFiles([
    { path: `${E}10-lan.network`, text: net('br0') },
    { path: `${E}br0.netdev`, text: '[NetDev]\nName=br0\nKind=bridge\n' },
    { path: `${E}99-default.link`, text: '[Match]\n' },
    { path: '/repo/readme.md', text: 'x' },
  ]);
  assert.deepEqual(units.map((u) => [u.kind, u.name, u.directoryRank, u.source, u.host, u.complete, u.masked]).sort(), [
    ['netdev', 'br0.netdev', 0, 'file', null, true, false],
    ['network', '10-lan.network', 0, 'file', null, true, false],
  ]);
  const u = byName(units, '10-lan.network');
  assert.equal(u.location.file, `${E}10-lan.network`);
  assert.deepEqual(u.sections.map((s) => s.name), ['Match', 'Network']);
  assert.deepEqual(u.settings.map((s) => `${s.section}.${s.key}=${knownText(s.value)}`), ['Match.Name=vm-a', 'Network.Bridge=br0']);
});

test('directory precedence within one mirror root: the higher directory hides the file entirely', () => {
  const units = loadUnitFiles([
    { path: `${U}10-a.network`, text: net('br-usr') },
    { path: `${R}10-a.network`, text: net('br-run') },
    { path: `${UL}10-a.network`, text: net('br-local') },
    { path: `/other${U}10-a.network`, text: net('br-other-root') },
  ]);
  assert.equal(units.length, 2);
  const mine = units.find((u) => u.location.file.startsWith('/repo'))!;
  assert.deepEqual(bridgeOf(mine), ['br-run']);
  assert.equal(mine.directoryRank, 1);
  assert.deepEqual(bridgeOf(units.find((u) => u.location.file.startsWith('/other'))!), ['br-other-root']);
});

test('masking: empty file or /dev/null symlink masks the basename', () => {
  for (const text of ['', null]) {
    const units = loadUnitFiles([
      { path: `${U}10-a.network`, text: net('br0') },
      { path: `${E}10-a.network`, text },
    ]);
    assert.equal(units.length, 1);
    assert.equal(units[0].masked, true);
    assert.equal(units[0].directoryRank, 0);
    assert.deepEqual(units[0].settings, []);
  }
  // whitespace is not empty
  assert.equal(loadUnitFiles([{ path: `${E}10-a.network`, text: '\n' }])[0].masked, false);
});

test('drop-ins: any mirror directory, higher one wins per name, applied in filename order, empty masks', () => {
  const inputs: UnitFileInput[] = [
    { path: `${U}10-a.network`, text: net('br-main') },
    { path: `${R}10-a.network.d/b.conf`, text: '[Network]\nBridge=br-b-run\n' },
    { path: `${E}10-a.network.d/a.conf`, text: '[Network]\nBridge=br-a\n' },
    { path: `${U}10-a.network.d/b.conf`, text: '[Network]\nBridge=br-b-usr\n' },
    { path: `${E}10-a.network.d/c.conf`, text: '' },
    { path: `${U}10-a.network.d/c.conf`, text: '[Network]\nBridge=br-c\n' },
    { path: `${E}10-a.network.d/notes.txt`, text: '[Network]\nBridge=nope\n' },
    { path: `${E}20-b.network.d/x.conf`, text: '[Network]\nBridge=orphan\n' },
  ];
  const units = loadUnitFiles(inputs);
  assert.equal(units.length, 1);
  const u = units[0];
  assert.deepEqual(bridgeOf(u), ['br-main', 'br-a', 'br-b-run']);
  assert.deepEqual(u.dropIns, [`${E}10-a.network.d/a.conf`, `${R}10-a.network.d/b.conf`]);
  assert.equal(u.settings[2].dropIn, `${E}10-a.network.d/a.conf`);
  assert.equal(u.settings[2].valueLocation.file, `${E}10-a.network.d/a.conf`);
});

test('files outside mirrors are their own units; drop-ins apply to the sibling main file', () => {
  const units = loadUnitFiles([
    { path: '/repo/net/10-a.network', text: net('br0') },
    { path: '/repo/net/10-a.network.d/override.conf', text: '[Network]\nBridge=br1\n' },
    { path: '/repo/other/10-a.network', text: net('br2') },
  ]);
  assert.equal(units.length, 2);
  assert.deepEqual(bridgeOf(units.find((u) => u.location.file === '/repo/net/10-a.network')!), ['br0', 'br1']);
  assert.equal(units[0].directoryRank, undefined);
});

test('a rejected drop-in rejects the unit', () => {
  const units = loadUnitFiles([
    { path: `${E}10-a.network`, text: net('br0') },
    { path: `${E}10-a.network.d/x.conf`, text: '[Network\nBridge=br1\n' },
  ]);
  assert.match(units[0].rejected ?? '', /x\.conf:1.*whole file/);
});

test('issues: quoted Name=, inline comments, miscased sections and keys, empty [Match]', () => {
  const u = loadUnitFiles([
    {
      path: `${E}10-a.network`,
      text: '[Match]\nName="vm-*"\nName=vm-b # note\n[network]\nbridge=br0\n[Network]\nbridge=br0\nBridge=br0 ; lan\nDescription=VM #1\n',
    },
  ])[0];
  const codes = u.issues.map((i) => `${i.code}@${i.location.range.start.line}`);
  assert.deepEqual(codes.sort(), [
    'networkd-syntax-inline-comment@2',
    'networkd-syntax-inline-comment@7',
    'networkd-syntax-miscased@3',
    'networkd-syntax-miscased@6',
    'networkd-syntax-quoted-name@1',
  ]);
  for (const i of u.issues) assert.match(i.message, /10-a\.network/);
  const miscased = u.issues.find((i) => i.location.range.start.line === 6)!;
  assert.match(miscased.message, /`bridge=` is not `Bridge=`/);
  assert.deepEqual([miscased.location.range.start.character, miscased.location.range.end.character], [0, 6]);
});

test('empty [Match] issue: none, miscased, only unknown or X- keys, only invalid values', () => {
  for (const text of [
    '[Network]\nBridge=br0\n',
    '[match]\nName=vm-a\n',
    '[Match]\nX-Foo=bar\nOriginalName=x\n',
    '[Match]\nName=vm:a\nMACAddress=zz\n',
    '[Match]\nName=vm-a\nName=\n',
    '[Match]\nName=!\n',
  ]) {
    const u = loadUnitFiles([{ path: `${E}10-a.network`, text }])[0];
    assert.ok(u.issues.some((i) => i.code === 'networkd-syntax-empty-match'), text);
  }
  for (const text of ['[Match]\nHost=foo\n', '[Match]\nName=*\n', '[Match]\nKind=tun\n']) {
    const u = loadUnitFiles([{ path: `${E}10-a.network`, text }])[0];
    assert.ok(!u.issues.some((i) => i.code === 'networkd-syntax-empty-match'), text);
  }
  // netdevs need no [Match]
  assert.deepEqual(loadUnitFiles([{ path: `${E}br0.netdev`, text: '[NetDev]\nName=br0\nKind=bridge\n' }])[0].issues, []);
});

test('hidden files (a leading dot) are never read: units, netdevs and drop-ins', () => {
  const units = loadUnitFiles([
    { path: '/ws/etc/systemd/network/.00-hidden.network', text: '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' },
    { path: '/ws/etc/systemd/network/.br0.netdev', text: '[NetDev]\nName=br0\nKind=bridge\n' },
    { path: '/ws/etc/systemd/network/20-vm.network', text: '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' },
    { path: '/ws/etc/systemd/network/20-vm.network.d/.x.conf', text: '[Network]\nBridge=br1\n' },
  ]);
  assert.deepEqual(units.map((u) => u.name), ['20-vm.network']);
  assert.equal(units[0].settings.filter((s) => s.key === 'Bridge').length, 1);
});
