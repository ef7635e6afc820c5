import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJs, makeEvaluator, toJs, UNKNOWN } from './util';
import { libScope } from '../../../../server/src/engine/nix/eval/scope';

/** Evaluates `body` as a function of `lib`. */
async function withLib(body: string, files: Record<string, string> = {}): Promise<unknown> {
  const ev = await makeEvaluator(files);
  const f = ev.evalSource('/ws/main.nix', `lib: ${body}`);
  assert.equal(f.kind, 'function');
  return f.kind === 'function' ? toJs(f.apply({ force: () => ev.lib })) : undefined;
}

const cases: [string, string, unknown][] = [
  ['genAttrs', 'lib.genAttrs [ "a" "b" ] (n: "vm-${n}")', { a: 'vm-a', b: 'vm-b' }],
  ['mapAttrs', 'lib.mapAttrs (n: v: v * 2) { a = 1; b = 2; }', { a: 2, b: 4 }],
  ["mapAttrs'", "lib.mapAttrs' (n: v: lib.nameValuePair \"x-${n}\" v) { a = 1; }", { 'x-a': 1 }],
  ['mapAttrsToList', 'lib.mapAttrsToList (n: v: "${n}${toString v}") { b = 2; a = 1; }', ['a1', 'b2']],
  ['nameValuePair', 'lib.nameValuePair "a" 1', { name: 'a', value: 1 }],
  ['imap0 / imap1', '[ (lib.imap0 (i: v: i) [ "a" "b" ]) (lib.imap1 (i: v: "${v}${toString i}") [ "a" "b" ]) ]', [[0, 1], ['a1', 'b2']]],
  ['range', 'lib.range 2 5', [2, 3, 4, 5]],
  ['concatMap', 'lib.concatMap (x: [ x x ]) [ 1 ]', [1, 1]],
  ['concatStringsSep / concatMapStringsSep / concatMapStrings / concatStrings', '[ (lib.concatStringsSep "-" [ "a" "b" ]) (lib.concatMapStringsSep "," (x: "<${x}>") [ "a" "b" ]) (lib.concatMapStrings (x: x) [ "a" "b" ]) (lib.concatStrings [ "x" "y" ]) ]', ['a-b', '<a>,<b>', 'ab', 'xy']],
  ['optional / optionals / optionalString / optionalAttrs', '[ (lib.optional true 1) (lib.optional false 1) (lib.optionals true [ 1 2 ]) (lib.optionalString false "x") (lib.optionalString true "x") (lib.optionalAttrs true { a = 1; }) (lib.optionalAttrs false { a = 1; }) ]', [[1], [], [1, 2], '', 'x', { a: 1 }, {}]],
  ['optional on unknown condition', 'lib.optional u 1', ['…']],
  ['recursiveUpdate', 'lib.recursiveUpdate { a = { b = 1; c = 2; }; d = 1; } { a = { b = 3; }; e = 4; }', { a: { b: 3, c: 2 }, d: 1, e: 4 }],
  ['attrByPath / getAttrFromPath / hasAttrByPath / setAttrByPath', '[ (lib.attrByPath [ "a" "b" ] 0 { a.b = 1; }) (lib.attrByPath [ "a" "x" ] 0 { a.b = 1; }) (lib.getAttrFromPath [ "a" ] { a = 2; }) (lib.hasAttrByPath [ "a" "b" ] { a.b = 1; }) (lib.setAttrByPath [ "x" "y" ] 3) ]', [1, 0, 2, true, { x: { y: 3 } }]],
  ['filterAttrs', 'lib.filterAttrs (n: v: v > 1) { a = 1; b = 2; }', { b: 2 }],
  ['listToAttrs / foldl\' via lib', "[ (lib.listToAttrs [ (lib.nameValuePair \"a\" 1) ]) (lib.foldl' (a: b: a * b) 1 [ 2 3 ]) (lib.foldl (a: b: a - b) 10 [ 1 2 ]) (lib.foldr (a: b: a - b) 0 [ 5 2 ]) ]", [{ a: 1 }, 6, 7, 3]],
  ['fixedWidthNumber / fixedWidthString', '[ (lib.fixedWidthNumber 3 7) (lib.fixedWidthString 4 "x" "ab") ]', ['007', 'xxab']],
  ['toLower / toUpper (pattern-aware)', '[ (lib.toLower "AbC") (lib.toUpper "vm-${u}") ]', ['abc', 'VM-*']],
  ['hasPrefix / hasSuffix (pattern-aware)', '[ (lib.hasPrefix "vm" "vm-a") (lib.hasSuffix "a" "vm-a") (lib.hasPrefix "vm-" "vm-${u}") (lib.hasPrefix "tap" "vm-${u}") (lib.hasSuffix "x" "vm-${u}") ]', [true, true, true, false, UNKNOWN]],
  ['removePrefix / removeSuffix / splitString / hasInfix', '[ (lib.removePrefix "vm-" "vm-a") (lib.removeSuffix ".nix" "a.nix") (lib.splitString "," "a,b") (lib.hasInfix "b" "abc") ]', ['a', 'a', ['a', 'b'], true]],
  ['lists.* / strings.* / attrsets.* aliases', '[ (lib.lists.imap1 (i: v: i) [ "a" ]) (lib.strings.hasPrefix "a" "ab") (lib.attrsets.mapAttrsToList (n: v: n) { x = 1; }) ]', [[1], true, ['x']]],
  ['getExe / getExe\'', '[ (lib.getExe u) (lib.getExe\' u "ip") (lib.getExe\' "/nix/store/x-iproute2" "ip") ]', ['*/bin/*', '*/bin/ip', '/nix/store/x-iproute2/bin/ip']],
  ['escapeShellArg / escapeShellArgs', '[ (lib.escapeShellArg "vm-a") (lib.escapeShellArg "a b\'c") (lib.escapeShellArgs [ "a" "b c" ]) ]', ['vm-a', "'a b'\\''c'", "a 'b c'"]],
  ['flatten / unique / last / take / drop / count / reverseList', '[ (lib.flatten [ 1 [ 2 [ 3 ] ] ]) (lib.unique [ 1 2 1 ]) (lib.last [ 1 2 ]) (lib.take 2 [ 1 2 3 ]) (lib.drop 2 [ 1 2 3 ]) (lib.count (x: x > 1) [ 1 2 3 ]) (lib.reverseList [ 1 2 ]) ]', [[1, 2, 3], [1, 2], 2, [1, 2], [3], 2, [2, 1]]],
  ['id / const / flip / pipe / fix', '[ (lib.id 1) (lib.const 2 3) (lib.flip (a: b: a - b) 1 10) (lib.pipe 2 [ (x: x + 1) (x: x * 10) ]) ((lib.fix (self: { a = 1; b = self.a + 1; })).b) ]', [1, 2, 9, 30, 2]],
  ['mkIf', 'lib.mkIf true { a = 1; }', { _type: 'if', condition: true, content: { a: 1 } }],
  ['mkMerge', 'lib.mkMerge [ { a = 1; } ]', { _type: 'merge', contents: [{ a: 1 }] }],
  ['mkOverride / mkForce / mkDefault / mkOptionDefault', '[ (lib.mkOverride 900 1) (lib.mkForce 2) (lib.mkDefault 3) (lib.mkOptionDefault 4) ]', [
    { _type: 'override', priority: 900, content: 1 },
    { _type: 'override', priority: 50, content: 2 },
    { _type: 'override', priority: 1000, content: 3 },
    { _type: 'override', priority: 1500, content: 4 },
  ]],
  ['mkOrder / mkBefore / mkAfter', '[ (lib.mkOrder 10 "x") (lib.mkBefore "y") (lib.mkAfter "z") ]', [
    { _type: 'order', priority: 10, content: 'x' },
    { _type: 'order', priority: 500, content: 'y' },
    { _type: 'order', priority: 1500, content: 'z' },
  ]],
  ['mkOption / mkEnableOption markers', '[ (lib.mkOption { default = 1; })._type (lib.mkOption { default = 1; }).default (lib.mkEnableOption "foo").default (lib.mkEnableOption "foo").description ]', ['option', 1, false, 'Whether to enable foo.']],
  ['types.* are values (unknown is fine)', '[ (lib.types.str._type or "?") (builtins.isAttrs (lib.types.listOf lib.types.str)) ]', ['option-type', true]],
  ['lib.isDerivation / boolToString / toInt / versionAtLeast', '[ (lib.isDerivation { type = "derivation"; }) (lib.boolToString true) (lib.toInt "42") (lib.versionAtLeast "24.05" "23.11") ]', [true, 'true', 42, true]],
];

for (const [name, src, expected] of cases) {
  test(`lib.${name}`, async () => {
    assert.deepEqual(await withLib(src), expected);
  });
}

test('lib is reachable as pkgs.lib, nixpkgs.lib and inputs.nixpkgs.lib via libScope', async () => {
  const ev = await makeEvaluator();
  const scope = libScope(ev);
  const f = ev.evalSource('/ws/m.nix', '{ pkgs, nixpkgs, inputs, lib, ... }: [ (pkgs.lib.optional true 1) (nixpkgs.lib.range 1 2) (inputs.nixpkgs.lib.id 3) (lib.id 4) pkgs.hello.name or "?" ]');
  assert.equal(f.kind, 'function');
  if (f.kind !== 'function') return;
  const args = scope.moduleArgs();
  assert.deepEqual(toJs(f.apply({ force: () => args })), [[1], [1, 2], 3, 4, UNKNOWN]);
});

test('lib is not a global name', async () => {
  assert.equal(await evalJs('lib.id 1'), UNKNOWN);
});
