/**
 * fnmatch(3) without flags, as glibc implements it (what networkd uses for `[Match]` globs), and
 * a tri-state version that matches a glob against a name with unknown holes (a StrPattern).
 *
 * glibc details kept: `*` and `?` match any character (also `/` and a leading `.`); `[...]` with
 * `!` or `^` negation, ranges by code point, `]` first is literal, `\` escapes (also inside
 * brackets), `[:class:]`, `[=c=]`, `[.c.]`; an unterminated `[` matches a literal `[` (but only
 * when the rest of the would-be bracket does not itself match `[`); a trailing lone `\` never
 * matches. Characters are UTF-16 code units (interface names are ASCII).
 */
import { isHole, type StrPattern } from '../pattern';

export type Tri = 'yes' | 'no' | 'maybe';

const CHAR_CLASS_MAX_LENGTH = 256;

type Bracket = { kind: 'match'; next: number } | { kind: 'nomatch' } | { kind: 'fail' } | { kind: 'literal' };

function classTest(name: string, ch: string): boolean | undefined {
  const code = ch.charCodeAt(0);
  const ascii = code < 128;
  switch (name) {
    case 'alnum':
      return ascii ? /[A-Za-z0-9]/.test(ch) : /[\p{L}\p{Nd}]/u.test(ch);
    case 'alpha':
      return ascii ? /[A-Za-z]/.test(ch) : /\p{L}/u.test(ch);
    case 'blank':
      return ch === ' ' || ch === '\t' || (!ascii && /\p{Zs}/u.test(ch) && ch !== '\u00a0');
    case 'cntrl':
      return code < 32 || code === 127 || (code >= 0x80 && code < 0xa0);
    case 'digit':
      return code >= 48 && code <= 57;
    case 'graph':
      return ascii ? code > 32 && code < 127 : !/[\s\p{C}]/u.test(ch);
    case 'lower':
      return ascii ? code >= 97 && code <= 122 : /\p{Ll}/u.test(ch);
    case 'print':
      return ascii ? code >= 32 && code < 127 : !/\p{C}/u.test(ch);
    case 'punct':
      return ascii ? /[!-\/:-@\[-`{-~]/.test(ch) : /[\p{P}\p{S}]/u.test(ch);
    case 'space':
      return ascii ? ch === ' ' || (code >= 9 && code <= 13) : /\s/u.test(ch) && ch !== '\u00a0';
    case 'upper':
      return ascii ? code >= 65 && code <= 90 : /\p{Lu}/u.test(ch);
    case 'xdigit':
      return /[0-9A-Fa-f]/.test(ch);
    default:
      return undefined;
  }
}

/** Evaluates the bracket expression starting at g[i] === '[' for one character, glibc-style. */
function bracket(g: string, i: number, ch: string): Bracket {
  const at = (k: number): string => (k < g.length ? g[k] : '\0');
  let p = i + 1;
  const not = at(p) === '!' || at(p) === '^';
  if (not) p++;
  let c = at(p++);
  let matched = false;
  let rangeStart = '';
  for (;;) {
    let normal = false;
    if (c === '\\') {
      if (at(p) === '\0') return { kind: 'fail' };
      c = at(p);
      p++;
      normal = true;
    } else if (c === '[' && at(p) === ':') {
      const startp = p;
      let name = '';
      let fallback = false;
      for (;;) {
        if (name.length === CHAR_CLASS_MAX_LENGTH) return { kind: 'fail' };
        c = at(++p);
        if (c === ':' && at(p + 1) === ']') {
          p += 2;
          break;
        }
        if (c < 'a' || c >= 'z') {
          p = startp;
          c = '[';
          fallback = true;
          break;
        }
        name += c;
      }
      if (fallback) normal = true;
      else {
        const r = classTest(name, ch);
        if (r === undefined) return { kind: 'fail' };
        if (r) {
          matched = true;
          break;
        }
        c = at(p++);
      }
    } else if (c === '\0') {
      return { kind: 'literal' };
    } else if (c === '[' && at(p) === '=') {
      const startp = p;
      c = at(++p);
      if (c === '\0') {
        p = startp;
        c = '[';
        normal = true;
      } else {
        const str = c;
        c = at(++p);
        if (c !== '=' || at(p + 1) !== ']') {
          p = startp;
          c = '[';
          normal = true;
        } else {
          p += 2;
          if (ch === str) {
            matched = true;
            break;
          }
          c = at(p++);
        }
      }
    } else {
      if (c === '[' && at(p) === '.') {
        const startp = p;
        let c1 = 0;
        for (;;) {
          c = at(++p);
          if (c === '.' && at(p + 1) === ']') {
            p += 2;
            break;
          }
          if (c === '\0') return { kind: 'fail' };
          c1++;
        }
        const isRange = at(p) === '-' && at(p + 1) !== '\0';
        if (c1 !== 1) return { kind: 'fail' };
        if (!isRange && ch === g[startp + 1]) {
          matched = true;
          break;
        }
        rangeStart = g[startp + 1];
        c = at(p++);
        const r = range();
        if (r === 'fail') return { kind: 'fail' };
        if (r === 'match') {
          matched = true;
          break;
        }
      } else normal = true;
    }
    if (normal) {
      const isRange = at(p) === '-' && at(p + 1) !== '\0' && at(p + 1) !== ']';
      if (!isRange && c === ch) {
        matched = true;
        break;
      }
      rangeStart = c;
      c = at(p++);
      const r = range();
      if (r === 'fail') return { kind: 'fail' };
      if (r === 'match') {
        matched = true;
        break;
      }
    }
    if (c === ']') break;
  }
  if (!matched) return not ? { kind: 'match', next: p } : { kind: 'nomatch' };
  // Skip the rest of the bracket that already matched.
  for (;;) {
    c = at(p++);
    if (c === '\0') return { kind: 'literal' };
    if (c === '\\') {
      if (at(p) === '\0') return { kind: 'fail' };
      p++;
    } else if (c === '[' && at(p) === ':') {
      let c1 = 0;
      const startp = p;
      let restart = false;
      for (;;) {
        c = at(++p);
        if (++c1 === CHAR_CLASS_MAX_LENGTH) return { kind: 'fail' };
        if (at(p) === ':' && at(p + 1) === ']') break;
        if (c < 'a' || c >= 'z') {
          p = startp;
          restart = true;
          break;
        }
      }
      if (restart) continue;
      p += 2;
      c = at(p - 1);
      continue;
    } else if (c === '[' && at(p) === '=') {
      c = at(++p);
      if (c === '\0') return { kind: 'fail' };
      c = at(++p);
      if (c !== '=' || at(p + 1) !== ']') return { kind: 'fail' };
      p += 2;
      continue;
    } else if (c === '[' && at(p) === '.') {
      for (;;) {
        c = at(++p);
        if (c === '\0') return { kind: 'fail' };
        if (c === '.' && at(p + 1) === ']') break;
      }
      p += 2;
      continue;
    }
    if (c === ']') break;
  }
  return not ? { kind: 'nomatch' } : { kind: 'match', next: p };

  // Range handling after an item: `c` is the char after the item, `rangeStart` the item.
  function range(): 'match' | 'fail' | 'none' {
    if (c === '-' && at(p) !== ']') {
      let cend = at(p++);
      if (cend === '[' && at(p) === '.') {
        const startp = p;
        let c1 = 0;
        for (;;) {
          const d = at(++p);
          if (d === '.' && at(p + 1) === ']') {
            p += 2;
            break;
          }
          if (d === '\0') return 'fail';
          c1++;
        }
        if (c1 !== 1) return 'fail';
        cend = g[startp + 1];
      } else {
        if (cend === '\\') cend = at(p++);
        if (cend === '\0') return 'fail';
      }
      if (rangeStart <= ch && ch <= cend) return 'match';
      c = at(p++);
    }
    return 'none';
  }
}

/** glibc fnmatch(pattern, string, 0) === 0. */
export function fnmatch(glob: string, name: string): boolean {
  const memo = new Map<number, boolean>();
  const width = name.length + 1;
  const run = (pi: number, si: number): boolean => {
    const key = pi * width + si;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const r = step(pi, si);
    memo.set(key, r);
    return r;
  };
  const step = (pi: number, si: number): boolean => {
    while (pi < glob.length) {
      const c = glob[pi++];
      if (c === '?') {
        if (si >= name.length) return false;
        si++;
      } else if (c === '\\') {
        if (pi >= glob.length) return false;
        const e = glob[pi++];
        if (si >= name.length || name[si] !== e) return false;
        si++;
      } else if (c === '*') {
        let d = pi < glob.length ? glob[pi++] : '\0';
        while (d === '?' || d === '*') {
          if (d === '?') {
            if (si >= name.length) return false;
            si++;
          }
          d = pi < glob.length ? glob[pi++] : '\0';
        }
        if (d === '\0') return true;
        pi--;
        const lit = d === '\\' ? (pi + 1 < glob.length ? glob[pi + 1] : '\0') : d;
        for (let n = si; n < name.length; n++) {
          if (d === '[' ? run(pi, n) : name[n] === lit && run(pi, n)) return true;
        }
        return false;
      } else if (c === '[') {
        if (si >= name.length) return false;
        const r = bracket(glob, pi - 1, name[si]);
        if (r.kind === 'literal') {
          if (name[si] !== '[') return false;
          si++;
        } else if (r.kind === 'match') {
          pi = r.next;
          si++;
        } else return false;
      } else {
        if (si >= name.length || name[si] !== c) return false;
        si++;
      }
    }
    return si === name.length;
  };
  return run(0, 0);
}

// ---------------------------------------------------------------------------------------------
// Tri-state matching of a pattern with holes: automata over a finite alphabet of representative
// characters (every ASCII character, every character written in the glob or the pattern, and one
// stand-in for all other characters).

const OTHER_CANDIDATES = ['\u0100', '\u4e2d', '\u0101', '\u2603', '\u00e9'];

interface GlobNfa {
  glob: string;
  /** Transitions of state i on character ch (states are glob indices; glob.length accepts). */
  trans(i: number, ch: string): number[];
  closure(states: Iterable<number>): Set<number>;
  accept: number;
}

function globNfa(glob: string): GlobNfa {
  const cache = new Map<string, number[]>();
  const trans = (i: number, ch: string): number[] => {
    const key = `${i}\u0000${ch}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let out: number[] = [];
    if (i < glob.length) {
      const c = glob[i];
      if (c === '*') out = [i];
      else if (c === '?') out = [i + 1];
      else if (c === '\\') out = i + 1 < glob.length && ch === glob[i + 1] ? [i + 2] : [];
      else if (c === '[') {
        const r = bracket(glob, i, ch);
        if (r.kind === 'match') out = [r.next];
        else if (r.kind === 'literal') out = ch === '[' ? [i + 1] : [];
      } else out = ch === c ? [i + 1] : [];
    }
    cache.set(key, out);
    return out;
  };
  const closure = (states: Iterable<number>): Set<number> => {
    const set = new Set<number>();
    const stack = [...states];
    while (stack.length) {
      const s = stack.pop()!;
      if (set.has(s)) continue;
      set.add(s);
      if (glob[s] === '*') stack.push(s + 1);
    }
    return set;
  };
  return { glob, trans, closure, accept: glob.length };
}

const BUDGET = 50_000;

/**
 * Does every concretisation of `name` match `glob` ('yes'), none ('no'), or some ('maybe')?
 * Exact for known strings; for patterns it may answer 'maybe' when unsure, never a wrong yes/no.
 */
export function matchPattern(glob: string, name: StrPattern): Tri {
  if (name.parts.every((p) => !isHole(p))) return fnmatch(glob, name.parts.join('')) ? 'yes' : 'no';
  // Pattern tokens: single characters and holes.
  const tokens: Array<string | null> = [];
  for (const part of name.parts) {
    if (isHole(part)) tokens.push(null);
    else for (const ch of part) tokens.push(ch);
  }
  const nfa = globNfa(glob);
  // Alphabet: ASCII 1..127, explicit characters, one stand-in for all other characters.
  const explicit = new Set<string>();
  for (let c = 1; c < 128; c++) explicit.add(String.fromCharCode(c));
  for (const ch of glob) explicit.add(ch);
  for (const t of tokens) if (t !== null) explicit.add(t);
  const other = OTHER_CANDIDATES.find((c) => !explicit.has(c)) ?? '\u0102';
  // The stand-in is exact unless some bracket could treat non-ASCII characters differently.
  const otherUncertain = /\[[:=.]/.test(glob) || (glob.includes('[') && /[^\x00-\x7f]/.test(glob));
  const alphabet = [...explicit];
  const tPat = tokens.length;

  // Pattern epsilon-closure: a hole may be empty.
  const pClosure = (j: number): number[] => {
    const out = [j];
    while (j < tPat && tokens[j] === null) out.push(++j);
    return out;
  };
  const stepSet = (set: Set<number>, ch: string, includeOther: boolean): Set<number> => {
    const next: number[] = [];
    for (const s of set) {
      if (ch === other && !includeOther && nfa.glob[s] === '[') continue;
      for (const t of nfa.trans(s, ch)) next.push(t);
    }
    return nfa.closure(next);
  };

  // 'no': is the intersection empty? (Over-approximation for the stand-in.)
  let canMatch = false;
  {
    const seen = new Set<string>();
    const queue: Array<[number, number]> = [];
    const push = (j: number, g: number) => {
      for (const jj of pClosure(j))
        for (const gg of nfa.closure([g])) {
          const k = `${jj},${gg}`;
          if (!seen.has(k)) {
            seen.add(k);
            queue.push([jj, gg]);
          }
        }
    };
    push(0, 0);
    while (queue.length && !canMatch) {
      const [j, g] = queue.shift()!;
      if (j === tPat && g === nfa.accept) {
        canMatch = true;
        break;
      }
      if (j >= tPat) continue;
      const t = tokens[j];
      if (t !== null) for (const g2 of nfa.trans(g, t)) push(j + 1, g2);
      else
        for (const a of alphabet.concat(other)) {
          if (a === other && otherUncertain && nfa.glob[g] === '[') {
            canMatch = true; // cannot rule it out
            break;
          }
          for (const g2 of nfa.trans(g, a)) push(j, g2);
        }
      if (seen.size > BUDGET) return 'maybe';
    }
  }
  if (!canMatch) return 'no';

  // 'yes': is L(pattern) included in L(glob)? Subset construction on the glob side.
  const seen = new Set<string>();
  const queue: Array<[number, Set<number>]> = [];
  const push = (j: number, set: Set<number>) => {
    const key = `${j}|${[...set].sort((x, y) => x - y).join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push([j, set]);
  };
  const start = nfa.closure([0]);
  for (const j of pClosure(0)) push(j, start);
  while (queue.length) {
    const [j, set] = queue.shift()!;
    if (j === tPat && !set.has(nfa.accept)) return 'maybe';
    if (j >= tPat) continue;
    const t = tokens[j];
    if (t !== null) {
      const next = stepSet(set, t, true);
      for (const jj of pClosure(j + 1)) push(jj, next);
    } else {
      for (const a of alphabet.concat(other)) {
        const next = stepSet(set, a, !otherUncertain);
        for (const jj of pClosure(j)) push(jj, next);
      }
    }
    if (seen.size > BUDGET) return 'maybe';
  }
  return 'yes';
}

/** Three-valued logic helpers. */
export function triNot(a: Tri): Tri {
  return a === 'yes' ? 'no' : a === 'no' ? 'yes' : 'maybe';
}
export function triAnd(...xs: Tri[]): Tri {
  return triAll(xs);
}
export function triOr(...xs: Tri[]): Tri {
  return triAny(xs);
}
/** `triAnd` over a list of any length (spreading 130,000 words into arguments overflows the stack). */
export function triAll(xs: readonly Tri[]): Tri {
  if (xs.includes('no')) return 'no';
  return xs.includes('maybe') ? 'maybe' : 'yes';
}
/** `triOr` over a list of any length. */
export function triAny(xs: readonly Tri[]): Tri {
  if (xs.includes('yes')) return 'yes';
  return xs.includes('maybe') ? 'maybe' : 'no';
}
