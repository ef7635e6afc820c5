/**
 * Exclude globs for the workspace scan (gitignore-like, matched against paths relative to a
 * root with `/` separators): `**` spans directories, `*` and `?` stay inside one segment,
 * `[...]` classes (`!` or `^` negates) and `{a,b}` alternatives. A glob without a slash matches
 * at any depth; a glob that matches a directory also matches everything below it.
 *
 * picomatch is the judge of what is a glob: every glob must parse under picomatch with strict
 * brackets and give it a valid regular expression, or it is refused with picomatch's reason.
 * Matching, though, never runs a backtracking regular expression: picomatch compiles
 * `*a*a*a*a*a*a*a*a*b` to lazy quantifiers whose backtracking is exponential in the name's
 * length, and the exclude setting comes from the (possibly untrusted) workspace. Segments are
 * matched with the two-pointer wildcard algorithm (O(glob × name)) and `**` by dynamic
 * programming over segments, so a match costs at most glob length × path length steps.
 */
import picomatch from 'picomatch';

export type PathMatcher = (relativePath: string) => boolean;

/** A glob that picomatch (or our own stricter reading) refuses. */
export class GlobError extends Error {
  constructor(
    readonly glob: string,
    readonly reason: string,
  ) {
    super(`bad glob ${JSON.stringify(glob)}: ${reason}`);
    this.name = 'GlobError';
  }
}

/** Longest glob accepted; also bounds the work a match can cost. */
export const MAX_GLOB_LENGTH = 1024;
/** Most alternatives `{a,b}` may expand to (`{a,b}{c,d}...` grows as a product). */
export const MAX_ALTERNATIVES = 256;

type Atom = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; negated: boolean; ranges: [number, number][] };
type Segment = Atom[] | 'globstar';

/** Compiles every glob; throws GlobError on the first bad one. */
export function compileGlobs(globs: readonly string[]): PathMatcher {
  const compiled = compiledExcludes(globs);
  return (path) => {
    const segments = path.split('/');
    return compiled.some((glob) => matchesSegments(glob, segments, true));
  };
}

/**
 * The exclude globs as the scan asks them, one directory level at a time: a state holds where
 * each glob stands after the segments of a directory's relative path, so an entry costs one
 * test per live glob position against its own name, not a match of its whole path. The scan
 * never enters an excluded directory, so "some leading part of the path matches" (the prefix
 * rule of `compileGlobs`) comes down to "this entry's name completes a glob".
 */
export interface ExcludeWalk {
  /** Where the globs stand in a root directory: nothing consumed. */
  readonly root: WalkState;
  /** Whether the entry `name` of a directory in `state` is excluded (what `compileGlobs` says of its path). */
  excludes(state: WalkState, name: string): boolean;
  /** The state inside the directory `name` of a directory in `state`; only for a name `excludes` let through. */
  enter(state: WalkState, name: string): WalkState;
}

/** Glob positions (glob index, segment index) reached so far; opaque outside this module. */
export interface WalkState {
  readonly excludesAll: boolean;
  /** Positions at a plain segment: [glob, segment, glob, segment, ...]. */
  readonly tests: readonly number[];
  /** Positions at a `**`, which stay where they are whatever the name. */
  readonly globstars: readonly number[];
  /** Every position follows from the `**` ones: a name no test takes leads to this same state. */
  readonly settled: boolean;
}

type NameTest = (name: string) => boolean;

/** Compiles every glob for a walk; throws GlobError on the first bad one, as `compileGlobs` does. */
export function compileExcludeWalk(globs: readonly string[]): ExcludeWalk {
  const compiled = compiledExcludes(globs);
  const tests: (NameTest | null)[][] = compiled.map((glob) => glob.map((segment) => (segment === 'globstar' ? null : nameTest(segment))));
  // From segment i on, only `**` remain: reaching i completes the glob.
  const completes = compiled.map((glob) => {
    const out: boolean[] = new Array(glob.length + 1).fill(true);
    for (let i = glob.length - 1; i >= 0; i--) out[i] = out[i + 1] && glob[i] === 'globstar';
    return out;
  });
  /** Adds (g, i) and every position a run of `**` lets it skip to; true when one completes the glob. */
  const reach = (g: number, i: number, seen: Set<number>, plain: number[], stars: number[]): boolean => {
    const glob = compiled[g];
    for (; i <= glob.length; i++) {
      if (i === glob.length) return true;
      const key = g * (MAX_GLOB_LENGTH + 2) + i;
      if (seen.has(key)) return false;
      seen.add(key);
      if (glob[i] !== 'globstar') {
        plain.push(g, i);
        return false;
      }
      stars.push(g, i);
    }
    return false;
  };
  const fromStars = (stars: readonly number[], seen: Set<number>, plain: number[], into: number[]): boolean => {
    let all = false;
    for (let k = 0; k < stars.length; k += 2) all = reach(stars[k], stars[k + 1], seen, plain, into) || all;
    return all;
  };
  const state = (fill: (seen: Set<number>, plain: number[], stars: number[]) => boolean): WalkState => {
    const plain: number[] = [];
    const stars: number[] = [];
    const all = fill(new Set(), plain, stars);
    if (all) return EXCLUDES_ALL;
    const again = new Set<number>();
    fromStars(stars, again, [], []);
    return { excludesAll: false, tests: plain, globstars: stars, settled: again.size === (plain.length + stars.length) / 2 };
  };
  const taken = (at: WalkState, name: string): boolean => {
    for (let k = 0; k < at.tests.length; k += 2) if (tests[at.tests[k]][at.tests[k + 1]]!(name)) return true;
    return false;
  };
  const root = state((seen, plain, stars) => compiled.map((_, g) => reach(g, 0, seen, plain, stars)).some(Boolean));
  return {
    root,
    excludes(at, name) {
      if (at.excludesAll) return true;
      const positions = at.tests;
      for (let k = 0; k < positions.length; k += 2) {
        const g = positions[k];
        const i = positions[k + 1];
        if (completes[g][i + 1] && tests[g][i]!(name)) return true;
      }
      return false;
    },
    enter(at, name) {
      if (at.excludesAll) return at;
      if (at.settled && !taken(at, name)) return at;
      return state((seen, plain, stars) => {
        let all = fromStars(at.globstars, seen, plain, stars);
        for (let k = 0; k < at.tests.length; k += 2) {
          const g = at.tests[k];
          const i = at.tests[k + 1];
          if (tests[g][i]!(name)) all = reach(g, i + 1, seen, plain, stars) || all;
        }
        return all;
      });
    },
  };
}

const EXCLUDES_ALL: WalkState = { excludesAll: true, tests: [], globstars: [], settled: true };

/**
 * One segment's test, with the shapes exclude lists are made of answered by string compares:
 * a literal name (`.git`), a literal with one star (`result*`, `*.nix`), a lone star.
 */
function nameTest(atoms: Atom[]): NameTest {
  const stars = atoms.filter((a) => a.kind === 'star').length;
  const literal = atoms.every((a) => a.kind === 'char' || a.kind === 'star');
  if (!literal || stars > 1) return (name) => matchesSegment(atoms, name);
  const star = atoms.findIndex((a) => a.kind === 'star');
  const text = (part: Atom[]) => part.map((a) => (a as { char: string }).char).join('');
  if (star === -1) {
    const whole = text(atoms);
    return (name) => name === whole;
  }
  const head = text(atoms.slice(0, star));
  const tail = text(atoms.slice(star + 1));
  const least = head.length + tail.length;
  // Both ends are whole code points, so a long enough name keeps them apart and the star takes the rest.
  return (name) => name.length >= least && name.startsWith(head) && name.endsWith(tail);
}

function compiledExcludes(globs: readonly string[]): Segment[][] {
  // `dir/**` excludes what is inside `dir`, not a file named `dir`: the last `**` stands for
  // one segment, and the prefix rule covers the rest.
  return globs
    .filter((g) => g.trim() !== '')
    .flatMap(compileGlob)
    .map((g) => (g[g.length - 1] === 'globstar' ? [...g.slice(0, -1), [{ kind: 'star' } as Atom]] : g));
}

/** Why a glob is refused, or null when it is fine. */
export function globProblem(glob: string): string | null {
  try {
    compileGlob(glob);
    return null;
  } catch (error) {
    if (error instanceof GlobError) return error.reason;
    throw error;
  }
}

/** Whether `glob` matches exactly `path` (no directory prefix rule): for tests against picomatch. */
export function globMatchesExactly(glob: string, path: string): boolean {
  return compileGlob(glob).some((g) => matchesSegments(g, path.split('/'), false));
}

/**
 * Names, dots, dashes, slashes and stars only: nothing picomatch could refuse (no bracket, brace
 * or paren to balance, no escape; a test holds it to that), so such globs (the default excludes)
 * skip its parse, which costs a warm CLI run more than the whole exclude matching.
 */
const PLAIN_GLOB = /^[\w.\-/*]*$/;

function compileGlob(raw: string): Segment[][] {
  if (raw.length > MAX_GLOB_LENGTH) throw new GlobError(raw, `longer than ${MAX_GLOB_LENGTH} characters`);
  // picomatch gives these a meaning our matcher does not: refused rather than matched differently.
  if (/[!@*+?]\(/.test(raw)) throw new GlobError(raw, 'extended globs such as @(a|b) are not supported');
  if (raw.trim().startsWith('!')) throw new GlobError(raw, 'negated globs (!…) are not supported: list only what to exclude');
  let g = raw.trim().replace(/\\/g, '/');
  // `./x` is anchored at the root; a bare `x` matches at any depth.
  if (g.startsWith('./')) g = g.slice(2);
  else if (!g.includes('/')) g = `**/${g}`;
  if (g.endsWith('/')) g += '**';
  // Our own reading first (its messages name the glob's own text), then picomatch's verdict.
  const compiled = expandBraces(raw, g).map((alternative) => alternative.split('/').map((s) => parseSegment(raw, s)));
  if (PLAIN_GLOB.test(g)) return compiled;
  try {
    // The typings list only maxLength, but parse takes every picomatch option.
    const options: picomatch.PicomatchOptions = { strictBrackets: true, dot: true, maxLength: MAX_GLOB_LENGTH * 2 };
    const state = picomatch.parse(g, options as { maxLength?: number });
    // picomatch returns a never-matching regex for a source it cannot compile; compile it ourselves to hear why.
    new RegExp(state.output);
  } catch (error) {
    throw new GlobError(raw, error instanceof Error ? error.message : String(error));
  }
  return compiled;
}

/** `{a,b}` alternatives, expanded: `x{a,b}y` → `xay`, `xby` (nested too), at most MAX_ALTERNATIVES. */
function expandBraces(raw: string, glob: string): string[] {
  let done: string[] = [];
  const todo = [glob];
  while (todo.length > 0) {
    const g = todo.pop()!;
    const open = firstBrace(g);
    if (open === -1) {
      done.push(g);
      if (done.length > MAX_ALTERNATIVES) throw new GlobError(raw, `expands to more than ${MAX_ALTERNATIVES} alternatives`);
      continue;
    }
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let i = open; i < g.length && close === -1; i++) {
      if (g[i] === '[') i = classEnd(g, i);
      else if (g[i] === '{') depth++;
      else if (g[i] === '}' && --depth === 0) close = i;
      else if (g[i] === ',' && depth === 1) commas.push(i);
    }
    if (close === -1) throw new GlobError(raw, 'unclosed {');
    const cuts = [open, ...commas, close];
    const head = g.slice(0, open);
    const tail = g.slice(close + 1);
    // A brace with no comma is literal text, as in bash and picomatch.
    if (commas.length === 0) {
      todo.push(head + '\u0001' + g.slice(open + 1, close) + '\u0002' + tail);
      continue;
    }
    for (let k = cuts.length - 2; k >= 0; k--) todo.push(head + g.slice(cuts[k] + 1, cuts[k + 1]) + tail);
    if (todo.length + done.length > MAX_ALTERNATIVES * 4) throw new GlobError(raw, `expands to more than ${MAX_ALTERNATIVES} alternatives`);
  }
  done = done.map((d) => d.replace(/\u0001/g, '{').replace(/\u0002/g, '}'));
  return [...new Set(done)];
}

function firstBrace(g: string): number {
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '[') i = classEnd(g, i);
    else if (g[i] === '{') return i;
  }
  return -1;
}

/** Index of the `]` closing the class opened at `open` (a `]` right after `[`, `[!` or `[^` is literal); `open` when unclosed. */
function classEnd(g: string, open: number): number {
  let i = open + 1;
  if (g[i] === '!' || g[i] === '^') i++;
  if (g[i] === ']') i++;
  const close = g.indexOf(']', i);
  return close === -1 ? open : close;
}

function parseSegment(raw: string, text: string): Segment {
  if (text === '**') return 'globstar';
  const atoms: Atom[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '*') {
      // `a**b` inside a segment is just a star; consecutive stars are one.
      while (text[i + 1] === '*') i++;
      if (atoms[atoms.length - 1]?.kind !== 'star') atoms.push({ kind: 'star' });
    } else if (c === '?') {
      atoms.push({ kind: 'any' });
    } else if (c === '[') {
      const close = classEnd(text, i);
      if (close === i) throw new GlobError(raw, 'unclosed [');
      atoms.push(parseClass(raw, text.slice(i + 1, close)));
      i = close;
    } else {
      const code = text.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      atoms.push({ kind: 'char', char });
      i += char.length - 1;
    }
  }
  return atoms;
}

function parseClass(raw: string, body: string): Atom {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = [...(negated ? body.slice(1) : body)];
  const ranges: [number, number][] = [];
  for (let k = 0; k < chars.length; k++) {
    const from = chars[k].codePointAt(0)!;
    if (chars[k + 1] === '-' && k + 2 < chars.length) {
      const to = chars[k + 2].codePointAt(0)!;
      if (to < from) throw new GlobError(raw, `range out of order in [${body}]`);
      ranges.push([from, to]);
      k += 2;
    } else ranges.push([from, from]);
  }
  return { kind: 'class', negated, ranges };
}

function atomMatches(atom: Atom, char: string): boolean {
  if (atom.kind === 'any') return true;
  if (atom.kind === 'char') return atom.char === char;
  if (atom.kind === 'class') {
    const code = char.codePointAt(0)!;
    const inside = atom.ranges.some(([from, to]) => code >= from && code <= to);
    return inside !== atom.negated;
  }
  return false;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Two-pointer wildcard match of one segment: every star retried at most once per name position. */
function matchesSegment(atoms: Atom[], name: string): boolean {
  // Indexing the string is indexing its code points unless it holds a surrogate pair.
  const chars: ArrayLike<string> = SURROGATE.test(name) ? [...name] : name;
  let a = 0;
  let c = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (c < chars.length) {
    const atom = atoms[a];
    if (atom !== undefined && atom.kind !== 'star' && atomMatches(atom, chars[c])) {
      a++;
      c++;
    } else if (atom?.kind === 'star') {
      starAt = a++;
      resumeAt = c;
    } else if (starAt !== -1) {
      a = starAt + 1;
      c = ++resumeAt;
    } else return false;
  }
  while (atoms[a]?.kind === 'star') a++;
  return a === atoms.length;
}

/**
 * Whether the glob's segments match the path's, `**` standing for any number of segments.
 * With `prefix`, matching a leading part of the path is enough (a matched directory covers
 * what is below it). Bottom-up over (glob segment, path segment): no recursion, no blow-up.
 */
function matchesSegments(glob: Segment[], path: string[], prefix: boolean): boolean {
  const width = path.length + 1;
  const table = new Uint8Array((glob.length + 1) * width);
  for (let p = 0; p <= path.length; p++) table[glob.length * width + p] = prefix || p === path.length ? 1 : 0;
  for (let g = glob.length - 1; g >= 0; g--) {
    const segment = glob[g];
    for (let p = path.length; p >= 0; p--) {
      let ok: boolean;
      if (segment === 'globstar') ok = table[(g + 1) * width + p] === 1 || (p < path.length && table[g * width + p + 1] === 1);
      else ok = p < path.length && table[(g + 1) * width + p + 1] === 1 && matchesSegment(segment, path[p]);
      table[g * width + p] = ok ? 1 : 0;
    }
  }
  return table[0] === 1;
}
