/**
 * A systemd unit-file reader that behaves like systemd's `config_parse()` (v252) and keeps the
 * exact position of every section header, key and value.
 *
 * Reading rules, each checked against systemd-networkd 252:
 * - Line ends are `\n`, `\r` and NUL; one line end may combine at most one of each (`\r\n` and
 *   `\n\r` are single line ends, `\r\r` is two), and a NUL ends the marker.
 * - A line whose first non-blank character is `#` or `;` is a comment, also inside a
 *   continuation. A `#` anywhere else is part of the value.
 * - A UTF-8 BOM is dropped from the first line that starts with one (comment detection happens
 *   before that, so `BOM# x` is not a comment: networkd ignores it as an assignment outside a
 *   section, which is harmless on line 1).
 * - A line ending in an unescaped `\` continues on the next line; that backslash becomes a
 *   space. An empty line ends the continuation. A pending continuation at end of file is parsed.
 * - Keys and values are stripped of spaces, tabs, CR and LF around them.
 * - `[Name]` must end in `]` (after stripping) and must not contain quotes, backslashes or
 *   control characters, otherwise networkd refuses the WHOLE file ("Failed to parse file").
 * - A line without `=` (or with nothing before it) is ignored with a warning; the file still loads.
 * - An assignment before the first section header is ignored.
 */
import { DIAGNOSTICS } from '../checks/codes';
import { LineIndex, type Location } from '../text';
import type { UnitSyntaxIssue } from '../model';

export interface ParsedSectionHeader {
  /** Text between the brackets, verbatim (case and inner spaces kept). */
  name: string;
  /** The whole `[Name]` header. */
  location: Location;
  /** Only the name between the brackets. */
  nameLocation: Location;
}

export interface ParsedEntry {
  /** Name of the section it is in (verbatim); never null: assignments outside a section are dropped. */
  section: string;
  key: string;
  /** The value after continuation joining and stripping; quotes and `#` kept verbatim. */
  value: string;
  keyLocation: Location;
  /** From the first character of the value to the end of its last character (possibly on a continued line). */
  valueLocation: Location;
  /** From the key to the end of the value (the whole logical line, stripped). */
  location: Location;
  /** 0-based line of the key. */
  line: number;
  /** The logical line spans several physical lines. */
  continued: boolean;
}

export interface ParsedUnitText {
  file: string;
  sections: ParsedSectionHeader[];
  entries: ParsedEntry[];
  /** Only `networkd-syntax-invalid-line` issues; semantic issues are added by `loadUnitFiles`. */
  issues: UnitSyntaxIssue[];
  /** Why networkd refuses to load the whole file (bad section header), or null. */
  rejected: string | null;
  /** The text starts with a UTF-8 byte-order mark. */
  bom: boolean;
}

const BOM = '\uFEFF';

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Physical lines as systemd's `read_line()` splits them: [start, end) offsets without the line end. */
export function splitSystemdLines(text: string): Array<{ start: number; end: number }> {
  const lines: Array<{ start: number; end: number }> = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c !== '\n' && c !== '\r' && c !== '\0') {
      i++;
      continue;
    }
    lines.push({ start, end: i });
    // One line end: each of \n, \r, NUL at most once; stop right after a NUL.
    const seen = new Set<string>();
    while (i < n) {
      const d = text[i];
      if (d !== '\n' && d !== '\r' && d !== '\0') break;
      if (seen.has(d)) break;
      seen.add(d);
      i++;
      if (d === '\0') break;
    }
    start = i;
  }
  if (start < n) lines.push({ start, end: n });
  return lines;
}

/**
 * A logical line: its characters (collected as chunks, joined once: a line continued over many
 * physical lines must not be copied once per line) and, for each character, the text offset it
 * came from.
 */
interface Logical {
  chunks: string[];
  offsets: number[];
  firstLine: number;
  segments: number;
}

export function parseUnitText(file: string, text: string): ParsedUnitText {
  const index = new LineIndex(text);
  const loc = (from: number, to: number): Location => ({ file, range: index.rangeAt(from, to) });
  const base = file.split('/').pop() || file;
  const result: ParsedUnitText = {
    file,
    sections: [],
    entries: [],
    issues: [],
    rejected: null,
    bom: text.startsWith(BOM),
  };
  let section: string | null = null;
  let bomSeen = false;
  let pending: Logical | null = null;

  const lines = splitSystemdLines(text);
  for (let ln = 0; ln < lines.length; ln++) {
    const { start, end } = lines[ln];
    let p = start;
    while (p < end && isBlank(text[p])) p++;
    if (p < end && (text[p] === '#' || text[p] === ';')) continue;

    let contentStart = start;
    if (!bomSeen && text.startsWith(BOM, start) && start < end) {
      contentStart = start + 1;
      bomSeen = true;
    }
    const lineNo = index.positionAt(start).line;
    const logical: Logical = pending ?? { chunks: [], offsets: [], firstLine: lineNo, segments: 0 };
    logical.segments++;
    let escaped = false;
    for (let q = contentStart; q < end; q++) {
      logical.offsets.push(q);
      if (escaped) escaped = false;
      else if (text[q] === '\\') escaped = true;
    }
    if (escaped) {
      // The continuation backslash becomes a space.
      logical.chunks.push(text.slice(contentStart, end - 1), ' ');
      pending = logical;
      continue;
    }
    logical.chunks.push(text.slice(contentStart, end));
    pending = null;
    section = parseLogical(logical, section);
  }
  if (pending) section = parseLogical(pending, section);
  return result;

  function parseLogical(l: Logical, current: string | null): string | null {
    const s = l.chunks.join('');
    let a = 0;
    let b = s.length;
    while (a < b && isBlank(s[a])) a++;
    while (b > a && isBlank(s[b - 1])) b--;
    if (a === b) return current;
    const off = (i: number): number => l.offsets[i];
    const endOff = (i: number): number => l.offsets[i - 1] + 1; // exclusive end after s[i-1]
    const lineLabel = `${base}:${index.positionAt(off(a)).line + 1}`;
    if (s[a] === '[') {
      const whole = loc(off(a), endOff(b));
      if (s[b - 1] !== ']' || b - a < 2) {
        const message = `${lineLabel}: invalid section header \`${s.slice(a, b)}\` (it must end with \`]\`; nothing may follow it on the line). systemd-networkd refuses to load the whole file.`;
        invalid(message, whole, true);
        return null;
      }
      const name = s.slice(a + 1, b - 1);
      if (/["'\\\x01-\x1f\x7f]/.test(name)) {
        const message = `${lineLabel}: bad characters in section header \`${s.slice(a, b)}\` (quotes, backslashes and control characters are not allowed). systemd-networkd refuses to load the whole file.`;
        invalid(message, whole, true);
        return null;
      }
      const nameLocation = b - 1 > a + 1 ? loc(off(a + 1), endOff(b - 1)) : loc(off(a) + 1, off(a) + 1);
      result.sections.push({ name, location: whole, nameLocation });
      return name;
    }
    const eq = s.indexOf('=', a);
    const whole = loc(off(a), endOff(b));
    if (current === null) {
      invalid(`${lineLabel}: \`${s.slice(a, b)}\` is outside of any section; systemd-networkd ignores it.`, whole, false);
      return current;
    }
    if (eq < 0 || eq >= b) {
      invalid(`${lineLabel}: \`${s.slice(a, b)}\` is not a \`Key=value\` line (missing \`=\`); systemd-networkd ignores it.`, whole, false);
      return current;
    }
    if (eq === a) {
      invalid(`${lineLabel}: \`${s.slice(a, b)}\` has no key name before \`=\`; systemd-networkd ignores it.`, whole, false);
      return current;
    }
    let ke = eq;
    while (ke > a && isBlank(s[ke - 1])) ke--;
    let vs = eq + 1;
    while (vs < b && isBlank(s[vs])) vs++;
    const keyLocation = loc(off(a), endOff(ke));
    const valueLocation = vs < b ? loc(off(vs), endOff(b)) : loc(off(eq) + 1, off(eq) + 1);
    result.entries.push({
      section: current,
      key: s.slice(a, ke),
      value: s.slice(vs, b),
      keyLocation,
      valueLocation,
      location: whole,
      line: l.firstLine,
      continued: l.segments > 1,
    });
    return current;
  }

  function invalid(message: string, location: Location, fatal: boolean): void {
    result.issues.push({ code: DIAGNOSTICS.networkdSyntaxInvalidLine.code, message, location });
    if (fatal && result.rejected === null) result.rejected = message;
  }
}
