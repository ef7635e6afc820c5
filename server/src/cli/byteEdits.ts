/**
 * Edits made against a file's decoded text, applied to the file's bytes. The engine sees text:
 * the BOM dropped, invalid UTF-8 replaced by U+FFFD. Re-encoding that text would shift every
 * edit on a BOM file by one and turn each invalid byte into three new ones; so the edits' UTF-16
 * positions are mapped back to byte offsets and only the bytes inside the edited ranges change.
 */
import { decodeText } from '../engine/files';
import type { TextEdit } from '../engine/service';
import { LineIndex } from '../engine/text';
import { eolOf } from '../engine/textEdits';

export interface DecodedBytes {
  text: string;
  /** `byteAt[i]`: the byte offset where UTF-16 unit `i` of `text` starts; `byteAt[text.length]` is the end. */
  byteAt: Uint32Array;
}

const REPLACEMENT = 0xfffd;

/**
 * Decodes UTF-8 exactly as the WHATWG decoder (TextDecoder, which the engine reads with) does —
 * one U+FFFD per maximal invalid subpart, a leading BOM dropped, and a second BOM character
 * dropped as decodeText does — recording where each character came from.
 */
export function decodeWithOffsets(bytes: Uint8Array): DecodedBytes {
  const units: number[] = [];
  const starts: number[] = [];
  const emit = (codePoint: number, start: number) => {
    if (codePoint > 0xffff) {
      const v = codePoint - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      starts.push(start, start);
    } else {
      units.push(codePoint);
      starts.push(start);
    }
  };
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length) {
    const start = i;
    const lead = bytes[i++];
    let needed = 0;
    let codePoint = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead <= 0x7f) {
      emit(lead, start);
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      needed = 1;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
      needed = 2;
      codePoint = lead & 0xf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
      needed = 3;
      codePoint = lead & 0x7;
    } else {
      emit(REPLACEMENT, start);
      continue;
    }
    let complete = true;
    for (let k = 0; k < needed; k++) {
      const b = bytes[i];
      if (i >= bytes.length || b < lower || b > upper) {
        // The byte that broke the sequence is decoded again on its own.
        complete = false;
        break;
      }
      codePoint = (codePoint << 6) | (b & 0x3f);
      lower = 0x80;
      upper = 0xbf;
      i++;
    }
    emit(complete ? codePoint : REPLACEMENT, start);
  }
  let first = 0;
  if (units[0] === 0xfeff) first = 1;
  const byteAt = new Uint32Array(units.length - first + 1);
  for (let k = first; k < units.length; k++) byteAt[k - first] = starts[k];
  byteAt[units.length - first] = bytes.length;
  let text = '';
  for (let k = first; k < units.length; k += 8192) text += String.fromCharCode(...units.slice(k, Math.min(k + 8192, units.length)));
  return { text, byteAt };
}

/**
 * Applies LSP-style edits (positions in the decoded text) to the bytes: inserted line breaks
 * follow the file's own, everything outside the edited ranges stays byte for byte. Throws when
 * the bytes do not decode to the text the engine analysed, or an edit splits a character.
 */
export function applyEditsToBytes(bytes: Uint8Array, edits: readonly TextEdit[]): Uint8Array {
  const decoded = decodeWithOffsets(bytes);
  const engineText = decodeText(bytes).text;
  if (engineText === null || engineText !== decoded.text) throw new Error('cannot map the edit onto the file bytes: they do not decode as the analysis read them');
  const lines = new LineIndex(decoded.text);
  const crlf = eolOf(decoded.text) === '\r\n';
  const spans = edits.map((e) => {
    const start = lines.offsetAt(e.range.start);
    const end = lines.offsetAt(e.range.end);
    for (const at of [start, end]) {
      if (at > 0 && at < decoded.text.length && decoded.byteAt[at] === decoded.byteAt[at - 1]) throw new Error('an edit would split a character');
    }
    const newText = crlf ? e.newText.replace(/\r?\n/g, '\r\n') : e.newText;
    return { from: decoded.byteAt[start], to: decoded.byteAt[end], insert: Buffer.from(newText, 'utf8') };
  });
  spans.sort((a, b) => a.from - b.from || a.to - b.to);
  for (let k = 1; k < spans.length; k++) if (spans[k].from < spans[k - 1].to) throw new Error('overlapping edits');
  const out: Uint8Array[] = [];
  let at = 0;
  for (const s of spans) {
    out.push(bytes.subarray(at, s.from), s.insert);
    at = s.to;
  }
  out.push(bytes.subarray(at));
  return Buffer.concat(out);
}
