/**
 * Where a value of a TOML document is written. smol-toml returns plain values without
 * positions, and a problem in the project file must be reported on the line the user wrote it
 * on; this reads the document's lines again — table headers, `key = value` lines, and inside a
 * value the keys and elements of inline tables and arrays — to map a path (`severity.mac-x`,
 * `assume.runs[1].vms[0]`) to a range. A path it cannot follow to the end gets the range of the
 * deepest part it found, never a range elsewhere.
 */
import { LineIndex, rangeOf, type Range } from '../text';

export type TomlPath = readonly (string | number)[];

interface Entry {
  path: (string | number)[];
  keyRange: Range;
  /** Offset of the first character of the value (of the header line's end for a table header). */
  valueOffset: number;
}

export class TomlPositions {
  private readonly index: LineIndex;
  private readonly entries: Entry[] = [];

  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
    this.read();
  }

  /** The range of the key (`part: 'key'`) or of the value at `path`. */
  rangeOf(path: TomlPath, part: 'key' | 'value' = 'value'): Range {
    let best: Entry | undefined;
    for (const e of this.entries) {
      if (e.path.length <= path.length && e.path.every((seg, i) => seg === path[i]) && (!best || e.path.length >= best.path.length)) best = e;
    }
    if (!best) return rangeOf(0, 0, 0, 0);
    const rest = path.slice(best.path.length);
    if (rest.length === 0 && part === 'key') return best.keyRange;
    let offset = best.valueOffset;
    let found = rest.length === 0;
    for (const [i, seg] of rest.entries()) {
      const next = typeof seg === 'number' ? this.element(offset, seg) : this.inlineKey(offset, seg, part === 'key' && i === rest.length - 1);
      if (next === null) break;
      if (typeof next === 'object') {
        // The key itself was asked for.
        return rangeOf(...this.pos(next.start), ...this.pos(next.end));
      }
      offset = next;
      found = i === rest.length - 1;
    }
    if (!found && rest.length > 0 && offset === best.valueOffset) return best.keyRange;
    return this.valueRange(offset);
  }

  private pos(offset: number): [number, number] {
    const p = this.index.positionAt(offset);
    return [p.line, p.character];
  }

  /** From `offset` to the end of the value that starts there (one line at most). */
  private valueRange(offset: number): Range {
    const end = this.valueEnd(offset);
    return rangeOf(...this.pos(offset), ...this.pos(end));
  }

  private valueEnd(offset: number): number {
    const t = this.text;
    const c = t[offset];
    if (c === '"' || c === "'") {
      let i = offset + 1;
      while (i < t.length && t[i] !== c && t[i] !== '\n') i += t[i] === '\\' && c === '"' ? 2 : 1;
      return Math.min(i + 1, t.length);
    }
    let i = offset;
    let depth = 0;
    while (i < t.length && t[i] !== '\n') {
      const ch = t[i];
      if (ch === '[' || ch === '{') depth++;
      else if (ch === ']' || ch === '}') {
        if (depth === 0) break;
        depth--;
        if (depth === 0) return i + 1;
      } else if (ch === ',' && depth === 0) break;
      else if (ch === '#' && depth === 0) break;
      i++;
    }
    while (i > offset && /\s/.test(t[i - 1])) i--;
    return i;
  }

  /** The offset of the `n`th element of the array starting at `offset`, or null. */
  private element(offset: number, n: number): number | null {
    const t = this.text;
    let i = this.skipSpace(offset);
    if (t[i] !== '[') return null;
    i++;
    let count = 0;
    for (;;) {
      i = this.skipSpace(i);
      if (i >= t.length || t[i] === ']') return null;
      if (count === n) return i;
      i = this.skipValue(i);
      i = this.skipSpace(i);
      if (t[i] !== ',') return null;
      i++;
      count++;
    }
  }

  /** The value offset (or the key's extent) of `key` in the inline table starting at `offset`. */
  private inlineKey(offset: number, key: string, wantKey: boolean): number | { start: number; end: number } | null {
    const t = this.text;
    let i = this.skipSpace(offset);
    if (t[i] !== '{') return null;
    i++;
    for (;;) {
      i = this.skipSpace(i);
      if (i >= t.length || t[i] === '}') return null;
      const keyStart = i;
      const name = this.readKey(i);
      if (name === null) return null;
      i = this.skipSpace(name.end);
      if (t[i] !== '=') return null;
      const valueStart = this.skipSpace(i + 1);
      if (name.key === key) return wantKey ? { start: keyStart, end: name.end } : valueStart;
      i = this.skipSpace(this.skipValue(valueStart));
      if (t[i] !== ',') return null;
      i++;
    }
  }

  private readKey(i: number): { key: string; end: number } | null {
    const t = this.text;
    const q = t[i];
    if (q === '"' || q === "'") {
      const close = t.indexOf(q, i + 1);
      if (close < 0) return null;
      return { key: t.slice(i + 1, close), end: close + 1 };
    }
    const m = /^[A-Za-z0-9_-]+/.exec(t.slice(i, i + 256));
    return m ? { key: m[0], end: i + m[0].length } : null;
  }

  /** Past one value: a string, an array or inline table (nested), or a bare word. */
  private skipValue(i: number): number {
    const t = this.text;
    let depth = 0;
    while (i < t.length) {
      const ch = t[i];
      if (ch === '"' || ch === "'") {
        const triple = t.startsWith(ch.repeat(3), i);
        const close = triple ? t.indexOf(ch.repeat(3), i + 3) : this.closeQuote(i);
        i = close < 0 ? t.length : close + (triple ? 3 : 1);
        if (depth === 0) return i;
        continue;
      }
      if (ch === '#') {
        const nl = t.indexOf('\n', i);
        i = nl < 0 ? t.length : nl;
        continue;
      }
      if (ch === '[' || ch === '{') depth++;
      else if (ch === ']' || ch === '}') {
        if (depth === 0) return i;
        depth--;
        if (depth === 0) return i + 1;
      } else if (depth === 0 && (ch === ',' || ch === '\n')) return i;
      i++;
    }
    return i;
  }

  private closeQuote(i: number): number {
    const t = this.text;
    const q = t[i];
    for (let j = i + 1; j < t.length; j++) {
      if (t[j] === '\n') return j - 1;
      if (q === '"' && t[j] === '\\') j++;
      else if (t[j] === q) return j;
    }
    return -1;
  }

  private skipSpace(i: number): number {
    const t = this.text;
    for (;;) {
      while (i < t.length && /\s/.test(t[i])) i++;
      if (t[i] !== '#') return i;
      const nl = t.indexOf('\n', i);
      i = nl < 0 ? t.length : nl;
    }
  }

  private read(): void {
    let table: (string | number)[] = [];
    const arrayCounts = new Map<string, number>();
    const lines = this.text.split(/\r\n|\n|\r/);
    for (let line = 0; line < lines.length; line++) {
      const raw = lines[line];
      const indent = raw.length - raw.trimStart().length;
      const start = this.index.offsetAt({ line, character: indent });
      const header = /^\[(\[)?\s*([^\]]+?)\s*\](\])?/.exec(raw.slice(indent));
      if (header) {
        const path = splitDotted(header[2]);
        if (header[1] && header[3]) {
          const key = JSON.stringify(path);
          const n = arrayCounts.get(key) ?? 0;
          arrayCounts.set(key, n + 1);
          table = [...path, n];
        } else table = path;
        this.entries.push({ path: table, keyRange: rangeOf(line, indent, line, indent + header[0].length), valueOffset: start + header[0].length });
        continue;
      }
      const m = /^((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)\s*=\s*/.exec(raw.slice(indent));
      if (!m) continue;
      const keyText = m[1];
      this.entries.push({
        path: [...table, ...splitDotted(keyText)],
        keyRange: rangeOf(line, indent, line, indent + keyText.length),
        valueOffset: start + m[0].length,
      });
    }
  }
}

function splitDotted(text: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"([^"\n]*)"|'([^'\n]*)')\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
