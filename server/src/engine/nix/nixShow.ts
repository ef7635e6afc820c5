/**
 * Our AST printed the way `nix-instantiate --parse` (Nix 2.8) prints its own: the expression is
 * first lowered to Nix's expression classes (operators desugared to `__sub`/`__lessThan` calls,
 * strings to concatenations, `a.b = 1` bindings nested and merged, `inherit` expanded, paths made
 * absolute), then shown with Nix's `show` rules (`libexpr/nixexpr.cc`). Equal output means equal
 * parse, which test/unit/nix/parse/differential.test.ts checks against Nix itself.
 *
 * One order is not Nix's: Nix 2.8 prints the bindings of a `let` and the formals of a function
 * in the order of its interned symbols' memory addresses (`Symbol::operator<` compares
 * pointers), which depends on its allocator's history. We print them in source order; given
 * Nix's own output as `guide`, in the order that output has (the rest must still match).
 */
import { posix } from 'node:path';
import type { AstBinding, AttrKey, NixNode, ParsedNixFile, StrNodePart } from './ast';
import { formatCppDouble } from './cppDouble';

export interface ShowOptions {
  /** Directory relative paths are resolved against (the file's, after following a symlink). */
  baseDir: string;
  /** What `~` stands for (Nix: $HOME). */
  home: string;
  /** Nix's output for the same file: `let` bindings and formals are put in its order. */
  guide?: string;
}

type AttrName = { symbol: string } | { expr: NixExpr };

interface AttrDef {
  value: NixExpr;
  inherited: boolean;
}

interface AttrsExpr {
  t: 'attrs';
  rec: boolean;
  attrs: Map<string, AttrDef>;
  dynamic: { name: NixExpr; value: NixExpr }[];
}

/** Nix 2.8's expression classes, as far as printing distinguishes them. */
type NixExpr =
  | { t: 'int'; decimal: string }
  | { t: 'float'; value: number }
  | { t: 'string'; value: string }
  | { t: 'path'; value: string }
  | { t: 'var'; name: string }
  | { t: 'select'; expr: NixExpr; path: AttrName[]; default?: NixExpr }
  | { t: 'has'; expr: NixExpr; path: AttrName[] }
  | AttrsExpr
  | { t: 'list'; items: NixExpr[] }
  | { t: 'lambda'; arg?: string; formals?: { name: string; default?: NixExpr }[]; ellipsis: boolean; body: NixExpr }
  | { t: 'call'; fn: NixExpr; args: NixExpr[] }
  | { t: 'let'; attrs: AttrsExpr; body: NixExpr }
  | { t: 'with'; env: NixExpr; body: NixExpr }
  | { t: 'if'; cond: NixExpr; then: NixExpr; else: NixExpr }
  | { t: 'assert'; cond: NixExpr; body: NixExpr }
  | { t: 'not'; expr: NixExpr }
  | { t: 'op'; op: string; left: NixExpr; right: NixExpr }
  | { t: 'concat'; parts: NixExpr[] };

/** The expression of a parsed file as `nix-instantiate --parse` prints it (without the newline). */
export function showAsNixParse(parsed: ParsedNixFile, options: ShowOptions): string {
  const printer = new Printer(options.guide);
  printer.show(new Lowering(parsed.text, options).lower(parsed.root));
  return printer.text();
}

const variable = (name: string): NixExpr => ({ t: 'var', name });
const call = (fn: NixExpr, args: NixExpr[]): NixExpr => ({ t: 'call', fn, args });

class Lowering {
  constructor(
    private readonly text: string,
    private readonly options: ShowOptions,
  ) {}

  lower(node: NixNode): NixExpr {
    switch (node.kind) {
      case 'var':
        return variable(node.name);
      case 'int':
        return { t: 'int', decimal: BigInt(this.text.slice(node.start, node.end)).toString() };
      case 'float':
        return { t: 'float', value: node.value };
      case 'str':
        return this.stringParts(node.pieces ?? node.parts);
      case 'path':
        return this.path(node.pieces ?? node.parts);
      case 'spath':
        return call(variable('__findFile'), [variable('__nixPath'), { t: 'string', value: node.name }]);
      case 'uri':
        return { t: 'string', value: node.value };
      case 'list':
        return { t: 'list', items: node.items.map((i) => this.lower(i)) };
      case 'attrs':
        return this.attrs(node.bindings, node.rec);
      case 'let':
        return { t: 'let', attrs: this.attrs(node.bindings, false), body: this.lower(node.body) };
      case 'fn':
        return {
          t: 'lambda',
          arg: node.param,
          formals: node.formals?.map((f) => ({ name: f.name, default: f.default && this.lower(f.default) })),
          ellipsis: node.ellipsis,
          body: this.lower(node.body),
        };
      case 'apply': {
        // Nix appends to a call it applies again, parenthesised or not: `(f a) b` is `(f a b)`;
        // not in `x or` (`x` applied to a variable `or`), which has a rule of its own.
        const fn = this.lower(node.fn);
        const arg = this.lower(node.arg);
        const appends = fn.t === 'call' && !(node.arg.kind === 'var' && node.arg.name === 'or');
        return appends ? call(fn.fn, [...fn.args, arg]) : call(fn, [arg]);
      }
      case 'select':
        return { t: 'select', expr: this.lower(node.expr), path: this.attrPath(node.path), default: node.default && this.lower(node.default) };
      case 'has':
        return { t: 'has', expr: this.lower(node.expr), path: this.attrPath(node.path) };
      case 'binop':
        return this.binop(node.op, this.lower(node.left), this.lower(node.right));
      case 'not':
        return { t: 'not', expr: this.lower(node.expr) };
      case 'neg':
        return call(variable('__sub'), [{ t: 'int', decimal: '0' }, this.lower(node.expr)]);
      case 'if':
        return { t: 'if', cond: this.lower(node.cond), then: this.lower(node.then), else: this.lower(node.else) };
      case 'with':
        return { t: 'with', env: this.lower(node.env), body: this.lower(node.body) };
      case 'assert':
        return { t: 'assert', cond: this.lower(node.cond), body: this.lower(node.body) };
      case 'error':
        throw new Error(`syntax error at offset ${node.start}`);
    }
  }

  private binop(op: string, left: NixExpr, right: NixExpr): NixExpr {
    const lessThan = variable('__lessThan');
    switch (op) {
      case '+':
        return { t: 'concat', parts: [left, right] };
      case '-':
        return call(variable('__sub'), [left, right]);
      case '*':
        return call(variable('__mul'), [left, right]);
      case '/':
        return call(variable('__div'), [left, right]);
      case '<':
        return call(lessThan, [left, right]);
      case '>':
        return call(lessThan, [right, left]);
      case '<=':
        return { t: 'not', expr: call(lessThan, [right, left]) };
      case '>=':
        return { t: 'not', expr: call(lessThan, [left, right]) };
      default:
        return { t: 'op', op, left, right };
    }
  }

  /** One part: a string; none: the empty string; else a concatenation. */
  private stringParts(parts: StrNodePart[]): NixExpr {
    if (parts.length === 0) return { t: 'string', value: '' };
    if (parts.length === 1 && typeof parts[0] === 'string') return { t: 'string', value: parts[0] };
    return { t: 'concat', parts: parts.map((p) => (typeof p === 'string' ? { t: 'string', value: p } : this.lower(p))) };
  }

  private path(parts: StrNodePart[]): NixExpr {
    const [first, ...rest] = parts;
    const start: NixExpr = { t: 'path', value: typeof first === 'string' ? this.absolute(first) : '' };
    if (rest.length === 0) return start;
    return { t: 'concat', parts: [start, ...rest.map((p): NixExpr => (typeof p === 'string' ? { t: 'string', value: p } : this.lower(p)))] };
  }

  /** Nix: `~` is $HOME as written; other paths are made absolute and canonical, a trailing `/` kept. */
  private absolute(written: string): string {
    if (written.startsWith('~')) return this.options.home + written.slice(1);
    const canonical = posix.resolve(this.options.baseDir, written);
    return written.endsWith('/') && written.length > 1 ? `${canonical}/` : canonical;
  }

  private attrPath(path: AttrKey[]): AttrName[] {
    return path.map((key) => this.attrName(key));
  }

  /** A key is a symbol when written as a name or when its expression is a plain string. */
  private attrName(key: AttrKey): AttrName {
    if (key.name !== undefined) return { symbol: key.name };
    const expr = key.expr ? this.lower(key.expr) : variable('<error>');
    return expr.t === 'string' ? { symbol: expr.value } : { expr };
  }

  private attrs(bindings: AstBinding[], rec: boolean): AttrsExpr {
    const set: AttrsExpr = { t: 'attrs', rec, attrs: new Map(), dynamic: [] };
    for (const b of bindings) {
      if (b.kind === 'inherit') {
        const from = b.from && this.lower(b.from);
        for (const key of b.names) {
          const name = this.attrName(key);
          if (!('symbol' in name) || set.attrs.has(name.symbol)) continue;
          const value: NixExpr = from ? { t: 'select', expr: from, path: [name] } : variable(name.symbol);
          set.attrs.set(name.symbol, { value, inherited: !from });
        }
      } else addAttr(set, this.attrPath(b.path), this.lower(b.value));
    }
    return set;
  }
}

/** Nix's `addAttr`: `a.b = 1` nests, and a set written twice (`a = {…}; a.c = …`) is merged. */
function addAttr(root: AttrsExpr, path: AttrName[], value: NixExpr): void {
  let set = root;
  for (const name of path.slice(0, -1)) {
    if ('symbol' in name) {
      const existing = set.attrs.get(name.symbol);
      if (existing) {
        if (existing.inherited || existing.value.t !== 'attrs') return; // duplicate: a Nix error
        set = existing.value;
      } else {
        const nested: AttrsExpr = { t: 'attrs', rec: false, attrs: new Map(), dynamic: [] };
        set.attrs.set(name.symbol, { value: nested, inherited: false });
        set = nested;
      }
    } else {
      const nested: AttrsExpr = { t: 'attrs', rec: false, attrs: new Map(), dynamic: [] };
      set.dynamic.push({ name: name.expr, value: nested });
      set = nested;
    }
  }
  const last = path[path.length - 1];
  if (!last) return;
  if (!('symbol' in last)) {
    set.dynamic.push({ name: last.expr, value });
    return;
  }
  const existing = set.attrs.get(last.symbol);
  if (!existing) {
    set.attrs.set(last.symbol, { value, inherited: false });
    return;
  }
  // Nix 2.8 merges only the static attributes of the second set.
  if (existing.value.t === 'attrs' && value.t === 'attrs') {
    for (const [k, v] of value.attrs) if (!existing.value.attrs.has(k)) existing.value.attrs.set(k, v);
  }
}

/** Symbols are ordered by their bytes (UTF-8 order is code point order). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function sortedAttrs(set: AttrsExpr): [string, AttrDef][] {
  return [...set.attrs].sort((a, b) => byCodePoint(a[0], b[0]));
}

export function showString(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === '\\' || c === '$') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return `${out}"`;
}

export function showId(s: string): string {
  if (s === '') return '""';
  if (s === 'if') return '"if"';
  return /^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s) ? s : showString(s);
}

/** Where a binding of a `let` or a formal starts; one per name, so a guide picks one. */
function letHead(name: string, def: AttrDef): string {
  return def.inherited ? `inherit ${showId(name)}; ` : `${showId(name)} = `;
}

class Printer {
  private readonly parts: string[] = [];
  private length = 0;

  constructor(private readonly guide: string | undefined) {}

  text(): string {
    return this.parts.join('');
  }

  private put(s: string): void {
    this.parts.push(s);
    this.length += s.length;
  }

  /** Items in source order, or in the order the guide shows from here on. */
  private inGuideOrder<T>(items: T[], follows: (item: T, at: number) => boolean, print: (item: T) => void): void {
    const rest = items.slice();
    while (rest.length > 0) {
      const guided = this.guide === undefined ? -1 : rest.findIndex((item) => follows(item, this.length));
      const [item] = rest.splice(Math.max(0, guided), 1);
      print(item);
    }
  }

  private attrPath(path: AttrName[]): void {
    path.forEach((name, i) => {
      if (i > 0) this.put('.');
      if ('symbol' in name) this.put(showId(name.symbol));
      else {
        this.put('"${');
        this.show(name.expr);
        this.put('}"');
      }
    });
  }

  show(e: NixExpr): void {
    switch (e.t) {
      case 'int':
        return this.put(e.decimal);
      case 'float':
        return this.put(formatCppDouble(e.value));
      case 'string':
        return this.put(showString(e.value));
      case 'path':
        return this.put(e.value);
      case 'var':
        return this.put(e.name);
      case 'select':
        this.put('(');
        this.show(e.expr);
        this.put(').');
        this.attrPath(e.path);
        if (e.default) {
          this.put(' or (');
          this.show(e.default);
          this.put(')');
        }
        return;
      case 'has':
        this.put('((');
        this.show(e.expr);
        this.put(') ? ');
        this.attrPath(e.path);
        return this.put(')');
      case 'attrs':
        if (e.rec) this.put('rec ');
        this.put('{ ');
        for (const [name, def] of sortedAttrs(e)) {
          if (def.inherited) this.put(`inherit ${showId(name)} ; `);
          else {
            this.put(`${showId(name)} = `);
            this.show(def.value);
            this.put('; ');
          }
        }
        for (const d of e.dynamic) {
          this.put('"${');
          this.show(d.name);
          this.put('}" = ');
          this.show(d.value);
          this.put('; ');
        }
        return this.put('}');
      case 'list':
        this.put('[ ');
        for (const item of e.items) {
          this.put('(');
          this.show(item);
          this.put(') ');
        }
        return this.put(']');
      case 'lambda':
        this.put('(');
        if (e.formals) {
          this.put('{ ');
          let first = true;
          this.inGuideOrder(
            e.formals,
            (f, at) => {
              const from = first ? at : at + 2;
              return this.guide!.startsWith(showId(f.name), from) && /[ ,]/.test(this.guide![from + showId(f.name).length] ?? '');
            },
            (f) => {
              if (!first) this.put(', ');
              first = false;
              this.put(showId(f.name));
              if (f.default) {
                this.put(' ? ');
                this.show(f.default);
              }
            },
          );
          if (e.ellipsis) this.put(e.formals.length > 0 ? ', ...' : '...');
          this.put(' }');
          if (e.arg !== undefined) this.put(' @ ');
        }
        if (e.arg !== undefined) this.put(showId(e.arg));
        this.put(': ');
        this.show(e.body);
        return this.put(')');
      case 'call':
        this.put('(');
        this.show(e.fn);
        for (const a of e.args) {
          this.put(' ');
          this.show(a);
        }
        return this.put(')');
      case 'let':
        this.put('(let ');
        this.inGuideOrder(
          [...e.attrs.attrs],
          ([name, def], at) => this.guide!.startsWith(letHead(name, def), at),
          ([name, def]) => {
            this.put(letHead(name, def));
            if (!def.inherited) {
              this.show(def.value);
              this.put('; ');
            }
          },
        );
        this.put('in ');
        this.show(e.body);
        return this.put(')');
      case 'with':
        this.put('(with ');
        this.show(e.env);
        this.put('; ');
        this.show(e.body);
        return this.put(')');
      case 'if':
        this.put('(if ');
        this.show(e.cond);
        this.put(' then ');
        this.show(e.then);
        this.put(' else ');
        this.show(e.else);
        return this.put(')');
      case 'assert':
        this.put('assert ');
        this.show(e.cond);
        this.put('; ');
        return this.show(e.body);
      case 'not':
        this.put('(! ');
        this.show(e.expr);
        return this.put(')');
      case 'op':
        this.put('(');
        this.show(e.left);
        this.put(` ${e.op} `);
        this.show(e.right);
        return this.put(')');
      case 'concat':
        this.put('(');
        e.parts.forEach((p, i) => {
          if (i > 0) this.put(' + ');
          this.show(p);
        });
        return this.put(')');
    }
  }
}
