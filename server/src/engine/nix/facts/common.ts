/**
 * Shared helpers for fact extraction: locations of definitions, string patterns of values.
 */
import { known, UNKNOWN_STRING, type StrPattern } from '../../pattern';
import { comparePositions, LineIndex, type Location, type Range } from '../../text';
import { force, wrapperType } from '../eval/helpers';
import { normalize, type Def } from '../modules';
import type { Binding, Thunk, Value } from '../value';

export function fileStart(file: string): Location {
  return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

export function keyLoc(def: Def | undefined, fallback: Location): Location {
  return def?.binding?.keyLocation ?? def?.location ?? def?.binding?.valueLocation ?? fallback;
}

export function valueLoc(def: Def | undefined, fallback: Location): Location {
  return def?.binding?.valueLocation ?? def?.location ?? def?.binding?.keyLocation ?? fallback;
}

/** `toOption` of nixpkgs' systemd-lib: booleans render `true`/`false`, numbers and paths as text. */
export function unitValuePattern(v: Value): { pattern: StrPattern; known: boolean } | null {
  switch (v.kind) {
    case 'string':
      return { pattern: v.value, known: true };
    case 'int':
    case 'float':
      return { pattern: known(String(v.value)), known: true };
    case 'bool':
      return { pattern: known(v.value ? 'true' : 'false'), known: true };
    case 'path':
      return { pattern: known(v.path), known: true };
    case 'null':
      return null;
    default:
      return { pattern: UNKNOWN_STRING, known: false };
  }
}

/** `toString`-like pattern for ids, MACs, bridge names. */
export function stringPattern(v: Value): { pattern: StrPattern; known: boolean } {
  switch (v.kind) {
    case 'string':
      return { pattern: v.value, known: true };
    case 'int':
      return { pattern: known(String(v.value)), known: true };
    case 'path':
      return { pattern: known(v.path), known: true };
    default:
      return { pattern: UNKNOWN_STRING, known: false };
  }
}

/** Forces a binding/thunk and strips module wrappers (first definition wins); reports conditionals. */
export function plainValue(t: Thunk, binding?: Binding): { value: Value; conditional: boolean; def?: Def } {
  const v = force(t);
  if (!wrapperType(v)) return { value: v, conditional: false };
  const defs = normalize({ thunk: t, binding, conds: [], baseConditional: false });
  if (defs.length === 0) return { value: { kind: 'unknown', reason: 'empty mkMerge' }, conditional: true };
  const d = defs[0];
  return { value: d.value, conditional: d.conds.length > 0 || defs.length > 1, def: d };
}

const lineIndexCache = new Map<string, { text: string; index: LineIndex }>();

/**
 * The location of line `line` of a script whose literal starts at `lit`: an indented string
 * (`''` + newline) starts on the next line. Falls back to `lit` when the line is out of range.
 */
export function scriptLineLocation(lit: Location, line: number, readText: (file: string) => string | undefined): Location {
  const text = readText(lit.file);
  if (text === undefined) return lit;
  let cached = lineIndexCache.get(lit.file);
  if (!cached || cached.text !== text) {
    cached = { text, index: new LineIndex(text) };
    lineIndexCache.set(lit.file, cached);
  }
  const idx = cached.index;
  const startOffset = idx.offsetAt(lit.range.start);
  let first = lit.range.start.line;
  if (text.startsWith("''", startOffset)) {
    const after = text.slice(startOffset + 2, idx.lineStart(first + 1));
    if (after.trim() === '') first++;
  }
  const target = first + line;
  if (target > lit.range.end.line || target >= idx.lineCount) return lit;
  const ls = idx.lineStart(target);
  const next = target + 1 < idx.lineCount ? idx.lineStart(target + 1) : text.length;
  const lineText = text.slice(ls, next).replace(/\r?\n$/, '');
  const startChar = target === lit.range.start.line ? lit.range.start.character : lineText.length - lineText.trimStart().length;
  const endChar = target === lit.range.end.line ? lit.range.end.character : lineText.trimEnd().length;
  if (endChar <= startChar) return lit;
  return { file: lit.file, range: { start: { line: target, character: startChar }, end: { line: target, character: endChar } } };
}

/** The source location a value carries (string literal, list, attrset), if any. */
export function locOfValue(v: Value): Location | undefined {
  return 'location' in v ? v.location : undefined;
}

export function rangeWithin(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

export function samePosition(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.start) === 0;
}

export function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
