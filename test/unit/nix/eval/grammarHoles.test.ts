/**
 * Where the tree-sitter-nix build we ship reads Nix differently from Nix, with no ERROR node to
 * show it, the AST is repaired (server/src/engine/nix/astRepairs.ts). Each case here evaluates
 * to what Nix 2.8 evaluates it to (`nix-instantiate --eval --strict`, noted beside each), and
 * parses without a syntax error where Nix has none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNixFile, type NixNode } from '../../../../server/src/engine/nix/ast';
import { evalJs, getParser, makeEvaluator, UNKNOWN } from './util';

async function syntaxErrors(text: string): Promise<number> {
  return parseNixFile(await getParser(), '/ws/main.nix', text).syntaxErrors;
}

function nodes(root: NixNode): NixNode[] {
  const out: NixNode[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object') continue;
    if (Array.isArray(x)) stack.push(...x);
    else {
      if (typeof (x as { kind?: unknown }).kind === 'string' && 'start' in x) out.push(x as NixNode);
      stack.push(...Object.values(x));
    }
  }
  return out;
}

test('a//b, x.y//z, a//b.c, (a)//b: the update operator, as Nix lexes it, not a path', async () => {
  const sets = 'let a = { x = 1; }; b = { c = { y = 2; }; }; s = { y = { p = 1; }; }; z = { q = 2; }; in';
  assert.deepEqual(await evalJs(`${sets} a//b.c`), { x: 1, y: 2 }); // { x = 1; y = 2; }
  assert.deepEqual(await evalJs(`${sets} s.y//z`), { p: 1, q: 2 }); // { p = 1; q = 2; }
  assert.deepEqual(await evalJs(`${sets} (a)//z`), { x: 1, q: 2 });
  assert.deepEqual(await evalJs(`${sets} a//z//{ r = 3; }`), { x: 1, q: 2, r: 3 });
  assert.deepEqual(await evalJs(`${sets} [ (a//z) ]`), [{ x: 1, q: 2 }]);
  assert.equal(await syntaxErrors('a: b: a//b'), 0);
});

test('the re-split // keeps positions in the original text', async () => {
  const text = 'x: y: z: [ (x.y//z) "日本" z ]';
  const parsed = parseNixFile(await getParser(), '/ws/main.nix', text);
  assert.equal(parsed.syntaxErrors, 0);
  const vars = nodes(parsed.root).filter((n) => n.kind === 'var');
  for (const v of vars) assert.equal(text.slice(v.start, v.end), v.kind === 'var' ? v.name : '');
  const update = nodes(parsed.root).find((n) => n.kind === 'binop' && n.op === '//')!;
  assert.equal(text.slice(update.start, update.end), 'x.y//z');
  const str = nodes(parsed.root).find((n) => n.kind === 'str')!;
  assert.equal(text.slice(str.start, str.end), '"日本"');
});

test('a path ends before a block comment: ./a /* c */+"/b.nix" is a concatenation', async () => {
  assert.equal(await evalJs('./a /* c */+"/b.nix"'), 'path:/ws/a/b.nix'); // "/…/a/b.nix"
  const parsed = parseNixFile(await getParser(), '/ws/main.nix', 'x: ./a /* c */++ x');
  assert.equal(parsed.syntaxErrors, 0);
  const concat = nodes(parsed.root).find((n) => n.kind === 'binop');
  assert.ok(concat?.kind === 'binop' && concat.op === '++' && concat.left.kind === 'path' && concat.right.kind === 'var');
});

test('inherit; and inherit (x); are inherits of no names, not errors', async () => {
  assert.equal(await syntaxErrors('x: let inherit; inherit (x); in { inherit; }'), 0);
  assert.deepEqual(await evalJs('let inherit; x = 1; in { inherit; inherit ({a=1;}); y = x; }'), { y: 1 }); // { y = 1; }
});

test('a trailing comma in formals, after a default or a comment too', async () => {
  assert.equal(await evalJs('({ a, b, }: a + b) { a = 1; b = 2; }'), 3); // 3
  assert.equal(await evalJs('({ a ? 1, }: a) {}'), 1);
  assert.equal(await evalJs('({\n  a,\n  b ? 2, # why\n}: a + b) { a = 1; }'), 3);
  assert.equal(await syntaxErrors('{ a ? 1, }: a'), 0);
});

test('~/${x}: a home path (unknown, as every home path), and the rest of the file still evaluates', async () => {
  assert.equal(await syntaxErrors('x: ~/${x}'), 0);
  const ev = await makeEvaluator();
  const v = ev.evalSource('/ws/main.nix', 'let x = "a"; in ~/${x}');
  assert.equal(v.kind, 'unknown');
  if (v.kind === 'unknown') assert.match(v.reason ?? '', /home path/);
  assert.deepEqual(await evalJs('let x = "a"; in { h = ~/${x}; b = 1; }'), { h: UNKNOWN, b: 1 });
});

test('x or: x applied to a variable or, binding like a selection (f a or is f (a or))', async () => {
  const scope = 'with { or = 3; }; let f = x: x + 1; a = y: y * 10; in';
  assert.equal(await evalJs(`${scope} f a or`), 31); // 31
  assert.deepEqual(await evalJs(`${scope} [ a or ]`), [30]); // [ 30 ]
});

test('indented strings: escapes are stripped like text, as in Nix 2.8', async () => {
  assert.equal(await evalJs("''\n  ''\\ a\n    b\n''"), ' a\n  b\n'); // " a\n  b\n"
  assert.equal(await evalJs("''\n  a''\\n  b\n  c''"), 'a\nb\nc'); // "a\nb\nc"
  assert.equal(await evalJs("''$${x}''"), '$${x}'); // "$\${x}"
});

test('|> and <| (Nix >= 2.24): application, loosest of all, |> to the left and <| to the right', async () => {
  const fns = 'let inc = x: x + 1; dbl = x: x * 2; in';
  assert.equal(await evalJs(`${fns} 1 |> inc |> dbl`), 4);
  assert.equal(await evalJs(`${fns} dbl <| inc <| 1`), 4);
  assert.equal(await evalJs(`${fns} [ 1 ] ++ [ 2 ] |> builtins.length`), 2);
  assert.equal(await evalJs(`${fns} 2 |> builtins.elemAt [ 7 8 9 ]`), 9);
  assert.equal(await evalJs(`${fns} { a = 1 |> inc; }.a`), 2);
  assert.equal(await evalJs(`${fns} (x: x |> inc) 1`), 2);
  assert.equal(await evalJs(`${fns} if true then 1 |> dbl else 0`), 2);
  assert.equal(await evalJs(`${fns} false -> true |> (b: if b then 1 else 0)`), 1);
  assert.equal(await syntaxErrors('f: a: a |> f'), 0);
  assert.equal(await syntaxErrors('f: a: a |> f <| a'), 1, 'mixed without parentheses: a syntax error in Nix too');
  assert.equal(await syntaxErrors('f: a: (a |> f) <| a'), 0);
});

test('a set written twice is one set, as Nix merges it (static attributes of the later literal)', async () => {
  assert.deepEqual(await evalJs('{ a = {}; a = { b = 1; }; }'), { a: { b: 1 } }); // { a = { b = 1; }; }
  assert.deepEqual(await evalJs('{ a = { x = 1; }; a = { ${"y"+""} = 2; }; }'), { a: { x: 1 } }); // { a = { x = 1; }; }
  assert.deepEqual(await evalJs('let c = 7; in { a.b = 1; a = rec { c = 1; d = c; }; }'), { a: { b: 1, c: 1, d: 7 } });
  assert.deepEqual(await evalJs('let c = 7; in { a = { b = 1; }; a = rec { c = 1; d = c; }; }'), { a: { b: 1, c: 1, d: 7 } });
});

test('a rec set stays recursive for what is merged into it, and a recursive name shadows an outer one', async () => {
  assert.deepEqual(await evalJs('let b = 5; in { a = rec { b = 1; }; a.c = b; }'), { a: { b: 1, c: 1 } }); // c = 1
  assert.deepEqual(await evalJs('let c = 7; in { a = rec { b = 1; }; a = { c = 1; d = b; }; }'), { a: { b: 1, c: 1, d: 1 } });
  assert.deepEqual(await evalJs('let a = 5; in rec { a = 1; b = a; }'), { a: 1, b: 1 }); // b = 1
  assert.equal(await evalJs('let a = 5; in let a = 1; b = a; in b'), 1); // 1
  assert.equal(await evalJs('let a = 1; in let inherit a; b = a; in b'), 1);
});
