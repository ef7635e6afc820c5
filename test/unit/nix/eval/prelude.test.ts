/**
 * The lib prelude is Nix over builtins only, so real Nix is its ground truth: every function is
 * checked against `nix-instantiate --eval --strict` (Nix 2.8) on the same expressions.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRELUDE_NAMES, PRELUDE_TEXT } from '../../../../server/src/engine/nix/eval/lib/prelude';
import { makeEvaluator, toJs } from './util';
import { mkdirSync } from 'node:fs';

const CASES: [string, string][] = [
  ['concatMapAttrs', 'lib.concatMapAttrs (n: v: { "${n}-x" = v + 1; }) { a = 1; b = 2; }'],
  ['foldlAttrs', 'lib.foldlAttrs (acc: n: v: acc ++ [ n v ]) [ ] { b = 2; a = 1; }'],
  ['foldr', 'lib.foldr (x: acc: "${x}${acc}") "!" [ "a" "b" "c" ]'],
  ['collect', 'lib.collect builtins.isInt { a = 1; b = { c = 2; d = "x"; }; }'],
  ['getAttrs', 'lib.getAttrs [ "a" "c" ] { a = 1; b = 2; c = 3; }'],
  ['cartesianProduct', 'lib.cartesianProduct { a = [ 1 2 ]; b = [ "x" ]; }'],
  ['mapCartesianProduct', 'lib.mapCartesianProduct ({ a, b }: "${toString a}${b}") { a = [ 1 2 ]; b = [ "x" "y" ]; }'],
  ['singleton + remove', 'lib.remove 2 (lib.singleton 2 ++ [ 1 2 3 ])'],
  ['makeBinPath', 'lib.makeBinPath [ "/a" "/b" ]'],
  ['composeManyExtensions + makeExtensible', '((lib.makeExtensible (self: { a = 1; b = self.a + 1; })).extend (lib.composeManyExtensions [ (final: prev: { a = 10; }) (final: prev: { c = final.b + prev.a; }) ])).c'],
  ['extends', '(lib.fix (lib.extends (final: prev: { y = prev.x * 2; }) (self: { x = 3; }))).y'],
  ['compare', '[ (lib.compare 1 2) (lib.compare "b" "a") (lib.compare 3 3) ]'],
  ['assertMsg', 'lib.assertMsg true "unused"'],
  ['throwIf / throwIfNot / warnIf / warnIfNot (conditions that let the value through)', '[ (lib.throwIf false "m" 1) (lib.throwIfNot true "m" 2) (lib.warnIf false "m" { a = 3; }) (lib.warnIfNot true "m" 4) ]'],
  ['warnIf (condition true: traces, value unchanged)', 'lib.warnIf true "w" { a = 1; }'],
  ['subtractLists / intersectLists / replicate', '[ (lib.subtractLists [ 1 3 ] [ 1 2 3 4 ]) (lib.intersectLists [ 1 3 5 ] [ 1 2 3 4 ]) (lib.replicate 3 "x") ]'],
  ['defaultTo / mapNullable / findSingle', '[ (lib.defaultTo 1 null) (lib.defaultTo 1 2) (lib.mapNullable (x: x + 1) null) (lib.mapNullable (x: x + 1) 1) (lib.findSingle (x: x > 2) "none" "many" [ 1 3 ]) (lib.findSingle (x: x > 0) "none" "many" [ 1 3 ]) (lib.findSingle (x: x > 5) "none" "many" [ 1 3 ]) ]'],
  ["genAttrs' / zipAttrsWithNames", "[ (lib.\"genAttrs'\" [ \"a\" \"b\" ] (n: { name = \"vm-${n}\"; value = n; })) (lib.zipAttrsWithNames [ \"a\" ] (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]) ]"],
  ['filterAttrsRecursive / mapAttrsRecursiveCond', '[ (lib.filterAttrsRecursive (n: v: v != null) { a = null; b = { c = null; d = 1; }; }) (lib.mapAttrsRecursiveCond (s: !(s ? x)) (path: v: builtins.concatStringsSep "." path) { a = { b = 1; }; c = { x = 1; }; }) ]'],
  ['sortOn / isStringLike / setDefaultModuleLocation', '[ (lib.sortOn (x: x.k) [ { k = 3; } { k = 1; } { k = 2; } ]) (map lib.isStringLike [ "s" 1 { outPath = "/x"; } ]) (lib.setDefaultModuleLocation "f.nix" { a = 1; }) ]'],
];

function nixEval(expr: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mvn-prelude-'));
  writeFileSync(join(dir, 'prelude.nix'), PRELUDE_TEXT);
  const wrapped = `let lib = import ${join(dir, 'prelude.nix')} // { fix = f: let x = f x; in x; }; in ${expr}`;
  // The dummy store: evaluation needs no store, and an ordinary user may not reach the daemon's.
  const run = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '--store', 'dummy://', '-E', wrapped], { encoding: 'utf8' });
  assert.equal(run.status, 0, `nix-instantiate failed (is nix-bin installed?): ${run.stderr}`);
  return run.stdout.trim();
}

test('the prelude names are exactly what it defines (real Nix)', () => {
  assert.deepEqual(JSON.parse(nixEval('builtins.attrNames lib')).filter((n: string) => n !== 'fix').sort(), [...PRELUDE_NAMES].sort());
});

for (const [name, expr] of CASES) {
  test(`prelude ${name}: our evaluator agrees with Nix`, async () => {
    const ev = await makeEvaluator();
    const f = ev.evalSource('/ws/main.nix', `lib: ${expr}`);
    assert.equal(f.kind, 'function');
    const ours = f.kind === 'function' ? toJs(f.apply({ force: () => ev.lib })) : undefined;
    assert.deepEqual(ours, JSON.parse(nixEval(expr)));
  });
}

test('prelude listFilesRecursive, pathIsDirectory, pathIsRegularFile, pathType: our evaluator agrees with Nix on a real directory', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mvn-lfr-'));
  const files: Record<string, string> = {
    [join(root, 'modules/b.nix')]: '{ }',
    [join(root, 'modules/a/x.nix')]: '{ }',
    [join(root, 'modules/a/deeper/y.md')]: 'text',
    [join(root, 'modules/c.nix')]: '{ }',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  const expr = `let d = ${root}/modules; in {
    files = map toString (lib.listFilesRecursive d);
    dir = lib.pathIsDirectory d; notFile = lib.pathIsRegularFile d; file = lib.pathIsRegularFile (d + "/b.nix");
    missing = lib.pathIsDirectory (d + "/nope"); type = lib.pathType (d + "/a");
  }`;
  const ev = await makeEvaluator(files);
  const f = ev.evalSource('/ws/main.nix', `lib: ${expr}`);
  const ours = f.kind === 'function' ? toJs(f.apply({ force: () => ev.lib })) : undefined;
  const theirs = JSON.parse(nixEval(expr));
  assert.deepEqual(theirs.files, ['modules/a/deeper/y.md', 'modules/a/x.nix', 'modules/b.nix', 'modules/c.nix'].map((p) => join(root, p)));
  assert.deepEqual(ours, theirs);
});
