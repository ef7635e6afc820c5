/**
 * String builtins over string patterns: a pattern with holes keeps its known prefix/suffix
 * through `substring` and `concatStringsSep`; regex builtins need fully known text.
 */
import { HOLE, concatPatternList, known, knownText, literalPrefix, pattern, type StrPart, type StrPattern } from '../../../pattern';
import { unknown, type Value } from '../../value';
import { NULL, attrs, fn, fn2, fn3, force, int, list, str, unknownString } from '../helpers';
import { toStringPattern } from '../ops';
import { asInt, asText, strPattern, unknownFrom, type BuiltinHost } from './support';

export function stringBuiltins(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('toString', fn('toString', (x) => str(toStringPattern(force(x)))));
  def('stringLength', fn('stringLength', (s) => {
    const v = force(s);
    const t = v.kind === 'string' ? knownText(v.value) : undefined;
    return t === undefined ? unknownFrom(v.kind === 'string' ? unknown('stringLength of a pattern') : v, 'stringLength') : int(Buffer.byteLength(t, 'utf8'));
  }));
  def('substring', fn3('substring', (s, l, x) => {
    const start = asInt(force(s));
    const len = asInt(force(l));
    const v = force(x);
    const p = v.kind === 'string' ? v.value : v.kind === 'unknown' ? undefined : toStringPattern(v);
    if (start === undefined || len === undefined || start < 0 || !p) return unknownString();
    return str(substringPattern(start, len, p));
  }));
  def('replaceStrings', fn3('replaceStrings', (f, t, s) => {
    const from = force(f);
    const to = force(t);
    const v = force(s);
    if (from.kind !== 'list' || to.kind !== 'list' || !from.complete || !to.complete || v.kind !== 'string') return unknownString();
    const froms = from.items.map((x) => asText(force(x)));
    const tos = to.items.map((x) => (force(x).kind === 'string' ? (force(x) as { value: StrPattern }).value : undefined));
    if (froms.some((x) => x === undefined) || tos.some((x) => x === undefined)) return unknownString();
    const text = knownText(v.value);
    if (text === undefined) return unknownString();
    const out: StrPart[] = [];
    let i = 0;
    let literal = '';
    while (i <= text.length) {
      let matched = false;
      for (let k = 0; k < froms.length; k++) {
        const fr = froms[k]!;
        if (text.startsWith(fr, i)) {
          out.push(literal);
          literal = '';
          for (const part of tos[k]!.parts) out.push(part);
          if (fr.length === 0) {
            if (i < text.length) literal += text[i];
            i++;
          } else i += fr.length;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (i < text.length) literal += text[i];
        i++;
      }
    }
    out.push(literal);
    return str(pattern(out), v.location);
  }));
  def('concatStringsSep', fn2('concatStringsSep', (sep, l) => concatStringsSep(force(sep), force(l))));
  def('match', fn2('match', (r, s) => {
    const re = asText(force(r));
    const v = force(s);
    const t = v.kind === 'string' ? knownText(v.value) : undefined;
    if (re === undefined || t === undefined) return unknown('match');
    const rx = toJsRegex(`^(?:${re})$`);
    if (!rx) return unknown('match: unsupported regex');
    const m = rx.exec(t);
    if (!m) return NULL;
    return list(m.slice(1).map((g) => (g === undefined ? NULL : str(g))));
  }));
  def('split', fn2('split', (r, s) => {
    const re = asText(force(r));
    const v = force(s);
    const t = v.kind === 'string' ? knownText(v.value) : undefined;
    if (re === undefined || t === undefined) return unknown('split');
    const rx = toJsRegex(re, 'g');
    if (!rx) return unknown('split: unsupported regex');
    const out: Value[] = [];
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = rx.exec(t))) {
      out.push(str(t.slice(last, m.index)));
      out.push(list(m.slice(1).map((g) => (g === undefined ? NULL : str(g)))));
      last = m.index + m[0].length;
      if (m[0].length === 0) rx.lastIndex++;
      if (!host.charge(1)) return unknown('budget exhausted');
    }
    out.push(str(t.slice(last)));
    return list(out);
  }));
  def('hashString', fn2('hashString', () => unknownString()));
  def('hashFile', fn2('hashFile', () => unknownString()));
  def('toFile', fn2('toFile', (n) => {
    const name = asText(force(n));
    return str(pattern(['/nix/store/', HOLE, name !== undefined ? `-${name}` : HOLE]));
  }));
  def('placeholder', fn('placeholder', () => unknownString()));
  def('getEnv', fn('getEnv', () => unknownString()));
  def('compareVersions', fn2('compareVersions', (a, c) => {
    const x = asText(force(a));
    const y = asText(force(c));
    if (x === undefined || y === undefined) return unknown('compareVersions');
    return int(compareVersions(x, y));
  }));
  def('parseDrvName', fn('parseDrvName', (s) => {
    const t = asText(force(s));
    if (t === undefined) return unknown('parseDrvName');
    const m = /^(.*?)-(\d.*)$/.exec(t);
    return attrs({ name: str(m ? m[1] : t), version: str(m ? m[2] : '') });
  }));

  return entries;
}

/** `substring` over a pattern: exact while the slice stays inside the known prefix. */
export function substringPattern(start: number, len: number, p: StrPattern): StrPattern {
  const t = knownText(p);
  if (t !== undefined) return known(len < 0 ? t.slice(start) : t.slice(start, start + len));
  const prefix = literalPrefix(p);
  if (len >= 0 && start + len <= prefix.length) return known(prefix.slice(start, start + len));
  if (start < prefix.length) return pattern([prefix.slice(start), HOLE]);
  return pattern([HOLE]);
}

/**
 * Whether a backtracking engine may take exponential (or high-polynomial) time on this regex:
 * a quantified group that itself contains a quantifier or an alternation (`(a*)*`, `(a|aa)+`),
 * or a back-reference. Workspace regexes are untrusted input; those become `unknown`.
 */
export function catastrophicRegex(re: string): boolean {
  const groups: { quantified: boolean }[] = [];
  let unbounded = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      if (/[1-9]/.test(re[i + 1] ?? '')) return true;
      i++;
      continue;
    }
    if (c === '[') {
      // Skip a bracket expression: `]` right after `[` or `[^` is literal.
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '[' && re[j + 1] === ':' ? Math.max(1, re.indexOf(':]', j + 2) + 2 - j) : 1;
      i = j;
      continue;
    }
    if (c === '(') groups.push({ quantified: false });
    else if (c === '|') {
      if (groups.length) groups[groups.length - 1].quantified = true;
    } else if (c === ')') {
      const inner = groups.pop();
      const next = re[i + 1];
      const quantifiedGroup = next === '*' || next === '+' || next === '{';
      if (quantifiedGroup && inner?.quantified) return true;
      if (inner?.quantified && groups.length) groups[groups.length - 1].quantified = true;
    } else if (c === '*' || c === '+' || c === '{') {
      if (c !== '{' || /^\{\d*,\}/.test(re.slice(i))) unbounded++;
      if (groups.length) groups[groups.length - 1].quantified = true;
    }
  }
  // Many unbounded quantifiers in a row (`a*a*a*a*b`) are polynomial of high degree.
  return unbounded > 4;
}

/** POSIX ERE → JS RegExp (close enough for the character classes configs use). */
function toJsRegex(re: string, flags = ''): RegExp | undefined {
  if (catastrophicRegex(re)) return undefined;
  const classes: Record<string, string> = {
    alpha: 'a-zA-Z',
    digit: '0-9',
    alnum: 'a-zA-Z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: ' \\t\\n\\r\\f\\v',
    xdigit: '0-9A-Fa-f',
    punct: '!-\\/:-@\\[-`{-~',
  };
  const src = re.replace(/\[:(\w+):\]/g, (m, name: string) => classes[name] ?? m);
  try {
    return new RegExp(src, flags);
  } catch {
    return undefined;
  }
}

/** Nix's version order (`builtins.compareVersions`): numeric parts by value, `pre` before anything. */
export function compareVersions(a: string, b: string): number {
  const split = (s: string) => s.split(/[.-]/).flatMap((c) => c.match(/\d+|[^\d]+/g) ?? []);
  const xa = split(a);
  const xb = split(b);
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const p = xa[i] ?? '';
    const q = xb[i] ?? '';
    if (p === q) continue;
    const np = /^\d+$/.test(p);
    const nq = /^\d+$/.test(q);
    if (np && nq) return Number(p) < Number(q) ? -1 : 1;
    if (p === '') return nq ? -1 : 1;
    if (q === '') return np ? 1 : -1;
    if (p === 'pre') return -1;
    if (q === 'pre') return 1;
    if (np) return 1;
    if (nq) return -1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Shared with `lib.concat*Strings`; a lone known item keeps its location so findings point at it. */
export function concatStringsSep(sep: Value, l: Value): Value {
  const s = strPattern(sep);
  if (!s || l.kind !== 'list') return unknownString();
  const parts: StrPattern[] = [];
  l.items.forEach((t, i) => {
    if (i > 0) parts.push(s);
    const v = force(t);
    parts.push(v.kind === 'string' ? v.value : toStringPattern(v));
  });
  if (!l.complete) {
    if (l.items.length) parts.push(s);
    parts.push(pattern([HOLE]));
  }
  const out = str(concatPatternList(parts));
  if (l.items.length === 1 && l.complete) {
    const only = force(l.items[0]);
    if (only.kind === 'string') out.location = only.location;
  }
  return out;
}
