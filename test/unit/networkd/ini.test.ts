// What the `ini` package gets right and wrong for systemd unit files (see INI.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'ini';
import { parseUnitText } from '../../../server/src/engine/networkd';

const ini = (text: string) => JSON.parse(JSON.stringify(parse(text, { bracketedArray: false }))) as Record<string, unknown>;
/** Our parser's last value per key, per section. */
function lastValues(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const parsed = parseUnitText('/t.network', text);
  for (const s of parsed.sections) out[s.name] ??= {};
  for (const e of parsed.entries) (out[e.section] ??= {})[e.key] = e.value;
  return out;
}

test('differential: on the subset where both are defined, last value per key equals ini', () => {
  let seed = 99;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const sections = ['Match', 'Network', 'Link', 'NetDev', 'Route'];
  const keys = ['Name', 'Bridge', 'Address', 'Kind', 'MACAddress', 'Gateway', 'DHCP', 'X-Foo'];
  const valueChars = 'abcxyz019-_/:.*?[]!@+, ';
  for (let i = 0; i < 300; i++) {
    let text = '';
    const usedSections = new Set<string>();
    const used = new Set<string>(); // ini: a key name repeated even in another section becomes an array
    for (let s = 0; s < 1 + rnd(3); s++) {
      const sec = sections[rnd(sections.length)];
      if (usedSections.has(sec)) continue; // repeated sections/keys: ini diverges
      usedSections.add(sec);
      text += `[${sec}]${rnd(3) === 0 ? ' \t' : ''}\n`; // ini: no indented headers
      for (let k = 0; k < 1 + rnd(4); k++) {
        const key = keys[rnd(keys.length)];
        if (used.has(key)) continue;
        used.add(key);
        let value = Array.from({ length: 1 + rnd(10) }, () => valueChars[rnd(valueChars.length)]).join('').trim();
        if (value === '' || value === 'true' || value === 'false' || value === 'null') value = 'v';
        value = value.replace(/^\[/, 'x'); // a value starting with [ is fine for both, keep it simple
        const sp = [' ', '', '\t', '  '];
        text += `${sp[rnd(4)]}${key}${sp[rnd(4)]}=${sp[rnd(4)]}${value}${sp[rnd(2)]}\n`;
        if (rnd(4) === 0) text += `${sp[rnd(4)]}${rnd(2) ? '#' : ';'} comment ${i}\n`;
        if (rnd(5) === 0) text += '\n';
      }
    }
    if (rnd(3) === 0) text = text.replace(/\n/g, '\r\n');
    assert.deepEqual(lastValues(text), ini(text), JSON.stringify(text));
  }
});

// Each point of INI.md, with ini's divergent result and ours.
test('ini strips inline comments; systemd keeps them in the value', () => {
  const t = '[Network]\nBridge=br0 # lan\n';
  assert.deepEqual(ini(t), { Network: { Bridge: 'br0' } });
  assert.equal(lastValues(t).Network.Bridge, 'br0 # lan');
  assert.deepEqual(ini('[Network]\nBridge=br0 ; lan\n'), { Network: { Bridge: 'br0' } });
});

test('ini strips quotes; systemd keeps them (Name="vm-*" matches nothing)', () => {
  assert.deepEqual(ini('[Match]\nName="vm-*"\n'), { Match: { Name: 'vm-*' } });
  assert.deepEqual(ini("[Match]\nName='vm-*'\n"), { Match: { Name: 'vm-*' } });
  assert.equal(lastValues('[Match]\nName="vm-*"\n').Match.Name, '"vm-*"');
});

test('ini turns repeated keys into an array (no order with other keys, no empty-value reset)', () => {
  assert.deepEqual(ini('[Match]\nName=a\nName=\nName=b\n'), { Match: { Name: ['a', '', 'b'] } });
  const ours = parseUnitText('/t', '[Match]\nName=a\nName=\nName=b\n').entries.map((e) => e.value);
  assert.deepEqual(ours, ['a', '', 'b']);
});

test('ini has no continuation lines', () => {
  assert.deepEqual(ini('[Match]\nName=a \\\n  b\n'), { Match: { Name: 'a \\', b: true } });
  assert.equal(lastValues('[Match]\nName=a \\\n  b\n').Match.Name, 'a    b');
});

test('ini does not skip a UTF-8 BOM', () => {
  assert.deepEqual(ini('\uFEFF[Match]\nName=a\n'), { '[Match]': true, Name: 'a' });
  assert.equal(lastValues('\uFEFF[Match]\nName=a\n').Match.Name, 'a');
});

test('ini splits "\\n\\r" into two lines; systemd reads one line end', () => {
  const t = '[Match]\n\rName=x \\\n\rvm-a\n';
  assert.deepEqual(ini(t), { Match: { Name: 'x \\', 'vm-a': true } });
  assert.equal(lastValues(t).Match.Name, 'x  vm-a');
});

test('ini accepts a line without = as key=true; systemd ignores the line', () => {
  assert.deepEqual(ini('[Match]\nName\n'), { Match: { Name: true } });
  assert.deepEqual(lastValues('[Match]\nName\n'), { Match: {} });
});

test('ini accepts a malformed header as a key; systemd refuses the whole file', () => {
  assert.deepEqual(ini('[Network\nBridge=br0\n'), { '[Network': true, Bridge: 'br0' });
  assert.ok(parseUnitText('/t', '[Network\nBridge=br0\n').rejected);
});

test('ini keeps assignments before any section; systemd ignores them', () => {
  assert.deepEqual(ini('Foo=bar\n[Match]\nName=a\n'), { Foo: 'bar', Match: { Name: 'a' } });
  assert.deepEqual(lastValues('Foo=bar\n[Match]\nName=a\n'), { Match: { Name: 'a' } });
});

test('ini converts true/false/null to non-strings', () => {
  assert.deepEqual(ini('[Link]\nUnmanaged=true\n'), { Link: { Unmanaged: true } });
  assert.deepEqual(ini('[Link]\nUnmanaged=null\n'), { Link: { Unmanaged: null } });
  assert.equal(lastValues('[Link]\nUnmanaged=true\n').Link.Unmanaged, 'true');
});

test('ini (bracketedArray: false) makes a key an array when the same key appeared in an EARLIER section', () => {
  assert.deepEqual(ini('[NetDev]\nName=br0\n[Match]\nName=vm-a\n'), { NetDev: { Name: 'br0' }, Match: { Name: ['vm-a'] } });
  assert.deepEqual(lastValues('[NetDev]\nName=br0\n[Match]\nName=vm-a\n'), { NetDev: { Name: 'br0' }, Match: { Name: 'vm-a' } });
});

test('ini does not accept an indented section header; systemd does', () => {
  assert.deepEqual(ini('  [Match]\nName=a\n'), { '[Match]': true, Name: 'a' });
  assert.deepEqual(lastValues('  [Match]\nName=a\n'), { Match: { Name: 'a' } });
});

test('ini nests dotted section names', () => {
  assert.deepEqual(ini('[Match.X]\nName=a\n'), { Match: { X: { Name: 'a' } } });
  assert.deepEqual(lastValues('[Match.X]\nName=a\n'), { 'Match.X': { Name: 'a' } });
});

test('ini processes backslash escapes in values; systemd does not at this level', () => {
  assert.deepEqual(ini('[Match]\nName=a\\;b\n'), { Match: { Name: 'a;b' } });
  assert.equal(lastValues('[Match]\nName=a\\;b\n').Match.Name, 'a\\;b');
});

test('ini drops __proto__ keys', () => {
  assert.deepEqual(ini('[Match]\n__proto__=a\n'), { Match: {} });
  assert.equal(parseUnitText('/t', '[Match]\n__proto__=a\n').entries[0].key, '__proto__');
});

test('ini gives no positions and loses case-variant sections only by name (both keep [match] separate)', () => {
  assert.deepEqual(ini('[Match]\nName=a\n[match]\nname=b\n'), { Match: { Name: 'a' }, match: { name: 'b' } });
});
