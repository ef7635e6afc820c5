/**
 * The one place text edits are applied: editor content changes (the LSP overlay and the
 * engine's open documents), quick-fix edits checked in memory, and `check --fix` on disk. Each
 * caller used to carry its own copy, and the copies disagreed on the edge cases.
 */
import type { TextEdit } from './service';
import { LineIndex, type Position, type Range } from './text';

/**
 * The line ending new text in a file should use: the one its first line break has. Deciding by
 * the first break (not by "any CRLF anywhere") keeps a mostly-LF file with a stray CRLF at LF.
 */
export function eolOf(text: string): '\r\n' | '\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export function toOffsetEdits(text: string, edits: readonly TextEdit[]): OffsetEdit[] {
  const lines = new LineIndex(text);
  return edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText }));
}

/**
 * Applies edits made against one text, back to front. Edits must not overlap (two insertions at
 * the same offset land in the order given). Throws on overlap: a builder bug, never user input.
 */
export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    if (order[k].e.start < order[k - 1].e.end) throw new Error('overlapping edits');
  }
  let out = text;
  for (let k = order.length - 1; k >= 0; k--) {
    const { e } = order[k];
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  }
  return out;
}

/**
 * Applies LSP-style edits (0-based UTF-16 positions against `text`). With `followLineEndings`
 * the inserted line breaks become the file's own (eolOf), as a file written back to disk needs.
 */
export function applyTextEdits(text: string, edits: readonly TextEdit[], options: { followLineEndings?: boolean } = {}): string {
  const crlf = options.followLineEndings === true && eolOf(text) === '\r\n';
  const adjusted = crlf ? edits.map((e) => ({ range: e.range, newText: e.newText.replace(/\r?\n/g, '\r\n') })) : edits;
  return applyOffsetEdits(text, toOffsetEdits(text, adjusted));
}

/** An editor's content change: a range edit, or (no range) the whole new text. */
export interface ContentChange {
  range?: Range;
  text: string;
}

/** Where one applied content change sat, before and after, for an incremental re-parse. */
export interface AppliedChange {
  startOffset: number;
  oldEndOffset: number;
  newEndOffset: number;
  start: Position;
  oldEnd: Position;
  newEnd: Position;
}

/**
 * Applies an editor's content changes in order, each against the text the previous one left.
 * `onApplied` hears each change's span (null for a whole-text replacement); the positions are
 * only computed when someone listens, since they cost a line index of the new text.
 */
export function applyContentChanges(
  text: string,
  changes: readonly ContentChange[],
  onApplied?: (change: AppliedChange | null) => void,
): string {
  for (const change of changes) {
    if (!change.range) {
      text = change.text;
      onApplied?.(null);
      continue;
    }
    const lines = new LineIndex(text);
    const start = lines.offsetAt(change.range.start);
    const end = lines.offsetAt(change.range.end);
    const newText = text.slice(0, start) + change.text + text.slice(end);
    if (onApplied) {
      const newEndOffset = start + change.text.length;
      onApplied({
        startOffset: start,
        oldEndOffset: end,
        newEndOffset,
        start: lines.positionAt(start),
        oldEnd: lines.positionAt(end),
        newEnd: new LineIndex(newText).positionAt(newEndOffset),
      });
    }
    text = newText;
  }
  return text;
}
