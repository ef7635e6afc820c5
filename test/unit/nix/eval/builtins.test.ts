import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJs, UNKNOWN } from './util';

const cases: [string, string, unknown][] = [
  ['toString', '[ (toString 1) (toString "a") (toString true) (toString false) (toString null) (toString [ 1 "b" ]) (toString ./x) ]', ['1', 'a', '1', '', '', '1 b', '/ws/x']],
  ['substring', '[ (builtins.substring 0 3 "hello") (builtins.substring 3 10 "hello") (builtins.substring 0 2 "vm-${u}") (builtins.substring 1 5 "vm-${u}") ]', ['hel', 'lo', 'vm', 'm-*']],
  ['stringLength', '[ (builtins.stringLength "abc") (builtins.stringLength "日") (builtins.stringLength "a${u}") ]', [3, 3, UNKNOWN]],
  ['map', 'map (x: x + 1) [ 1 2 ]', [2, 3]],
  ['filter', 'builtins.filter (x: x > 1) [ 1 2 3 ]', [2, 3]],
  ['attrNames is sorted', 'builtins.attrNames { b = 1; a = 2; "C" = 3; }', ['C', 'a', 'b']],
  ['attrValues', 'builtins.attrValues { b = 1; a = 2; }', [2, 1]],
  ['listToAttrs (first wins)', 'builtins.listToAttrs [ { name = "a"; value = 1; } { name = "a"; value = 2; } { name = "b"; value = 3; } ]', { a: 1, b: 3 }],
  ['hasAttr / getAttr', '[ (builtins.hasAttr "a" { a = 1; }) (builtins.hasAttr "b" { a = 1; }) (builtins.getAttr "a" { a = 5; }) ]', [true, false, 5]],
  ['elem', '[ (builtins.elem 2 [ 1 2 ]) (builtins.elem 3 [ 1 2 ]) (builtins.elem "x" [ u ]) ]', [true, false, UNKNOWN]],
  ['length / head / tail / elemAt', '[ (builtins.length [ 1 2 3 ]) (builtins.head [ 4 5 ]) (builtins.tail [ 4 5 ]) (builtins.elemAt [ 4 5 6 ] 2) ]', [3, 4, [5], 6]],
  ['genList', 'builtins.genList (i: i * i) 4', [0, 1, 4, 9]],
  ['concatLists / concatMap', '[ (builtins.concatLists [ [ 1 ] [ 2 3 ] ]) (builtins.concatMap (x: [ x x ]) [ 1 2 ]) ]', [[1, 2, 3], [1, 1, 2, 2]]],
  ["foldl'", "builtins.foldl' (a: b: a + b) 0 [ 1 2 3 ]", 6],
  ['isAttrs / isList / isString / isInt / isBool / isNull / isFunction / isPath', '[ (builtins.isAttrs {}) (builtins.isList []) (builtins.isString "") (builtins.isInt 1) (builtins.isBool true) (isNull null) (builtins.isFunction (x: x)) (builtins.isPath ./.) (builtins.isString u) ]', [true, true, true, true, true, true, true, true, UNKNOWN]],
  ['replaceStrings', 'builtins.replaceStrings [ "a" "bb" ] [ "X" "${"y"}" ] "abbcab"', 'XycXb'],
  ['split', 'builtins.split "," "a,b"', ['a', [], 'b']],
  ['match', '[ (builtins.match "vm-([0-9]+)" "vm-12") (builtins.match "x" "y") ]', [['12'], null]],
  ['toJSON', '[ (builtins.toJSON { b = [ 1 "x" ]; a = null; }) (builtins.toJSON u) ]', ['{"a":null,"b":[1,"x"]}', '*']],
  ['fromJSON', 'builtins.fromJSON "{\\"a\\": [1, true]}"', { a: [1, true] }],
  ['baseNameOf / dirOf', '[ (baseNameOf "/a/b.nix") (baseNameOf ./x/y.nix) (dirOf "/a/b") (dirOf ./x/y.nix) ]', ['b.nix', 'y.nix', '/a', 'path:/ws/x']],
  ['removeAttrs', 'removeAttrs { a = 1; b = 2; c = 3; } [ "a" "c" ]', { b: 2 }],
  ['typeOf', 'map builtins.typeOf [ 1 1.5 "s" true null [] {} (x: x) ./. ]', ['int', 'float', 'string', 'bool', 'null', 'list', 'set', 'lambda', 'path']],
  ['seq / trace / deepSeq', '[ (builtins.seq 1 2) (builtins.trace "msg" 3) (builtins.deepSeq { } 4) ]', [2, 3, 4]],
  ['throw / abort → unknown', '[ (throw "x") (abort "y") ]', [UNKNOWN, UNKNOWN]],
  ['tryEval', '[ (builtins.tryEval 1) (builtins.tryEval (throw "no")) ]', [{ success: true, value: 1 }, { success: false, value: false }]],
  ['mapAttrs (builtin)', 'builtins.mapAttrs (n: v: "${n}=${toString v}") { a = 1; b = 2; }', { a: 'a=1', b: 'b=2' }],
  ['sort', 'builtins.sort (a: b: a < b) [ 3 1 2 ]', [1, 2, 3]],
  ['any / all', '[ (builtins.any (x: x > 2) [ 1 3 ]) (builtins.all (x: x > 2) [ 1 3 ]) ]', [true, false]],
  ['catAttrs / intersectAttrs', '[ (builtins.catAttrs "a" [ { a = 1; } { b = 2; } { a = 3; } ]) (builtins.intersectAttrs { a = 0; } { a = 1; b = 2; }) ]', [[1, 3], { a: 1 }]],
  ['arithmetic builtins', '[ (builtins.add 1 2) (builtins.sub 5 3) (builtins.mul 2 3) (builtins.div 7 2) (builtins.lessThan 1 2) ]', [3, 2, 6, 3, true]],
  ['concatStringsSep', 'builtins.concatStringsSep ", " [ "a" "b${u}" ]', 'a, b*'],
  ['functionArgs', 'builtins.functionArgs ({ a, b ? 1 }: a)', { a: UNKNOWN, b: UNKNOWN }],
  ['zipAttrsWith', 'builtins.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]', { a: [1, 2], b: [3] }],
  ['compareVersions', '[ (builtins.compareVersions "1.2" "1.10") (builtins.compareVersions "2" "2") ]', [-1, 0]],
];

for (const [name, src, expected] of cases) {
  test(name, async () => {
    assert.deepEqual(await evalJs(src), expected);
  });
}

test('readDir / pathExists / readFile through NixFileSystem', async () => {
  const files = { '/ws/vms/a.nix': '1', '/ws/vms/b.nix': '2', '/ws/vms/sub/c.nix': '3', '/ws/data.txt': 'hello' };
  assert.deepEqual(await evalJs('builtins.readDir ./vms', files), { 'a.nix': 'regular', 'b.nix': 'regular', sub: 'directory' });
  assert.deepEqual(await evalJs('[ (builtins.pathExists ./vms/a.nix) (builtins.pathExists ./vms/z.nix) (builtins.pathExists /elsewhere/x) ]', files), [true, false, UNKNOWN]);
  assert.equal(await evalJs('builtins.readFile ./data.txt', files), 'hello');
  assert.equal(await evalJs('builtins.readDir /outside', files), UNKNOWN);
});
