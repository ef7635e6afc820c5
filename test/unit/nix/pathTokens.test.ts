/**
 * Path literals as Nix's lexer finds them. Each expectation was read off `nix-instantiate --parse`
 * (Nix 2.8) on the same text: it prints every path literal as an absolute path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathTokens } from '../../../server/src/engine/nix/pathTokens';

const literals = (text: string) => pathTokens(text).map((t) => (t.interpolated ? `${t.text}\${…}` : t.text));

test('formals, dots in strings and comments are not paths', () => {
  assert.deepEqual(literals('{ lib, ... }: { x = "."; y = "${1:-.}"; z = \'\'echo "." ./no\'\'; } # ./c\n/* ./d */'), []);
});

test('relative, parent, bare and current-directory paths', () => {
  // nix: [ (/d/x.nix) (/d) (/up) (/d/a/b) (/d/1/2) ]
  assert.deepEqual(literals('[ ./x.nix ./. ../up a/b (1/2) ]'), ['./x.nix', './.', '../up', 'a/b', '1/2']);
});

test('paths inside interpolations of strings and indented strings count; their text does not', () => {
  // nix: (/d/a/b.nix + "/c") and ("ind " + /d/in + " ./not")
  assert.deepEqual(literals('[ "${./a/b.nix}/c" \'\'ind ${./in} ./not\'\' ]'), ['./a/b.nix', './in']);
});

test('an interpolated path is reported by its literal prefix', () => {
  // nix: ((/d/x/ + y + ".nix"))
  assert.deepEqual(literals('y: ./x/${y}.nix'), ['./x/${…}']);
  assert.deepEqual(literals('y: [ ./hosts/${y} ./after ]'), ['./hosts/${…}', './after']);
});

test('home, absolute and search paths are not workspace references; // is the update operator', () => {
  assert.deepEqual(literals('[ ~/h /abs <np/x> (a // b) (x.y//z) ]'), []);
});

test('URIs are not paths; an identifier before a path is kept', () => {
  const tokens = pathTokens('{ u = https://example.org/x; d = builtins.readDir ./dir; }');
  assert.deepEqual(tokens.map((t) => [t.text, t.after]), [['./dir', 'readDir']]);
});

test('escapes in strings do not end them', () => {
  assert.deepEqual(literals('[ "a \\" ./no" \'\'x \'\'${./no2} \'\'\' ./no3\'\' ./yes ]'), ['./yes']);
});
