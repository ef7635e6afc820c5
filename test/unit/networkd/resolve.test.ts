import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeMatch, findNetdev, interfaceNameProblem, loadUnitFiles, matchUnit, nameGlobsCatching, resolveNetworkd, sortUnits,
} from '../../../server/src/engine/networkd';
import { reasonText } from '../../../server/src/engine/reasons';
import { HOLE, known, pattern, type StrPattern } from '../../../server/src/engine/pattern';
import type { UnitDefinition, UnitSetting } from '../../../server/src/engine/model';

const E = '/etc/systemd/network/';
const load = (files: Record<string, string>) => loadUnitFiles(Object.entries(files).map(([n, text]) => ({ path: E + n, text })));
const tap = (name: string | StrPattern, mac: string | null = null) => ({ name: typeof name === 'string' ? known(name) : name, mac: mac ? known(mac) : null });
const BR0 = { 'br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' };

test('sortUnits: strcmp byte order, not numeric, not locale', () => {
  const units = load({ '9-x.network': '', '10-x.network': '', 'a.network': '', 'B.network': '', 'é.network': '', 'z.network': '' });
  assert.deepEqual(sortUnits(units).map((u) => u.name), ['10-x.network', '9-x.network', 'B.network', 'a.network', 'z.network', 'é.network']);
});

test('first match wins; later matching units shadowed', () => {
  const units = load({
    ...BR0,
    '10-lan.network': '[Match]\nName=en* vm-*\n[Network]\nDHCP=yes\n',
    '20-vms.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n',
  });
  const d = resolveNetworkd(units, tap('vm-a'));
  assert.equal(d.match, 'unit');
  assert.equal(d.winner?.name, '10-lan.network');
  assert.equal(d.bridge, null);
  assert.equal(d.routed, true);
  assert.equal(d.shadowed?.unit.name, '20-vms.network');
  assert.equal(d.shadowed?.bridge, 'br0');
  assert.match(reasonText(d.reasons[0]), /`10-lan.network` matches `vm-a` first \(Name=en\* vm-\*\)/);
});

test('bridged via the winner with a Kind=bridge netdev; last valid Bridge= wins', () => {
  const units = load({
    ...BR0,
    'br1.netdev': '[NetDev]\nName=br1\nKind=bridge\n',
    '20-vms.network': '[Match]\nName=vm-*\n[Network]\nBridge=br1\nBridge=br0\nBridge=br1 # lan\nBridge=abcdefghijklmnop\n',
  });
  const d = resolveNetworkd(units, tap('vm-a'));
  assert.equal(d.bridge?.name, 'br0');
  assert.equal(d.bridge?.netdev?.name, 'br0.netdev');
  assert.equal(d.bridge?.setting.valueLocation.range.start.line, 4);
  assert.equal(d.routed, false);
  assert.equal(d.shadowed, undefined);
  // Quotes are kept and `"` is a valid interface-name character: the bridge is literally "br0" (daemon:
  // '"br0" NetDev could not be found').
  const q = resolveNetworkd(load({ ...BR0, 'a.network': '[Match]\nName=vm-a\n[Network]\nBridge="br0"\n' }), tap('vm-a'));
  assert.deepEqual([q.bridge?.name, q.bridge?.netdev], ['"br0"', null]);
});

test('empty Bridge= resets; no netdev; netdev of another kind; duplicate netdev names', () => {
  const reset = resolveNetworkd(load({ ...BR0, 'a.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\nBridge=\n' }), tap('vm-a'));
  assert.equal(reset.bridge, null);
  assert.match(reasonText(reset.reasons[0]), /no valid Bridge=/);
  const none = resolveNetworkd(load({ 'a.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\n' }), tap('vm-a'));
  assert.deepEqual([none.bridge?.name, none.bridge?.netdev], ['br0', null]);
  assert.match(reasonText(none.reasons[0]), /no loaded .netdev/);
  const bond = resolveNetworkd(load({ 'br0.netdev': '[NetDev]\nName=br0\nKind=bond\nKind=bridge\n', 'a.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\n' }), tap('vm-a'));
  assert.equal(bond.bridge?.netdev, null);
  assert.match(reasonText(bond.reasons[0]), /Kind=bond/);
  const dup = load({ '10-br0.netdev': '[NetDev]\nName=br0\nKind=bond\n', '20-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' });
  assert.equal(findNetdev(dup, 'br0'), null);
  assert.equal(findNetdev(load({ 'x.netdev': '[NetDev]\nName=br0\n' }), 'br0'), null, 'no Kind= → not loaded');
  assert.equal(findNetdev(load({ 'x.netdev': '[netdev]\nName=br0\nKind=bridge\n' }), 'br0'), null);
  assert.equal(findNetdev(load({ 'x.netdev': '[NetDev]\nName=br0\nName=\nKind=bridge\n' }), 'br0'), null);
  assert.equal(findNetdev(load({ 'x.netdev': '[NetDev]\nName=br0\nName=br 0\nKind=bridge\n' }), 'br0')?.name, 'x.netdev');
});

test('Unmanaged=yes ([Link] only) and KeepMaster=yes (ignores Bridge=)', () => {
  const um = resolveNetworkd(load({ ...BR0, '10-a.network': '[Match]\nName=vm-*\n[Link]\nUnmanaged=yes\n', '20-b.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\n' }), tap('vm-a'));
  assert.equal(um.unmanaged, true);
  assert.equal(um.shadowed?.unit.name, '20-b.network');
  const wrong = resolveNetworkd(load({ ...BR0, '10-a.network': '[Match]\nName=vm-a\n[Network]\nUnmanaged=yes\nBridge=br0\n' }), tap('vm-a'));
  assert.equal(wrong.unmanaged, false);
  assert.equal(wrong.bridge?.name, 'br0');
  const keep = resolveNetworkd(load({ ...BR0, '10-a.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\nKeepMaster=yes\n' }), tap('vm-a'));
  assert.equal(keep.keepMaster, true);
  assert.equal(keep.bridge, null);
  assert.match(reasonText(keep.reasons[0]), /ignores Bridge=br0/);
});

test('Bond= with a valid bond netdev takes precedence over Bridge=', () => {
  const d = resolveNetworkd(load({ ...BR0, 'bond0.netdev': '[NetDev]\nName=bond0\nKind=bond\n', 'a.network': '[Match]\nName=vm-a\n[Network]\nBridge=br0\nBond=bond0\n' }), tap('vm-a'));
  assert.equal(d.bridge, null);
  assert.match(reasonText(d.reasons[0]), /Bond=bond0/);
});

test('Name= semantics: append, reset, per-line !, negatives veto, only-negatives, quotes, escapes', () => {
  const m = (match: string, name = 'vm-a') => matchUnit(load({ 'a.network': `[Match]\n${match}\n` })[0], tap(name));
  assert.equal(m('Name=en*\nName=vm-*'), 'yes');
  assert.equal(m('Name=vm-*\nName=\nName=en*'), 'no');
  assert.equal(m('Name=vm-* !vm-a'), 'no');
  assert.equal(m('Name=g[0-9]* !g9*', 'g9'), 'no');
  assert.equal(m('Name=g[0-9]* !g9*', 'g1'), 'yes');
  assert.equal(m('Name=!vm-b vm-c'), 'yes');
  assert.equal(m('Name=!vm-b vm-a*'), 'no');
  assert.equal(m('Name=vm-*\nName=!vm-a'), 'no');
  assert.equal(m('Name="vm-a"'), 'no');
  assert.equal(m('Name=vm\\-a'), 'yes');
  assert.equal(m('Name=vm\\*'), 'yes');
  assert.equal(m('Name=vm-b vm-a\\\\'), 'no');
  assert.equal(m('Name=VM-*'), 'no');
});

test('other [Match] keys for a tap', () => {
  const m = (match: string, mac: string | null = null) => matchUnit(load({ 'a.network': `[Match]\nName=vm-a\n${match}\n` })[0], tap('vm-a', mac));
  assert.equal(m('Kind=tun'), 'yes');
  assert.equal(m('Kind="tun"'), 'yes');
  assert.equal(m('Kind=tap'), 'no');
  assert.equal(m('Type=ether'), 'yes');
  assert.equal(m('Type=none'), 'no');
  assert.equal(m('Driver=tun'), 'yes');
  assert.equal(m('Driver=!tun'), 'no');
  assert.equal(m('Path=*'), 'no');
  assert.equal(m('Path=!foo*'), 'yes');
  assert.equal(m('SSID=!foo'), 'yes');
  assert.equal(m('SSID=foo'), 'no');
  assert.equal(m('WLANInterfaceType=unspecified'), 'no');
  assert.equal(m('BSSID=00:11:22:33:44:55'), 'no');
  assert.equal(m('PermanentMACAddress=00:00:00:00:00:00'), 'yes');
  assert.equal(m('PermanentMACAddress=02:00:00:00:00:01'), 'no');
  assert.equal(m('MACAddress=02:00:00:00:00:01'), 'maybe');
  assert.equal(m('MACAddress=02:00:00:00:00:09 02:00:00:00:00:01', '02:00:00:00:00:01'), 'yes');
  assert.equal(m('MACAddress=02-00-00-00-00-01', '02:00:00:00:00:01'), 'yes');
  assert.equal(m('MACAddress=02:00:00:00:00:09', '02:00:00:00:00:01'), 'no');
  assert.equal(m('MACAddress=zz'), 'yes', 'invalid addresses are dropped');
  for (const k of ['Host=foo', 'Virtualization=no', 'KernelCommandLine=x', 'KernelVersion=>1', 'Credential=x', 'Architecture=x86-64', 'Firmware=device-tree', 'Property=ID_X=1'])
    assert.equal(m(k), 'maybe', k);
  assert.equal(m('Host=foo\nHost='), 'yes', 'empty resets a condition');
  assert.equal(m('OriginalName=zzz'), 'yes', 'OriginalName= is not a .network key');
  assert.equal(m('Kind=tap\nHost=foo'), 'no', 'AND: a definite no wins over maybe');
});

test('an unknown unit before a definite winner makes the answer unknown', () => {
  const units = load({ ...BR0, '10-a.network': '[Match]\nName=vm-*\nHost=h1\n', '20-b.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' });
  const d = resolveNetworkd(units, tap('vm-a'));
  assert.equal(d.match, 'unknown');
  assert.deepEqual(d.candidates.map((u) => u.name), ['10-a.network']);
  assert.equal(d.fallback?.name, '20-b.network');
  assert.equal(d.winner, undefined);
});

test('tap names with holes: yes / no / maybe', () => {
  const units = load({ ...BR0, '10-lan.network': '[Match]\nName=en*\n', '20-vms.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' });
  const d = resolveNetworkd(units, tap(pattern(['vm-', HOLE])));
  assert.equal(d.match, 'unit');
  assert.equal(d.bridge?.name, 'br0');
  const u = resolveNetworkd(units, tap(pattern([HOLE, '-x'])));
  assert.equal(u.match, 'unknown');
  assert.deepEqual(u.candidates.map((x) => x.name), ['10-lan.network', '20-vms.network']);
});

test('Nix-style units with pattern values and incomplete units', () => {
  const at = { file: '/n.nix', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  const set = (section: string, key: string, value: StrPattern): UnitSetting => ({ section, key, value, keyLocation: at, valueLocation: at });
  const unit = (name: string, settings: UnitSetting[], complete = true): UnitDefinition => ({
    kind: 'network', name, source: 'nix', location: at, masked: false, settings, sections: [], complete, issues: [], host: 'h',
  });
  const netdev: UnitDefinition = { ...unit('br0.netdev', [set('NetDev', 'Name', known('br0')), set('NetDev', 'Kind', known('bridge'))]), kind: 'netdev' };
  const a = unit('10-a.network', [set('Match', 'Name', known('vm-*')), set('Network', 'Bridge', pattern(['br', HOLE]))]);
  const d = resolveNetworkd([a, netdev], tap('vm-a'));
  assert.equal(d.match, 'unit');
  assert.equal(d.bridgeUnknown, true);
  const unknownName = unit('05-x.network', [set('Match', 'Name', pattern([HOLE]))]);
  assert.equal(resolveNetworkd([unknownName, a, netdev], tap('vm-a')).match, 'unknown');
  const incompleteNo = unit('05-y.network', [set('Match', 'Name', known('en*'))], false);
  assert.equal(matchUnit(incompleteNo, tap('vm-a')), 'no');
  const incompleteEmpty = unit('05-z.network', [], false);
  assert.equal(matchUnit(incompleteEmpty, tap('vm-a')), 'maybe');
  const incompleteWinner = unit('10-a.network', [set('Match', 'Name', known('vm-*'))], false);
  assert.equal(resolveNetworkd([incompleteWinner, netdev], tap('vm-a')).match, 'unknown');
});

test('masked, rejected and empty-[Match] units never match', () => {
  const units = loadUnitFiles([
    { path: `${E}01-masked.network`, text: null },
    { path: `${E}02-rejected.network`, text: '[Match]\nName=vm-a\n[Network\n' },
    { path: `${E}03-empty.network`, text: '[match]\nName=vm-a\n' },
    { path: `${E}04-ok.network`, text: '[Match]\nName=vm-a\n' },
  ]);
  const d = resolveNetworkd(units, tap('vm-a'));
  assert.equal(d.winner?.name, '04-ok.network');
  assert.equal(resolveNetworkd(units.slice(0, 3), tap('vm-a')).match, 'none');
});

test('describeMatch and nameGlobsCatching', () => {
  const u = load({ 'a.network': '[Match]\nName=en* vm-*\nName=!vm-x\nKind=tun\nHost=h1\n' })[0];
  assert.equal(describeMatch(u), 'Name=en* vm-* !vm-x Kind=tun Host=h1');
  assert.equal(describeMatch(load({ 'b.network': '[Network]\n' })[0]), 'empty [Match]');
  assert.deepEqual(nameGlobsCatching(u, known('vm-a')).map((w) => [w.word, w.negative, w.result]), [['vm-*', false, 'yes']]);
  assert.deepEqual(nameGlobsCatching(u, pattern(['vm-', HOLE])).map((w) => [w.word, w.negative, w.result]), [['vm-*', false, 'yes'], ['vm-x', true, 'maybe']]);
});

test('interfaceNameProblem (networkd.md §3.7)', () => {
  for (const ok of ['br0', 'vm-a', 'a'.repeat(15), '~!@#$^&*()_+=', 'x1']) assert.equal(interfaceNameProblem(ok), null, ok);
  const bad: [string, RegExp][] = [
    ['', /empty/], ['a'.repeat(16), /16 bytes/], ['vmé', /contains/], ['.', /not allowed/], ['..', /not allowed/], ['all', /reserved/],
    ['default', /reserved/], ['123', /digits/], ['br 0', /space/], ['br:0', /`:`/], ['br/0', /`\/`/], ['br%d', /`%`/], ['br\t', /control/], ['br"0"', null as unknown as RegExp],
  ];
  for (const [name, re] of bad) {
    if (re === null) assert.equal(interfaceNameProblem(name), null, 'quotes are printable ASCII: valid');
    else assert.match(interfaceNameProblem(name) ?? '', re, name);
  }
  assert.match(interfaceNameProblem('éééééééé') ?? '', /16 bytes/);
});
