/**
 * The line scans `applyContentChanges` uses instead of a full LineIndex agree with LineIndex on
 * every offset and position, over texts mixing `\n`, `\r\n` and lone `\r` (including a `\r\n`
 * split by an edit) and positions past the end of lines and texts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/engine/text';
import { applyContentChanges, offsetAtScanning, positionAtScanning } from '../../server/src/engine/textEdits';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

const PIECES = ['a', 'bc', '\n', '\r\n', '\r', ' ', 'x\ny', '\n\n', '\r\r\n'];

test('scanning positions and offsets agree with LineIndex', () => {
  const rand = rng(7);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = Math.floor(rand() * 30);
    for (let i = 0; i < n; i++) text += PIECES[Math.floor(rand() * PIECES.length)];
    const lines = new LineIndex(text);
    for (let offset = -1; offset <= text.length + 1; offset++) {
      assert.deepEqual(positionAtScanning(text, offset), lines.positionAt(offset), JSON.stringify({ text, offset }));
    }
    for (let line = -1; line <= lines.lineCount + 1; line++) {
      for (const character of [0, 1, 2, 5, 100]) {
        assert.equal(offsetAtScanning(text, { line, character }), lines.offsetAt({ line, character }), JSON.stringify({ text, line, character }));
      }
    }
  }
});

test('incremental changes report the positions a LineIndex of each text gives', () => {
  const rand = rng(11);
  let text = 'let\r\n  a = 1;\n  b = "x";\rin a\n';
  for (let round = 0; round < 200; round++) {
    const lines = new LineIndex(text);
    const a = Math.floor(rand() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(rand() * 4));
    const insert = PIECES[Math.floor(rand() * PIECES.length)];
    const range = { start: lines.positionAt(a), end: lines.positionAt(b) };
    let applied: Parameters<NonNullable<Parameters<typeof applyContentChanges>[2]>>[0] = null;
    const next = applyContentChanges(text, [{ range, text: insert }], (x) => (applied = x));
    const start = lines.offsetAt(range.start);
    const end = lines.offsetAt(range.end);
    assert.equal(next, text.slice(0, start) + insert + text.slice(end));
    assert.ok(applied);
    const { startOffset, oldEndOffset, newEndOffset, start: s, oldEnd, newEnd } = applied;
    assert.deepEqual([startOffset, oldEndOffset, newEndOffset], [start, end, start + insert.length]);
    assert.deepEqual(s, lines.positionAt(start));
    assert.deepEqual(oldEnd, lines.positionAt(end));
    assert.deepEqual(newEnd, new LineIndex(next).positionAt(start + insert.length));
    text = next;
  }
});
