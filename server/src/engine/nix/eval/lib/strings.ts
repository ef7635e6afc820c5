/** `lib.strings`: pattern-aware where a hole does not hide the answer (prefixes, case, concatenation). */
import { HOLE, concatPatterns, known, knownText, literalPrefix, literalSuffix, pattern, type StrPattern } from '../../../pattern';
import { ready, unknown, type Value } from '../../value';
import { bool, fn, fn2, fn3, force, int, list, str, unknownString } from '../helpers';
import { toStringPattern } from '../ops';
import { compareVersions, concatStringsSep, substringPattern } from '../builtins/strings';
import { asInt, asText, lazy, lazyApply, mkList, triBool, type BuiltinHost } from '../builtins/support';

export function stringLib(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('toInt', fn('toInt', (x) => {
    const t = asText(force(x));
    return t !== undefined && /^\s*-?\d+\s*$/.test(t) ? int(Number(t)) : unknown('toInt');
  }));
  def('versionAtLeast', fn2('versionAtLeast', (a, c) => {
    const x = asText(force(a));
    const y = asText(force(c));
    return x === undefined || y === undefined ? unknown('versionAtLeast') : bool(compareVersions(x, y) >= 0);
  }));
  def('versionOlder', fn2('versionOlder', (a, c) => {
    const x = asText(force(a));
    const y = asText(force(c));
    return x === undefined || y === undefined ? unknown('versionOlder') : bool(compareVersions(x, y) < 0);
  }));
  const strFn1 = (name: string, f: (p: StrPattern, v: Value) => Value) =>
    def(name, fn(name, (x) => {
      const v = force(x);
      return v.kind === 'string' ? f(v.value, v) : v.kind === 'unknown' ? unknownString() : unknown(name);
    }));
  strFn1('toLower', (p, v) => str(mapPatternLiterals(p, (s) => s.toLowerCase()), v.kind === 'string' ? v.location : undefined));
  strFn1('toUpper', (p, v) => str(mapPatternLiterals(p, (s) => s.toUpperCase()), v.kind === 'string' ? v.location : undefined));
  strFn1('escapeShellArg', (p) => {
    const t = knownText(p);
    return t === undefined ? str(pattern(["'", HOLE, "'"])) : str(escapeShellArg(t));
  });
  strFn1('stringToCharacters', (p) => {
    const t = knownText(p);
    return t === undefined ? unknown('stringToCharacters') : list([...t].map((c) => str(c)));
  });
  strFn1('trim', (p) => {
    const t = knownText(p);
    return t === undefined ? unknownString() : str(t.trim());
  });
  def('escapeShellArgs', fn('escapeShellArgs', (x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknownString();
    const esc = entries.escapeShellArg;
    return concatStringsSep(str(' '), mkList(v.items.map((t) => lazyApply(host, esc, t)), v.complete));
  }));
  def('concatStrings', fn('concatStrings', (x) => concatStringsSep(str(''), force(x))));
  def('concatMapStrings', fn2('concatMapStrings', (f, x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknownString();
    const fv = force(f);
    return concatStringsSep(str(''), mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete));
  }));
  def('concatMapStringsSep', fn3('concatMapStringsSep', (sep, f, x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknownString();
    const fv = force(f);
    return concatStringsSep(force(sep), mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete));
  }));
  def('concatImapStringsSep', fn3('concatImapStringsSep', (sep, f, x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknownString();
    const fv = force(f);
    return concatStringsSep(force(sep), mkList(v.items.map((t, i) => lazyApply(host, fv, ready(int(i + 1)), t)), v.complete));
  }));
  def('concatLines', fn('concatLines', (x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknownString();
    const items = v.items.map((t) => lazy(() => str(concatPatterns(toStringPattern(force(t)), known('\n')))));
    return concatStringsSep(str(''), mkList(items, v.complete));
  }));
  def('optionalString', fn2('optionalString', (c, s) => {
    const v = force(c);
    if (v.kind !== 'bool') return unknownString();
    return v.value ? force(s) : str('');
  }));
  const prefixFn = (name: string, tri: (a: string, p: StrPattern) => boolean | undefined) =>
    def(name, fn2(name, (a, s) => {
      const pre = asText(force(a));
      const v = force(s);
      if (pre === undefined || v.kind !== 'string') return unknown(name);
      return triBool(tri(pre, v.value), name);
    }));
  prefixFn('hasPrefix', hasPrefixTri);
  prefixFn('hasSuffix', hasSuffixTri);
  prefixFn('hasInfix', (inf, p) => {
    const t = knownText(p);
    if (t !== undefined) return t.includes(inf);
    return p.parts.some((part) => typeof part === 'string' && part.includes(inf)) ? true : undefined;
  });
  def('removePrefix', fn2('removePrefix', (a, s) => {
    const pre = asText(force(a));
    const v = force(s);
    if (pre === undefined || v.kind !== 'string') return unknownString();
    const r = hasPrefixTri(pre, v.value);
    if (r === false) return v;
    if (r === undefined) return unknownString();
    return str(substringPattern(pre.length, -1, v.value), v.location);
  }));
  def('removeSuffix', fn2('removeSuffix', (a, s) => {
    const suf = asText(force(a));
    const v = force(s);
    if (suf === undefined || v.kind !== 'string') return unknownString();
    const r = hasSuffixTri(suf, v.value);
    if (r === false) return v;
    if (r === undefined) return unknownString();
    const parts = v.value.parts.slice();
    const lastPart = parts[parts.length - 1] as string;
    parts[parts.length - 1] = lastPart.slice(0, lastPart.length - suf.length);
    return str(pattern(parts), v.location);
  }));
  def('splitString', fn2('splitString', (a, s) => {
    const sep = asText(force(a));
    const t = asText(force(s));
    if (sep === undefined || t === undefined) return unknown('splitString');
    return list(t.split(sep).map((x) => str(x)));
  }));
  def('fixedWidthString', fn3('fixedWidthString', (w, f, s) => fixedWidth(asInt(force(w)), asText(force(f)), force(s))));
  def('fixedWidthNumber', fn2('fixedWidthNumber', (w, n) => {
    const v = force(n);
    return fixedWidth(asInt(force(w)), '0', v.kind === 'int' ? str(String(v.value)) : unknownString());
  }));
  def('toHexString', fn('toHexString', (n) => {
    const v = asInt(force(n));
    return v === undefined ? unknownString() : str(v.toString(16).toUpperCase());
  }));
  def('toIntBase10', entries.toInt);

  return entries;
}

function mapPatternLiterals(p: StrPattern, f: (s: string) => string): StrPattern {
  return pattern(p.parts.map((part) => (typeof part === 'string' ? f(part) : part)));
}

function hasPrefixTri(pre: string, p: StrPattern): boolean | undefined {
  const t = knownText(p);
  if (t !== undefined) return t.startsWith(pre);
  const lit = literalPrefix(p);
  if (lit.length >= pre.length) return lit.startsWith(pre);
  if (!pre.startsWith(lit)) return false;
  return undefined;
}

function hasSuffixTri(suf: string, p: StrPattern): boolean | undefined {
  const t = knownText(p);
  if (t !== undefined) return t.endsWith(suf);
  const lit = literalSuffix(p);
  if (lit.length >= suf.length) return lit.endsWith(suf);
  if (!suf.endsWith(lit)) return false;
  return undefined;
}

function escapeShellArg(s: string): string {
  if (/^[a-zA-Z0-9,._+:@%/-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function fixedWidth(width: number | undefined, filler: string | undefined, s: Value): Value {
  if (width === undefined || filler === undefined || s.kind !== 'string') return unknownString();
  const t = knownText(s.value);
  if (t === undefined) return unknownString();
  return str(t.length >= width ? t : filler.repeat(width - t.length) + t);
}
