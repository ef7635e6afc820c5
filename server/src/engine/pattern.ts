/**
 * A string that may be only partly known statically: literal parts with holes between them.
 * `vm-${name}` with `name` unknown is ["vm-", HOLE]. A hole stands for any string (including "").
 * A known string is a pattern without holes.
 */
export const HOLE = Object.freeze({ hole: true as const });
export type Hole = typeof HOLE;
export type StrPart = string | Hole;

export interface StrPattern {
  readonly parts: readonly StrPart[];
}

export function isHole(part: StrPart): part is Hole {
  return typeof part !== 'string';
}

/** Normalises: merges adjacent literals, drops empty literals, collapses adjacent holes. */
export function pattern(parts: readonly StrPart[]): StrPattern {
  const out: StrPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (typeof part === 'string') {
      if (part === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
    } else if (last === undefined || typeof last === 'string') {
      out.push(HOLE);
    }
  }
  return { parts: out };
}

export function known(text: string): StrPattern {
  return pattern([text]);
}

export const UNKNOWN_STRING: StrPattern = pattern([HOLE]);

export function concatPatterns(...items: StrPattern[]): StrPattern {
  return concatPatternList(items);
}

/** `concatPatterns` over a list of any length (a spread of a long list overflows the stack). */
export function concatPatternList(items: readonly StrPattern[]): StrPattern {
  return pattern(items.flatMap((p) => p.parts));
}

export function isKnown(p: StrPattern): boolean {
  return p.parts.every((part) => typeof part === 'string');
}

/** The literal text of a fully known pattern, else undefined. */
export function knownText(p: StrPattern): string | undefined {
  if (!isKnown(p)) return undefined;
  return p.parts.join('');
}

/** Display form used in messages and JSON: holes print as `*`. */
export function displayPattern(p: StrPattern): string {
  return p.parts.map((part) => (typeof part === 'string' ? part : '*')).join('');
}

/** The known prefix before the first hole (the whole text when known). */
export function literalPrefix(p: StrPattern): string {
  const first = p.parts[0];
  return typeof first === 'string' ? first : '';
}

/** The known suffix after the last hole (the whole text when known). */
export function literalSuffix(p: StrPattern): string {
  const last = p.parts[p.parts.length - 1];
  return typeof last === 'string' ? last : '';
}

export function patternsEqual(a: StrPattern, b: StrPattern): boolean {
  if (a.parts.length !== b.parts.length) return false;
  return a.parts.every((part, i) => {
    const other = b.parts[i];
    return typeof part === 'string' ? part === other : typeof other !== 'string';
  });
}

export type Tri = 'yes' | 'no' | 'maybe';

/**
 * Whether two patterns denote the same string: 'yes' only when both are known and equal,
 * 'no' when their known ends cannot agree, else 'maybe'.
 */
export function samePattern(a: StrPattern, b: StrPattern): Tri {
  const ta = knownText(a);
  const tb = knownText(b);
  if (ta !== undefined && tb !== undefined) return ta === tb ? 'yes' : 'no';
  const fits = (text: string, p: StrPattern) =>
    text.startsWith(literalPrefix(p)) &&
    text.endsWith(literalSuffix(p)) &&
    text.length >= literalPrefix(p).length + literalSuffix(p).length;
  if (ta !== undefined) return fits(ta, b) ? 'maybe' : 'no';
  if (tb !== undefined) return fits(tb, a) ? 'maybe' : 'no';
  const pa = literalPrefix(a);
  const pb = literalPrefix(b);
  const sa = literalSuffix(a);
  const sb = literalSuffix(b);
  const prefixOk = pa.startsWith(pb) || pb.startsWith(pa);
  const suffixOk = sa.endsWith(sb) || sb.endsWith(sa);
  return prefixOk && suffixOk ? 'maybe' : 'no';
}

/** Smallest number of UTF-8 bytes any concretisation can have. */
export function minUtf8Length(p: StrPattern): number {
  return p.parts.reduce((n, part) => n + (typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : 0), 0);
}
