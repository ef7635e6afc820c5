/**
 * Structural editing of Nix source through our AST (nix/ast.ts, UTF-16 offsets): finding the
 * binding or node at a location, the module function and its formals, names in scope, and
 * inserting an attribute path into an attrset while following the file's style. Every helper
 * returns offset edits; nothing is re-printed, so text outside the edits stays byte-identical.
 */
import type { AstAttrBinding, NixNode, NodeOf, ParsedNixFile } from '../nix/ast';
import { eolOf, indentUnitOf, lineEndOf, lineIndentAt, nixKey, startsLine, type OffsetEdit } from './edits';

export interface Step {
  node: NixNode;
  /** The binding of the parent attrset / let through which this node was reached. */
  via?: AstAttrBinding;
}

function kids(n: NixNode): Step[] {
  switch (n.kind) {
    case 'list':
      return n.items.map((node) => ({ node }));
    case 'attrs':
    case 'let': {
      const out: Step[] = [];
      for (const b of n.bindings) {
        if (b.kind === 'bind') out.push({ node: b.value, via: b });
        else if (b.from) out.push({ node: b.from });
      }
      if (n.kind === 'let') out.push({ node: n.body });
      return out;
    }
    case 'fn':
      return [...(n.formals ?? []).flatMap((f) => (f.default ? [{ node: f.default }] : [])), { node: n.body }];
    case 'apply':
      return [{ node: n.fn }, { node: n.arg }];
    case 'select':
      return [{ node: n.expr }, ...(n.default ? [{ node: n.default }] : [])];
    case 'has':
    case 'not':
    case 'neg':
      return [{ node: n.expr }];
    case 'binop':
      return [{ node: n.left }, { node: n.right }];
    case 'if':
      return [{ node: n.cond }, { node: n.then }, { node: n.else }];
    case 'with':
      return [{ node: n.env }, { node: n.body }];
    case 'assert':
      return [{ node: n.cond }, { node: n.body }];
    case 'str':
    case 'path':
      return n.parts.flatMap((p) => (typeof p === 'string' ? [] : [{ node: p }]));
    default:
      return [];
  }
}

/** The chain of nodes from the root down to the smallest node covering [start, end]. */
export function chainAt(root: NixNode, start: number, end: number): Step[] {
  const steps: Step[] = [{ node: root }];
  for (;;) {
    const cur = steps[steps.length - 1].node;
    const next = kids(cur).find((k) => k.node.start <= start && end <= k.node.end && !(k.node.start === cur.start && k.node.end === cur.end && k.node === cur));
    if (!next) return steps;
    steps.push(next);
  }
}

/** The node exactly at [start, end] (or the smallest covering it) with its chain. */
export function nodeAt(root: NixNode, start: number, end: number): Step[] {
  return chainAt(root, start, end);
}

/** The binding whose attribute path contains `offset`, with the chain down to its attrset. */
export function bindingAtKey(root: NixNode, offset: number): { steps: Step[]; binding: AstAttrBinding; keyIndex: number } | null {
  const steps = chainAt(root, offset, offset);
  for (let i = steps.length - 1; i >= 0; i--) {
    const n = steps[i].node;
    if (n.kind !== 'attrs' && n.kind !== 'let') continue;
    for (const b of n.bindings) {
      if (b.kind !== 'bind' || b.path.length === 0) continue;
      const k = b.path.findIndex((key) => key.start <= offset && offset <= key.end);
      if (k >= 0) return { steps: steps.slice(0, i + 1), binding: b, keyIndex: k };
    }
  }
  return null;
}

/** Static names of a binding's path, or null when a key is computed. */
export function staticPath(b: AstAttrBinding): string[] | null {
  const out: string[] = [];
  for (const key of b.path) {
    if (key.name === undefined) return null;
    out.push(key.name);
  }
  return out;
}

/** The module's top attrset: the file's expression behind formals, `let` and `with`. */
export function moduleBody(parsed: ParsedNixFile): { fn: NodeOf<'fn'> | null; attrs: NodeOf<'attrs'> } | null {
  let n: NixNode = parsed.root;
  let fn: NodeOf<'fn'> | null = null;
  for (let guard = 0; guard < 8; guard++) {
    if (n.kind === 'fn' && fn === null && n.formals !== undefined) {
      fn = n;
      n = n.body;
    } else if (n.kind === 'let') n = n.body;
    else if (n.kind === 'with') n = n.body;
    else if (n.kind === 'assert') n = n.body;
    else break;
  }
  return n.kind === 'attrs' ? { fn, attrs: n } : null;
}

/** Whether `name` is bound lexically around the last node of the chain. */
export function inScope(steps: Step[], name: string): boolean {
  for (let i = 0; i < steps.length - 1; i++) {
    const n = steps[i].node;
    const inner = steps[i + 1].node;
    if (n.kind === 'fn' && inner === n.body) {
      if (n.param === name || n.formals?.some((f) => f.name === name)) return true;
    } else if (n.kind === 'let' || (n.kind === 'attrs' && n.rec)) {
      for (const b of n.bindings) {
        if (b.kind === 'bind' && b.path[0]?.name === name) return true;
        if (b.kind === 'inherit' && b.names.some((k) => k.name === name)) return true;
      }
    }
  }
  return false;
}

/** The innermost `{ ... }:` function around the last node of the chain (the module function). */
export function enclosingModuleFn(steps: Step[]): NodeOf<'fn'> | null {
  for (let i = steps.length - 2; i >= 0; i--) {
    const n = steps[i].node;
    if (n.kind === 'fn' && n.formals !== undefined && steps[i + 1].node === n.body) return n;
  }
  return null;
}

/**
 * Edits making `names` available around the chain's last node: nothing when they are already in
 * scope, else an insertion into the innermost module function's formals. Null when there is no
 * such function (a plain attrset module): the caller must use a form that needs no arguments.
 */
export function ensureNames(parsed: ParsedNixFile, steps: Step[], names: readonly string[]): OffsetEdit[] | null {
  const missing = names.filter((n) => !inScope(steps, n));
  if (missing.length === 0) return [];
  const fn = enclosingModuleFn(steps);
  if (!fn) return null;
  return [addFormals(parsed, fn, missing)];
}

export function addFormals(parsed: ParsedNixFile, fn: NodeOf<'fn'>, names: readonly string[]): OffsetEdit {
  const text = parsed.text;
  const eol = eolOf(text);
  const open = text.indexOf('{', fn.start);
  const formals = fn.formals ?? [];
  if (formals.length > 0) {
    const last = formals[formals.length - 1];
    const multiLine = text.slice(open, last.start).includes('\n');
    const sep = multiLine ? ',' + eol + lineIndentAt(text, last.start) : ', ';
    return { start: last.end, end: last.end, newText: names.map((n) => sep + n).join('') };
  }
  // `{ ... }:` or `{ }:`
  const close = matchingBrace(text, open);
  const dots = text.slice(open, close).indexOf('...');
  if (dots >= 0) {
    const at = open + dots;
    const multiLine = text.slice(open, at).includes('\n');
    const sep = multiLine ? ',' + eol + lineIndentAt(text, at) : ', ';
    return { start: at, end: at, newText: names.map((n) => n + sep).join('') };
  }
  return { start: open + 1, end: open + 1, newText: ' ' + names.join(', ') + (text[open + 1] === ' ' ? '' : ' ') };
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

// ---------------------------------------------------------------------------------------------
// Inserting bindings

/** How inserted text is laid out in one file. */
export interface Layout {
  eol: string;
  unit: string;
}

export function layoutOf(text: string): Layout {
  return { eol: eolOf(text), unit: indentUnitOf(text) };
}

/**
 * A value to insert: `nl` is a line break followed by the binding's own indentation, `unit` one
 * indentation step. Single-line values ignore both.
 */
export type ValueText = (nl: string, unit: string) => string;

export type InsertResult = { edit: OffsetEdit; path: string[] } | { conflict: string };

/**
 * Inserts `path = value;` into `attrs`, descending into an existing literal attrset binding for a
 * prefix of the path (`systemd.network = { ... }` receives `networks."x" = ...`). Refuses (a
 * conflict) when the path or a prefix of it is already defined otherwise, since Nix rejects a
 * second definition of the same attribute in one attrset.
 */
export function insertPath(
  parsed: ParsedNixFile,
  attrs: NodeOf<'attrs'>,
  path: readonly string[],
  value: ValueText,
  opts: { after?: AstAttrBinding } = {},
): InsertResult {
  let target = attrs;
  let rest = [...path];
  let after = opts.after;
  for (let guard = 0; guard < 16; guard++) {
    let descended = false;
    for (const b of target.bindings) {
      if (b.kind === 'inherit') {
        if (b.names.some((k) => k.name === rest[0])) return { conflict: `\`${rest[0]}\` is inherited here` };
        continue;
      }
      const keys = staticPath(b);
      if (!keys) continue;
      const common = commonPrefix(keys, rest);
      if (common === 0) continue;
      if (common === keys.length && common === rest.length) return { conflict: `\`${rest.join('.')}\` is already defined here` };
      if (common === rest.length) return { conflict: `\`${keys.join('.')}\` is already defined under \`${rest.join('.')}\`` };
      if (common === keys.length) {
        if (b.value.kind === 'attrs' && !b.value.rec) {
          target = b.value;
          rest = rest.slice(common);
          after = undefined;
          descended = true;
          break;
        }
        return { conflict: `\`${keys.join('.')}\` is already defined here` };
      }
    }
    if (!descended) break;
  }
  const anchor = after && target.bindings.includes(after) ? after : bestAnchor(target, rest);
  const edit = insertBindingText(parsed, target, anchor, `${rest.map(nixKey).join('.')} = `, value);
  return { edit, path: rest };
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The last binding sharing the longest prefix with `path`, else the last binding. */
function bestAnchor(attrs: NodeOf<'attrs'>, path: readonly string[]): AstAttrBinding | undefined {
  let best: AstAttrBinding | undefined;
  let bestLen = -1;
  for (const b of attrs.bindings) {
    if (b.kind !== 'bind') continue;
    const keys = staticPath(b) ?? [];
    const len = commonPrefix(keys, path);
    if (len >= bestLen) {
      best = b;
      bestLen = len;
    }
  }
  return best;
}

/** Inserts `<head><value>;` after `anchor` (or into the empty attrset), on its own line when the set spans lines. */
export function insertBindingText(
  parsed: ParsedNixFile,
  attrs: NodeOf<'attrs'>,
  anchor: AstAttrBinding | { start: number; end: number } | undefined,
  head: string,
  value: ValueText,
): OffsetEdit {
  const text = parsed.text;
  const { eol, unit } = layoutOf(text);
  const last = anchor ?? lastBinding(attrs);
  if (last) {
    const rest = text.slice(last.end, lineEndOf(text, last.end));
    const ownLine = startsLine(text, last.start) && /^\s*(#.*)?$/.test(rest);
    if (ownLine) {
      const indent = lineIndentAt(text, last.start);
      const nl = eol + indent;
      return { start: lineEndOf(text, last.end), end: lineEndOf(text, last.end), newText: nl + head + value(nl, unit) + ';' };
    }
    const nl = eol + lineIndentAt(text, last.start);
    return { start: last.end, end: last.end, newText: ' ' + head + value(nl, unit) + ';' };
  }
  // Empty attrset.
  const open = attrs.start + (text[attrs.start] === 'r' ? text.indexOf('{', attrs.start) - attrs.start : 0);
  const inner = text.slice(open + 1, attrs.end - 1);
  if (inner.includes('\n') || inner.includes('\r')) {
    const indent = lineIndentAt(text, open) + unit;
    const nl = eol + indent;
    return { start: open + 1, end: open + 1, newText: nl + head + value(nl, unit) + ';' };
  }
  const nl = eol + lineIndentAt(text, open);
  return { start: open + 1, end: open + 1, newText: ' ' + head + value(nl, unit) + ';' + (inner.startsWith(' ') ? '' : ' ') };
}

function lastBinding(attrs: NodeOf<'attrs'>): { start: number; end: number } | undefined {
  return attrs.bindings[attrs.bindings.length - 1];
}

/** A Nix attrset value `{ k = v; ... }` laid out over lines. */
export function attrsValue(entries: readonly [string, string][]): ValueText {
  return (nl, unit) => `{${entries.map(([k, v]) => `${nl}${unit}${k} = ${v};`).join('')}${nl}}`;
}

/** A Nix indented string `'' ... ''` holding `lines` (already Nix-escaped for `''` strings). */
export function indentedString(lines: readonly string[] | ((unit: string) => string[])): ValueText {
  return (nl, unit) => {
    const body = typeof lines === 'function' ? lines(unit) : lines;
    return `''${body.map((l) => (l === '' ? nl.replace(/[ \t]+$/, '') : nl + unit + l)).join('')}${nl}''`;
  };
}

/** Appends an item to a non-empty list literal, on its own line when the items are one per line. */
export function appendToList(parsed: ParsedNixFile, list: NodeOf<'list'>, item: string): OffsetEdit | null {
  const text = parsed.text;
  const last = list.items[list.items.length - 1];
  if (!last) {
    const inner = text.slice(list.start + 1, list.end - 1);
    if (inner.trim() !== '') return null;
    return { start: list.start + 1, end: list.end - 1, newText: ` ${item} ` };
  }
  const multiLine = list.items.length > 1 ? startsLine(text, last.start) : startsLine(text, last.start) && text.slice(list.start, last.start).includes('\n');
  if (multiLine) return { start: last.end, end: last.end, newText: eolOf(text) + lineIndentAt(text, last.start) + item };
  return { start: last.end, end: last.end, newText: ' ' + item };
}

/** The value bound to exactly `path` inside `attrs` (through dotted paths and nested literal sets). */
export function findPath(attrs: NodeOf<'attrs'>, path: readonly string[]): { binding: AstAttrBinding; parent: NodeOf<'attrs'> } | null {
  for (const b of attrs.bindings) {
    if (b.kind !== 'bind') continue;
    const keys = staticPath(b);
    if (!keys) continue;
    const n = commonPrefix(keys, path);
    if (n !== keys.length) continue;
    if (n === path.length) return { binding: b, parent: attrs };
    if (b.value.kind === 'attrs') {
      const inner = findPath(b.value, path.slice(n));
      if (inner) return inner;
    }
  }
  return null;
}

/** Whether something in `attrs` defines `path` or below it. */
export function definesPath(attrs: NodeOf<'attrs'>, path: readonly string[]): boolean {
  for (const b of attrs.bindings) {
    if (b.kind !== 'bind') continue;
    const keys = staticPath(b);
    if (!keys) continue;
    const n = commonPrefix(keys, path);
    if (n === path.length) return true;
    if (n === keys.length && b.value.kind === 'attrs' && definesPath(b.value, path.slice(n))) return true;
  }
  return false;
}
