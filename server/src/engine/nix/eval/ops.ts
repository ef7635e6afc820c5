/**
 * Operators and coercions on abstract values: equality (three-valued), ordering, string
 * coercion for interpolation and `toString`, `+`, `//`.
 */
import { HOLE, concatPatternList, concatPatterns, isKnown, known, knownText, literalPrefix, literalSuffix, pattern, type StrPart, type StrPattern } from '../../pattern';
import { unknown, type AttrsValue, type Binding, type Value } from '../value';
import { apply, asFunction, bool, force, str } from './helpers';
import { posix } from 'node:path';

/** Three-valued result: true, false, or undefined (unknown). */
export type Tri = boolean | undefined;

const MAX_EQ_DEPTH = 64;

/** Could two patterns denote the same string? false when they certainly differ. */
function patternsMayBeEqual(a: StrPattern, b: StrPattern): Tri {
  const ka = knownText(a);
  const kb = knownText(b);
  if (ka !== undefined && kb !== undefined) return ka === kb;
  const pa = literalPrefix(a);
  const pb = literalPrefix(b);
  const n = Math.min(pa.length, pb.length);
  if (pa.slice(0, n) !== pb.slice(0, n)) return false;
  const sa = literalSuffix(a);
  const sb = literalSuffix(b);
  const m = Math.min(sa.length, sb.length);
  if (sa.slice(sa.length - m) !== sb.slice(sb.length - m)) return false;
  // A known string shorter than the other's fixed parts cannot match.
  const minLen = (p: StrPattern) => p.parts.reduce((s, part) => s + (typeof part === 'string' ? part.length : 0), 0);
  if (ka !== undefined && ka.length < minLen(b)) return false;
  if (kb !== undefined && kb.length < minLen(a)) return false;
  return undefined;
}

export function valuesEqual(a: Value, b: Value, depth = 0): Tri {
  if (depth > MAX_EQ_DEPTH) return undefined;
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  // A value from outside the workspace may be a string, a number, anything: no certain answer.
  if ((a.kind === 'attrs' && a.outside !== undefined) || (b.kind === 'attrs' && b.outside !== undefined)) return a === b ? true : undefined;
  if ((a.kind === 'int' || a.kind === 'float') && (b.kind === 'int' || b.kind === 'float')) return a.value === b.value;
  if (a.kind !== b.kind) {
    return false;
  }
  switch (a.kind) {
    case 'string':
      return patternsMayBeEqual(a.value, (b as typeof a).value);
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'null':
      return true;
    case 'path':
      return a.path === (b as typeof a).path;
    case 'function':
      return false;
    case 'list': {
      const lb = b as typeof a;
      if (a.complete && lb.complete && a.items.length !== lb.items.length) return false;
      if (!a.complete || !lb.complete) {
        // Compare the common prefix only to find a certain difference.
        const n = Math.min(a.items.length, lb.items.length);
        for (let i = 0; i < n; i++) if (valuesEqual(force(a.items[i]), force(lb.items[i]), depth + 1) === false) return false;
        return undefined;
      }
      let result: Tri = true;
      for (let i = 0; i < a.items.length; i++) {
        const r = valuesEqual(force(a.items[i]), force(lb.items[i]), depth + 1);
        if (r === false) return false;
        if (r === undefined) result = undefined;
      }
      return result;
    }
    case 'attrs': {
      const ab = b as AttrsValue;
      // Derivations compare by outPath.
      const oa = a.attrs.get('outPath');
      const ob = ab.attrs.get('outPath');
      if (oa && ob && a.attrs.has('type') && ab.attrs.has('type')) return valuesEqual(force(oa.thunk), force(ob.thunk), depth + 1);
      let result: Tri = a.complete && ab.complete ? true : undefined;
      if (a.complete && ab.complete && a.attrs.size !== ab.attrs.size) return false;
      for (const [k, bind] of a.attrs) {
        const other = ab.attrs.get(k);
        if (!other) {
          if (ab.complete) return false;
          result = undefined;
          continue;
        }
        const r = valuesEqual(force(bind.thunk), force(other.thunk), depth + 1);
        if (r === false) return false;
        if (r === undefined) result = undefined;
      }
      if (a.complete) for (const k of ab.attrs.keys()) if (!a.attrs.has(k)) return false;
      return result;
    }
    default:
      return undefined;
  }
}

/** `<` — three-valued. */
export function lessThan(a: Value, b: Value, depth = 0): Tri {
  if (depth > MAX_EQ_DEPTH) return undefined;
  if ((a.kind === 'int' || a.kind === 'float') && (b.kind === 'int' || b.kind === 'float')) return a.value < b.value;
  if (a.kind === 'string' && b.kind === 'string') {
    const ka = knownText(a.value);
    const kb = knownText(b.value);
    if (ka !== undefined && kb !== undefined) return compareStrings(ka, kb) < 0;
    return undefined;
  }
  if (a.kind === 'path' && b.kind === 'path') return compareStrings(a.path, b.path) < 0;
  if (a.kind === 'list' && b.kind === 'list' && a.complete && b.complete) {
    for (let i = 0; ; i++) {
      if (i === b.items.length) return false;
      if (i === a.items.length) return true;
      const x = force(a.items[i]);
      const y = force(b.items[i]);
      const eq = valuesEqual(x, y, depth + 1);
      if (eq === undefined) return undefined;
      if (!eq) return lessThan(x, y, depth + 1);
    }
  }
  return undefined;
}

/** Byte-wise (code point) comparison, as Nix compares strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

export function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort(compareStrings);
}

/** Coercion used by `"${v}"`: strings, paths (→ a store path we cannot know), `outPath`, `__toString`. */
export function coerceToPattern(v: Value, depth = 0): StrPattern {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'path':
      // Nix copies the path to the store (/nix/store/<hash>-name); importing or reading the
      // copy gives the same text, so the workspace path stands for it (`"${./dir}/x.nix"`).
      return known(v.path);
    case 'attrs': {
      if (depth > 8) return pattern([HOLE]);
      const ts = v.attrs.get('__toString');
      if (ts) {
        const f = force(ts.thunk);
        return coerceToPattern(apply(f, v), depth + 1);
      }
      const out = v.attrs.get('outPath');
      if (out) return coerceToPattern(force(out.thunk), depth + 1);
      return pattern([HOLE]);
    }
    default:
      return pattern([HOLE]);
  }
}

function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toFixed(6);
}

/** `builtins.toString`. */
export function toStringPattern(v: Value, depth = 0): StrPattern {
  if (depth > 32) return pattern([HOLE]);
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'path':
      return known(v.path);
    case 'int':
      return known(String(v.value));
    case 'float':
      return known(formatFloat(v.value));
    case 'bool':
      return known(v.value ? '1' : '');
    case 'null':
      return known('');
    case 'list': {
      const parts: StrPattern[] = [];
      v.items.forEach((t, i) => {
        if (i > 0) parts.push(known(' '));
        parts.push(toStringPattern(force(t), depth + 1));
      });
      if (!v.complete) parts.push(pattern([HOLE]));
      return concatPatternList(parts);
    }
    case 'attrs': {
      if (v.attrs.has('__toString') || v.attrs.has('outPath')) return coerceToPattern(v, depth);
      return pattern([HOLE]);
    }
    default:
      return pattern([HOLE]);
  }
}

/** Canonical form of an absolute path (no `.`/`..`, no trailing slash). */
export function canonPath(p: string): string {
  let n = posix.normalize(p);
  if (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

/** `a + b`. */
export function plus(a: Value, b: Value): Value {
  if ((a.kind === 'int' || a.kind === 'float') && (b.kind === 'int' || b.kind === 'float')) {
    const kind = a.kind === 'float' || b.kind === 'float' ? 'float' : 'int';
    return { kind, value: a.value + b.value };
  }
  if (a.kind === 'path') {
    if (b.kind === 'path') return { kind: 'path', path: canonPath(a.path + b.path) };
    if (b.kind === 'string') {
      const t = knownText(b.value);
      return t === undefined ? unknown('path + unknown string') : { kind: 'path', path: canonPath(a.path + t) };
    }
    return unknown('path + ?');
  }
  if (a.kind === 'string' || (a.kind === 'unknown' && b.kind === 'string')) {
    const pa = a.kind === 'string' ? a.value : pattern([HOLE]);
    let pb: StrPattern;
    if (b.kind === 'string') pb = b.value;
    else if (b.kind === 'path' || b.kind === 'unknown' || b.kind === 'attrs') pb = coerceToPattern(b);
    else return unknown('string + non-string');
    return str(concatPatterns(pa, pb));
  }
  if (a.kind === 'attrs' && b.kind === 'string') return str(concatPatterns(coerceToPattern(a), b.value));
  // `self + /hosts/x.nix`: an attribute set with outPath coerces to it, the path joins as its text.
  if (a.kind === 'attrs' && b.kind === 'path') return str(concatPatterns(coerceToPattern(a), known(b.path)));
  return unknown(a.kind === 'unknown' || b.kind === 'unknown' ? (a.kind === 'unknown' ? a.reason : (b as { reason?: string }).reason) : 'bad +');
}

/** `a // b`. */
export function update(a: Value, b: Value): Value {
  if (b.kind === 'unknown') return b;
  if (b.kind !== 'attrs') return unknown('// on non-attrset');
  if (a.kind === 'unknown') {
    return { kind: 'attrs', attrs: b.attrs, complete: false, location: b.location, unknownKeys: b.unknownKeys };
  }
  if (a.kind !== 'attrs') return unknown('// on non-attrset');
  if (a.attrs.size === 0 && a.complete && !a.unknownKeys) return b;
  if (b.attrs.size === 0 && b.complete && !b.unknownKeys) return a;
  const map = new Map<string, Binding>(a.attrs);
  for (const [k, v] of b.attrs) map.set(k, v);
  const uk = a.unknownKeys || b.unknownKeys ? [...(a.unknownKeys ?? []), ...(b.unknownKeys ?? [])] : undefined;
  return { kind: 'attrs', attrs: map, complete: a.complete && b.complete, location: b.location ?? a.location, unknownKeys: uk };
}

export function triValue(t: Tri, reason: string): Value {
  return t === undefined ? unknown(reason) : bool(t);
}

export function patternFromParts(parts: StrPart[]): StrPattern {
  return pattern(parts);
}

export { isKnown, asFunction };
