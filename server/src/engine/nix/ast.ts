/**
 * Our own compact Nix AST, converted from a tree-sitter tree so the (WASM-allocated) tree can be
 * deleted immediately. Every node has `start`/`end`: UTF-16 code-unit offsets into the file text
 * (web-tree-sitter 0.25 already reports JS-string offsets, see parser.ts).
 *
 * Strings are stored already unescaped, indented strings already stripped of their indentation,
 * as a list of literal text and interpolated expressions.
 *
 * The conversion is iterative (a TreeCursor walk with an explicit stack), so any nesting depth
 * works. Grammar errors never fail: ERROR / MISSING nodes become `{ kind: 'error' }` nodes (or
 * are skipped) and are counted in `syntaxErrors`.
 */
import type { Tree, TreeCursor } from 'web-tree-sitter';
import { LineIndex, type Range } from '../text';
import { rawCursorApi, type NixParser } from './parser';

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
    | { kind: 'str'; parts: StrNodePart[] }
    /** `./a/${b}.nix`, `/abs`, `~/x`: text with interpolations, relative to the file. */
    | { kind: 'path'; parts: StrNodePart[] }
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
  | '+' | '-' | '*' | '/' | '++' | '//' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '->' | '|>' | '<|';

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
}

/** Internal string part markers produced while converting string children. */
interface RawText {
  raw: string;
  /** False for escapes (`\n`, `''$`): they end start-of-line indentation in indented strings. */
  indent: boolean;
}

const BINOPS = new Set(['+', '-', '*', '/', '++', '//', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '->', '|>', '<|']);

function errorNode(start: number, end: number): NixNode {
  return { kind: 'error', start, end };
}

function isNode(v: unknown): v is NixNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'start' in v && !('indent' in v);
}

function fieldKid(kids: Kid[], field: string): Kid | undefined {
  for (const k of kids) if (k.field === field) return k;
  return undefined;
}

function fieldNode(kids: Kid[], field: string, start: number, end: number): NixNode {
  const k = fieldKid(kids, field);
  return k && isNode(k.val) ? k.val : errorNode(k?.start ?? start, k?.end ?? end);
}

function unescapeDouble(seq: string): string {
  // seq is `\x`
  const c = seq.slice(1);
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    default:
      return c;
  }
}

function unescapeIndented(seq: string): string {
  // `'''` -> `''`, `''$` -> `$`, `''\x` -> escaped x
  if (seq === "'''") return "''";
  if (seq === "''$") return '$';
  if (seq.startsWith("''\\")) return unescapeDouble(seq.slice(2));
  return seq;
}

/** Collects string children into parts (RawText or interpolated NixNode). */
function stringParts(kids: Kid[], text: string, indented: boolean): (RawText | NixNode)[] {
  const out: (RawText | NixNode)[] = [];
  for (const k of kids) {
    switch (k.type) {
      case 'string_fragment':
      case 'path_fragment':
        out.push({ raw: text.slice(k.start, k.end), indent: true });
        break;
      case 'dollar_escape':
        // The node covers only `''` / `\`; the escaped `$` follows as a fragment.
        out.push({ raw: '', indent: false });
        break;
      case 'escape_sequence': {
        const seq = text.slice(k.start, k.end);
        out.push({ raw: indented ? unescapeIndented(seq) : unescapeDouble(seq), indent: false });
        break;
      }
      case 'interpolation':
        out.push(isNode(k.val) ? k.val : errorNode(k.start, k.end));
        break;
      default:
        break; // quotes, MISSING tokens, comments
    }
  }
  return out;
}

function finishParts(parts: (RawText | NixNode)[]): StrNodePart[] {
  const out: StrNodePart[] = [];
  for (const p of parts) {
    if ('indent' in p) {
      if (p.raw === '') continue;
      const last = out[out.length - 1];
      if (typeof last === 'string') out[out.length - 1] = last + p.raw;
      else out.push(p.raw);
    } else out.push(p);
  }
  return out;
}

/** Nix's indentation stripping for `'' ... ''` strings. */
function stripIndentation(partsIn: (RawText | NixNode)[], openEnd: number, firstStart: number | undefined): StrNodePart[] {
  const parts = partsIn.slice();
  // The lexer swallows `''` followed by spaces and a newline (a whitespace-only first line).
  if (parts.length > 0 && firstStart === openEnd) {
    const first = parts[0];
    if ('indent' in first && first.indent) {
      const m = /^ *\n/.exec(first.raw);
      if (m) parts[0] = { raw: first.raw.slice(m[0].length), indent: true };
    }
  }
  let atStart = true;
  let minIndent = Infinity;
  let cur = 0;
  for (const p of parts) {
    if (!('indent' in p) || !p.indent) {
      if (atStart) {
        atStart = false;
        if (cur < minIndent) minIndent = cur;
      }
      continue;
    }
    const s = p.raw;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (atStart) {
        if (c === 32) cur++;
        else if (c === 10) cur = 0;
        else {
          atStart = false;
          if (cur < minIndent) minIndent = cur;
        }
      } else if (c === 10) {
        atStart = true;
        cur = 0;
      }
    }
  }
  if (minIndent === Infinity) minIndent = 0;
  const out: (RawText | NixNode)[] = [];
  atStart = true;
  let dropped = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!('indent' in p) || !p.indent) {
      atStart = false;
      dropped = 0;
      out.push(p);
      continue;
    }
    let s2 = '';
    const s = p.raw;
    for (let j = 0; j < s.length; j++) {
      const ch = s[j];
      if (atStart) {
        if (ch === ' ') {
          if (dropped++ >= minIndent) s2 += ch;
        } else if (ch === '\n') {
          dropped = 0;
          s2 += ch;
        } else {
          atStart = false;
          dropped = 0;
          s2 += ch;
        }
      } else {
        s2 += ch;
        if (ch === '\n') atStart = true;
      }
    }
    if (i === parts.length - 1) {
      // Drop a last line made only of spaces.
      const nl = s2.lastIndexOf('\n');
      if (nl >= 0 && /^ *$/.test(s2.slice(nl + 1))) s2 = s2.slice(0, nl + 1);
    }
    out.push({ raw: s2, indent: true });
  }
  return finishParts(out);
}

function attrKeyOf(k: Kid): AttrKey {
  const v = k.val;
  if (k.type === 'identifier') return { start: k.start, end: k.end, name: v as string };
  if (isNode(v)) {
    if (v.kind === 'str') {
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
function build(f: Frame, text: string): unknown {
  const { start, end, kids } = f;
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
    case 'string_expression':
      return { kind: 'str', start, end, parts: finishParts(stringParts(kids, text, false)) };
    case 'indented_string_expression': {
      const open = kids.find((k) => !k.named && k.type === "''");
      const firstContent = kids.find((k) => k.named || k.type !== "''");
      const parts = stringParts(kids, text, true);
      return {
        kind: 'str',
        start,
        end,
        parts: stripIndentation(parts, open ? open.end : start + 2, firstContent && firstContent.type !== "''" ? firstContent.start : undefined),
      };
    }
    case 'interpolation':
      return fieldNode(kids, 'expression', start, end);
    case 'path_expression':
    case 'hpath_expression':
      return { kind: 'path', start, end, parts: finishParts(stringParts(kids, text, false)) };
    case 'spath_expression':
      return { kind: 'spath', start, end, name: text.slice(start + 1, end - 1) };
    case 'uri_expression':
      return { kind: 'uri', start, end, value: text.slice(start, end) };
    case 'list_expression': {
      const items: NixNode[] = [];
      for (const k of kids) if (k.field === 'element' && isNode(k.val)) items.push(k.val);
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
    case 'inherited_attrs':
      return attrPath(kids);
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
    case 'apply_expression':
      return { kind: 'apply', start, end, fn: fieldNode(kids, 'function', start, end), arg: fieldNode(kids, 'argument', start, end) };
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
      const opText = op ? op.type : '';
      if (!BINOPS.has(opText) || kids.some((k) => k.type === 'ERROR')) {
        // `|>` is not in this grammar: it shows up as `|` ... ERROR `>`; treat as unknown.
        return errorNode(start, end);
      }
      return {
        kind: 'binop',
        start,
        end,
        op: opText as BinaryOp,
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
function rawNav(tree: Tree, cursor: TreeCursor): (Nav & { done(): void }) | undefined {
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

/**
 * `{ a, b, }:` is valid Nix (alejandra writes it) but tree-sitter-nix inserts a MISSING
 * identifier after the last comma. That is the grammar's gap, not an error in the file.
 */
function isTrailingFormalComma(type: string, stack: { type: string }[], text: string, at: number): boolean {
  if (type !== 'identifier' || stack[stack.length - 1]?.type !== 'formal') return false;
  let before = at - 1;
  while (before >= 0 && /\s/.test(text[before])) before--;
  let after = at;
  while (after < text.length && /\s/.test(text[after])) after++;
  return text[before] === ',' && text[after] === '}';
}

/** Converts a tree-sitter tree to our AST. The caller deletes the tree afterwards. */
export function toAst(file: string, text: string, tree: Tree, opts: { publicApi?: boolean } = {}): ParsedNixFile {
  const lines = new LineIndex(text);
  const errorRanges: Range[] = [];
  let syntaxErrors = 0;
  const cursor = tree.walk();
  const raw = opts.publicApi ? undefined : rawNav(tree, cursor);
  const nav: Nav = raw ?? publicNav(cursor);
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const namedById: boolean[] = [];
  const stack: Frame[] = [];
  let result: unknown;
  try {
    // Iterative depth-first walk. Anonymous tokens (punctuation, keywords, operators) are leaves:
    // they get no frame and only their type is read (fewer WASM calls), except `''` whose end we use.
    const enter = (): boolean => {
      const typeId = nav.typeId();
      const type = types[typeId] || 'ERROR';
      let named = namedById[typeId];
      if (named === undefined) named = namedById[typeId] = language.nodeTypeIsNamed(typeId);
      if (!named && type !== 'ERROR' && stack.length > 0) {
        const parent = stack[stack.length - 1];
        if (type === "''" || nav.missing()) {
          const start = nav.start();
          const end = nav.end();
          if (start === end && nav.missing()) {
            syntaxErrors++;
            errorRanges.push(lines.rangeAt(start, end));
          }
          parent.kids.push({ type, field: null, named, start, end, val: undefined });
        } else {
          parent.kids.push({ type, field: null, named, start: -1, end: -1, val: undefined });
        }
        return false;
      }
      const start = nav.start();
      const end = nav.end();
      if (type === 'ERROR' || (start === end && nav.missing() && !isTrailingFormalComma(type, stack, text, start))) {
        syntaxErrors++;
        errorRanges.push(lines.rangeAt(start, end));
      }
      const fieldId = nav.fieldId();
      stack.push({ type, field: fieldId ? fields[fieldId] ?? null : null, named, start, end, kids: [] });
      return true;
    };
    const leave = (): void => {
      const f = stack.pop()!;
      if (f.type === 'comment') return;
      const val = f.type === 'ERROR' && stack.length > 0 ? errorNode(f.start, f.end) : build(f, text);
      const parent = stack[stack.length - 1];
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
  return { file, text, lines, root, syntaxErrors, errorRanges };
}

/** Parses, converts and frees the tree. */
export function parseNixFile(parser: NixParser, file: string, text: string): ParsedNixFile {
  const tree = parser.parse(text);
  try {
    return withParseProblem(toAst(file, text, tree), parser);
  } finally {
    tree.delete();
  }
}

/** Marks a file whose parse ran out of its budget (the tree is empty): said, not guessed. */
export function withParseProblem(parsed: ParsedNixFile, parser: NixParser): ParsedNixFile {
  if (!parser.lastParseAborted) return parsed;
  return { ...parsed, problem: 'parsing took longer than its budget (tree-sitter-nix is superlinear on this text): not analysed' };
}
