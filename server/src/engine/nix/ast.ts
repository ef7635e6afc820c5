/**
 * Our own compact Nix AST, converted from a tree-sitter tree so the (WASM-allocated) tree can be
 * deleted immediately. Every node has `start`/`end`: UTF-16 code-unit offsets into the file text
 * (web-tree-sitter 0.25 already reports JS-string offsets, see parser.ts).
 *
 * Strings are stored already unescaped, indented strings already stripped of their indentation,
 * as a list of literal text and interpolated expressions. Where the grammar reads Nix differently
 * from Nix (astRepairs.ts), the AST is what Nix's parser builds.
 *
 * The conversion is iterative (a TreeCursor walk with an explicit stack), so any nesting depth
 * works. Grammar errors never fail: ERROR / MISSING nodes become `{ kind: 'error' }` nodes (or
 * are skipped) and are counted in `syntaxErrors`.
 */
import type { Tree, TreeCursor } from 'web-tree-sitter';
import { LineIndex, type Range } from '../text';
import {
  isGrammarGap,
  isOrVariable,
  withOrApplied,
  pathTokensOfStretch,
  regroupChain,
  remapOffsets,
  updateOperatorsInPath,
  homePathsInPath,
  withSpacesInserted,
  blanked,
  type ChainOperator,
  type OperatorChain,
} from './astRepairs';
import { doubleQuotedParts, indentedParts, mergedParts, sameParts, unescapeNixString, type StringSegment } from './astStrings';
import { rawCursorApi, type NixParser, type RawCursorApi } from './parser';
import { shiftedValue, subtreeAddress, type ReuseTable } from './astReuse';

interface Span {
  start: number;
  end: number;
}

/** An attribute name in a binding, select, `?` or `inherit`: static, or computed. */
export interface AttrKey extends Span {
  /** The static name (`a`, `"a b"`, `"${"x"}"` folded) when known at parse time. */
  name?: string;
  /** The expression for `${e}` / `"...${e}..."` keys. */
  expr?: NixNode;
}

export interface AstAttrBinding extends Span {
  kind: 'bind';
  path: AttrKey[];
  value: NixNode;
}

export interface AstInherit extends Span {
  kind: 'inherit';
  /** `inherit (from) a b;` */
  from?: NixNode;
  names: AttrKey[];
}

export type AstBinding = AstAttrBinding | AstInherit;

export interface AstFormal extends Span {
  name: string;
  default?: NixNode;
}

/** Literal text or an interpolated expression. */
export type StrNodePart = string | NixNode;

export type NixNode = Span &
  (
    | { kind: 'var'; name: string }
    | { kind: 'int'; value: number }
    | { kind: 'float'; value: number }
    | {
        kind: 'str';
        parts: StrNodePart[];
        /**
         * The parts one per token of Nix's lexer, empty ones included, when that differs from
         * `parts` (indented strings with escapes): Nix keeps them apart, so `${…}` keys made of
         * them are dynamic and `nix-instantiate --parse` prints them apart.
         */
        pieces?: StrNodePart[];
      }
    /** `./a/${b}.nix`, `/abs`, `~/x`: text with interpolations, relative to the file. */
    | { kind: 'path'; parts: StrNodePart[]; pieces?: StrNodePart[] }
    /** `<nixpkgs>` */
    | { kind: 'spath'; name: string }
    | { kind: 'uri'; value: string }
    | { kind: 'list'; items: NixNode[] }
    | { kind: 'attrs'; rec: boolean; bindings: AstBinding[] }
    | { kind: 'let'; bindings: AstBinding[]; body: NixNode }
    | {
        kind: 'fn';
        /** `x: ...` or the `@` name of a formals function. */
        param?: string;
        formals?: AstFormal[];
        ellipsis: boolean;
        body: NixNode;
      }
    | { kind: 'apply'; fn: NixNode; arg: NixNode }
    | { kind: 'select'; expr: NixNode; path: AttrKey[]; default?: NixNode }
    | { kind: 'has'; expr: NixNode; path: AttrKey[] }
    | { kind: 'binop'; op: BinaryOp; left: NixNode; right: NixNode }
    | { kind: 'not'; expr: NixNode }
    | { kind: 'neg'; expr: NixNode }
    | { kind: 'if'; cond: NixNode; then: NixNode; else: NixNode }
    | { kind: 'with'; env: NixNode; body: NixNode }
    | { kind: 'assert'; cond: NixNode; body: NixNode }
    | { kind: 'error' }
  );

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '++' | '//' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '->';

export type NodeOf<K extends NixNode['kind']> = Extract<NixNode, { kind: K }>;

export interface ParsedNixFile {
  file: string;
  text: string;
  lines: LineIndex;
  root: NixNode;
  syntaxErrors: number;
  errorRanges: Range[];
  /** Why the file could not be read as Nix at all (parse over budget). */
  problem?: string;
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** A converted child: the tree-sitter type, its field name in the parent, and our value. */
interface Kid {
  type: string;
  field: string | null;
  named: boolean;
  start: number;
  end: number;
  /** NixNode for expressions; helper objects for auxiliary nodes; undefined for tokens. */
  val: unknown;
}

interface Frame {
  type: string;
  field: string | null;
  named: boolean;
  start: number;
  end: number;
  kids: Kid[];
  /** Whether `build` (or `isGrammarGap`) looks at this node's anonymous tokens: see READS_TOKENS. */
  readsTokens: boolean;
  /** Incremental conversion (astReuse.ts): the subtree's address, 0 when it is not recorded. */
  address: number;
  typeId: number;
  /** What the conversion had collected when the frame began (see `collected`). */
  mark: number;
  /** The subtree holds an ERROR or MISSING node, whose reading depends on the ancestors. */
  tainted: boolean;
}

/**
 * The nodes whose anonymous tokens (punctuation, keywords, operators) are read: string
 * delimiters, the operator of a binary or unary expression, the commas of formals and the
 * token count of a formal or an inherit (`isGrammarGap`). Other nodes' tokens are not kept.
 */
const READS_TOKENS = new Set(['string_expression', 'indented_string_expression', 'binary_expression', 'unary_expression', 'formals', 'formal', 'inherited_attrs']);

const BINOPS = new Set(['+', '-', '*', '/', '++', '//', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '->']);

function errorNode(start: number, end: number): NixNode {
  return { kind: 'error', start, end };
}

function isNode(v: unknown): v is NixNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'start' in v;
}

/** What one conversion collects besides the tree: pipe chains, paths to break, syntax errors. */
interface Conversion {
  text: string;
  chains: Map<NixNode, OperatorChain>;
  /** Offsets before which a space makes tree-sitter end a path where Nix does (astRepairs.ts). */
  pathBreaks: number[];
  /** Start and end offsets of block comments the grammar let a path run through. */
  pathComments: number[];
  /** Start and end offsets of each syntax error. */
  errorSpans: number[];
}

/** Literal stretches between the interpolations of a string or path, from `from` to `to`. */
function segmentsOf(kids: Kid[], from: number, to: number): StringSegment[] {
  const out: StringSegment[] = [];
  let at = from;
  for (const k of kids) {
    if (k.type !== 'interpolation') continue;
    out.push({ from: at, to: k.start }, isNode(k.val) ? k.val : errorNode(k.start, k.end));
    at = k.end;
  }
  out.push({ from: at, to: Math.max(at, to) });
  return out;
}

/**
 * Where a string's content ends: before its closing delimiter (whose position is known when it
 * was read, i.e. `''` or a MISSING one; else it ends the node), or at the node's end.
 */
function contentEnd(kids: Kid[], delimiter: string, end: number): number {
  let count = 0;
  let last: Kid | undefined;
  for (const k of kids) {
    if (k.type === delimiter && !k.named) {
      count++;
      last = k;
    }
  }
  if (count < 2 || !last) return end;
  return last.start >= 0 ? last.start : end - delimiter.length;
}

function withPieces<T extends { parts: StrNodePart[] }>(node: T, pieces: StrNodePart[]): T & { pieces?: StrNodePart[] } {
  return sameParts(node.parts, pieces) ? node : { ...node, pieces };
}

/** A whole path token to Nix, with nothing in it for the repairs: the common case. */
const PLAIN_PATH = /^(?:~|[a-zA-Z0-9._\-+]*)(?:\/[a-zA-Z0-9._\-+]+)+$/;

function pathNode(kids: Kid[], start: number, end: number, cx: Conversion): NixNode {
  if (kids.length === 1) {
    const text = cx.text.slice(start, end);
    if (PLAIN_PATH.test(text)) return { kind: 'path', start, end, parts: [text] };
  }
  const segments = segmentsOf(kids, start, end);
  const pieces: StrNodePart[] = [];
  segments.forEach((s, i) => {
    if ('kind' in s) {
      pieces.push(s);
      return;
    }
    const stretch = cx.text.slice(s.from, s.to);
    if (stretch !== '') pieces.push(...pathTokensOfStretch(stretch, i === 0));
    if (i === 0) for (const at of updateOperatorsInPath(stretch)) cx.pathBreaks.push(s.from + at, s.from + at + 2);
    for (const at of homePathsInPath(stretch, i === 0)) cx.pathBreaks.push(s.from + at);
  });
  return withPieces<NodeOf<'path'>>({ kind: 'path', start, end, parts: mergedParts(pieces) }, pieces);
}

/** `->`, or a pipe given to the grammar as `->` (parser.ts): regrouped as Nix groups them. */
function implicationOrPipe(kids: Kid[], operator: Kid, start: number, end: number, cx: Conversion): NixNode {
  const chainOf = (field: string): OperatorChain => {
    const k = fieldKid(kids, field);
    const node = k && isNode(k.val) ? k.val : errorNode(k?.start ?? start, k?.end ?? end);
    return (k?.type === 'binary_expression' && cx.chains.get(node)) || { operands: [node], operators: [] };
  };
  const left = chainOf('left');
  const right = chainOf('right');
  const written = cx.text.slice(operator.start, operator.start + 2) as ChainOperator;
  const chain: OperatorChain = {
    operands: [...left.operands, ...right.operands],
    operators: [...left.operators, written === '|>' || written === '<|' ? written : '->', ...right.operators],
  };
  let node: NixNode | undefined;
  if (chain.operators.every((o) => o === '->')) {
    node = { kind: 'binop', start, end, op: '->', left: fieldNode(kids, 'left', start, end), right: fieldNode(kids, 'right', start, end) };
  } else {
    node = regroupChain(chain);
    if (node) {
      node.start = start;
      node.end = end;
    } else {
      // `a |> f <| b`: Nix has no reading for it either.
      cx.errorSpans.push(start, end);
      node = errorNode(start, end);
    }
  }
  cx.chains.set(node, chain);
  return node;
}

function fieldKid(kids: Kid[], field: string): Kid | undefined {
  for (const k of kids) if (k.field === field) return k;
  return undefined;
}

function fieldNode(kids: Kid[], field: string, start: number, end: number): NixNode {
  const k = fieldKid(kids, field);
  return k && isNode(k.val) ? k.val : errorNode(k?.start ?? start, k?.end ?? end);
}

function attrKeyOf(k: Kid): AttrKey {
  const v = k.val;
  if (k.type === 'identifier') return { start: k.start, end: k.end, name: v as string };
  if (isNode(v)) {
    // A key is static when Nix reads it as one string token (`"a"`, `${"a"}`), else dynamic.
    if (v.kind === 'str' && !v.pieces) {
      if (v.parts.length === 0) return { start: k.start, end: k.end, name: '' };
      if (v.parts.length === 1 && typeof v.parts[0] === 'string') return { start: k.start, end: k.end, name: v.parts[0] };
      return { start: k.start, end: k.end, expr: v };
    }
    return { start: k.start, end: k.end, expr: v };
  }
  return { start: k.start, end: k.end, expr: errorNode(k.start, k.end) };
}

function attrPath(kids: Kid[]): AttrKey[] {
  const out: AttrKey[] = [];
  for (const k of kids) if (k.field === 'attr') out.push(attrKeyOf(k));
  return out;
}

function bindingsOf(kids: Kid[]): AstBinding[] {
  for (const k of kids) if (k.type === 'binding_set') return (k.val as AstBinding[]) ?? [];
  return [];
}

/** Builds the value of a finished tree-sitter node from its converted children. */
function build(f: Frame, cx: Conversion): unknown {
  const { start, end, kids } = f;
  const text = cx.text;
  switch (f.type) {
    case 'source_code': {
      const e = fieldKid(kids, 'expression');
      if (e && isNode(e.val)) return e.val;
      for (const k of kids) if (isNode(k.val)) return k.val;
      return errorNode(start, end);
    }
    case 'identifier':
      return text.slice(start, end);
    case 'variable_expression': {
      const n = fieldKid(kids, 'name');
      if (!n || typeof n.val !== 'string' || n.val === '') return errorNode(start, end);
      return { kind: 'var', start, end, name: n.val };
    }
    case 'integer_expression': {
      const v = Number(text.slice(start, end));
      return { kind: 'int', start, end, value: Number.isFinite(v) ? v : 0 };
    }
    case 'float_expression': {
      const v = Number(text.slice(start, end));
      return { kind: 'float', start, end, value: Number.isFinite(v) ? v : 0 };
    }
    case 'string_expression': {
      const to = contentEnd(kids, '"', end);
      if (!kids.some((k) => k.type === 'interpolation')) {
        // One literal token, or none (the common case, without building segments).
        return { kind: 'str', start, end, parts: to > start + 1 ? [unescapeNixString(text.slice(start + 1, to))] : [] };
      }
      return { kind: 'str', start, end, parts: doubleQuotedParts(text, segmentsOf(kids, start + 1, to)) };
    }
    case 'indented_string_expression': {
      const pieces = indentedParts(text, segmentsOf(kids, start + 2, contentEnd(kids, "''", end)));
      return withPieces<NodeOf<'str'>>({ kind: 'str', start, end, parts: mergedParts(pieces) }, pieces);
    }
    case 'interpolation':
      return fieldNode(kids, 'expression', start, end);
    case 'path_expression':
    case 'hpath_expression':
      return pathNode(kids, start, end, cx);
    case 'spath_expression':
      return { kind: 'spath', start, end, name: text.slice(start + 1, end - 1) };
    case 'uri_expression':
      return { kind: 'uri', start, end, value: text.slice(start, end) };
    case 'list_expression': {
      const items: NixNode[] = [];
      for (const k of kids) {
        if (k.field !== 'element' || !isNode(k.val)) continue;
        const previous = items[items.length - 1];
        // `[ a or ]` is `[ (a or) ]` to Nix, as in an application.
        if (previous && isOrVariable(k.val)) items[items.length - 1] = withOrApplied(text, previous, k.val);
        else items.push(k.val);
      }
      return { kind: 'list', start, end, items };
    }
    case 'attrset_expression':
      return { kind: 'attrs', start, end, rec: false, bindings: bindingsOf(kids) };
    case 'rec_attrset_expression':
      return { kind: 'attrs', start, end, rec: true, bindings: bindingsOf(kids) };
    case 'let_attrset_expression': {
      // Legacy `let { body = ...; }`: a rec set whose `body` is the value.
      const attrs: NixNode = { kind: 'attrs', start, end, rec: true, bindings: bindingsOf(kids) };
      return { kind: 'select', start, end, expr: attrs, path: [{ start, end, name: 'body' }] };
    }
    case 'binding_set': {
      const out: AstBinding[] = [];
      for (const k of kids) if (k.field === 'binding' && k.val) out.push(k.val as AstBinding);
      return out;
    }
    case 'binding': {
      const ap = fieldKid(kids, 'attrpath');
      const path = ap ? (ap.val as AttrKey[]) : [];
      if (path.length === 0) return undefined;
      return { kind: 'bind', start, end, path, value: fieldNode(kids, 'expression', start, end) } satisfies AstAttrBinding;
    }
    case 'inherit':
    case 'inherit_from': {
      const attrs = fieldKid(kids, 'attrs');
      const names = attrs ? (attrs.val as AttrKey[]) : [];
      const fromKid = fieldKid(kids, 'expression');
      const from = fromKid && isNode(fromKid.val) ? fromKid.val : undefined;
      return { kind: 'inherit', start, end, from: f.type === 'inherit_from' ? from ?? errorNode(start, end) : undefined, names } satisfies AstInherit;
    }
    case 'attrpath':
      return attrPath(kids);
    case 'inherited_attrs':
      // `inherit;`: the grammar's MISSING name is no name.
      return attrPath(kids).filter((k) => k.end > k.start);
    case 'let_expression':
      return { kind: 'let', start, end, bindings: bindingsOf(kids), body: fieldNode(kids, 'body', start, end) };
    case 'function_expression': {
      const u = fieldKid(kids, 'universal');
      const fk = fieldKid(kids, 'formals');
      const formals = fk ? (fk.val as { formals: AstFormal[]; ellipsis: boolean }) : undefined;
      const param = u && typeof u.val === 'string' && u.val !== '' ? u.val : undefined;
      return {
        kind: 'fn',
        start,
        end,
        param,
        formals: formals?.formals,
        ellipsis: formals?.ellipsis ?? false,
        body: fieldNode(kids, 'body', start, end),
      };
    }
    case 'formals': {
      const list: AstFormal[] = [];
      let ellipsis = false;
      for (const k of kids) {
        if (k.field === 'formal' && k.val) list.push(k.val as AstFormal);
        else if (k.type === 'ellipses') ellipsis = true;
      }
      return { formals: list, ellipsis };
    }
    case 'formal': {
      const n = fieldKid(kids, 'name');
      if (!n || typeof n.val !== 'string' || n.val === '') return undefined; // `{ a, }` MISSING identifier
      const d = fieldKid(kids, 'default');
      return { start, end, name: n.val, default: d && isNode(d.val) ? d.val : undefined } satisfies AstFormal;
    }
    case 'apply_expression': {
      const fnKid = fieldKid(kids, 'function');
      const fn = fieldNode(kids, 'function', start, end);
      const arg = fieldNode(kids, 'argument', start, end);
      if (fnKid?.type === 'apply_expression' && fn.kind === 'apply' && isOrVariable(arg)) {
        // Nix reads `x or` as `x` applied to a variable `or` at select level: `f a or` is `f (a or)`.
        return { kind: 'apply', start, end, fn: fn.fn, arg: withOrApplied(text, fn.arg, arg) };
      }
      return isOrVariable(arg) && fnKid?.type !== 'parenthesized_expression' ? withOrApplied(text, fn, arg) : { kind: 'apply', start, end, fn, arg };
    }
    case 'select_expression': {
      const ap = fieldKid(kids, 'attrpath');
      const d = fieldKid(kids, 'default');
      return {
        kind: 'select',
        start,
        end,
        expr: fieldNode(kids, 'expression', start, end),
        path: ap ? (ap.val as AttrKey[]) : [],
        default: d && isNode(d.val) ? d.val : undefined,
      };
    }
    case 'has_attr_expression': {
      const ap = fieldKid(kids, 'attrpath');
      return { kind: 'has', start, end, expr: fieldNode(kids, 'expression', start, end), path: ap ? (ap.val as AttrKey[]) : [] };
    }
    case 'binary_expression': {
      const op = kids.find((k) => !k.named && BINOPS.has(k.type));
      if (!op || kids.some((k) => k.type === 'ERROR')) return errorNode(start, end);
      if (op.type === '->') return implicationOrPipe(kids, op, start, end, cx);
      return {
        kind: 'binop',
        start,
        end,
        op: op.type as BinaryOp,
        left: fieldNode(kids, 'left', start, end),
        right: fieldNode(kids, 'right', start, end),
      };
    }
    case 'unary_expression': {
      const arg = fieldNode(kids, 'argument', start, end);
      return { kind: kids.some((k) => !k.named && k.type === '-') ? 'neg' : 'not', start, end, expr: arg };
    }
    case 'parenthesized_expression':
      return fieldNode(kids, 'expression', start, end);
    case 'if_expression':
      return {
        kind: 'if',
        start,
        end,
        cond: fieldNode(kids, 'condition', start, end),
        then: fieldNode(kids, 'consequence', start, end),
        else: fieldNode(kids, 'alternative', start, end),
      };
    case 'with_expression':
      return { kind: 'with', start, end, env: fieldNode(kids, 'environment', start, end), body: fieldNode(kids, 'body', start, end) };
    case 'assert_expression':
      return { kind: 'assert', start, end, cond: fieldNode(kids, 'condition', start, end), body: fieldNode(kids, 'body', start, end) };
    case 'ERROR':
      return errorNode(start, end);
    default:
      return f.named ? errorNode(start, end) : undefined;
  }
}

/** The cursor operations the conversion needs (raw runtime calls, or the public TreeCursor). */
interface Nav {
  typeId(): number;
  start(): number;
  end(): number;
  fieldId(): number;
  missing(): boolean;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
}

type CursorWords = { [i: number]: number };

/**
 * A cursor walk that keeps the cursor in the runtime's transfer buffer (see `rawCursorApi`):
 * every step is one direct WASM call. `done()` copies the final state back into `cursor` so the
 * public object stays consistent for `delete()`.
 */
function rawNav(tree: Tree, cursor: TreeCursor): (Nav & { done(): void; address(length: number): number }) | undefined {
  const api = rawCursorApi();
  const treePtr = (tree as unknown as CursorWords)[0];
  if (!api || typeof treePtr !== 'number' || treePtr === 0) return undefined;
  const words = cursor as unknown as CursorWords;
  const base = api.transferBuffer >> 2;
  const heap = api.HEAP32;
  for (let i = 0; i < 4; i++) heap[base + i] = words[i];
  const { typeId, startIndex, endIndex, fieldId, isMissing, firstChild, nextSibling, parent } = api;
  return {
    typeId: () => typeId(treePtr),
    start: () => startIndex(treePtr),
    end: () => endIndex(treePtr),
    fieldId: () => fieldId(treePtr),
    missing: () => isMissing(treePtr) === 1,
    firstChild: () => firstChild(treePtr) === 1,
    nextSibling: () => nextSibling(treePtr) === 1,
    parent: () => parent(treePtr) === 1,
    address: (length: number) => subtreeAddress(api as RawCursorApi, treePtr, length),
    done: () => {
      const h = api.HEAP32;
      for (let i = 0; i < 4; i++) words[i] = h[base + i];
    },
  };
}

function publicNav(cursor: TreeCursor): Nav {
  return {
    typeId: () => cursor.nodeTypeId,
    start: () => cursor.startIndex,
    end: () => cursor.endIndex,
    fieldId: () => cursor.currentFieldId,
    missing: () => cursor.nodeIsMissing,
    firstChild: () => cursor.gotoFirstChild(),
    nextSibling: () => cursor.gotoNextSibling(),
    parent: () => cursor.gotoParent(),
  };
}

interface Converted {
  root: NixNode;
  pathBreaks: number[];
  pathComments: number[];
  errorSpans: number[];
  /** Values of this tree's subtrees for the next incremental conversion (when asked for). */
  table?: ReuseTable;
  /** How many subtrees were taken from the previous conversion instead of walked. */
  reused: number;
}

/** Grows whenever the conversion collects anything beyond the tree (a subtree that does is not reused). */
function collected(cx: Conversion): number {
  return cx.pathBreaks.length + cx.pathComments.length + cx.errorSpans.length + cx.chains.size;
}

/**
 * One walk over the tree: our AST, and what the repairs need to know. With `reuse`, subtrees
 * converted for the previous tree are taken from `reuse.previous`, and the values of this tree's
 * subtrees are recorded for the next conversion (astReuse.ts).
 */
function convert(text: string, tree: Tree, publicApi: boolean, reuse?: { previous?: ReuseTable }): Converted {
  const cx: Conversion = { text, chains: new Map(), pathBreaks: [], pathComments: [], errorSpans: [] };
  // MISSING nodes count as errors: a tree without any has none, and tokens need no check. (Read
  // before the walk: the runtime answers through the buffer a raw walk keeps its cursor in.)
  const mayMiss = tree.rootNode.hasError;
  const cursor = tree.walk();
  const raw = publicApi ? undefined : rawNav(tree, cursor);
  const nav: Nav = raw ?? publicNav(cursor);
  const table: ReuseTable | undefined = reuse && raw ? new Map() : undefined;
  const previous = table ? reuse?.previous : undefined;
  let reused = 0;
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const namedById: boolean[] = [];
  const stack: Frame[] = [];
  let result: unknown;
  try {
    // Iterative depth-first walk. Anonymous tokens (punctuation, keywords, operators) are leaves:
    // they get no frame and only their type is read (fewer WASM calls), except `''` (where an
    // indented string's text starts and ends) and `->` (where a pipe may stand, see parser.ts).
    const enter = (): boolean => {
      const typeId = nav.typeId();
      const type = types[typeId] || 'ERROR';
      let named = namedById[typeId];
      if (named === undefined) named = namedById[typeId] = language.nodeTypeIsNamed(typeId);
      const parent = stack[stack.length - 1];
      if (!named && type !== 'ERROR' && parent) {
        const missing = mayMiss && nav.missing();
        if (type === "''" || type === '->' || missing) {
          const start = nav.start();
          const end = nav.end();
          if (start === end && missing) cx.errorSpans.push(start, end);
          if (parent.readsTokens) parent.kids.push({ type, field: null, named, start, end, val: undefined });
        } else if (parent.readsTokens) {
          parent.kids.push({ type, field: null, named, start: -1, end: -1, val: undefined });
        }
        return false;
      }
      const start = nav.start();
      const end = nav.end();
      let tainted = false;
      if (type === 'ERROR' || (start === end && nav.missing())) {
        tainted = true;
        if (!isGrammarGap({ type, start, end, missing: type !== 'ERROR' }, stack, text)) cx.errorSpans.push(start, end);
      }
      const fieldId = nav.fieldId();
      const field = fieldId ? fields[fieldId] ?? null : null;
      const address = table && !tainted && parent && type !== 'comment' ? raw!.address(end - start) : 0;
      if (address !== 0 && previous) {
        const known = previous.get(address);
        if (known && known.typeId === typeId && known.length === end - start) {
          const val = shiftedValue(known.val, start - known.start);
          table!.set(address, { typeId, start, length: end - start, val });
          parent.kids.push({ type, field, named, start, end, val });
          reused++;
          return false;
        }
      }
      stack.push({ type, field, named, start, end, kids: [], readsTokens: READS_TOKENS.has(type), address, typeId, mark: table ? collected(cx) : 0, tainted });
      return true;
    };
    const leave = (): void => {
      const f = stack.pop()!;
      const parent = stack[stack.length - 1];
      if (f.type === 'comment') {
        // `./a /* c */++`: the grammar goes on with the path after the comment, Nix does not.
        if (parent?.type === 'path_expression' || parent?.type === 'hpath_expression') cx.pathComments.push(f.start, f.end);
        if (f.tainted && parent) parent.tainted = true;
        return;
      }
      const val = f.type === 'ERROR' && stack.length > 0 ? errorNode(f.start, f.end) : build(f, cx);
      if (table) {
        const tainted = f.tainted || collected(cx) !== f.mark;
        if (tainted && parent) parent.tainted = true;
        if (!tainted && f.address !== 0) table.set(f.address, { typeId: f.typeId, start: f.start, length: f.end - f.start, val });
      }
      if (parent) parent.kids.push({ type: f.type, field: f.field, named: f.named, start: f.start, end: f.end, val });
      else result = val;
    };
    let isFrame = enter();
    outer: for (;;) {
      if (isFrame && nav.firstChild()) {
        isFrame = enter();
        continue;
      }
      if (isFrame) leave();
      for (;;) {
        if (stack.length === 0) break outer;
        if (nav.nextSibling()) {
          isFrame = enter();
          break;
        }
        if (!nav.parent()) {
          while (stack.length) leave();
          break outer;
        }
        leave();
      }
    }
  } finally {
    raw?.done();
    cursor.delete();
  }
  const root = isNode(result) ? result : errorNode(0, text.length);
  return { root, pathBreaks: cx.pathBreaks, pathComments: cx.pathComments, errorSpans: cx.errorSpans, table, reused };
}

function parsedFile(file: string, text: string, converted: Converted): ParsedNixFile {
  const lines = new LineIndex(text);
  const errorRanges: Range[] = [];
  const spans = converted.errorSpans;
  for (let i = 0; i < spans.length; i += 2) errorRanges.push(lines.rangeAt(spans[i], spans[i + 1]));
  return { file, text, lines, root: converted.root, syntaxErrors: errorRanges.length, errorRanges };
}

/**
 * Converts a tree-sitter tree of `text` to our AST; the caller deletes the tree afterwards. Where
 * the grammar read a path further than Nix does (`a//b` as one path, a path going on after a
 * block comment), `text` is parsed again with spaces around each `//` and those comments blanked
 * (a second tree, deleted here) and offsets are mapped back, so the AST is what Nix reads.
 */
export function toAst(parser: NixParser, file: string, text: string, tree: Tree, opts: { publicApi?: boolean } = {}): ParsedNixFile {
  return convertFile(parser, file, text, tree, opts.publicApi === true).parsed;
}

/** An AST, and what converting the next tree of the same buffer can take from this one. */
export interface IncrementalAst {
  parsed: ParsedNixFile;
  /** Undefined when nothing can be carried over (repaired paths, an aborted parse). */
  table?: ReuseTable;
  /** How many subtrees came from `previous` instead of a walk of the tree. */
  reused: number;
}

/**
 * `toAst` for a buffer that is edited: `tree` is an incremental re-parse of the tree `previous`
 * was returned for (still alive: tree-sitter's reused subtrees are recognised by address), and
 * whatever tree-sitter reused is taken from `previous`, moved to its new offsets (astReuse.ts).
 * The result is the AST `toAst` builds, node for node.
 */
export function toAstIncremental(parser: NixParser, file: string, text: string, tree: Tree, previous?: ReuseTable): IncrementalAst {
  return convertFile(parser, file, text, tree, false, { previous });
}

function convertFile(parser: NixParser, file: string, text: string, tree: Tree, publicApi: boolean, reuse?: { previous?: ReuseTable }): IncrementalAst {
  let converted = convert(text, tree, publicApi, reuse);
  const { table, reused } = converted;
  let current = text;
  let toOriginal: ((offset: number) => number) | undefined;
  const aborted = parser.lastParseAborted;
  // A repair can uncover another (`./a /* c *///b`: the comment, then `//`); a few rounds suffice.
  for (let round = 0; round < 3 && converted.pathBreaks.length + converted.pathComments.length > 0; round++) {
    const spaced = withSpacesInserted(blanked(current, converted.pathComments), [...new Set(converted.pathBreaks)].sort((a, b) => a - b));
    const reparsed = parser.parse(spaced.text);
    try {
      if (parser.lastParseAborted) break;
      converted = convert(spaced.text, reparsed, publicApi);
    } finally {
      reparsed.delete();
      parser.lastParseAborted = aborted;
    }
    const before = toOriginal;
    toOriginal = before ? (o: number) => before(spaced.original(o)) : spaced.original;
    current = spaced.text;
  }
  if (toOriginal) {
    remapOffsets(converted.root, toOriginal);
    converted.errorSpans = converted.errorSpans.map(toOriginal);
  }
  // A repaired AST is not this tree's: its values are not recorded (the next edit converts anew).
  const keep = converted.table === table && !parser.lastParseAborted;
  return { parsed: parsedFile(file, text, converted), table: keep ? table : undefined, reused };
}

/** Parses, converts and frees the tree. */
export function parseNixFile(parser: NixParser, file: string, text: string): ParsedNixFile {
  const tree = parser.parse(text);
  try {
    return withParseProblem(toAst(parser, file, text, tree), parser);
  } finally {
    tree.delete();
  }
}

/** Marks a file whose parse ran out of its budget (the tree is empty): said, not guessed. */
export function withParseProblem(parsed: ParsedNixFile, parser: NixParser): ParsedNixFile {
  if (!parser.lastParseAborted) return parsed;
  return { ...parsed, problem: 'parsing took longer than its budget (tree-sitter-nix is superlinear on this text): not analysed' };
}
