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
    // Lines are counted only up to the edit: a keystroke near the top of a 5,000-line buffer must
    // not cost an index of all its lines (twice per keystroke: the server's copy and the engine's).
    const start = offsetAtScanning(text, change.range.start);
    const end = offsetAtScanning(text, change.range.end);
    const newText = text.slice(0, start) + change.text + text.slice(end);
    if (onApplied) {
      const newEndOffset = start + change.text.length;
      onApplied({
        startOffset: start,
        oldEndOffset: end,
        newEndOffset,
        start: positionAtScanning(text, start),
        oldEnd: positionAtScanning(text, end),
        newEnd: positionAtScanning(newText, newEndOffset),
      });
    }
    text = newText;
  }
  return text;
}

/** The offset after the line break at or after `from` (`\n`, `\r\n`, lone `\r`, as LineIndex counts), or -1. */
function nextLineStart(text: string, from: number, hasCr: boolean): number {
  if (!hasCr) {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? -1 : nl + 1;
  }
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return -1;
}

/** `new LineIndex(text).offsetAt(pos)`, scanning only the lines up to `pos`. */
export function offsetAtScanning(text: string, pos: Position): number {
  if (pos.line < 0) return 0;
  const hasCr = text.includes('\r');
  let start = 0;
  for (let line = 0; line < pos.line; line++) {
    const next = nextLineStart(text, start, hasCr);
    if (next < 0) return text.length;
    start = next;
  }
  const next = nextLineStart(text, start, hasCr);
  return Math.min(start + Math.max(0, pos.character), next < 0 ? text.length : next);
}

/** `new LineIndex(text).positionAt(offset)`, scanning only the lines up to `offset`. */
export function positionAtScanning(text: string, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const hasCr = text.includes('\r');
  let start = 0;
  let line = 0;
  for (;;) {
    const next = nextLineStart(text, start, hasCr);
    if (next < 0 || next > clamped) return { line, character: clamped - start };
    start = next;
    line++;
  }
}
