/**
 * How a text edited since the last complete analysis lines up with the text that analysis saw:
 * one changed region (the common prefix and suffix of the two texts are unchanged), offsets before
 * it equal, offsets after it shifted by the length difference. Lets requests be answered from the
 * last snapshot while an analysis of newer edits is pending (see `StaleViews`): a position in
 * the changed region has no counterpart, and an edit touching it is not offered.
 */
import type { Position, Range } from '../text';
import { offsetAtScanning, positionAtScanning } from '../textEdits';

export class TextShift {
  /** Offsets [start, oldEnd) of the old text became [start, newEnd) of the new one. */
  private readonly start: number;
  private readonly oldEnd: number;
  private readonly newEnd: number;

  constructor(
    readonly oldText: string,
    readonly newText: string,
  ) {
    const max = Math.min(oldText.length, newText.length);
    let prefix = 0;
    while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (
      suffix < max - prefix &&
      oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
    ) {
      suffix++;
    }
    this.start = prefix;
    this.oldEnd = oldText.length - suffix;
    this.newEnd = newText.length - suffix;
  }

  /** A position of the new text in the old one; null inside the changed region. */
  toOld(position: Position): Position | null {
    const offset = this.lines('new').offsetAt(position);
    if (offset <= this.start) return this.lines('old').positionAt(offset);
    if (offset >= this.newEnd) return this.lines('old').positionAt(offset - this.newEnd + this.oldEnd);
    return null;
  }

  /** A range of the new text in the old one, its ends pulled out of the changed region. */
  rangeToOld(range: Range): Range {
    return {
      start: this.toOld(range.start) ?? this.lines('old').positionAt(this.start),
      end: this.toOld(range.end) ?? this.lines('old').positionAt(this.oldEnd),
    };
  }

  /** A range of the old text in the new one; null when it overlaps the changed region. */
  rangeToNew(range: Range): Range | null {
    const lines = this.lines('old');
    const a = lines.offsetAt(range.start);
    const b = lines.offsetAt(range.end);
    let delta: number;
    if (b <= this.start) delta = 0;
    else if (a >= this.oldEnd) delta = this.newEnd - this.oldEnd;
    else return null;
    const next = this.lines('new');
    return { start: next.positionAt(a + delta), end: next.positionAt(b + delta) };
  }

  /** A range of the old text in the new one, its ends pulled out of the changed region. */
  rangeToNewClamped(range: Range): Range {
    const lines = this.lines('old');
    const map = (o: number) => (o <= this.start ? o : o >= this.oldEnd ? o - this.oldEnd + this.newEnd : -1);
    const a = map(lines.offsetAt(range.start));
    const b = map(lines.offsetAt(range.end));
    const next = this.lines('new');
    return { start: next.positionAt(a < 0 ? this.start : a), end: next.positionAt(b < 0 ? this.newEnd : b) };
  }

  /** Lines are scanned only up to the position asked: a request near an edit costs no line index of the file. */
  private lines(which: 'old' | 'new'): { offsetAt(p: Position): number; positionAt(o: number): Position } {
    const text = which === 'old' ? this.oldText : this.newText;
    return { offsetAt: (p) => offsetAtScanning(text, p), positionAt: (o) => positionAtScanning(text, o) };
  }
}
