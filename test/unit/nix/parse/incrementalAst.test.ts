/**
 * Incremental AST conversion (server/src/engine/nix/astReuse.ts) builds, after every edit, the
 * AST a full conversion builds: node for node, key for key, with the same sharing between a
 * string's `parts` and `pieces`, the same syntax errors. Edits go inside strings (escapes,
 * interpolations, indentation), comments, the grammar holes the repairs fill (astRepairs.ts),
 * and make and mend syntax errors; then random edits of random files. Each sequence must also
 * have reused subtrees, so a conversion that never reuses cannot pass for one that reuses well.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNixFile, toAst, toAstIncremental, type ParsedNixFile } from '../../../../server/src/engine/nix/ast';
import type { ReuseTable } from '../../../../server/src/engine/nix/astReuse';
import { editFromUtf16, NixParser, type Tree } from '../../../../server/src/engine/nix/parser';
import { LineIndex } from '../../../../server/src/engine/text';
import { NixGenerator, Random } from './generator';

const FILE = '/ws/edited.nix';

/** Same keys in the same order, same values, and an object shared twice in one is shared in the other. */
function assertSameTree(actual: unknown, expected: unknown, where: string, pairs = new Map<object, object>()): void {
  if (typeof expected !== 'object' || expected === null) {
    assert.equal(actual, expected, where);
    return;
  }
  assert.ok(typeof actual === 'object' && actual !== null, `${where}: not an object`);
  const seen = pairs.get(expected);
  if (seen !== undefined) {
    assert.ok(seen === actual, `${where}: shared in the full conversion, not in the incremental one`);
    return;
  }
  pairs.set(expected, actual);
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${where}: array`);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${where}: keys`);
  for (const k of Object.keys(expected)) {
    assertSameTree((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${where}.${k}`, pairs);
  }
}

function assertSameFile(actual: ParsedNixFile, expected: ParsedNixFile, context: string): void {
  assertSameTree(actual.root, expected.root, `${context}: root`);
  assert.equal(actual.syntaxErrors, expected.syntaxErrors, `${context}: syntax errors`);
  assert.deepEqual(actual.errorRanges, expected.errorRanges, `${context}: error ranges`);
  assert.equal(actual.problem, expected.problem, `${context}: problem`);
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

/** A buffer edited the way ParseCache edits an open one: tree.edit, incremental parse, incremental conversion. */
class Buffer {
  private tree: Tree;
  private table: ReuseTable | undefined;
  reused = 0;
  edits = 0;

  constructor(
    private readonly parser: NixParser,
    public text: string,
  ) {
    this.tree = parser.parse(text);
    const first = toAstIncremental(parser, FILE, text, this.tree);
    assertSameFile(first.parsed, parseNixFile(parser, FILE, text), 'first conversion');
    this.table = first.table;
  }

  apply(edit: Edit): void {
    const lines = new LineIndex(this.text);
    const next = this.text.slice(0, edit.at) + edit.insert + this.text.slice(edit.at + edit.remove);
    const start = lines.positionAt(edit.at);
    const oldEnd = lines.positionAt(edit.at + edit.remove);
    const newEnd = new LineIndex(next).positionAt(edit.at + edit.insert.length);
    const change = editFromUtf16({ startOffset: edit.at, oldEndOffset: edit.at + edit.remove, newEndOffset: edit.at + edit.insert.length, start, oldEnd, newEnd });
    const tree = this.parser.parse(next, { tree: this.tree, edits: [change] });
    const aborted = this.parser.lastParseAborted;
    const result = toAstIncremental(this.parser, FILE, next, tree, aborted ? undefined : this.table);
    this.tree.delete();
    this.tree = tree;
    this.table = aborted ? undefined : result.table;
    const context = `edit ${JSON.stringify(edit)} of ${JSON.stringify(this.text)}`;
    // The reuse alone: the same tree converted in full.
    assertSameFile(result.parsed, toAst(this.parser, FILE, next, tree), context);
    // The whole path: a fresh parse of the new text.
    assertSameFile(result.parsed, parseNixFile(this.parser, FILE, next), `${context} (fresh parse)`);
    this.text = next;
    this.reused += result.reused;
    this.edits++;
  }

  delete(): void {
    this.tree.delete();
  }
}

let parserPromise: Promise<NixParser> | undefined;
const getParser = () => (parserPromise ??= NixParser.create());

/** `needle`'s offset in `text` (the n-th occurrence), for edits written against the text. */
function at(text: string, needle: string, n = 0): number {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `no ${needle} in the text`);
  }
  return i;
}

const BASE = `{ config, lib, pkgs, ... }:
let
  inherit (lib) mkIf mkDefault;
  # A line comment, with "quotes" and \${not an interpolation}
  name = "vm-\${toString 1}-a\\"b\\n";
  /* a block comment */
  script = ''
    echo "\${name}" ''\${escaped}
      indented '''quote
  '';
  paths = [ ./a/b.nix ./c/\${name}.nix ~/x ];
  f = { a, b ? 2, }: a + b;
  piped = [ 1 2 ] |> map (x: x * 2);
  chain = a.b.c or d;
  g = x: x or;
in {
  inherit;
  microvm.vms = lib.genAttrs [ "one" "two" ] (vm: {
    config.microvm.interfaces = [ { type = "tap"; id = "vm-\${vm}"; mac = "02:00:00:00:00:01"; } ];
  });
  networking.bridges.br0.interfaces = [ "eth0" ];
  systemd.network.networks."10-br0" = { matchConfig.Name = "br0"; };
  other = { x = 1; y = 2.5; z = <nixpkgs>; u = https://example.org/x; };
}
`;

test('edits inside strings, comments and repaired holes convert as the full conversion does', async () => {
  const parser = await getParser();
  const b = new Buffer(parser, BASE);
  const edits: ((t: string) => Edit)[] = [
    // Strings: a character, an escape, an interpolation opened and closed, a quote that opens a string.
    (t) => ({ at: at(t, 'vm-${vm}') + 2, remove: 1, insert: 'X' }),
    (t) => ({ at: at(t, 'vmX${vm}') + 2, remove: 1, insert: '-' }),
    (t) => ({ at: at(t, 'a\\"b') + 1, remove: 0, insert: '\\t' }),
    (t) => ({ at: at(t, '"eth0"') + 1, remove: 0, insert: '${' }),
    (t) => ({ at: at(t, '"${eth0"') + 3, remove: 0, insert: '}' }),
    (t) => ({ at: at(t, '"one"'), remove: 0, insert: '"' }),
    (t) => ({ at: at(t, '""one"'), remove: 1, insert: '' }),
    // Indented strings: indentation, an escaped `''`, the closing delimiter.
    (t) => ({ at: at(t, '      indented'), remove: 2, insert: '' }),
    (t) => ({ at: at(t, "'''quote"), remove: 0, insert: "''" }),
    (t) => ({ at: at(t, "  '';"), remove: 2, insert: '\n ' }),
    // Comments: text, a comment closed early, a line comment removed and put back.
    (t) => ({ at: at(t, 'a block') + 2, remove: 5, insert: 'lock' }),
    (t) => ({ at: at(t, 'a lock'), remove: 0, insert: '*/ x = ' }),
    (t) => ({ at: at(t, '*/ x = '), remove: 7, insert: '' }),
    (t) => ({ at: at(t, '# A line'), remove: 1, insert: '' }),
    (t) => ({ at: at(t, ' A line'), remove: 0, insert: '#' }),
    // Repaired holes: `a//b` and a path running through a comment (the AST is a re-parse's: nothing
    // is kept while they are there), trailing comma, `inherit;`, `or`, pipes.
    (t) => ({ at: at(t, '~/x ') + 4, remove: 0, insert: 'a//b ' }),
    (t) => ({ at: at(t, 'a//b') + 1, remove: 0, insert: ' ' }),
    (t) => ({ at: at(t, 'a //b') + 1, remove: 1, insert: '' }),
    (t) => ({ at: at(t, 'a//b '), remove: 5, insert: '' }),
    (t) => ({ at: at(t, '~/x ') + 4, remove: 0, insert: './d /* c */++ ' }),
    (t) => ({ at: at(t, './d /* c */') + 3, remove: 1, insert: '' }),
    (t) => ({ at: at(t, './d/* c */++ '), remove: 13, insert: '' }),
    (t) => ({ at: at(t, 'b ? 2, }') + 5, remove: 1, insert: '' }),
    (t) => ({ at: at(t, 'b ? 2 }') + 5, remove: 0, insert: ',' }),
    (t) => ({ at: at(t, 'inherit;'), remove: 0, insert: 'x = 1; ' }),
    (t) => ({ at: at(t, 'x or;') + 4, remove: 0, insert: ' y' }),
    (t) => ({ at: at(t, 'x or y;') + 5, remove: 1, insert: '' }),
    (t) => ({ at: at(t, '|> map'), remove: 2, insert: '<|' }),
    (t) => ({ at: at(t, '<| map'), remove: 2, insert: '|>' }),
    // Syntax errors made and mended; lines added before everything (every offset moves).
    (t) => ({ at: at(t, 'mac = ') + 4, remove: 1, insert: '' }),
    (t) => ({ at: at(t, 'mac  ') + 4, remove: 0, insert: '=' }),
    (t) => ({ at: at(t, 'y = 2.5;') + 7, remove: 1, insert: '' }),
    (t) => ({ at: at(t, 'y = 2.5 z') + 7, remove: 0, insert: ';' }),
    (t) => ({ at: 0, remove: 0, insert: '\n\n# 日本 😀\n' }),
    (t) => ({ at: at(t, 'networking.bridges'), remove: 0, insert: 'extra = "😀";\n  ' }),
    (t) => ({ at: t.length - 2, remove: 1, insert: '' }),
    (t) => ({ at: t.length - 1, remove: 0, insert: '}' }),
  ];
  try {
    for (const e of edits) b.apply(e(b.text));
    assert.ok(b.reused > b.edits * 3, `only ${b.reused} subtrees reused over ${b.edits} edits`);
  } finally {
    b.delete();
  }
});

test('random edits of random files convert as the full conversion does', async () => {
  const parser = await getParser();
  const random = new Random(19_019);
  const generator = new NixGenerator(random);
  const snippets = ['"', '${', '}', '{', ' ', '\n', '#', '/*', '*/', "''", 'x', ';', '//', '.', ' or ', '|>', '\r', '\\', '$', '=', 'a.b', './p', ',', '?'];
  let reused = 0;
  let edits = 0;
  for (let n = 0; n < 150; n++) {
    const parts: string[] = [];
    for (let i = 0; i < 4; i++) parts.push(`  k${i} = ${generator.file()};`);
    const b = new Buffer(parser, `{\n${parts.join('\n')}\n}\n`);
    try {
      for (let i = 0; i < 6; i++) {
        const where = random.int(b.text.length + 1);
        const remove = random.chance(0.4) ? random.int(Math.min(4, b.text.length - where) + 1) : 0;
        b.apply({ at: where, remove, insert: random.chance(0.2) ? '' : random.pick(snippets) });
      }
    } finally {
      b.delete();
    }
    reused += b.reused;
    edits += b.edits;
  }
  assert.ok(reused > edits, `only ${reused} subtrees reused over ${edits} edits`);
});
