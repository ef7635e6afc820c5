/**
 * An open buffer edited through the document store (several changes between parses, a whole-text
 * replacement, close and reopen): the AST the parse cache gives after each edit is the AST of a
 * fresh parse of the text, while the incremental conversion does reuse what tree-sitter kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNixFile } from '../../../../server/src/engine/nix/ast';
import { NixParser } from '../../../../server/src/engine/nix/parser';
import { DEFAULT_SETTINGS } from '../../../../server/src/protocol/settings';
import { LineIndex } from '../../../../server/src/engine/text';
import type { ContentChange } from '../../../../server/src/engine/textEdits';
import { DocumentStore } from '../../../../server/src/engine/workspace/documentStore';
import { ParseCache } from '../../../../server/src/engine/workspace/parseCache';

const TEXT = `{ lib, ... }:
{
  microvm.vms = lib.genAttrs [ "a" "b" ] (name: {
    config.microvm.interfaces = [ { type = "tap"; id = "vm-\${name}"; mac = "02:00:00:00:00:01"; } ];
  });
  # a comment
  networking.bridges.br0.interfaces = [ "eth0" ];
  description = ''
    indented \${lib.version}
  '';
}
`;

function change(text: string, needle: string, remove: number, insert: string, shift = 0): ContentChange {
  const at = text.indexOf(needle) + shift;
  assert.ok(at >= shift, `no ${needle}`);
  const lines = new LineIndex(text);
  return { range: { start: lines.positionAt(at), end: lines.positionAt(at + remove) }, text: insert };
}

test('edits of an open buffer: the parse cache gives the fresh parse AST, reusing subtrees', async () => {
  const parser = await NixParser.create();
  const root = mkdtempSync(join(tmpdir(), 'parse-cache-'));
  const file = join(root, 'host.nix');
  let cache: ParseCache | undefined;
  const store = new DocumentStore([root], () => DEFAULT_SETTINGS, { textChanged: (path) => cache?.forget(path), fileSetChanged: () => {} }, () => {});
  cache = new ParseCache(parser, (path) => store.openBuffer(path));
  const check = (version: number, context: string): number => {
    const text = store.openBuffer(file)!.text;
    const parsed = cache!.parse(file, text);
    const fresh = parseNixFile(parser, file, text);
    assert.deepStrictEqual(parsed.root, fresh.root, context);
    assert.deepStrictEqual(parsed.errorRanges, fresh.errorRanges, context);
    assert.equal(store.openBuffer(file)!.version, version);
    return cache!.lastReused;
  };
  try {
    store.open(file, TEXT, 1);
    check(1, 'opened');
    let reused = 0;
    let version = 1;
    const edit = (changes: (text: string) => ContentChange[], context: string) => {
      const text = store.openBuffer(file)!.text;
      store.change(file, ++version, changes(text));
      reused += check(version, context);
    };
    edit((t) => [change(t, 'vm-', 2, 'vx')], 'one character in a string');
    // Two changes before one parse: the second's offsets are in the text after the first.
    edit((t) => {
      const first = change(t, '# a comment', 0, '\n  extra = 1;\n');
      const after = t.replace('# a comment', '\n  extra = 1;\n# a comment');
      return [first, change(after, '"eth0"', 0, '"eth1" ')];
    }, 'two changes, one parse');
    edit((t) => [change(t, 'indented', 0, '${')], 'an interpolation opened in an indented string');
    edit((t) => [change(t, 'indented', 0, '} ')], 'and closed');
    edit((t) => [change(t, 'extra = 1;', 1, '', 9)], 'a syntax error');
    edit((t) => [change(t, 'extra = 1\n', 0, ';', 9)], 'mended');
    assert.ok(reused > 0, 'nothing reused');
    // A whole-text replacement drops the tree: a full conversion, then incremental again.
    store.change(file, ++version, [{ text: TEXT.replace('"a"', '"c"') }]);
    assert.equal(check(version, 'whole text'), 0);
    edit((t) => [change(t, '"b"', 1, '"d', 0)], 'after the replacement');
    store.close(file);
    store.open(file, TEXT, 1);
    version = 1;
    assert.equal(check(1, 'reopened'), 0);
    edit((t) => [change(t, 'tap', 3, 'macvtap')], 'after reopening');
    assert.ok(cache.lastReused > 0, 'nothing reused after reopening');
  } finally {
    store.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
