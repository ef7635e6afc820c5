/**
 * The abstract Nix evaluator: a lazy interpreter over our compact AST (ast.ts) whose values may
 * be partly unknown (value.ts). It never throws and always terminates: every evaluation step
 * and nesting level is counted against a budget, thunks blackhole (a thunk forced while being
 * forced is `unknown`), import cycles are `unknown`, and JS stack overflows are caught.
 *
 * Nix semantics kept: laziness (attribute values, list items, `let` bindings, function
 * arguments are thunks), lexical scoping with `with` only consulted for names no lexical scope
 * binds, `rec`/`let` fixpoints, `inherit`, dotted bindings merging into nested sets, dynamic
 * attributes, per-file import memoisation.
 * Deliberately abstract: an unknown `if` condition gives `unknown` (no branch is guessed);
 * comparisons with unknown operands give an unknown bool; interpolating an unknown value
 * gives a string pattern with a hole.
 */
import { dirname, posix } from 'node:path';
import type { AttrKey, NixNode, NodeOf, ParsedNixFile } from '../ast';
import { knownText, pattern, type StrPart, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { ready, unknown, type AttrsValue, type FunctionValue, type Thunk, type Value } from '../value';
import { asFunction, bool, force, str } from './helpers';
import { isStorePath, searchPathStore } from './store';
import { canonPath, coerceToPattern, lessThan, plus, triValue, update, valuesEqual } from './ops';
import { createBuiltins, type BuiltinHost, type ModuleSystemHooks } from './builtins';
import { createLib } from './lib';
import { BindingBuilder } from './bindings';
import { Env, type FileCtx } from './env';
import { ExprThunk } from './thunks';

export type { FileCtx } from './env';
export { LazyThunk } from './thunks';

export interface NixFileSystem {
  /** undefined: missing, unreadable or outside the workspace. */
  readFile(path: string): string | undefined;
  readDir(path: string): Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined;
  isDirectory(path: string): boolean;
}

export interface EvalBudget {
  /** Evaluation steps (one per AST node evaluated, plus bulk work in builtins). */
  steps: number;
  /** Nesting of evaluation (function calls, thunks forcing thunks). */
  depth: number;
}

export const DEFAULT_BUDGET: Readonly<EvalBudget> = Object.freeze({ steps: 2_000_000, depth: 800 });

export interface EvaluatorOptions {
  fs: NixFileSystem;
  parse: (file: string, text: string) => ParsedNixFile;
  budget?: Partial<EvalBudget>;
}
export class Evaluator implements BuiltinHost {
  readonly lib: AttrsValue;
  readonly builtins: AttrsValue;
  /** Files each evaluated file imported (via `import`), to find root modules. */
  readonly imports = new Map<string, Set<string>>();
  stepsUsed = 0;
  budgetExhausted = false;
  /** The module system `lib.evalModules` runs on (set by the module layer, which builds on the evaluator). */
  moduleSystem: ModuleSystemHooks | undefined;
  /** Set when the depth limit was hit at least once since the last reset. */
  depthExceeded = false;

  readonly fs: NixFileSystem;
  private budget: EvalBudget;
  private depth = 0;
  private readonly parseFn: (file: string, text: string) => ParsedNixFile;
  private readonly globals = new Map<string, Thunk>();
  private readonly fileValues = new Map<string, Value>();
  private readonly parsedFiles = new Map<string, ParsedNixFile>();
  private readonly loading = new Set<string>();
  /** File read (`builtins.readFile` and friends) → files whose evaluation read it: their memos hold its text. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly importFn: FunctionValue;
  /**
   * Called with every file the evaluation uses (each evalFile, memoised or not, and each read
   * through `fs`): lets a caller record which files a piece of analysis depended on.
   */
  onFileUse: ((path: string) => void) | undefined;
  /** File of the most recent application site (import attribution through higher-order calls). */
  private currentFile: string | undefined;
  private readonly bindings = new BindingBuilder({
    thunk: (node, env) => this.thunk(node, env),
    locationOf: (node, ctx) => this.locationOf(node, ctx),
    lookup: (env, name) => this.lookup(env, name),
    lookupVar: (env, name) => this.lookupVar(env, name),
    keyName: (key, env) => this.keyName(key, env),
  });

  constructor(opts: EvaluatorOptions) {
    const inner = opts.fs;
    this.fs = {
      readFile: (path) => {
        this.onFileUse?.(path);
        if (this.currentFile !== undefined && this.currentFile !== path) {
          let readers = this.readers.get(path);
          if (!readers) this.readers.set(path, (readers = new Set()));
          readers.add(this.currentFile);
        }
        return inner.readFile(path);
      },
      readDir: (path) => inner.readDir(path),
      isDirectory: (path) => inner.isDirectory(path),
    };
    this.parseFn = opts.parse;
    this.budget = { ...DEFAULT_BUDGET, ...opts.budget };
    this.importFn = {
      kind: 'function',
      name: 'import',
      apply: (arg) => this.importValue(force(arg), this.currentFile),
    };
    this.builtins = createBuiltins(this);
    this.lib = createLib(this);
    for (const [name, b] of this.builtins.attrs) {
      if (GLOBAL_BUILTINS.has(name)) this.globals.set(name, b.thunk);
    }
    this.globals.set('builtins', ready(this.builtins));
    this.globals.set('import', ready(this.importFn));
    this.builtins.attrs.set('import', { thunk: ready(this.importFn) });
    this.globals.set('true', ready(bool(true)));
    this.globals.set('false', ready(bool(false)));
    this.globals.set('null', ready({ kind: 'null' }));
  }

  // Budget ------------------------------------------------------------------------------------

  resetBudget(budget?: Partial<EvalBudget>): void {
    this.budget = { ...DEFAULT_BUDGET, ...budget };
    this.stepsUsed = 0;
    this.budgetExhausted = false;
    this.depthExceeded = false;
  }

  /** Charges `n` steps (bulk work in builtins); false when the budget is exhausted. */
  charge(n: number): boolean {
    this.stepsUsed += n;
    if (this.stepsUsed > this.budget.steps) this.budgetExhausted = true;
    return !this.budgetExhausted;
  }

  /** Runs `f` one nesting level deeper; unknown when too deep. */
  nested(f: () => Value): Value {
    if (this.depth >= this.budget.depth) {
      this.depthExceeded = true;
      return unknown('recursion too deep');
    }
    this.depth++;
    try {
      return f();
    } catch (e) {
      return this.internalError(e);
    } finally {
      this.depth--;
    }
  }

  internalError(e: unknown): Value {
    if (e instanceof RangeError) {
      this.depthExceeded = true;
      return unknown('stack overflow');
    }
    return unknown(`internal error: ${(e as Error)?.message ?? String(e)}`);
  }

  // Files -------------------------------------------------------------------------------------

  /** The AST of a workspace file (read through the file system adapter), or undefined when unreadable. */
  parse(path: string): ParsedNixFile | undefined {
    const text = this.fs.readFile(path);
    return text === undefined ? undefined : this.parsedFile(path, text);
  }

  private parsedFile(path: string, text: string): ParsedNixFile {
    let p = this.parsedFiles.get(path);
    if (!p || p.text !== text) {
      p = this.parseFn(path, text);
      this.parsedFiles.set(path, p);
    }
    return p;
  }

  private makeCtx(parsed: ParsedNixFile): FileCtx {
    return { file: parsed.file, dir: dirname(parsed.file), parsed, locs: new Map() };
  }

  /** Evaluates a file (a directory means its default.nix), memoised; cycles → unknown. */
  evalFile(path: string): Value {
    let p = canonPath(path);
    if (this.fs.isDirectory(p)) p = posix.join(p, 'default.nix');
    this.onFileUse?.(p);
    const memo = this.fileValues.get(p);
    if (memo) return memo;
    if (this.loading.has(p)) return unknown(`import cycle through ${p}`);
    if (this.budgetExhausted) return unknown('budget exhausted');
    const text = this.fs.readFile(p);
    if (text === undefined) return unknown(`cannot read ${p}`);
    let parsed: ParsedNixFile;
    try {
      parsed = this.parsedFile(p, text);
    } catch (e) {
      return unknown(`cannot parse ${p}: ${(e as Error)?.message ?? e}`);
    }
    this.loading.add(p);
    let v: Value;
    try {
      v = this.evalNode(parsed.root, new Env(null, null, null, this.makeCtx(parsed)));
    } catch (e) {
      v = this.internalError(e);
    } finally {
      this.loading.delete(p);
    }
    if (!this.budgetExhausted) this.fileValues.set(p, v);
    return v;
  }

  evalSource(file: string, text: string): Value {
    return this.evalParsed(this.parseFn(file, text));
  }

  evalParsed(parsed: ParsedNixFile): Value {
    this.parsedFiles.set(parsed.file, parsed);
    try {
      return this.evalNode(parsed.root, new Env(null, null, null, this.makeCtx(parsed)));
    } catch (e) {
      return this.internalError(e);
    }
  }

  /** Drops memoised results of `file` and of every file that (transitively) imported it. */
  invalidate(file: string): void {
    const target = canonPath(file);
    const drop = new Set<string>([target, ...(this.readers.get(target) ?? [])]);
    if (target.endsWith('/default.nix')) drop.add(posix.dirname(target));
    let grew = true;
    while (grew) {
      grew = false;
      for (const [from, tos] of this.imports) {
        if (drop.has(from)) continue;
        for (const t of tos) {
          if (drop.has(t)) {
            drop.add(from);
            grew = true;
            break;
          }
        }
      }
    }
    for (const f of drop) {
      this.fileValues.delete(f);
      this.parsedFiles.delete(f);
      this.fileValues.delete(posix.join(f, 'default.nix'));
    }
    this.imports.delete(target);
  }

  /** `import v` from `fromFile`. */
  importValue(v: Value, fromFile: string | undefined): Value {
    let p: string | undefined;
    if (v.kind === 'path') p = v.path;
    else if (v.kind === 'string') {
      const t = knownText(v.value);
      if (t !== undefined && t.startsWith('/')) p = canonPath(t);
    } else if (v.kind === 'attrs') {
      const out = v.attrs.get('outPath');
      if (out) return this.importValue(force(out.thunk), fromFile);
    }
    if (p === undefined) return unknown(v.kind === 'unknown' ? `import of unknown (${v.reason ?? ''})` : 'import of non-path');
    // Outside the workspace: only what the module system models (nixpkgs' eval-config, …).
    if (isStorePath(p)) return this.moduleSystem?.importStore?.(p) ?? unknown(`import of ${p}, outside the workspace`);
    let target = p;
    if (this.fs.isDirectory(target)) target = posix.join(target, 'default.nix');
    if (fromFile) {
      let set = this.imports.get(fromFile);
      if (!set) this.imports.set(fromFile, (set = new Set()));
      set.add(target);
    }
    return this.evalFile(target);
  }

  // Positions ---------------------------------------------------------------------------------

  locationOf(node: { start: number; end: number }, ctx: FileCtx): Location {
    let l = ctx.locs.get(node);
    if (!l) {
      l = { file: ctx.file, range: ctx.parsed.lines.rangeAt(node.start, node.end) };
      ctx.locs.set(node, l);
    }
    return l;
  }

  // Evaluation --------------------------------------------------------------------------------

  private thunk(node: NixNode, env: Env): Thunk {
    switch (node.kind) {
      case 'int':
      case 'float':
        return ready({ kind: node.kind, value: node.value });
      case 'var': {
        // Share the variable's own thunk (no allocation, and memoisation carries over).
        const t = this.lookup(env, node.name);
        if (t) return t;
        break;
      }
      case 'fn':
        return ready(this.lambda(node, env), this.locationOf(node, env.ctx));
    }
    return new ExprThunk(this, node, env, env.ctx);
  }

  /** Evaluates one node (budgeted). */
  evalNode(node: NixNode, env: Env): Value {
    if (++this.stepsUsed > this.budget.steps) {
      this.budgetExhausted = true;
      return unknown('budget exhausted');
    }
    if (this.depth >= this.budget.depth) {
      this.depthExceeded = true;
      return unknown('recursion too deep');
    }
    this.depth++;
    try {
      return this.evalInner(node, env);
    } finally {
      this.depth--;
    }
  }

  private lookup(env: Env, name: string): Thunk | undefined {
    for (let e: Env | null = env; e; e = e.parent) {
      if (e.vars) {
        const t = e.vars.get(name);
        if (t) return t;
      }
    }
    return this.globals.get(name);
  }

  private lookupVar(env: Env, name: string): Value {
    const t = this.lookup(env, name);
    if (t) return t.force();
    // A `with` whose names are not all known hides no name an outer `with` certainly binds
    // (`with lib; with types; mkOption`): the name is then only unknown when nothing binds it.
    let hidden: Value | undefined;
    for (let e: Env | null = env; e; e = e.parent) {
      if (!e.withThunk) continue;
      const w = e.withThunk.force();
      if (w.kind === 'attrs') {
        const b = w.attrs.get(name);
        if (b) return b.thunk.force();
        if (!w.complete) hidden ??= unknown(`${name} (from an incomplete with)`);
      } else {
        hidden ??= unknown(`${name} (from with ${w.kind === 'unknown' ? 'unknown' : 'non-attrset'})`);
      }
    }
    return hidden ?? unknown(`undefined variable ${name}`);
  }

  private evalInner(node: NixNode, env: Env): Value {
    switch (node.kind) {
      case 'int':
      case 'float':
        return { kind: node.kind, value: node.value };
      case 'var':
        return this.lookupVar(env, node.name);
      case 'str':
        return this.evalString(node, env);
      case 'path':
        return this.evalPath(node, env);
      case 'spath':
        return { kind: 'path', path: searchPathStore(node.name) };
      case 'uri':
        return str(node.value, this.locationOf(node, env.ctx));
      case 'list':
        return {
          kind: 'list',
          items: node.items.map((item) => this.thunk(item, env)),
          complete: true,
          location: this.locationOf(node, env.ctx),
        };
      case 'attrs':
        return this.bindings.attrs(node, env);
      case 'let':
        return this.evalNode(node.body, this.bindings.letScope(node.bindings, env));
      case 'fn':
        return this.lambda(node, env);
      case 'apply':
        return this.evalApply(node, env);
      case 'select':
        return this.evalSelect(node, env);
      case 'has':
        return this.evalHas(node, env);
      case 'binop':
        return this.evalBinop(node, env);
      case 'not': {
        const v = this.evalNode(node.expr, env);
        return v.kind === 'bool' ? bool(!v.value) : unknown(v.kind === 'unknown' ? v.reason : '! on non-bool');
      }
      case 'neg': {
        const v = this.evalNode(node.expr, env);
        return v.kind === 'int' || v.kind === 'float' ? { kind: v.kind, value: -v.value } : unknown('- on non-number');
      }
      case 'if': {
        const c = this.evalNode(node.cond, env);
        if (c.kind !== 'bool') return unknown(c.kind === 'unknown' ? `if on unknown condition (${c.reason ?? ''})` : 'if on non-bool');
        return this.evalNode(c.value ? node.then : node.else, env);
      }
      case 'with':
        return this.evalNode(node.body, new Env(null, env, this.thunk(node.env, env), env.ctx));
      case 'assert': {
        const c = this.evalNode(node.cond, env);
        if (c.kind === 'bool' && !c.value) return { kind: 'unknown', reason: 'assertion failed', thrown: true };
        return this.evalNode(node.body, env);
      }
      case 'error':
        return unknown('syntax error');
    }
  }

  private evalString(node: NodeOf<'str'>, env: Env): Value {
    const loc = this.locationOf(node, env.ctx);
    if (node.parts.length === 0) return str('', loc);
    if (node.parts.length === 1 && typeof node.parts[0] === 'string') return str(node.parts[0], loc);
    const parts: StrPart[] = [];
    for (const p of node.parts) {
      if (typeof p === 'string') parts.push(p);
      else {
        const v = this.evalNode(p, env);
        for (const q of coerceToPattern(v).parts) parts.push(q);
      }
    }
    return str(pattern(parts), loc);
  }

  private evalPath(node: NodeOf<'path'>, env: Env): Value {
    let text = '';
    for (const p of node.parts) {
      if (typeof p === 'string') text += p;
      else {
        const v = this.evalNode(p, env);
        const t = v.kind === 'string' ? knownText(v.value) : v.kind === 'path' ? v.path : undefined;
        if (t === undefined) return unknown('path with unknown interpolation');
        text += t;
      }
    }
    if (text.startsWith('~')) return unknown('home path');
    const abs = text.startsWith('/') ? text : posix.join(env.ctx.dir, text);
    return { kind: 'path', path: canonPath(abs) };
  }

  private lambda(node: NodeOf<'fn'>, env: Env): FunctionValue {
    const self = this;
    const value: FunctionValue = {
      kind: 'function',
      name: node.param,
      formals: node.formals ? { names: node.formals.map((f) => f.name), ellipsis: node.ellipsis } : undefined,
      get location() {
        return self.locationOf(node, env.ctx);
      },
      apply(arg: Thunk): Value {
        return self.applyLambda(node, env, arg);
      },
    };
    return value;
  }

  private applyLambda(node: NodeOf<'fn'>, env: Env, arg: Thunk): Value {
    const vars = new Map<string, Thunk>();
    const scope = new Env(vars, env, null, env.ctx);
    if (node.formals) {
      const a = arg.force();
      for (const f of node.formals) {
        let t: Thunk | undefined;
        if (a.kind === 'attrs') {
          const b = a.attrs.get(f.name);
          if (b) t = b.thunk;
          else if (f.default) t = this.thunk(f.default, scope);
          else t = ready(unknown(a.complete ? `missing argument ${f.name}` : `argument ${f.name} not known`));
        } else if (f.default && a.kind !== 'unknown') {
          t = this.thunk(f.default, scope);
        } else {
          t = ready(unknown(`argument ${f.name} of a non-attrset`));
        }
        vars.set(f.name, t);
      }
    }
    if (node.param) vars.set(node.param, arg);
    return this.evalNode(node.body, scope);
  }

  private evalApply(node: NodeOf<'apply'>, env: Env): Value {
    const f = this.evalNode(node.fn, env);
    if (f === this.importFn) return this.importValue(this.evalNode(node.arg, env), env.ctx.file);
    const fv = asFunction(f);
    // Calling an unknown function is as unknown as the function, for the same reason.
    if (!fv) return f.kind === 'unknown' ? unknown(f.reason ?? 'call of an unknown function') : unknown(`call of a ${f.kind}`);
    const arg = this.thunk(node.arg, env);
    this.currentFile = env.ctx.file;
    return this.nested(() => fv.apply(arg, this.locationOf(node, env.ctx)));
  }

  /** The name of an attribute key, or a pattern/unknown/null for dynamic ones. */
  private keyName(key: AttrKey, env: Env): string | StrPattern | null | undefined {
    if (key.name !== undefined) return key.name;
    const v = this.evalNode(key.expr!, env);
    if (v.kind === 'string') return knownText(v.value) ?? v.value;
    if (v.kind === 'null') return null;
    return undefined;
  }

  private evalSelect(node: NodeOf<'select'>, env: Env): Value {
    let cur = this.evalNode(node.expr, env);
    for (const key of node.path) {
      if (cur.kind !== 'attrs') {
        if (node.default && cur.kind !== 'unknown') return this.evalNode(node.default, env);
        return cur.kind === 'unknown' ? cur : unknown(`select .${key.name ?? '?'} on a ${cur.kind}`);
      }
      const name = this.keyName(key, env);
      if (typeof name !== 'string') return unknown('select with an unknown attribute name');
      const b = cur.attrs.get(name);
      if (!b) {
        if (!cur.complete) return unknown(`attribute ${name} not known`);
        if (node.default) return this.evalNode(node.default, env);
        return unknown(`missing attribute ${name}`);
      }
      cur = b.thunk.force();
    }
    return cur;
  }

  private evalHas(node: NodeOf<'has'>, env: Env): Value {
    let cur = this.evalNode(node.expr, env);
    for (let i = 0; i < node.path.length; i++) {
      if (cur.kind === 'unknown') return unknown('? on unknown');
      if (cur.kind !== 'attrs') return bool(false);
      const name = this.keyName(node.path[i], env);
      if (typeof name !== 'string') return unknown('? with an unknown attribute name');
      const b = cur.attrs.get(name);
      if (!b) return cur.complete ? bool(false) : unknown(`? ${name} on an incomplete attrset`);
      if (i === node.path.length - 1) return bool(true);
      cur = b.thunk.force();
    }
    return bool(true);
  }

  private evalBinop(node: NodeOf<'binop'>, env: Env): Value {
    const op = node.op;
    if (op === '&&' || op === '||' || op === '->') {
      const l = this.evalNode(node.left, env);
      const lb = l.kind === 'bool' ? l.value : undefined;
      if (op === '&&' && lb === false) return bool(false);
      if (op === '||' && lb === true) return bool(true);
      if (op === '->' && lb === false) return bool(true);
      const r = this.evalNode(node.right, env);
      const rb = r.kind === 'bool' ? r.value : undefined;
      if (lb !== undefined) return rb === undefined ? unknown('unknown boolean') : bool(rb);
      // Left unknown: the right side may still decide.
      if (op === '&&' && rb === false) return bool(false);
      if (op === '||' && rb === true) return bool(true);
      if (op === '->' && rb === true) return bool(true);
      return unknown('unknown boolean');
    }
    const l = this.evalNode(node.left, env);
    const r = this.evalNode(node.right, env);
    switch (op) {
      case '==':
        return triValue(valuesEqual(l, r), 'unknown equality');
      case '!=': {
        const t = valuesEqual(l, r);
        return triValue(t === undefined ? undefined : !t, 'unknown equality');
      }
      case '<':
        return triValue(lessThan(l, r), 'unknown comparison');
      case '>':
        return triValue(lessThan(r, l), 'unknown comparison');
      case '<=': {
        const t = lessThan(r, l);
        return triValue(t === undefined ? undefined : !t, 'unknown comparison');
      }
      case '>=': {
        const t = lessThan(l, r);
        return triValue(t === undefined ? undefined : !t, 'unknown comparison');
      }
      case '+':
        return plus(l, r);
      case '-':
      case '*':
      case '/': {
        if ((l.kind !== 'int' && l.kind !== 'float') || (r.kind !== 'int' && r.kind !== 'float')) return unknown('arithmetic on non-numbers');
        const kind = l.kind === 'float' || r.kind === 'float' ? 'float' : 'int';
        if (op === '-') return { kind, value: l.value - r.value };
        if (op === '*') return { kind, value: l.value * r.value };
        if (r.value === 0) return { kind: 'unknown', reason: 'division by zero', thrown: true };
        return { kind, value: kind === 'int' ? Math.trunc(l.value / r.value) : l.value / r.value };
      }
      case '++': {
        if (l.kind === 'list' && r.kind === 'list') {
          return { kind: 'list', items: l.items.concat(r.items), complete: l.complete && r.complete, location: l.location ?? r.location };
        }
        const items = [...(l.kind === 'list' ? l.items : []), ...(r.kind === 'list' ? r.items : [])];
        if ((l.kind === 'list' || l.kind === 'unknown') && (r.kind === 'list' || r.kind === 'unknown')) {
          return { kind: 'list', items, complete: false, location: l.kind === 'list' ? l.location : r.kind === 'list' ? r.location : undefined };
        }
        return unknown('++ on non-lists');
      }
      case '//':
        return update(l, r);
      default:
        return unknown(`operator ${op}`);
    }
  }
}

/** Builtins that are also in Nix's global scope. */
const GLOBAL_BUILTINS: ReadonlySet<string> = new Set([
  'abort',
  'baseNameOf',
  'derivation',
  'dirOf',
  'fetchGit',
  'fetchMercurial',
  'fetchTarball',
  'fetchTree',
  'fromTOML',
  'isNull',
  'map',
  'placeholder',
  'removeAttrs',
  'scopedImport',
  'throw',
  'toString',
]);
