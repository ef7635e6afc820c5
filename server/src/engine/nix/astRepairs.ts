/**
 * Where the tree-sitter-nix build we ship reads Nix differently from Nix itself, without an ERROR
 * node to show it. Each repair here makes the AST what Nix's own parser builds (checked against
 * `nix-instantiate --parse` by test/unit/nix/parse/differential.test.ts); README "Parser
 * choice" lists them. Same-length text substitutions live in parser.ts (`forLexer`).
 */
import type { NixNode } from './ast';

const PATH_CHAR = /[a-zA-Z0-9._\-+]/;

/** Index of the first non-blank, non-comment character at or after `from`. */
function nextCodeChar(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (text[i] === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/**
 * A node tree-sitter marks as an error where Nix reads valid text: a trailing comma in formals
 * (`{ a, b, }:`, as alejandra writes; a MISSING identifier after it, or an ERROR around it when
 * the formal before has a default or is the only one), and `inherit;` / `inherit (x);` (an
 * inherit of no names: a MISSING identifier).
 */
export function isGrammarGap(
  node: { type: string; start: number; end: number; missing: boolean },
  ancestors: { type: string; kids: { type: string }[] }[],
  text: string,
): boolean {
  const parent = ancestors[ancestors.length - 1];
  if (node.type === 'ERROR') {
    return parent?.type === 'formals' && text.slice(node.start, node.end).trim() === ',' && text[nextCodeChar(text, node.end)] === '}';
  }
  if (!node.missing || node.type !== 'identifier') return false;
  if (parent?.type === 'formal') {
    const formals = ancestors[ancestors.length - 2];
    return parent.kids.length === 0 && formals?.kids[formals.kids.length - 1]?.type === ',' && text[nextCodeChar(text, node.start)] === '}';
  }
  return parent?.type === 'inherited_attrs' && parent.kids.length === 0 && text[nextCodeChar(text, node.start)] === ';';
}

/**
 * The offsets of a path token at which Nix's lexer sees an update operator `//` instead (the
 * grammar's path rule accepts `a//b`): each `//` after a run of path characters without `/`
 * (`x.y//z`, `a//b//c`, `(a)//b`); `a/b//c` is a path with a trailing slash to Nix (rejected).
 */
export function updateOperatorsInPath(token: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if (c !== '/') {
      // After `//`, anything but a path character starts another token for Nix (`//git+ssh:…`).
      if (PATH_CHAR.test(c)) continue;
      return at;
    }
    // A single `/`: from here on Nix reads a path.
    if (token[i + 1] !== '/') return at;
    at.push(i);
    i++;
  }
  return at;
}

/** Where a home path `~/` right after a path's text starts a new one for Nix: `a/b~/${x}`. */
export function homePathsInPath(stretch: string, first: boolean): number[] {
  const at = stretch.indexOf('~/', first ? 1 : 0);
  return at >= 0 && /^[a-zA-Z0-9._\-+/]*$/.test(stretch.slice(0, at)) ? [at] : [];
}

/** Text with the given [start, end) ranges (flat pairs) replaced by as many spaces. */
export function blanked(text: string, ranges: number[]): string {
  let out = text;
  for (let i = 0; i < ranges.length; i += 2) out = out.slice(0, ranges[i]) + ' '.repeat(ranges[i + 1] - ranges[i]) + out.slice(ranges[i + 1]);
  return out;
}

/** Text with a space inserted before each offset (ascending), and the way back to the original offsets. */
export function withSpacesInserted(text: string, offsets: number[]): { text: string; original(offset: number): number } {
  let out = '';
  let last = 0;
  for (const o of offsets) {
    out += text.slice(last, o) + ' ';
    last = o;
  }
  out += text.slice(last);
  // The k-th inserted space sits at offsets[k] + k in the new text.
  const inserted = offsets.map((o, k) => o + k);
  return {
    text: out,
    original(offset: number): number {
      let lo = 0;
      let hi = inserted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (inserted[mid] < offset) lo = mid + 1;
        else hi = mid;
      }
      return offset - lo;
    },
  };
}

/** Rewrites every `start` / `end` of an AST (nodes, keys, bindings, formals) through `map`. */
export function remapOffsets(root: NixNode, map: (offset: number) => number): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null || seen.has(x)) continue;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const item of x) stack.push(item);
      continue;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.start === 'number') o.start = map(o.start);
    if (typeof o.end === 'number') o.end = map(o.end);
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
}

export function isOrVariable(node: NixNode): boolean {
  return node.kind === 'var' && node.name === 'or';
}

/**
 * `x or` is `x` applied to a variable `or`, at selection level in Nix (`f a or` is `f (a or)`;
 * the grammar applies it last). After `a.b or d` (no parentheses) the `or` goes to the default
 * `d`, and so on down a chain of defaults.
 */
export function withOrApplied(text: string, node: NixNode, or: NixNode): NixNode {
  const parenthesized = text[nextCodeChar(text, node.end)] === ')';
  if (!parenthesized && node.kind === 'select' && node.default) {
    return { ...node, end: or.end, default: withOrApplied(text, node.default, or) };
  }
  return { kind: 'apply', start: node.start, end: or.end, fn: node, arg: or };
}

export type ChainOperator = '->' | '|>' | '<|';

/**
 * A run of `->`, `|>` and `<|` without parentheses. The grammar has no pipe operators, so
 * parser.ts hands them to it as `->` (same length, same place: the lowest binary precedence);
 * the chain is then regrouped as Nix does: `|>` (left-associative) and `<|` (right-associative)
 * bind more loosely than `->`, and cannot be mixed without parentheses.
 */
export interface OperatorChain {
  operands: NixNode[];
  operators: ChainOperator[];
}

/** The chain's expression; undefined when `|>` and `<|` are mixed (a syntax error in Nix). */
export function regroupChain(chain: OperatorChain): NixNode | undefined {
  const groups: NixNode[][] = [[chain.operands[0]]];
  const pipes: ChainOperator[] = [];
  chain.operators.forEach((op, i) => {
    if (op === '->') groups[groups.length - 1].push(chain.operands[i + 1]);
    else {
      pipes.push(op);
      groups.push([chain.operands[i + 1]]);
    }
  });
  const implications = groups.map((g) => {
    let right = g[g.length - 1];
    for (let i = g.length - 2; i >= 0; i--) right = { kind: 'binop', op: '->', start: g[i].start, end: right.end, left: g[i], right };
    return right;
  });
  if (pipes.length === 0) return implications[0];
  if (pipes.every((p) => p === '|>')) {
    let acc = implications[0];
    for (const fn of implications.slice(1)) acc = { kind: 'apply', start: acc.start, end: fn.end, fn, arg: acc };
    return acc;
  }
  if (pipes.every((p) => p === '<|')) {
    let acc = implications[implications.length - 1];
    for (let i = implications.length - 2; i >= 0; i--) {
      const fn = implications[i];
      acc = { kind: 'apply', start: fn.start, end: acc.end, fn, arg: acc };
    }
    return acc;
  }
  return undefined;
}

/**
 * Nix's tokens of the literal text of a path, between interpolations: the path itself first
 * (`./a/`, `~/`, `a/b`), then pieces of `{PATH}|{PATH_SEG}|{PATH_CHAR}+`, longest match first.
 */
export function pathTokensOfStretch(stretch: string, first: boolean): string[] {
  const out: string[] = [];
  let i = 0;
  if (first) {
    const home = /^~(\/[a-zA-Z0-9._\-+]+)+\/?/.exec(stretch);
    const path = home ?? /^[a-zA-Z0-9._\-+]*(\/[a-zA-Z0-9._\-+]+)+\/?/.exec(stretch);
    i = path ? path[0].length : stretch.indexOf('/') + 1;
    if (i <= 0) i = stretch.length;
    out.push(stretch.slice(0, i));
  }
  while (i < stretch.length) {
    let j = i;
    while (j < stretch.length && PATH_CHAR.test(stretch[j])) j++;
    // {PATH}: one or more `/segment`, then an optional trailing `/`.
    let k = j;
    let segments = 0;
    while (stretch[k] === '/') {
      let m = k + 1;
      while (m < stretch.length && PATH_CHAR.test(stretch[m])) m++;
      if (m === k + 1) break;
      segments++;
      k = m;
    }
    if (segments > 0 && stretch[k] === '/') k++;
    let end = segments > 0 ? k : j;
    // {PATH_SEG}: path characters and one `/`.
    if (stretch[j] === '/' && j + 1 > end) end = j + 1;
    if (end === i) end = i + 1;
    out.push(stretch.slice(i, end));
    i = end;
  }
  return out;
}
