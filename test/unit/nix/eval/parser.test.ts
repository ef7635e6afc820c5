import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNixFile, toAst, type NixNode } from '../../../../server/src/engine/nix/ast';
import { editFromUtf16 } from '../../../../server/src/engine/nix/parser';
import { getParser } from './util';

function find(node: NixNode, pred: (n: NixNode) => boolean): NixNode | undefined {
  const stack: unknown[] = [node];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object') continue;
    if (Array.isArray(x)) {
      stack.push(...x);
      continue;
    }
    const n = x as NixNode;
    if (typeof n.kind === 'string' && pred(n)) return n;
    for (const v of Object.values(x)) if (v && typeof v === 'object') stack.push(v);
  }
  return undefined;
}

test('offsets are UTF-16 code units (CJK and emoji before a node)', async () => {
  const p = await getParser();
  for (const text of ['"日本" + x', '"😀" + x', '"😀日" + x']) {
    const parsed = parseNixFile(p, '/f.nix', text);
    const x = find(parsed.root, (n) => n.kind === 'var')!;
    assert.equal(text.slice(x.start, x.end), 'x');
    assert.equal(parsed.lines.positionAt(x.start).character, text.indexOf('x'));
  }
  // tree-sitter itself reports UTF-16 units for JS strings in web-tree-sitter 0.25.
  const tree = p.parse('"😀" + x');
  const root = tree.rootNode;
  assert.equal(root.descendantForIndex(7)?.text, 'x');
  assert.equal(root.descendantForIndex(7)?.startPosition.column, 7);
  tree.delete();
});

test('grammar gaps are not errors: trailing commas in formals, inherit of no names, |>', async () => {
  const p = await getParser();
  const a = parseNixFile(p, '/f.nix', '{ a, b, }: a');
  assert.equal(a.syntaxErrors, 0);
  assert.equal(parseNixFile(p, '/f.nix', '{\n  a,\n  b,\n}:\na').syntaxErrors, 0);
  assert.equal(parseNixFile(p, '/f.nix', '{ a ? 1, }: a').syntaxErrors, 0);
  assert.equal(parseNixFile(p, '/f.nix', '{ a, b ? {}, # why\n}: a').syntaxErrors, 0);
  assert.ok(parseNixFile(p, '/f.nix', '{ a, , b }: a').syntaxErrors > 0);
  assert.equal(a.root.kind, 'fn');
  if (a.root.kind === 'fn') assert.deepEqual(a.root.formals?.map((f) => f.name), ['a', 'b']);
  const inherits = parseNixFile(p, '/f.nix', 'x: let inherit; inherit (x); in { inherit; }');
  assert.equal(inherits.syntaxErrors, 0);
  const b = parseNixFile(p, '/f.nix', '{ x = a |> f; y = 1; }');
  assert.equal(b.syntaxErrors, 0);
  assert.equal(b.root.kind, 'attrs');
  const mixed = parseNixFile(p, '/f.nix', '{ x = a |> f <| b; y = 1; }');
  assert.equal(mixed.syntaxErrors, 1, 'Nix has no reading for |> and <| mixed');
  assert.equal(mixed.errorRanges.length, mixed.syntaxErrors);
});

test('strings: escapes, indented strings with indentation stripping and escapes', async () => {
  const p = await getParser();
  const s = (text: string) => {
    const r = parseNixFile(p, '/f.nix', text).root;
    assert.equal(r.kind, 'str');
    return r.kind === 'str' ? r.parts : [];
  };
  assert.deepEqual(s('"a\\nb\\t\\"\\${x}\\\\"'), ['a\nb\t"${x}\\']);
  assert.deepEqual(s("''\n    foo\n      bar\n    baz\n  ''"), ['foo\n  bar\nbaz\n']);
  assert.deepEqual(s("''\n  ''$x '''q ''\\n\n''"), ["$x ''q \n\n"]);
  assert.deepEqual(s("''  a''"), ['a']);
  const withInterp = s("''\n  x ${y}\n  z\n''");
  assert.equal(withInterp[0], 'x ');
  assert.equal(withInterp[2], '\nz\n');
});

test('AST node kinds for the whole language', async () => {
  const p = await getParser();
  const text =
    'let a.b = 1; inherit (x) c; in rec { "${x}" = 1; ${y} = 2; p = ./x.nix; e = <nixpkgs>; f = a.b or 3; g = a ? b.c; ' +
    'i = { x ? 1, ... }@args: x; j = -1; k = !true; l = [1 2.5]; m = if a then b else c; n = with a; b; o = assert a; b; ' +
    'q = https://x.org; r = f x y; s = a -> b; t = ./${x}/y; u = a // b ++ c; }';
  const r = parseNixFile(p, '/f.nix', text);
  assert.equal(r.syntaxErrors, 0);
  const kinds = new Set<string>();
  const stack: unknown[] = [r.root];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object') continue;
    if (Array.isArray(x)) stack.push(...x);
    else {
      const k = (x as { kind?: unknown }).kind;
      if (typeof k === 'string') kinds.add(k);
      stack.push(...Object.values(x));
    }
  }
  for (const k of ['let', 'attrs', 'path', 'spath', 'select', 'has', 'fn', 'neg', 'not', 'list', 'float', 'if', 'with', 'assert', 'uri', 'apply', 'binop', 'str', 'inherit', 'bind']) {
    assert.ok(kinds.has(k), `missing ${k}`);
  }
});

test('100,000-deep nesting converts without a stack overflow', async () => {
  const p = await getParser();
  const n = 100_000;
  const text = '['.repeat(n) + '1' + ']'.repeat(n);
  const r = parseNixFile(p, '/deep.nix', text);
  assert.equal(r.root.kind, 'list');
  assert.equal(r.syntaxErrors, 0);
});

test('incremental parse with a previous tree and an edit', async () => {
  const p = await getParser();
  const before = '{ a = "日本"; b = 1; }';
  const after = '{ a = "日本"; b = 22; }';
  const t1 = p.parse(before);
  const at = before.indexOf('1;');
  const edit = editFromUtf16({
    startOffset: at,
    oldEndOffset: at + 1,
    newEndOffset: at + 2,
    start: { line: 0, character: at },
    oldEnd: { line: 0, character: at + 1 },
    newEnd: { line: 0, character: at + 2 },
  });
  const t2 = p.parse(after, { tree: t1, edits: [edit] });
  const r = toAst(p, '/f.nix', after, t2);
  t1.delete();
  t2.delete();
  const b = find(r.root, (n) => n.kind === 'int')!;
  assert.equal(after.slice(b.start, b.end), '22');
});
