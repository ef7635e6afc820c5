import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJs, makeEvaluator, toJs, UNKNOWN } from './util';

const cases: [string, string, unknown][] = [
  ['integers and floats', '[ 1 2.5 (-3) (7 / 2) (2 * 3 - 1) (1.0 / 4) ]', [1, 2.5, -3, 3, 5, 0.25]],
  ['booleans and logic', '[ (true && false) (true || false) (!true) (false -> false) (1 < 2) (2 <= 1) (3 > 2) (3 >= 3) ]', [false, true, false, true, true, false, true, true]],
  ['equality deep', '[ ({ a = [1 "x"]; } == { a = [1 "x"]; }) ([1] != [1 2]) (1 == 1.0) ("a" == "b") (null == null) ]', [true, true, true, false, true]],
  ['let', 'let a = 1; b = a + 1; in b * 10', 20],
  ['let with dotted bindings', 'let a.b = 1; a.c = 2; in a', { b: 1, c: 2 }],
  ['rec attrset', 'rec { a = 1; b = a + 1; c = { d = b; }; }', { a: 1, b: 2, c: { d: 2 } }],
  ['non-rec attrset does not see its own names', 'let a = 10; in { a = 1; b = a; }', { a: 1, b: 10 }],
  ['dotted attr paths merge into nested sets', '{ a.b = 1; a.c = 2; x.y.z = 3; x.y.w = 4; }', { a: { b: 1, c: 2 }, x: { y: { z: 3, w: 4 } } }],
  ['dotted path merges with a literal set', '{ a = { b = 1; }; a.c = 2; }', { a: { b: 1, c: 2 } }],
  ['with', 'with { a = 1; b = 2; }; a + b', 3],
  ['lexical variables shadow with', 'let a = 1; in with { a = 2; }; a', 1],
  ['inner with shadows outer with', 'with { a = 1; }; with { a = 2; }; a', 2],
  ['inherit', 'let a = 1; b = 2; in { inherit a b; }', { a: 1, b: 2 }],
  ['inherit from', 'let s = { a = 1; b = 2; }; in { inherit (s) a b; }', { a: 1, b: 2 }],
  ['inherit in rec takes the outer binding', 'let a = 1; in rec { inherit a; b = a; }', { a: 1, b: 1 }],
  ['if', '[ (if true then 1 else 2) (if 1 > 2 then "y" else "n") ]', [1, 'n']],
  ['assert passes', 'assert 1 == 1; "ok"', 'ok'],
  ['assert fails → unknown', 'assert 1 == 2; "ok"', UNKNOWN],
  ['functions and application', '(x: y: x + y) 1 2', 3],
  ['formals with defaults referring to other formals', '({ a, b ? a * 2, ... }: b) { a = 3; }', 6],
  ['@-pattern before', '(args@{ a, ... }: args.z) { a = 1; z = 9; }', 9],
  ['@-pattern after', '({ a, ... }@args: [a args.a]) { a = 4; }', [4, 4]],
  ['missing formal → unknown', '({ a }: a) { }', UNKNOWN],
  ['string concatenation', '"a" + "b" + "c"', 'abc'],
  ['string interpolation', 'let n = "web"; in "vm-${n}"', 'vm-web'],
  ['interpolation of unknown → hole', '"vm-${undefinedThing}-x"', 'vm-*-x'],
  ['interpolated keys', 'let k = "dyn"; in { "${k}" = 1; ${k + "2"} = 2; "lit" = 3; }', { dyn: 1, dyn2: 2, lit: 3 }],
  ['null dynamic key is omitted', '{ ${null} = 1; b = 2; }', { b: 2 }],
  ['unknown dynamic key → incomplete', '{ ${unknownName} = 1; b = 2; }', { b: 2, '…': true }],
  ['indented string', "''\n  line1\n    line2\n''", 'line1\n  line2\n'],
  ['indented string escapes', "''\n  a ''${b} '''c\n''", "a ${b} ''c\n"],
  ['string escapes', '"a\\tb\\n\\${c}"', 'a\tb\n${c}'],
  ['lists and ++', '[ 1 ] ++ [ 2 3 ]', [1, 2, 3]],
  ['// update', '{ a = 1; b = 1; } // { b = 2; c = 3; }', { a: 1, b: 2, c: 3 }],
  ['has-attr with paths', '[ ({ a.b = 1; } ? a.b) ({ a = 1; } ? b) ({ a = 1; } ? a.b) ({ a = 1; } ? "a") ]', [true, false, false, true]],
  ['select with default', '[ ({ a = 1; }.b or 5) ({ a.b = 2; }.a.b or 5) (null.x or 7) ]', [5, 2, 7]],
  ['select with string and dynamic keys', 'let k = "b"; in { a.b = 1; }.a.${k} + { "x y" = 2; }."x y"', 3],
  ['paths relative to the file', './x.nix', 'path:/ws/x.nix'],
  ['path concatenation and interpolation', 'let n = "a"; in [ (./dir + "/b.nix") ./${n}/c.nix (./. + "/../up") ]', ['path:/ws/dir/b.nix', 'path:/ws/a/c.nix', 'path:/up']],
  ['<nixpkgs> → unknown', 'import <nixpkgs> { }', UNKNOWN],
  ['undefined variable → unknown', 'nope', UNKNOWN],
  ['missing attribute → unknown', '{ a = 1; }.b', UNKNOWN],
  ['if on unknown → unknown (no branch guessed)', 'if unknownCond then 1 else 2', UNKNOWN],
  ['== on unknown → unknown bool', 'unknownThing == "a"', UNKNOWN],
  ['patterns that cannot be equal compare false', '"vm-${u}" == "tap-1"', false],
  ['&& short-circuits on a known false', 'false && unknownThing', false],
  ['unknown && false is false', 'unknownThing && false', false],
  ['laziness: unused broken values are fine', 'let broken = throw "no"; in { a = 1; b = broken; }.a', 1],
  ['__functor', 'let f = { __functor = self: x: x + self.n; n = 10; }; in f 5', 15],
  ['builtins is also reachable as builtins.builtins', 'builtins.builtins.length [ 1 2 ]', 2],
  ['legacy let { body }', 'let { x = 2; body = x * 3; }', 6],
  ['division by zero → unknown', '1 / 0', UNKNOWN],
  ['or as an identifier-ish attribute default chain', '{ a = { }; }.a.b.c or "d"', 'd'],
];

for (const [name, src, expected] of cases) {
  test(name, async () => {
    assert.deepEqual(await evalJs(src), expected);
  });
}

test('blackholing: self-referential let is unknown, not a hang', async () => {
  assert.equal(await evalJs('let x = x + 1; in x'), UNKNOWN);
  assert.deepEqual(await evalJs('rec { a = b; b = a; c = 1; }'), { a: UNKNOWN, b: UNKNOWN, c: 1 });
});

test('unknown keys are kept with their values in unknownKeys', async () => {
  const ev = await makeEvaluator();
  const v = ev.evalSource('/ws/main.nix', '{ "vm-${x}" = { id = 1; }; }');
  assert.equal(v.kind, 'attrs');
  if (v.kind !== 'attrs') return;
  assert.equal(v.complete, false);
  assert.equal(v.unknownKeys?.length, 1);
  assert.deepEqual(v.unknownKeys![0].key.parts, ['vm-', { hole: true }]);
  assert.deepEqual(toJs(v.unknownKeys![0].binding.thunk.force()), { id: 1 });
});

test('known ++ unknown is an incomplete list keeping the known items', async () => {
  assert.deepEqual(await evalJs('[ 1 ] ++ unknownList'), [1, '…']);
});

test('functions expose formals (modules are recognised by these)', async () => {
  const ev = await makeEvaluator();
  const v = ev.evalSource('/ws/m.nix', '{ config, lib, pkgs, ... }: { }');
  assert.equal(v.kind, 'function');
  if (v.kind === 'function') assert.deepEqual(v.formals, { names: ['config', 'lib', 'pkgs'], ellipsis: true });
});

test('syntax errors do not stop evaluation of the rest', async () => {
  assert.deepEqual(await evalJs('{ a = 1; b = x |> f; c = "ok"; }'), { a: 1, b: UNKNOWN, c: 'ok' });
  assert.deepEqual(await evalJs('({ a, b, }: a + b) { a = 1; b = 2; }'), 3);
});
