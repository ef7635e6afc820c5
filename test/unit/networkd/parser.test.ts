import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnitText, splitSystemdLines } from '../../../server/src/engine/networkd';
import type { Location } from '../../../server/src/engine/text';

const F = '/w/10-lan.network';
const r = (loc: Location) => [loc.range.start.line, loc.range.start.character, loc.range.end.line, loc.range.end.character];

test('sections, keys and values with exact ranges', () => {
  const p = parseUnitText(F, '[Match]\nName=vm-*\n\n[Network]\n  Bridge =  br0  \n');
  assert.deepEqual(p.sections.map((s) => [s.name, r(s.location), r(s.nameLocation)]), [
    ['Match', [0, 0, 0, 7], [0, 1, 0, 6]],
    ['Network', [3, 0, 3, 9], [3, 1, 3, 8]],
  ]);
  assert.deepEqual(p.entries.map((e) => [e.section, e.key, e.value, r(e.keyLocation), r(e.valueLocation)]), [
    ['Match', 'Name', 'vm-*', [1, 0, 1, 4], [1, 5, 1, 9]],
    ['Network', 'Bridge', 'br0', [4, 2, 4, 8], [4, 12, 4, 15]],
  ]);
  assert.equal(p.rejected, null);
  assert.equal(p.issues.length, 0);
  assert.equal(p.entries[0].location.file, F);
});

test('repeated keys are kept in order', () => {
  const p = parseUnitText(F, '[Match]\nName=a\nName=b\nName=\nName=c\n');
  assert.deepEqual(p.entries.map((e) => e.value), ['a', 'b', '', 'c']);
  assert.deepEqual(r(p.entries[2].valueLocation), [3, 5, 3, 5]);
});

test('comments only at line start; # and ; later in a line belong to the value', () => {
  const p = parseUnitText(F, '# c\n  ; c2\n[Network]\n\t# c3\nBridge=br0 # lan\nDNS=1.1.1.1;x\n');
  assert.deepEqual(p.entries.map((e) => e.value), ['br0 # lan', '1.1.1.1;x']);
  assert.deepEqual(r(p.entries[0].valueLocation), [4, 7, 4, 16]);
});

test('a CJK/emoji comment before a key does not shift positions (UTF-16 units)', () => {
  const p = parseUnitText(F, '# 网络 😀😀\n[Match] \nName=vm-😀*\n');
  assert.deepEqual(r(p.entries[0].keyLocation), [2, 0, 2, 4]);
  assert.deepEqual(r(p.entries[0].valueLocation), [2, 5, 2, 11]); // 'vm-' + surrogate pair + '*'
  assert.equal(p.entries[0].value, 'vm-😀*');
});

test('continuation lines: backslash becomes a space, comments inside are skipped, range spans lines', () => {
  const text = '[Match]\nName=vm-x \\\n# a comment\n  vm-a \\\n\tvm-b\n[Network]\n';
  const p = parseUnitText(F, text);
  assert.equal(p.entries.length, 1);
  const e = p.entries[0];
  assert.equal(e.value, 'vm-x    vm-a  \tvm-b');
  assert.equal(e.continued, true);
  assert.deepEqual(r(e.keyLocation), [1, 0, 1, 4]);
  assert.deepEqual(r(e.valueLocation), [1, 5, 4, 5]);
  assert.equal(p.sections[1].name, 'Network');
});

test('continuation: an escaped backslash does not continue; an empty line ends it; pending at EOF is parsed', () => {
  assert.deepEqual(parseUnitText(F, '[M]\nA=x\\\\\nB=y\n').entries.map((e) => [e.key, e.value]), [['A', 'x\\\\'], ['B', 'y']]);
  const p = parseUnitText(F, '[M]\nA=x \\\n\nB=y\n');
  assert.deepEqual(p.entries.map((e) => [e.key, e.value]), [['A', 'x'], ['B', 'y']]);
  assert.deepEqual(parseUnitText(F, '[M]\nA=x \\').entries.map((e) => e.value), ['x']);
  // A continuation swallowing a section header makes it part of the value.
  const q = parseUnitText(F, '[Network]\nBridge=br0 \\\n[Link]\n');
  assert.deepEqual(q.entries.map((e) => e.value), ['br0  [Link]']);
  assert.equal(q.sections.length, 1);
});

test('CRLF, lone CR, and \\n\\r as one line end (systemd read_line)', () => {
  const crlf = parseUnitText(F, '[Match]\r\nName=a\r\n[Network]\r\nBridge=br0\r\n');
  assert.deepEqual(crlf.entries.map((e) => [e.value, r(e.valueLocation)]), [['a', [1, 5, 1, 6]], ['br0', [3, 7, 3, 10]]]);
  const cr = parseUnitText(F, '[Match]\rName=a\r');
  assert.deepEqual(cr.entries.map((e) => [e.value, r(e.valueLocation)]), [['a', [1, 5, 1, 6]]]);
  // systemd treats "\n\r" as ONE line end, so the continuation reaches "vm-a" (verified on the daemon).
  const lfcr = parseUnitText(F, '[Match]\n\rName=x \\\n\rvm-a\n\r');
  assert.deepEqual(lfcr.entries.map((e) => e.value), ['x  vm-a']);
  assert.deepEqual(splitSystemdLines('a\r\n\rb'), [{ start: 0, end: 1 }, { start: 3, end: 3 }, { start: 4, end: 5 }]);
  assert.deepEqual(splitSystemdLines('a\n\r\0b\0\nc'), [{ start: 0, end: 1 }, { start: 4, end: 5 }, { start: 6, end: 6 }, { start: 7, end: 8 }]);
});

test('UTF-8 BOM is skipped and positions stay in UTF-16 units of the text', () => {
  const p = parseUnitText(F, '\uFEFF[Match]\nName=a\n');
  assert.equal(p.bom, true);
  assert.equal(p.sections[0].name, 'Match');
  assert.deepEqual(r(p.sections[0].location), [0, 1, 0, 8]);
  // BOM + comment: not a comment for systemd (comment check happens before the BOM is removed);
  // it is an assignment outside any section, ignored.
  const q = parseUnitText(F, '\uFEFF# hello\n[Match]\nName=a\n');
  assert.deepEqual(q.entries.map((e) => e.value), ['a']);
  assert.equal(q.issues.length, 1);
  assert.equal(q.rejected, null);
});

test('whitespace around = is trimmed; = inside the value is kept', () => {
  const p = parseUnitText(F, '[Network]\n \t Address \t=\t 10.0.0.1/24=x \t\n');
  assert.deepEqual(p.entries.map((e) => [e.key, e.value, r(e.keyLocation), r(e.valueLocation)]), [
    ['Address', '10.0.0.1/24=x', [1, 3, 1, 10], [1, 15, 1, 28]],
  ]);
});

test('invalid lines: missing = and empty key are ignored; the file still loads', () => {
  const p = parseUnitText(F, '[Match]\nName=vm-a\ngarbage line\n=foo\n');
  assert.equal(p.rejected, null);
  assert.deepEqual(p.issues.map((i) => [i.code, r(i.location)]), [
    ['networkd-syntax-invalid-line', [2, 0, 2, 12]],
    ['networkd-syntax-invalid-line', [3, 0, 3, 4]],
  ]);
  assert.match(p.issues[0].message, /10-lan\.network:3/);
  assert.deepEqual(p.entries.map((e) => e.key), ['Name']);
});

test('assignment before any section is ignored with an issue', () => {
  const p = parseUnitText(F, 'Foo=bar\n[Match]\nName=a\n');
  assert.deepEqual(p.entries.map((e) => e.key), ['Name']);
  assert.equal(p.issues.length, 1);
  assert.match(p.issues[0].message, /outside of any section/);
});

test('a malformed section header rejects the whole file (daemon: "Failed to parse file")', () => {
  for (const bad of ['[Network', '[Network] # lan', '[Net"work]', "[Net'work]", '[Net\\work]']) {
    const p = parseUnitText(F, `[Match]\nName=vm-a\n${bad}\nBridge=br0\n`);
    assert.ok(p.rejected, bad);
    assert.equal(p.issues[0].code, 'networkd-syntax-invalid-line');
    assert.deepEqual(r(p.issues[0].location), [2, 0, 2, bad.length]);
    assert.match(p.issues[0].message, /whole file/);
  }
  // Spaces inside brackets are allowed syntactically (an unknown section).
  const q = parseUnitText(F, '[ Network ]\nBridge=br0\n');
  assert.equal(q.rejected, null);
  assert.equal(q.sections[0].name, ' Network ');
});

test('empty text and whitespace-only text', () => {
  assert.deepEqual(parseUnitText(F, '').entries, []);
  assert.deepEqual(parseUnitText(F, '  \n\t\n').issues, []);
});
