/**
 * A fix is checked by parsing the file with the fix applied incrementally from the file's tree
 * (workspace/parseCache.ts previewAddsErrors): it may only say "no error" when a fresh parse of
 * the same text has none. Random insertions of fix-like and broken snippets, several at once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NixParser } from '../../../../server/src/engine/nix/parser';
import { applyOffsetEdits, type OffsetEdit } from '../../../../server/src/engine/textEdits';
import { ParseCache } from '../../../../server/src/engine/workspace/parseCache';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
const FILES = ['bridge-not-defined/hosts/lab/vms.nix', 'bridge-not-defined/hosts/lab/network.nix'].map((f) => join(FIXTURES, f));
const SNIPPETS = [
  '\n  systemd.network.networks."30-vm" = { matchConfig.Name = "vm-*"; networkConfig.Bridge = "br0"; };\n',
  '\n  networking.bridges.br1.interfaces = [ ];',
  ' { ',
  ' } ',
  '"',
  "''",
  ' ${ ',
  '\r\n  x = 1;\r\n',
  ' # comment\n',
  ' /* c */ ',
  'a |> b <| c',
  ';',
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('incremental fix preview says "no syntax error" only when a fresh parse has none', async () => {
  const parser = await NixParser.create();
  const cache = new ParseCache(parser, () => undefined);
  const rand = rng(19);
  let clean = 0;
  let dirty = 0;
  try {
    for (const file of FILES) {
      const before = readFileSync(file, 'utf8');
      for (let i = 0; i < 150; i++) {
        const n = 1 + Math.floor(rand() * 3);
        const points = [...new Set(Array.from({ length: n }, () => Math.floor(rand() * (before.length + 1))))].sort((a, b) => a - b);
        const edits: OffsetEdit[] = points.map((p) => {
          const del = rand() < 0.3 ? Math.min(before.length - p, Math.floor(rand() * 4)) : 0;
          return { start: p, end: p + del, newText: SNIPPETS[Math.floor(rand() * SNIPPETS.length)] };
        });
        // non-overlapping, as a fix's edits are
        if (edits.some((e, k) => k > 0 && e.start < edits[k - 1].end)) continue;
        const after = applyOffsetEdits(before, edits);
        const fresh = parser.parse(after);
        const freshClean = !parser.lastParseAborted && !fresh.rootNode.hasError && !(after.includes('|>') && after.includes('<|'));
        fresh.delete();
        const preview = cache.previewAddsErrors(file, before, edits, after);
        if (preview === false) {
          clean++;
          assert.ok(freshClean, `said clean, but a fresh parse has errors: ${JSON.stringify(edits)}`);
        } else {
          dirty++;
          assert.ok(!freshClean, `said not clean, but a fresh parse has none: ${JSON.stringify(edits)}`);
        }
      }
    }
  } finally {
    cache.clear();
    parser.delete();
  }
  assert.ok(clean > 20 && dirty > 20, `both outcomes exercised (${clean} clean, ${dirty} not)`);
});
