/**
 * `builtins` and the subset of nixpkgs `lib` real microvm.nix configurations use, implemented
 * natively over abstract values. Everything is total: bad or unknown input gives `unknown`
 * (or an unknown string / incomplete list / incomplete attrset where that keeps more facts).
 *
 * Module-system wrappers are attrsets exactly as nixpkgs builds them:
 *   mkIf c v        = { _type = "if"; condition = c; content = v; }
 *   mkMerge l       = { _type = "merge"; contents = l; }
 *   mkOverride p v  = { _type = "override"; priority = p; content = v; }  (mkForce 50, mkDefault 1000, mkOptionDefault 1500)
 *   mkOrder p v     = { _type = "order"; priority = p; content = v; }     (mkBefore 500, mkAfter 1500)
 *   mkOption a      = { _type = "option"; } // a
 */
import { posix } from 'node:path';
import { HOLE, concatPatterns, isKnown, known, knownText, literalPrefix, literalSuffix, pattern, type StrPart, type StrPattern } from '../../pattern';
import { ready, unknown, type AttrsValue, type Binding, type ListValue, type Thunk, type Value } from '../value';
import {
  FALSE,
  NULL,
  TRUE,
  apply,
  asFunction,
  attrs,
  bool,
  fn,
  fn2,
  fn3,
  force,
  int,
  isFunction,
  list,
  str,
  unknownString,
} from './helpers';
import { canonPath, compareStrings, lessThan, sortedKeys, toStringPattern, valuesEqual } from './ops';

/** What builtins need from the evaluator. */
export interface BuiltinHost {
  readonly fs: {
    readFile(path: string): string | undefined;
    readDir(path: string): Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined;
    isDirectory(path: string): boolean;
  };
  charge(n: number): boolean;
  nested(f: () => Value): Value;
  evalFile(path: string): Value;
}

const MAX_LIST = 1_000_000;

// Small local helpers ---------------------------------------------------------------------------

class Memo implements Thunk {
  private v: Value | undefined;
  private busy = false;
  constructor(private readonly f: () => Value) {}
  force(): Value {
    if (this.v) return this.v;
    if (this.busy) return unknown('infinite recursion');
    this.busy = true;
    try {
      this.v = this.f();
    } catch (e) {
      this.v = unknown(e instanceof RangeError ? 'stack overflow' : 'internal error');
    } finally {
      this.busy = false;
    }
    return this.v;
  }
}

const lazy = (f: () => Value): Thunk => new Memo(f);

function thrown(reason: string): Value {
  return { kind: 'unknown', reason, thrown: true };
}

function unknownFrom(v: Value, what: string): Value {
  return v.kind === 'unknown' ? v : unknown(`${what}: got a ${v.kind}`);
}

function asInt(v: Value): number | undefined {
  return v.kind === 'int' ? v.value : v.kind === 'float' && Number.isInteger(v.value) ? v.value : undefined;
}

function asText(v: Value): string | undefined {
  if (v.kind === 'string') return knownText(v.value);
  if (v.kind === 'path') return v.path;
  return undefined;
}

function strPattern(v: Value): StrPattern | undefined {
  return v.kind === 'string' ? v.value : undefined;
}

function mapPatternLiterals(p: StrPattern, f: (s: string) => string): StrPattern {
  return pattern(p.parts.map((part) => (typeof part === 'string' ? f(part) : part)));
}

function listOf(v: Value): ListValue | undefined {
  return v.kind === 'list' ? v : undefined;
}

function mkList(items: Thunk[], complete = true, location?: ListValue['location']): ListValue {
  return { kind: 'list', items, complete, location };
}

function mkAttrs(map: Map<string, Binding>, complete = true, location?: AttrsValue['location'], unknownKeys?: AttrsValue['unknownKeys']): AttrsValue {
  const out: AttrsValue = { kind: 'attrs', attrs: map, complete, location };
  if (unknownKeys && unknownKeys.length) out.unknownKeys = unknownKeys;
  return out;
}

/** Applies `f` to thunks lazily (the result is a memoised thunk). */
function lazyApply(host: BuiltinHost, f: Value, ...args: Thunk[]): Thunk {
  return lazy(() => host.nested(() => apply(f, ...args)));
}

function callNow(host: BuiltinHost, f: Value, ...args: (Thunk | Value)[]): Value {
  return host.nested(() => apply(f, ...args));
}

function substringPattern(start: number, len: number, p: StrPattern): StrPattern {
  const t = knownText(p);
  if (t !== undefined) return known(len < 0 ? t.slice(start) : t.slice(start, start + len));
  const prefix = literalPrefix(p);
  if (len >= 0 && start + len <= prefix.length) return known(prefix.slice(start, start + len));
  if (start < prefix.length) return pattern([prefix.slice(start), HOLE]);
  return pattern([HOLE]);
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

function triBool(t: boolean | undefined, reason: string): Value {
  return t === undefined ? unknown(reason) : bool(t);
}

function escapeShellArg(s: string): string {
  if (/^[a-zA-Z0-9,._+:@%/-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Converts a JSON-ish JS value to a Nix value. */
function fromJs(v: unknown): Value {
  if (v === null) return NULL;
  if (typeof v === 'boolean') return bool(v);
  if (typeof v === 'number') return Number.isInteger(v) ? int(v) : { kind: 'float', value: v };
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return list(v.map(fromJs));
  if (typeof v === 'object') {
    const m = new Map<string, Binding>();
    for (const [k, x] of Object.entries(v as object)) m.set(k, { thunk: ready(fromJs(x)) });
    return mkAttrs(m);
  }
  return unknown('json');
}

function toJson(v: Value, depth: number): string | undefined {
  if (depth > 64) return undefined;
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
    case 'float':
      return JSON.stringify(v.value);
    case 'string': {
      const t = knownText(v.value);
      return t === undefined ? undefined : JSON.stringify(t);
    }
    case 'path':
      return undefined; // copied to the store
    case 'list': {
      if (!v.complete) return undefined;
      const parts: string[] = [];
      for (const t of v.items) {
        const j = toJson(force(t), depth + 1);
        if (j === undefined) return undefined;
        parts.push(j);
      }
      return `[${parts.join(',')}]`;
    }
    case 'attrs': {
      if (!v.complete) return undefined;
      if (v.attrs.has('__toString') || v.attrs.has('outPath')) {
        const p = toStringPattern(v);
        const t = knownText(p);
        return t === undefined ? undefined : JSON.stringify(t);
      }
      const parts: string[] = [];
      for (const k of sortedKeys(v.attrs.keys())) {
        const j = toJson(force(v.attrs.get(k)!.thunk), depth + 1);
        if (j === undefined) return undefined;
        parts.push(`${JSON.stringify(k)}:${j}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
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

// builtins ------------------------------------------------------------------------------------

export function createBuiltins(host: BuiltinHost): AttrsValue {
  const b: Record<string, Value> = {};
  const def = (name: string, v: Value) => (b[name] = v);

  def('true', TRUE);
  def('false', FALSE);
  def('null', NULL);
  def('langVersion', int(6));
  def('nixVersion', unknownString());
  def('currentSystem', unknownString());
  def('currentTime', unknown('currentTime'));
  def('storeDir', str('/nix/store'));
  def('nixPath', unknown('nixPath'));

  def('toString', fn('toString', (x) => str(toStringPattern(force(x)))));
  def('throw', fn('throw', (m) => thrown(`throw: ${knownText(strPattern(force(m)) ?? known('')) ?? '?'}`)));
  def('abort', fn('abort', (m) => thrown(`abort: ${knownText(strPattern(force(m)) ?? known('')) ?? '?'}`)));
  def('trace', fn2('trace', (_m, v) => force(v)));
  def('traceVerbose', fn2('traceVerbose', (_m, v) => force(v)));
  def('warn', fn2('warn', (_m, v) => force(v)));
  def('seq', fn2('seq', (a, v) => (force(a), force(v))));
  def('deepSeq', fn2('deepSeq', (_a, v) => force(v)));
  def('addErrorContext', fn2('addErrorContext', (_m, v) => force(v)));
  def('unsafeDiscardStringContext', fn('unsafeDiscardStringContext', (s) => force(s)));
  def('unsafeDiscardOutputDependency', fn('unsafeDiscardOutputDependency', (s) => force(s)));
  def('unsafeGetAttrPos', fn2('unsafeGetAttrPos', () => NULL));
  def('tryEval', fn('tryEval', (e) => {
    const v = force(e);
    if (v.kind === 'unknown') {
      if (v.thrown) return attrs({ success: FALSE, value: FALSE });
      return attrs({ success: unknown(v.reason), value: v });
    }
    return attrs({ success: TRUE, value: v });
  }));

  // Types
  const typeName = (v: Value): string | undefined => {
    switch (v.kind) {
      case 'int':
        return 'int';
      case 'float':
        return 'float';
      case 'bool':
        return 'bool';
      case 'string':
        return 'string';
      case 'path':
        return 'path';
      case 'null':
        return 'null';
      case 'list':
        return 'list';
      case 'attrs':
        return 'set';
      case 'function':
        return 'lambda';
      default:
        return undefined;
    }
  };
  def('typeOf', fn('typeOf', (x) => {
    const t = typeName(force(x));
    return t === undefined ? unknownString() : str(t);
  }));
  const isType = (name: string, t: string) =>
    def(name, fn(name, (x) => {
      const v = force(x);
      if (v.kind === 'unknown') return unknown(`${name} of unknown`);
      if (t === 'lambda') return bool(isFunction(v) && v.kind === 'function');
      return bool(typeName(v) === t);
    }));
  isType('isAttrs', 'set');
  isType('isList', 'list');
  isType('isString', 'string');
  isType('isInt', 'int');
  isType('isFloat', 'float');
  isType('isBool', 'bool');
  isType('isPath', 'path');
  isType('isNull', 'null');
  isType('isFunction', 'lambda');

  // Arithmetic / comparison
  const arith = (name: string, op: (a: number, b: number) => number | undefined) =>
    def(name, fn2(name, (x, y) => {
      const a = force(x);
      const c = force(y);
      if ((a.kind !== 'int' && a.kind !== 'float') || (c.kind !== 'int' && c.kind !== 'float')) return unknown(name);
      const r = op(a.value, c.value);
      if (r === undefined) return thrown('division by zero');
      const kind = a.kind === 'float' || c.kind === 'float' ? 'float' : 'int';
      return { kind, value: kind === 'int' ? Math.trunc(r) : r };
    }));
  arith('add', (a, c) => a + c);
  arith('sub', (a, c) => a - c);
  arith('mul', (a, c) => a * c);
  arith('div', (a, c) => (c === 0 ? undefined : a / c));
  def('lessThan', fn2('lessThan', (x, y) => triBool(lessThan(force(x), force(y)), 'lessThan')));
  def('ceil', fn('ceil', (x) => {
    const v = force(x);
    return v.kind === 'int' || v.kind === 'float' ? int(Math.ceil(v.value)) : unknown('ceil');
  }));
  def('floor', fn('floor', (x) => {
    const v = force(x);
    return v.kind === 'int' || v.kind === 'float' ? int(Math.floor(v.value)) : unknown('floor');
  }));
  def('bitAnd', fn2('bitAnd', (x, y) => {
    const a = asInt(force(x));
    const c = asInt(force(y));
    return a === undefined || c === undefined ? unknown('bitAnd') : int(Number(BigInt(a) & BigInt(c)));
  }));
  def('bitOr', fn2('bitOr', (x, y) => {
    const a = asInt(force(x));
    const c = asInt(force(y));
    return a === undefined || c === undefined ? unknown('bitOr') : int(Number(BigInt(a) | BigInt(c)));
  }));

  // Strings
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
          out.push(...tos[k]!.parts);
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
  def('toJSON', fn('toJSON', (x) => {
    const j = toJson(force(x), 0);
    return j === undefined ? unknownString() : str(j);
  }));
  def('fromJSON', fn('fromJSON', (x) => {
    const t = asText(force(x));
    if (t === undefined) return unknown('fromJSON');
    try {
      return fromJs(JSON.parse(t));
    } catch {
      return thrown('fromJSON: invalid JSON');
    }
  }));
  def('fromTOML', fn('fromTOML', () => unknown('fromTOML')));
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

  // Paths and files
  def('baseNameOf', fn('baseNameOf', (x) => {
    const v = force(x);
    const t = asText(v);
    if (t === undefined) {
      if (v.kind === 'string') {
        const suf = literalSuffix(v.value);
        const slash = suf.lastIndexOf('/', suf.endsWith('/') ? suf.length - 2 : suf.length);
        if (slash >= 0) return str(suf.slice(slash + 1).replace(/\/$/, ''));
      }
      return unknownString();
    }
    return str(posix.basename(t));
  }));
  def('dirOf', fn('dirOf', (x) => {
    const v = force(x);
    if (v.kind === 'path') return { kind: 'path', path: posix.dirname(v.path) };
    const t = asText(v);
    return t === undefined ? unknownString() : str(posix.dirname(t));
  }));
  def('toPath', fn('toPath', (x) => {
    const t = asText(force(x));
    return t !== undefined && t.startsWith('/') ? { kind: 'path', path: canonPath(t) } : unknown('toPath');
  }));
  def('storePath', fn('storePath', () => unknownString()));
  def('path', fn('path', () => unknownString()));
  def('filterSource', fn2('filterSource', () => unknownString()));
  def('readFile', fn('readFile', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknownString();
    const t = host.fs.readFile(v.path);
    return t === undefined ? unknownString() : str(t);
  }));
  def('readFileType', fn('readFileType', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknownString();
    if (host.fs.isDirectory(v.path)) return str('directory');
    const entry = host.fs.readDir(posix.dirname(v.path))?.get(posix.basename(v.path));
    return entry ? str(entry) : unknownString();
  }));
  def('readDir', fn('readDir', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknown(v.kind === 'unknown' ? `readDir of unknown` : 'readDir of non-path');
    const entries = host.fs.readDir(v.path);
    if (!entries) return unknown(`cannot read directory ${v.path}`);
    const m = new Map<string, Binding>();
    for (const name of sortedKeys(entries.keys())) m.set(name, { thunk: ready(str(entries.get(name)!)) });
    return mkAttrs(m);
  }));
  def('pathExists', fn('pathExists', (x) => {
    const v = force(x);
    if (v.kind !== 'path' && v.kind !== 'string') return unknown('pathExists');
    const p = v.kind === 'path' ? v.path : knownText(v.value);
    if (p === undefined || !p.startsWith('/')) return unknown('pathExists');
    if (host.fs.isDirectory(p) || host.fs.readFile(p) !== undefined) return TRUE;
    const parent = host.fs.readDir(posix.dirname(p));
    if (parent && !parent.has(posix.basename(p))) return FALSE;
    return unknown('pathExists outside the workspace');
  }));
  for (const name of ['fetchGit', 'fetchTarball', 'fetchurl', 'fetchTree', 'fetchMercurial', 'fetchClosure', 'getFlake']) {
    def(name, fn(name, () => mkAttrs(new Map([['outPath', { thunk: ready(unknownString()) }]]), false)));
  }
  def('derivation', fn('derivation', () => unknown('derivation')));
  def('derivationStrict', fn('derivationStrict', () => unknown('derivation')));
  def('scopedImport', fn2('scopedImport', () => unknown('scopedImport')));

  // Lists
  def('length', fn('length', (l) => {
    const v = force(l);
    return v.kind === 'list' && v.complete ? int(v.items.length) : unknownFrom(v.kind === 'list' ? unknown('length of incomplete list') : v, 'length');
  }));
  def('head', fn('head', (l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'head');
    return v.items.length && v.complete ? force(v.items[0]) : v.items.length ? unknown('head of incomplete list') : thrown('head of empty list');
  }));
  def('tail', fn('tail', (l) => {
    const v = force(l);
    if (v.kind !== 'list' || !v.complete) return unknownFrom(v, 'tail');
    if (v.items.length === 0) return thrown('tail of empty list');
    return mkList(v.items.slice(1), true, v.location);
  }));
  def('elemAt', fn2('elemAt', (l, n) => {
    const v = force(l);
    const i = asInt(force(n));
    if (v.kind !== 'list' || i === undefined || !v.complete) return unknownFrom(v.kind === 'list' ? unknown('elemAt') : v, 'elemAt');
    if (i < 0 || i >= v.items.length) return thrown('elemAt out of range');
    return force(v.items[i]);
  }));
  def('map', fn2('map', (f, l) => {
    const fv = force(f);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'map');
    if (!host.charge(v.items.length)) return unknown('budget exhausted');
    return mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete, v.location);
  }));
  def('filter', fn2('filter', (f, l) => filterList(host, force(f), force(l))));
  def('elem', fn2('elem', (x, l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'elem');
    const needle = force(x);
    let sawUnknown = !v.complete;
    for (const t of v.items) {
      if (!host.charge(1)) return unknown('budget exhausted');
      const r = valuesEqual(needle, force(t));
      if (r === true) return TRUE;
      if (r === undefined) sawUnknown = true;
    }
    return sawUnknown ? unknown('elem') : FALSE;
  }));
  def('genList', fn2('genList', (f, n) => genList(host, force(f), force(n))));
  def('concatLists', fn('concatLists', (l) => concatLists(host, force(l))));
  def('concatMap', fn2('concatMap', (f, l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'concatMap');
    const fv = force(f);
    return concatLists(host, mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete));
  }));
  def("foldl'", fn3("foldl'", (op, nul, l) => foldl(host, force(op), nul, force(l))));
  def('any', fn2('any', (p, l) => anyAll(host, force(p), force(l), true)));
  def('all', fn2('all', (p, l) => anyAll(host, force(p), force(l), false)));
  def('sort', fn2('sort', (c, l) => {
    const cmp = force(c);
    const v = force(l);
    if (v.kind !== 'list' || !v.complete) return unknownFrom(v, 'sort');
    if (!host.charge(v.items.length * Math.max(1, Math.log2(v.items.length + 1)))) return unknown('budget exhausted');
    let bad = false;
    const sorted = v.items.slice().sort((a, d) => {
      if (bad) return 0;
      const r1 = callNow(host, cmp, a, d);
      if (r1.kind !== 'bool') {
        bad = true;
        return 0;
      }
      if (r1.value) return -1;
      const r2 = callNow(host, cmp, d, a);
      if (r2.kind !== 'bool') {
        bad = true;
        return 0;
      }
      return r2.value ? 1 : 0;
    });
    return bad ? unknown('sort with unknown comparisons') : mkList(sorted, true, v.location);
  }));
  def('partition', fn2('partition', (p, l) => {
    const pred = force(p);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'partition');
    const right: Thunk[] = [];
    const wrong: Thunk[] = [];
    let complete = v.complete;
    for (const t of v.items) {
      const r = callNow(host, pred, t);
      if (r.kind !== 'bool') complete = false;
      else (r.value ? right : wrong).push(t);
    }
    return attrs({ right: mkList(right, complete), wrong: mkList(wrong, complete) });
  }));
  def('groupBy', fn2('groupBy', (f, l) => {
    const fv = force(f);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'groupBy');
    const groups = new Map<string, Thunk[]>();
    let complete = v.complete;
    for (const t of v.items) {
      const k = asText(callNow(host, fv, t));
      if (k === undefined) {
        complete = false;
        continue;
      }
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(t);
    }
    const m = new Map<string, Binding>();
    for (const [k, items] of groups) m.set(k, { thunk: ready(mkList(items, complete)) });
    return mkAttrs(m, complete);
  }));

  // Attrsets
  def('attrNames', fn('attrNames', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrNames');
    return mkList(
      sortedKeys(v.attrs.keys()).map((k) => ready(str(k, v.attrs.get(k)!.keyLocation))),
      v.complete,
      v.location,
    );
  }));
  def('attrValues', fn('attrValues', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrValues');
    return mkList(sortedKeys(v.attrs.keys()).map((k) => v.attrs.get(k)!.thunk), v.complete, v.location);
  }));
  def('hasAttr', fn2('hasAttr', (n, s) => {
    const name = asText(force(n));
    const v = force(s);
    if (name === undefined || v.kind !== 'attrs') return unknownFrom(v.kind === 'attrs' ? unknown('hasAttr') : v, 'hasAttr');
    return v.attrs.has(name) ? TRUE : v.complete ? FALSE : unknown('hasAttr on incomplete attrset');
  }));
  def('getAttr', fn2('getAttr', (n, s) => {
    const name = asText(force(n));
    const v = force(s);
    if (name === undefined || v.kind !== 'attrs') return unknownFrom(v.kind === 'attrs' ? unknown('getAttr') : v, 'getAttr');
    const bnd = v.attrs.get(name);
    return bnd ? force(bnd.thunk) : v.complete ? thrown(`missing attribute ${name}`) : unknown(`attribute ${name} not known`);
  }));
  def('removeAttrs', fn2('removeAttrs', (s, l) => {
    const v = force(s);
    const names = force(l);
    if (v.kind !== 'attrs') return unknownFrom(v, 'removeAttrs');
    if (names.kind !== 'list') return unknown('removeAttrs');
    const m = new Map(v.attrs);
    let complete = v.complete && names.complete;
    for (const t of names.items) {
      const n = asText(force(t));
      if (n === undefined) complete = false;
      else m.delete(n);
    }
    if (!names.complete || complete !== (v.complete && names.complete)) {
      // Some removed names are unknown: the remaining values are still right, but maybe absent.
      return mkAttrs(m, false, v.location);
    }
    return mkAttrs(m, complete, v.location, v.unknownKeys);
  }));
  def('intersectAttrs', fn2('intersectAttrs', (a, s) => {
    const x = force(a);
    const y = force(s);
    if (x.kind !== 'attrs' || y.kind !== 'attrs') return unknown('intersectAttrs');
    const m = new Map<string, Binding>();
    for (const [k, bnd] of y.attrs) if (x.attrs.has(k)) m.set(k, bnd);
    return mkAttrs(m, x.complete && y.complete, y.location);
  }));
  def('catAttrs', fn2('catAttrs', (n, l) => {
    const name = asText(force(n));
    const v = force(l);
    if (name === undefined || v.kind !== 'list') return unknown('catAttrs');
    const out: Thunk[] = [];
    let complete = v.complete;
    for (const t of v.items) {
      const x = force(t);
      if (x.kind !== 'attrs') {
        complete = false;
        continue;
      }
      const bnd = x.attrs.get(name);
      if (bnd) out.push(bnd.thunk);
      else if (!x.complete) complete = false;
    }
    return mkList(out, complete);
  }));
  def('listToAttrs', fn('listToAttrs', (l) => listToAttrs(host, force(l))));
  def('mapAttrs', fn2('mapAttrs', (f, s) => mapAttrs(host, force(f), force(s))));
  def('functionArgs', fn('functionArgs', (f) => {
    const v = force(f);
    if (v.kind !== 'function') return unknownFrom(v, 'functionArgs');
    const m = new Map<string, Binding>();
    for (const name of v.formals?.names ?? []) m.set(name, { thunk: ready(unknown('has default?')) });
    return mkAttrs(m, v.formals !== undefined || v.name !== undefined);
  }));
  def('zipAttrsWith', fn2('zipAttrsWith', (f, l) => zipAttrsWith(host, force(f), force(l))));
  def('genericClosure', fn('genericClosure', () => unknown('genericClosure')));

  const m = new Map<string, Binding>();
  for (const [k, v] of Object.entries(b)) m.set(k, { thunk: ready(v) });
  const set = mkAttrs(m, true);
  m.set('builtins', { thunk: ready(set) });
  return set;
}

function compareVersions(a: string, b: string): number {
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

// Shared list/attr operations ---------------------------------------------------------------------

function concatStringsSep(sep: Value, l: Value): Value {
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
  const out = str(concatPatterns(...parts));
  if (l.items.length === 1 && l.complete) {
    const only = force(l.items[0]);
    if (only.kind === 'string') out.location = only.location;
  }
  return out;
}

function filterList(host: BuiltinHost, pred: Value, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'filter');
  const out: Thunk[] = [];
  let complete = l.complete;
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const r = callNow(host, pred, t);
    if (r.kind !== 'bool') complete = false;
    else if (r.value) out.push(t);
  }
  return mkList(out, complete, l.location);
}

function genList(host: BuiltinHost, f: Value, n: Value): Value {
  const count = asInt(n);
  if (count === undefined) return unknownFrom(n, 'genList');
  if (count < 0) return thrown('genList with a negative length');
  if (count > MAX_LIST || !host.charge(count)) return unknown('genList too long');
  const items: Thunk[] = new Array(count);
  for (let i = 0; i < count; i++) items[i] = lazyApply(host, f, ready(int(i)));
  return mkList(items, true);
}

function concatLists(host: BuiltinHost, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'concatLists');
  const items: Thunk[] = [];
  let complete = l.complete;
  for (const t of l.items) {
    const v = force(t);
    if (v.kind !== 'list') {
      complete = false;
      continue;
    }
    if (!host.charge(v.items.length + 1)) return unknown('budget exhausted');
    items.push(...v.items);
    if (!v.complete) complete = false;
  }
  return mkList(items, complete, l.location);
}

function foldl(host: BuiltinHost, op: Value, nul: Thunk, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'foldl');
  if (!l.complete) return unknown('foldl over an incomplete list');
  let acc: Value = force(nul);
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    acc = callNow(host, op, ready(acc), t);
  }
  return acc;
}

function foldr(host: BuiltinHost, op: Value, nul: Thunk, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'foldr');
  if (!l.complete) return unknown('foldr over an incomplete list');
  let acc: Value = force(nul);
  for (let i = l.items.length - 1; i >= 0; i--) {
    if (!host.charge(1)) return unknown('budget exhausted');
    acc = callNow(host, op, l.items[i], ready(acc));
  }
  return acc;
}

function anyAll(host: BuiltinHost, pred: Value, l: Value, isAny: boolean): Value {
  if (l.kind !== 'list') return unknownFrom(l, isAny ? 'any' : 'all');
  let sawUnknown = !l.complete;
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const r = callNow(host, pred, t);
    if (r.kind !== 'bool') sawUnknown = true;
    else if (r.value === isAny) return bool(isAny);
  }
  return sawUnknown ? unknown(isAny ? 'any' : 'all') : bool(!isAny);
}

function listToAttrs(host: BuiltinHost, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'listToAttrs');
  const m = new Map<string, Binding>();
  let complete = l.complete;
  const unknownKeys: NonNullable<AttrsValue['unknownKeys']> = [];
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const item = force(t);
    if (item.kind !== 'attrs') {
      complete = false;
      continue;
    }
    const nb = item.attrs.get('name');
    const vb = item.attrs.get('value');
    if (!nb || !vb) {
      complete = false;
      continue;
    }
    const nv = force(nb.thunk);
    const binding: Binding = {
      thunk: vb.thunk,
      keyLocation: nv.kind === 'string' ? nv.location ?? nb.valueLocation : nb.valueLocation,
      valueLocation: vb.valueLocation,
    };
    const name = nv.kind === 'string' ? knownText(nv.value) : undefined;
    if (name === undefined) {
      complete = false;
      if (nv.kind === 'string' || nv.kind === 'unknown') unknownKeys.push({ key: nv.kind === 'string' ? nv.value : pattern([HOLE]), binding });
      continue;
    }
    if (!m.has(name)) m.set(name, binding);
  }
  return mkAttrs(m, complete, l.location, unknownKeys);
}

function mapAttrs(host: BuiltinHost, f: Value, s: Value): Value {
  if (s.kind !== 'attrs') return unknownFrom(s, 'mapAttrs');
  if (!host.charge(s.attrs.size)) return unknown('budget exhausted');
  const m = new Map<string, Binding>();
  for (const [k, bnd] of s.attrs) {
    m.set(k, { thunk: lazyApply(host, f, ready(str(k, bnd.keyLocation)), bnd.thunk), keyLocation: bnd.keyLocation, valueLocation: bnd.valueLocation });
  }
  const uk = s.unknownKeys?.map(({ key, binding }) => ({
    key,
    binding: { thunk: lazyApply(host, f, ready(str(key, binding.keyLocation)), binding.thunk), keyLocation: binding.keyLocation, valueLocation: binding.valueLocation },
  }));
  return mkAttrs(m, s.complete, s.location, uk);
}

function zipAttrsWith(host: BuiltinHost, f: Value, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'zipAttrsWith');
  const groups = new Map<string, Thunk[]>();
  let complete = l.complete;
  for (const t of l.items) {
    const v = force(t);
    if (v.kind !== 'attrs') {
      complete = false;
      continue;
    }
    if (!v.complete) complete = false;
    for (const [k, bnd] of v.attrs) {
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(bnd.thunk);
    }
  }
  const m = new Map<string, Binding>();
  for (const [k, items] of groups) m.set(k, { thunk: lazyApply(host, f, ready(str(k)), ready(mkList(items, complete))) });
  return mkAttrs(m, complete);
}

// lib -------------------------------------------------------------------------------------------

export function createLib(host: BuiltinHost & { readonly builtins: AttrsValue }): AttrsValue {
  const B = (name: string): Value => force(host.builtins.attrs.get(name)!.thunk);
  const l: Record<string, Value> = {};
  const def = (name: string, v: Value) => (l[name] = v);

  // Re-exported builtins (lib.x = builtins.x).
  for (const name of [
    'attrNames', 'attrValues', 'hasAttr', 'getAttr', 'removeAttrs', 'intersectAttrs', 'catAttrs', 'listToAttrs', 'mapAttrs',
    'isAttrs', 'isList', 'isString', 'isInt', 'isFloat', 'isBool', 'isPath', 'isFunction', 'elem', 'length', 'head', 'tail',
    'elemAt', 'genList', 'concatLists', 'concatMap', "foldl'", 'any', 'all', 'sort', 'partition', 'groupBy', 'filter', 'map',
    'toString', 'substring', 'stringLength', 'replaceStrings', 'concatStringsSep', 'match', 'split', 'typeOf', 'seq', 'deepSeq',
    'trace', 'throw', 'abort', 'tryEval', 'toJSON', 'fromJSON', 'baseNameOf', 'dirOf', 'readFile', 'readDir', 'pathExists',
    'functionArgs', 'zipAttrsWith', 'add', 'sub', 'mul', 'div', 'lessThan', 'compareVersions', 'isNull', 'hashString', 'warn',
  ]) {
    def(name, B(name));
  }
  def('isDerivation', fn('isDerivation', (x) => {
    const v = force(x);
    if (v.kind !== 'attrs') return v.kind === 'unknown' ? unknown('isDerivation') : FALSE;
    const t = v.attrs.get('type');
    if (!t) return v.complete ? FALSE : unknown('isDerivation');
    const tv = force(t.thunk);
    return tv.kind === 'string' ? bool(knownText(tv.value) === 'derivation') : unknown('isDerivation');
  }));

  // Trivial
  def('id', fn('id', (x) => force(x)));
  def('const', fn2('const', (x) => force(x)));
  def('flip', fn3('flip', (f, a, c) => callNow(host, force(f), c, a)));
  def('pipe', fn2('pipe', (x, fs) => {
    const v = force(fs);
    if (v.kind !== 'list' || !v.complete) return unknown('pipe');
    let acc: Thunk = x;
    for (const t of v.items) acc = ready(callNow(host, force(t), acc));
    return force(acc);
  }));
  def('mdDoc', fn('mdDoc', (x) => force(x)));
  def('literalExpression', fn('literalExpression', (x) => attrs({ _type: str('literalExpression'), text: x })));
  def('literalMD', fn('literalMD', (x) => attrs({ _type: str('literalMD'), text: x })));
  def('boolToString', fn('boolToString', (x) => {
    const v = force(x);
    return v.kind === 'bool' ? str(v.value ? 'true' : 'false') : unknownString();
  }));
  def('toInt', fn('toInt', (x) => {
    const t = asText(force(x));
    return t !== undefined && /^\s*-?\d+\s*$/.test(t) ? int(Number(t)) : unknown('toInt');
  }));
  def('min', fn2('min', (a, c) => {
    const r = lessThan(force(a), force(c));
    return r === undefined ? unknown('min') : force(r ? a : c);
  }));
  def('max', fn2('max', (a, c) => {
    const r = lessThan(force(a), force(c));
    return r === undefined ? unknown('max') : force(r ? c : a);
  }));
  def('mod', fn2('mod', (a, c) => {
    const x = asInt(force(a));
    const y = asInt(force(c));
    return x === undefined || y === undefined || y === 0 ? unknown('mod') : int(x - y * Math.trunc(x / y));
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

  // Lists
  const listFn1 = (name: string, f: (v: ListValue) => Value) =>
    def(name, fn(name, (x) => {
      const v = force(x);
      return v.kind === 'list' ? f(v) : unknownFrom(v, name);
    }));
  def('range', fn2('range', (a, c) => {
    const x = asInt(force(a));
    const y = asInt(force(c));
    if (x === undefined || y === undefined) return unknown('range');
    const n = Math.max(0, y - x + 1);
    if (n > MAX_LIST || !host.charge(n)) return unknown('range too long');
    const items: Thunk[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = ready(int(x + i));
    return mkList(items);
  }));
  const imap = (name: string, base: number) =>
    def(name, fn2(name, (f, x) => {
      const fv = force(f);
      const v = force(x);
      if (v.kind !== 'list') return unknownFrom(v, name);
      if (!host.charge(v.items.length)) return unknown('budget exhausted');
      return mkList(v.items.map((t, i) => lazyApply(host, fv, ready(int(i + base)), t)), v.complete, v.location);
    }));
  imap('imap0', 0);
  imap('imap1', 1);
  def('forEach', fn2('forEach', (x, f) => apply(B('map'), f, x)));
  def('optional', fn2('optional', (c, x) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkList([], false);
    return mkList(v.value ? [x] : []);
  }));
  def('optionals', fn2('optionals', (c, x) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkList([], false);
    return v.value ? force(x) : mkList([]);
  }));
  def('foldl', fn3('foldl', (op, nul, x) => foldl(host, force(op), nul, force(x))));
  def('foldr', fn3('foldr', (op, nul, x) => foldr(host, force(op), nul, force(x))));
  def('fold', l.foldr);
  listFn1('flatten', (v) => {
    const out: Thunk[] = [];
    let complete = v.complete;
    const walk = (x: ListValue, depth: number) => {
      for (const t of x.items) {
        const y = force(t);
        if (y.kind === 'list' && depth < 32) {
          if (!y.complete) complete = false;
          walk(y, depth + 1);
        } else if (y.kind === 'unknown') complete = false;
        else out.push(t);
      }
    };
    walk(v, 0);
    return mkList(out, complete, v.location);
  });
  listFn1('last', (v) => (v.complete && v.items.length ? force(v.items[v.items.length - 1]) : unknown('last')));
  listFn1('init', (v) => (v.complete && v.items.length ? mkList(v.items.slice(0, -1)) : unknown('init')));
  listFn1('reverseList', (v) => (v.complete ? mkList(v.items.slice().reverse()) : unknown('reverseList')));
  listFn1('unique', (v) => {
    const out: Thunk[] = [];
    const vals: Value[] = [];
    for (const t of v.items) {
      if (!host.charge(vals.length + 1)) return unknown('budget exhausted');
      const x = force(t);
      let dup: boolean | undefined = false;
      for (const y of vals) {
        const r = valuesEqual(x, y);
        if (r === true) {
          dup = true;
          break;
        }
        if (r === undefined) dup = undefined;
      }
      if (dup === undefined) return unknown('unique');
      if (!dup) {
        out.push(t);
        vals.push(x);
      }
    }
    return mkList(out, v.complete);
  });
  def('take', fn2('take', (n, x) => {
    const c = asInt(force(n));
    const v = force(x);
    if (c === undefined || v.kind !== 'list') return unknown('take');
    if (!v.complete && c > v.items.length) return unknown('take');
    return mkList(v.items.slice(0, Math.max(0, c)), true, v.location);
  }));
  def('drop', fn2('drop', (n, x) => {
    const c = asInt(force(n));
    const v = force(x);
    if (c === undefined || v.kind !== 'list' || !v.complete) return unknown('drop');
    return mkList(v.items.slice(Math.max(0, c)), true, v.location);
  }));
  def('sublist', fn3('sublist', (s, n, x) => {
    const a = asInt(force(s));
    const c = asInt(force(n));
    const v = force(x);
    if (a === undefined || c === undefined || v.kind !== 'list' || !v.complete) return unknown('sublist');
    return mkList(v.items.slice(Math.max(0, a), Math.max(0, a) + Math.max(0, c)), true, v.location);
  }));
  def('count', fn2('count', (p, x) => {
    const r = filterList(host, force(p), force(x));
    return r.kind === 'list' && r.complete ? int(r.items.length) : unknown('count');
  }));
  def('zipListsWith', fn3('zipListsWith', (f, a, c) => {
    const fv = force(f);
    const x = force(a);
    const y = force(c);
    if (x.kind !== 'list' || y.kind !== 'list') return unknown('zipListsWith');
    const n = Math.min(x.items.length, y.items.length);
    const items: Thunk[] = [];
    for (let i = 0; i < n; i++) items.push(lazyApply(host, fv, x.items[i], y.items[i]));
    return mkList(items, x.complete && y.complete);
  }));
  def('zipLists', fn2('zipLists', (a, c) => {
    const x = force(a);
    const y = force(c);
    if (x.kind !== 'list' || y.kind !== 'list') return unknown('zipLists');
    const n = Math.min(x.items.length, y.items.length);
    const items: Thunk[] = [];
    for (let i = 0; i < n; i++) items.push(ready(attrs({ fst: x.items[i], snd: y.items[i] })));
    return mkList(items, x.complete && y.complete);
  }));
  def('findFirst', fn3('findFirst', (p, d, x) => {
    const pred = force(p);
    const v = force(x);
    if (v.kind !== 'list') return unknown('findFirst');
    for (const t of v.items) {
      const r = callNow(host, pred, t);
      if (r.kind !== 'bool') return unknown('findFirst');
      if (r.value) return force(t);
    }
    return v.complete ? force(d) : unknown('findFirst');
  }));
  def('toList', fn('toList', (x) => {
    const v = force(x);
    return v.kind === 'list' ? v : v.kind === 'unknown' ? v : mkList([x]);
  }));

  // Strings
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
    const esc = l.escapeShellArg;
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
  def('toIntBase10', l.toInt);

  // Attrsets
  def('nameValuePair', fn2('nameValuePair', (n, v) => attrs({ name: n, value: v })));
  def('genAttrs', fn2('genAttrs', (names, f) => {
    const v = force(names);
    if (v.kind !== 'list') return unknownFrom(v, 'genAttrs');
    const fv = force(f);
    const items = v.items.map((t) => {
      const nv = force(t);
      return ready(attrs({ name: nv, value: lazyApply(host, fv, t) }));
    });
    return listToAttrs(host, mkList(items, v.complete, v.location));
  }));
  def("mapAttrs'", fn2("mapAttrs'", (f, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, "mapAttrs'");
    const fv = force(f);
    const items: Thunk[] = [];
    for (const k of sortedKeys(v.attrs.keys())) {
      const bnd = v.attrs.get(k)!;
      items.push(lazyApply(host, fv, ready(str(k, bnd.keyLocation)), bnd.thunk));
    }
    for (const u of v.unknownKeys ?? []) items.push(lazyApply(host, fv, ready(str(u.key, u.binding.keyLocation)), u.binding.thunk));
    return listToAttrs(host, mkList(items, v.complete, v.location));
  }));
  def('mapAttrsToList', fn2('mapAttrsToList', (f, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'mapAttrsToList');
    const fv = force(f);
    if (!host.charge(v.attrs.size)) return unknown('budget exhausted');
    const items = sortedKeys(v.attrs.keys()).map((k) => {
      const bnd = v.attrs.get(k)!;
      return lazyApply(host, fv, ready(str(k, bnd.keyLocation)), bnd.thunk);
    });
    for (const u of v.unknownKeys ?? []) items.push(lazyApply(host, fv, ready(str(u.key, u.binding.keyLocation)), u.binding.thunk));
    return mkList(items, v.complete, v.location);
  }));
  def('attrsToList', fn('attrsToList', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrsToList');
    return mkList(sortedKeys(v.attrs.keys()).map((k) => ready(attrs({ name: str(k, v.attrs.get(k)!.keyLocation), value: v.attrs.get(k)!.thunk }))), v.complete);
  }));
  def('filterAttrs', fn2('filterAttrs', (p, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'filterAttrs');
    const pred = force(p);
    const m = new Map<string, Binding>();
    let complete = v.complete;
    for (const [k, bnd] of v.attrs) {
      if (!host.charge(1)) return unknown('budget exhausted');
      const r = callNow(host, pred, ready(str(k, bnd.keyLocation)), bnd.thunk);
      if (r.kind !== 'bool') complete = false;
      else if (r.value) m.set(k, bnd);
    }
    return mkAttrs(m, complete, v.location);
  }));
  def('optionalAttrs', fn2('optionalAttrs', (c, s) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkAttrs(new Map(), false);
    return v.value ? force(s) : mkAttrs(new Map());
  }));
  def('recursiveUpdate', fn2('recursiveUpdate', (a, c) => recursiveUpdate(force(a), force(c), 0)));
  def('attrByPath', fn3('attrByPath', (p, d, s) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('attrByPath');
    let cur = force(s);
    for (const t of path.items) {
      const name = asText(force(t));
      if (name === undefined) return unknown('attrByPath');
      if (cur.kind === 'unknown') return cur;
      if (cur.kind !== 'attrs') return force(d);
      const bnd = cur.attrs.get(name);
      if (!bnd) return cur.complete ? force(d) : unknown(`attribute ${name} not known`);
      cur = force(bnd.thunk);
    }
    return cur;
  }));
  def('getAttrFromPath', fn2('getAttrFromPath', (p, s) => apply(l.attrByPath, p, ready(thrown('getAttrFromPath: missing')), s)));
  def('hasAttrByPath', fn2('hasAttrByPath', (p, s) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('hasAttrByPath');
    let cur = force(s);
    for (const t of path.items) {
      const name = asText(force(t));
      if (name === undefined || cur.kind === 'unknown') return unknown('hasAttrByPath');
      if (cur.kind !== 'attrs') return FALSE;
      const bnd = cur.attrs.get(name);
      if (!bnd) return cur.complete ? FALSE : unknown('hasAttrByPath');
      cur = force(bnd.thunk);
    }
    return TRUE;
  }));
  def('setAttrByPath', fn2('setAttrByPath', (p, v) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('setAttrByPath');
    let cur: Thunk = v;
    for (let i = path.items.length - 1; i >= 0; i--) {
      const name = asText(force(path.items[i]));
      if (name === undefined) return unknown('setAttrByPath');
      cur = ready(attrs({ [name]: cur }));
    }
    return force(cur);
  }));
  def('mapAttrsRecursive', fn2('mapAttrsRecursive', (f, s) => mapAttrsRecursive(host, force(f), force(s), [])));
  def('foldAttrs', fn3('foldAttrs', (op, nul, x) => {
    const v = force(x);
    if (v.kind !== 'list' || !v.complete) return unknown('foldAttrs');
    const groups = new Map<string, Thunk[]>();
    for (const t of v.items) {
      const a = force(t);
      if (a.kind !== 'attrs' || !a.complete) return unknown('foldAttrs');
      for (const [k, bnd] of a.attrs) {
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(bnd.thunk);
      }
    }
    const opv = force(op);
    const m = new Map<string, Binding>();
    for (const [k, items] of groups) m.set(k, { thunk: lazy(() => foldr(host, opv, nul, mkList(items))) });
    return mkAttrs(m);
  }));
  def('mergeAttrsList', fn('mergeAttrsList', (x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknown('mergeAttrsList');
    let acc: Value = mkAttrs(new Map());
    for (const t of v.items) acc = updateAttrs(acc, force(t));
    return v.complete ? acc : acc.kind === 'attrs' ? mkAttrs(acc.attrs, false, acc.location) : acc;
  }));
  def('zipAttrs', fn('zipAttrs', (x) => zipAttrsWith(host, fn2('zipAttrs', (_n, vs) => force(vs)), force(x))));
  def('getExe', fn('getExe', (p) => {
    const v = force(p);
    const out = v.kind === 'attrs' ? v.attrs.get('outPath') : undefined;
    const base = v.kind === 'string' ? v.value : out ? toStringPattern(force(out.thunk)) : pattern([HOLE]);
    return str(concatPatterns(base, known('/bin/'), pattern([HOLE])));
  }));
  def("getExe'", fn2("getExe'", (p, n) => {
    const v = force(p);
    const name = force(n);
    const out = v.kind === 'attrs' ? v.attrs.get('outPath') : undefined;
    const base = v.kind === 'string' ? v.value : out ? toStringPattern(force(out.thunk)) : pattern([HOLE]);
    return str(concatPatterns(base, known('/bin/'), name.kind === 'string' ? name.value : pattern([HOLE])), name.kind === 'string' ? name.location : undefined);
  }));
  def('getBin', fn('getBin', (p) => {
    const v = force(p);
    return v.kind === 'string' ? v : unknownString();
  }));

  // Module system wrappers
  def('mkIf', fn2('mkIf', (c, v) => attrs({ _type: str('if'), condition: c, content: v })));
  def('mkMerge', fn('mkMerge', (x) => attrs({ _type: str('merge'), contents: x })));
  const mkOverride = fn2('mkOverride', (p, v) => attrs({ _type: str('override'), priority: p, content: v }));
  def('mkOverride', mkOverride);
  const override = (name: string, prio: number) => def(name, fn(name, (v) => attrs({ _type: str('override'), priority: int(prio), content: v })));
  override('mkForce', 50);
  override('mkVMOverride', 10);
  override('mkImageMediaOverride', 60);
  override('mkDefault', 1000);
  override('mkOptionDefault', 1500);
  const mkOrder = fn2('mkOrder', (p, v) => attrs({ _type: str('order'), priority: p, content: v }));
  def('mkOrder', mkOrder);
  const order = (name: string, prio: number) => def(name, fn(name, (v) => attrs({ _type: str('order'), priority: int(prio), content: v })));
  order('mkBefore', 500);
  order('mkAfter', 1500);
  def('mkOption', fn('mkOption', (x) => {
    const v = force(x);
    const m = new Map<string, Binding>(v.kind === 'attrs' ? v.attrs : []);
    m.set('_type', { thunk: ready(str('option')) });
    return mkAttrs(m, v.kind === 'attrs' ? v.complete : false, v.kind === 'attrs' ? v.location : undefined);
  }));
  def('mkEnableOption', fn('mkEnableOption', (name) =>
    attrs({
      _type: str('option'),
      default: FALSE,
      example: TRUE,
      description: lazy(() => {
        const n = force(name);
        return str(concatPatterns(known('Whether to enable '), n.kind === 'string' ? n.value : pattern([HOLE]), known('.')));
      }),
      type: lazy(() => getTypes().attrs.get('bool')!.thunk.force()),
    })));
  def('mkPackageOption', fn3('mkPackageOption', () => attrs({ _type: str('option'), default: unknown('package') })));
  def('mkSinkUndeclaredOptions', fn('mkSinkUndeclaredOptions', () => attrs({ _type: str('option') })));
  for (const name of ['mkRemovedOptionModule', 'mkRenamedOptionModule', 'mkAliasOptionModule', 'mkMergedOptionModule', 'mkChangedOptionModule']) {
    def(name, fn(name, () => fn(`${name}'`, () => attrs({}, { complete: false }))));
  }
  def('evalModules', fn('evalModules', () => unknown('lib.evalModules')));
  def('fix', fn('fix', (f) => {
    const fv = force(f);
    let self: Thunk;
    const result = lazy(() => callNow(host, fv, self));
    self = result;
    return result.force();
  }));

  // Types: enough structure for `types.X` and `types.f args` to be (unknown) values.
  let typesValue: AttrsValue | undefined;
  const getTypes = (): AttrsValue => {
    if (typesValue) return typesValue;
    const m = new Map<string, Binding>();
    const simple = (name: string) => attrs({ _type: str('option-type'), name: str(name) });
    for (const name of ['str', 'bool', 'int', 'float', 'path', 'package', 'anything', 'raw', 'unspecified', 'lines', 'port', 'attrs', 'number', 'singleLineStr', 'nonEmptyStr', 'ints', 'strMatching']) {
      m.set(name, { thunk: ready(simple(name)) });
    }
    const ctor = (name: string) => fn(name, () => simple(name));
    for (const name of ['listOf', 'attrsOf', 'nullOr', 'lazyAttrsOf', 'submodule', 'enum', 'either', 'oneOf', 'uniq', 'functionTo', 'coercedTo', 'separatedString', 'submoduleWith', 'deferredModuleWith', 'addCheck']) {
      m.set(name, { thunk: ready(ctor(name)) });
    }
    typesValue = mkAttrs(m, false);
    return typesValue;
  };
  l.types = getTypes();

  const m = new Map<string, Binding>();
  for (const [k, v] of Object.entries(l)) m.set(k, { thunk: ready(v) });
  const lib = mkAttrs(m, true);
  // Namespaced aliases (lib.strings.hasPrefix, lib.lists.imap1, lib.attrsets.mapAttrs', ...) point
  // at lib itself: harmless supersets of the real sub-libraries.
  for (const ns of ['strings', 'lists', 'attrsets', 'trivial', 'modules', 'options', 'fixedPoints', 'debug', 'meta', 'versions', 'asserts']) {
    m.set(ns, { thunk: ready(lib) });
  }
  m.set('builtins', { thunk: ready(host.builtins) });
  return lib;
}

function fixedWidth(width: number | undefined, filler: string | undefined, s: Value): Value {
  if (width === undefined || filler === undefined || s.kind !== 'string') return unknownString();
  const t = knownText(s.value);
  if (t === undefined) return unknownString();
  return str(t.length >= width ? t : filler.repeat(width - t.length) + t);
}

function updateAttrs(a: Value, b: Value): Value {
  if (a.kind !== 'attrs' || b.kind !== 'attrs') return unknown('mergeAttrs');
  const m = new Map(a.attrs);
  for (const [k, bnd] of b.attrs) m.set(k, bnd);
  return mkAttrs(m, a.complete && b.complete, b.location ?? a.location);
}

function recursiveUpdate(a: Value, b: Value, depth: number): Value {
  if (b.kind === 'unknown') return b;
  if (a.kind === 'unknown') return b.kind === 'attrs' ? mkAttrs(b.attrs, false, b.location) : b;
  if (a.kind !== 'attrs' || b.kind !== 'attrs' || depth > 64) return b;
  const m = new Map(a.attrs);
  for (const [k, bnd] of b.attrs) {
    const old = a.attrs.get(k);
    if (!old) {
      m.set(k, bnd);
      continue;
    }
    m.set(k, {
      thunk: lazy(() => {
        const x = force(old.thunk);
        const y = force(bnd.thunk);
        if (x.kind === 'attrs' && y.kind === 'attrs' && !isDerivationLike(x) && !isDerivationLike(y)) return recursiveUpdate(x, y, depth + 1);
        return y;
      }),
      keyLocation: bnd.keyLocation,
      valueLocation: bnd.valueLocation,
    });
  }
  return mkAttrs(m, a.complete && b.complete, b.location ?? a.location);
}

function isDerivationLike(v: AttrsValue): boolean {
  return v.attrs.has('outPath') && v.attrs.has('type');
}

function mapAttrsRecursive(host: BuiltinHost, f: Value, s: Value, path: string[]): Value {
  if (s.kind !== 'attrs') return unknownFrom(s, 'mapAttrsRecursive');
  if (path.length > 64) return unknown('mapAttrsRecursive too deep');
  const m = new Map<string, Binding>();
  for (const [k, bnd] of s.attrs) {
    const p = [...path, k];
    m.set(k, {
      thunk: lazy(() => {
        const v = force(bnd.thunk);
        if (v.kind === 'attrs' && !isDerivationLike(v)) return mapAttrsRecursive(host, f, v, p);
        return callNow(host, f, list(p.map((x) => str(x))), ready(v));
      }),
      keyLocation: bnd.keyLocation,
      valueLocation: bnd.valueLocation,
    });
  }
  return mkAttrs(m, s.complete, s.location);
}

// Quiet unused-import lint in some editors.
void isKnown;
void asFunction;
void compareStrings;
