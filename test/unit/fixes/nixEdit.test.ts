import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { NixParser } from '../../../server/src/engine/nix/parser';
import { parseNixFile, type ParsedNixFile } from '../../../server/src/engine/nix/ast';
import {
  addFormals,
  appendToList,
  attrsValue,
  bindingAtKey,
  ensureNames,
  findPath,
  indentedString,
  insertPath,
  moduleBody,
  chainAt,
} from '../../../server/src/engine/fixes/nixEdit';
import { applyOffsetEdits, eolOf, expandSnippet, finishText, indentUnitOf, bridgeSlot, nixKey, PLACEHOLDER_DEFAULT, nixString } from '../../../server/src/engine/fixes/edits';

let parser: NixParser;
before(async () => {
  parser = await NixParser.create();
});
const parse = (text: string): ParsedNixFile => parseNixFile(parser, '/ws/x.nix', text);

function body(p: ParsedNixFile) {
  const b = moduleBody(p);
  assert.ok(b);
  return b;
}

test('indentation and line endings are detected', () => {
  assert.equal(indentUnitOf('{\n  a = {\n    b = 1;\n  };\n}\n'), '  ');
  assert.equal(indentUnitOf('{\n    a = {\n        b = 1;\n    };\n}\n'), '    ');
  assert.equal(indentUnitOf('{\n\ta = {\n\t\tb = 1;\n\t};\n}\n'), '\t');
  assert.equal(eolOf('a\r\nb\r\n'), '\r\n');
  assert.equal(eolOf('a\nb\n'), '\n');
});

test('nix literals', () => {
  assert.equal(nixString('a"b${c}\\'), '"a\\"b\\${c}\\\\"');
  assert.equal(nixKey('tap-up'), 'tap-up');
  assert.equal(nixKey('05-microvm-web'), '"05-microvm-web"');
  assert.equal(nixKey('microvm-tap-interfaces@web'), '"microvm-tap-interfaces@web"');
});

test('snippets: placeholder, escaping, expansion', () => {
  const text = `\${lib.getExe' pkgs.iproute2 "ip"} master ${bridgeSlot('shell-word-in-indented-string')}`;
  assert.equal(finishText(text, 'br1'), `\${lib.getExe' pkgs.iproute2 "ip"} master 'br1'`);
  const snippet = finishText(text, null);
  assert.equal(snippet, `\\\${lib.getExe' pkgs.iproute2 "ip"\\} master '\${1:<set-bridge-name>}'`);
  // Accepted as it is, the placeholder is what the name would be, quoted the same way.
  assert.equal(expandSnippet(snippet), finishText(text, PLACEHOLDER_DEFAULT));
});

test('insertPath: dotted style at the top level, after the closest sibling', () => {
  const src = '{ config, ... }:\n{\n  networking.hostName = "hv";\n  systemd.services.foo.enable = true;\n  boot.x = 1;\n}\n';
  const p = parse(src);
  const b = body(p);
  const r = insertPath(p, b.attrs, ['systemd', 'services', 'microvm-tap-interfaces@web'], attrsValue([['overrideStrategy', '"asDropin"']]));
  assert.ok('edit' in r);
  const out = applyOffsetEdits(src, [r.edit]);
  assert.equal(
    out,
    '{ config, ... }:\n{\n  networking.hostName = "hv";\n  systemd.services.foo.enable = true;\n  systemd.services."microvm-tap-interfaces@web" = {\n    overrideStrategy = "asDropin";\n  };\n  boot.x = 1;\n}\n',
  );
  assert.equal(parse(out).syntaxErrors, 0);
});

test('insertPath: descends into a nested literal set and follows 4-space CRLF layout', () => {
  const src = '{ ... }:\r\n{\r\n    systemd.network = {\r\n        enable = true;\r\n        networks."10-lan" = {\r\n            matchConfig.Name = "en*";\r\n        };\r\n    };\r\n}\r\n';
  const p = parse(src);
  const r = insertPath(p, body(p).attrs, ['systemd', 'network', 'networks', '05-x'], attrsValue([['matchConfig.Name', '"vm-a"']]));
  assert.ok('edit' in r);
  assert.deepEqual(r.path, ['networks', '05-x']);
  const out = applyOffsetEdits(src, [r.edit]);
  assert.ok(out.includes('        };\r\n        networks."05-x" = {\r\n            matchConfig.Name = "vm-a";\r\n        };\r\n    };'), out);
  assert.ok(!/[^\r]\n/.test(out), 'only CRLF line breaks');
});

test('insertPath refuses a second definition of the same attribute', () => {
  const src = '{\n  systemd.services."microvm-tap-interfaces@".script = "x";\n}\n';
  const p = parse(src);
  const r = insertPath(p, body(p).attrs, ['systemd', 'services', 'microvm-tap-interfaces@', 'script'], () => '"y"');
  assert.ok('conflict' in r);
  const r2 = insertPath(p, body(p).attrs, ['systemd', 'services', 'microvm-tap-interfaces@'], () => '{ }');
  assert.ok('conflict' in r2);
});

test('insertBinding keeps a trailing comment on its line and handles single-line sets', () => {
  const src = '{\n  a = 1; # keep\n}\n';
  const p = parse(src);
  const r = insertPath(p, body(p).attrs, ['b'], () => '2');
  assert.ok('edit' in r);
  assert.equal(applyOffsetEdits(src, [r.edit]), '{\n  a = 1; # keep\n  b = 2;\n}\n');
  const one = '{ type = "tap"; id = "x"; }';
  const p1 = parse(one);
  const r1 = insertPath(p1, body(p1).attrs, ['bridge'], () => '"br0"');
  assert.ok('edit' in r1);
  assert.equal(applyOffsetEdits(one, [r1.edit]), '{ type = "tap"; id = "x"; bridge = "br0"; }');
});

test('indented strings follow the binding indentation', () => {
  const src = '{\n  microvm.interfaces = [ ];\n}\n';
  const p = parse(src);
  const r = insertPath(p, body(p).attrs, ['microvm', 'binScripts', 'tap-up'], (nl, u) => 'lib.mkAfter ' + indentedString(['ip link set a master b'])(nl, u));
  assert.ok('edit' in r);
  assert.equal(applyOffsetEdits(src, [r.edit]), "{\n  microvm.interfaces = [ ];\n  microvm.binScripts.tap-up = lib.mkAfter ''\n    ip link set a master b\n  '';\n}\n");
});

test('formals: added after the last one, before `...`, multi-line kept', () => {
  const cases: [string, string][] = [
    ['{ config, ... }: { }', '{ config, lib, pkgs, ... }: { }'],
    ['{ ... }: { }', '{ lib, pkgs, ... }: { }'],
    ['{ config }: { }', '{ config, lib, pkgs }: { }'],
    ['{\n  config,\n  ...\n}:\n{ }', '{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n{ }'],
    ['{\n  config,\n  lib\n}:\n{ }', '{\n  config,\n  lib,\n  pkgs\n}:\n{ }'],
    ['args@{ pkgs, ... }: { }', 'args@{ pkgs, lib, ... }: { }'],
  ];
  for (const [src, want] of cases) {
    const p = parse(src);
    const b = body(p);
    assert.ok(b.fn);
    const steps = [{ node: b.fn }, { node: b.attrs }];
    const edits = ensureNames(p, steps, src.includes('lib') ? ['pkgs'] : ['lib', 'pkgs']);
    assert.ok(edits, src);
    const out = applyOffsetEdits(src, edits);
    assert.equal(out, want);
    assert.equal(parse(out).syntaxErrors, 0, out);
  }
});

test('names in scope through let or an outer function need no edit; a plain attrset module has nowhere to add them', () => {
  const src = '{ lib, ... }:\nlet pkgs = import <nixpkgs> { }; in\n{ microvm.vms.a.config = { microvm.interfaces = [ ]; }; }';
  const p = parse(src);
  const at = src.indexOf('[ ]');
  const steps = chainAt(p.root, at, at + 3);
  assert.deepEqual(ensureNames(p, steps, ['lib', 'pkgs']), []);
  const plain = parse('{ microvm.interfaces = [ ]; }');
  const s2 = chainAt(plain.root, 23, 26);
  assert.equal(ensureNames(plain, s2, ['lib']), null);
  void addFormals;
});

test('appendToList: inline and one-per-line', () => {
  const src = '{ a = [ "x" "y" ]; b = [\n    "p"\n    "q"\n  ]; }';
  const p = parse(src);
  const attrs = body(p).attrs;
  const a = findPath(attrs, ['a'])!.binding.value;
  const b = findPath(attrs, ['b'])!.binding.value;
  assert.equal(a.kind, 'list');
  assert.equal(b.kind, 'list');
  if (a.kind !== 'list' || b.kind !== 'list') return;
  const out = applyOffsetEdits(src, [appendToList(p, a, '"z"')!, appendToList(p, b, '"r"')!]);
  assert.equal(out, '{ a = [ "x" "y" "z" ]; b = [\n    "p"\n    "q"\n    "r"\n  ]; }');
});

test('bindingAtKey finds the unit binding from its key location', () => {
  const src = '{\n  systemd.network.networks."10-lan" = { };\n}\n';
  const p = parse(src);
  const found = bindingAtKey(p.root, src.indexOf('"10-lan"') + 1);
  assert.ok(found);
  assert.equal(found.keyIndex, 3);
});
