/**
 * Attribute-set and `let` construction: `a.b.c = v` and `a = { ... }` bindings merge into nested
 * sets, `inherit` (with or without `from`) shares thunks, and dynamic keys (`${e} = v`) are
 * computed when the set itself is evaluated, as in Nix. A key that cannot be computed keeps its
 * binding under `unknownKeys`, and the set becomes incomplete.
 *
 * Merging follows Nix's parser (`addAttr`): a set literal defined twice (`a = {…}; a = {…};`,
 * `a = {…}; a.b = …;`, in any order) is one set; a `rec` literal stays recursive for what is
 * merged into it; a literal merged into an existing set brings only its static attributes.
 */
import type { AstBinding, AttrKey, NixNode, NodeOf } from '../ast';
import { HOLE, pattern, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { unknown, type AttrsValue, type Binding, type Thunk, type Value } from '../value';
import { Env, type FileCtx } from './env';
import { LazyThunk } from './thunks';

/** What binding construction needs from the evaluator. */
export interface BindingHost {
  thunk(node: NixNode, env: Env): Thunk;
  locationOf(node: { start: number; end: number }, ctx: FileCtx): Location;
  /** The lexical (or global) thunk bound to `name`, if any. */
  lookup(env: Env, name: string): Thunk | undefined;
  /** `name` as an expression: lexical scopes, then `with` scopes. */
  lookupVar(env: Env, name: string): Value;
  /** The name of an attribute key, or a pattern/unknown/null for dynamic ones. */
  keyName(key: AttrKey, env: Env): string | StrPattern | null | undefined;
}

interface LeafEntry {
  kind: 'leaf';
  binding: Binding;
  /** The value expression when it is an attrset literal (mergeable with `a.b = ...`). */
  literal?: NodeOf<'attrs'>;
}
interface NestedEntry {
  kind: 'nested';
  level: Level;
  keyLocation?: Location;
}
type Entry = LeafEntry | NestedEntry;
interface DynEntry {
  path: AttrKey[];
  index: number;
  value: NixNode;
  node: AstBinding;
}
interface Level {
  children: Map<string, Entry>;
  dyn: DynEntry[];
  /** Where values (and inherit-from expressions) are evaluated. */
  env: Env;
  /** Where `inherit x;` looks `x` up (the enclosing scope for rec/let, else `env`). */
  inheritEnv: Env;
  location?: Location;
  /** A `rec` literal's scope (`env`), filled with its attributes when it is materialized. */
  recursive?: boolean;
  materialized?: AttrsValue;
}

export class BindingBuilder {
  constructor(private readonly host: BindingHost) {}

  /** `{ ... }` and `rec { ... }`. */
  attrs(node: NodeOf<'attrs'>, env: Env): AttrsValue {
    const location = this.host.locationOf(node, env.ctx);
    if (!node.rec) {
      const level = this.newLevel(env, env, location);
      for (const b of node.bindings) this.addBinding(level, b);
      return this.materialize(level);
    }
    return this.recursive(node.bindings, env, location).set;
  }

  /** The scope the body of `let <bindings> in body` is evaluated in. */
  letScope(bindings: AstBinding[], env: Env): Env {
    return this.recursive(bindings, env).scope;
  }

  /** Bindings that see each other (`rec`, `let`); `inherit x;` still looks `x` up outside. */
  private recursive(bindings: AstBinding[], env: Env, location?: Location): { set: AttrsValue; scope: Env } {
    const level = this.newLevel(new Env(new Map(), env, null, env.ctx), env, location);
    level.recursive = true;
    this.declare(level, bindings);
    for (const b of bindings) this.addBinding(level, b);
    return { set: this.materialize(level), scope: level.env };
  }

  /**
   * The static names a recursive set binds, in its scope before any value refers to them, so
   * `let a = 5; in rec { a = 1; b = a; }` gives `b = 1`; each stands for the set's attribute and
   * is replaced by it when the set is materialized.
   */
  private declare(level: Level, bindings: AstBinding[]): void {
    const vars = level.env.vars!;
    for (const b of bindings) {
      for (const key of b.kind === 'inherit' ? b.names : b.path.slice(0, 1)) {
        const name = key.name;
        if (name === undefined || vars.has(name)) continue;
        vars.set(
          name,
          new LazyThunk(() => level.materialized?.attrs.get(name)?.thunk.force() ?? unknown(`attribute ${name} not known`)),
        );
      }
    }
  }

  private newLevel(env: Env, inheritEnv: Env, location?: Location): Level {
    return { children: new Map(), dyn: [], env, inheritEnv, location };
  }

  /** The level of a set literal merged with other definitions: recursive if it is `rec`. */
  private literalLevel(literal: NodeOf<'attrs'>, env: Env): Level {
    const location = this.host.locationOf(literal, env.ctx);
    if (!literal.rec) return this.newLevel(env, env, location);
    const level = this.newLevel(new Env(new Map(), env, null, env.ctx), env, location);
    level.recursive = true;
    this.declare(level, literal.bindings);
    return level;
  }

  /** `a = { … }` meeting an existing `a`: Nix merges the literal's static attributes only. */
  private mergeLiteral(level: Level, literal: NodeOf<'attrs'>): void {
    for (const b of literal.bindings) if (b.kind === 'inherit' || b.path[0]?.name !== undefined) this.addBinding(level, b);
  }

  private addBinding(level: Level, b: AstBinding): void {
    const ctx = level.env.ctx;
    if (b.kind === 'inherit') {
      let fromThunk: Thunk | undefined;
      for (const key of b.names) {
        if (key.name === undefined || level.children.has(key.name)) continue;
        const name = key.name;
        const keyLocation = this.host.locationOf(key, ctx);
        let thunk: Thunk;
        if (b.from) {
          const from = (fromThunk ??= this.host.thunk(b.from, level.env));
          thunk = new LazyThunk(() => {
            const v = from.force();
            if (v.kind !== 'attrs') return v.kind === 'unknown' ? v : unknown(`inherit ${name} from a ${v.kind}`);
            const bb = v.attrs.get(name);
            return bb ? bb.thunk.force() : unknown(v.complete ? `missing attribute ${name}` : `attribute ${name} not known`);
          }, keyLocation);
        } else {
          const inheritEnv = level.inheritEnv;
          const t = this.host.lookup(inheritEnv, name);
          thunk = t ?? new LazyThunk(() => this.host.lookupVar(inheritEnv, name), keyLocation);
        }
        level.children.set(name, { kind: 'leaf', binding: { thunk, keyLocation, valueLocation: keyLocation } });
      }
      return;
    }
    this.insertPath(level, b.path, 0, b.value, b);
  }

  private insertPath(level: Level, path: AttrKey[], index: number, value: NixNode, node: AstBinding): void {
    const key = path[index];
    if (key.name === undefined) {
      level.dyn.push({ path, index, value, node });
      return;
    }
    this.insertNamed(level, key.name, path, index, value, node);
  }

  private insertNamed(level: Level, name: string, path: AttrKey[], index: number, value: NixNode, node: AstBinding): void {
    const ctx = level.env.ctx;
    const key = path[index];
    const existing = level.children.get(name);
    const last = index === path.length - 1;
    if (last) {
      if (!existing) {
        const literal = value.kind === 'attrs' ? value : undefined;
        level.children.set(name, {
          kind: 'leaf',
          binding: { thunk: this.host.thunk(value, level.env), keyLocation: this.host.locationOf(key, ctx), valueLocation: this.host.locationOf(value, ctx) },
          literal,
        });
        return;
      }
      // Otherwise a duplicate definition (an error in Nix): the first one stays.
      if (value.kind !== 'attrs') return;
      const nested = this.asNested(level, name, existing);
      if (nested) this.mergeLiteral(nested.level, value);
      return;
    }
    let nested: NestedEntry | undefined;
    if (!existing) {
      nested = { kind: 'nested', level: this.newLevel(level.env, level.env, this.host.locationOf(node, ctx)), keyLocation: this.host.locationOf(key, ctx) };
      level.children.set(name, nested);
    } else nested = this.asNested(level, name, existing);
    // `a = expr; a.b = ...;` is an error in Nix
    if (nested) this.insertPath(nested.level, path, index + 1, value, node);
  }

  /** An existing definition as a set to merge into: nested already, or a set literal opened up. */
  private asNested(level: Level, name: string, existing: Entry): NestedEntry | undefined {
    if (existing.kind === 'nested') return existing;
    if (!existing.literal) return undefined;
    const nested: NestedEntry = { kind: 'nested', level: this.literalLevel(existing.literal, level.env), keyLocation: existing.binding.keyLocation };
    for (const b of existing.literal.bindings) this.addBinding(nested.level, b);
    level.children.set(name, nested);
    return nested;
  }

  private materialize(level: Level): AttrsValue {
    const ctx = level.env.ctx;
    let complete = true;
    let unknownKeys: { key: StrPattern; binding: Binding }[] | undefined;
    // Dynamic keys are computed when the set itself is evaluated, as in Nix.
    for (const d of level.dyn) {
      const name = this.host.keyName(d.path[d.index], level.env);
      if (name === null) continue;
      if (typeof name === 'string') {
        this.insertNamed(level, name, d.path, d.index, d.value, d.node);
        continue;
      }
      complete = false;
      const key = d.path[d.index];
      let binding: Binding;
      if (d.index === d.path.length - 1) {
        binding = { thunk: this.host.thunk(d.value, level.env), keyLocation: this.host.locationOf(key, ctx), valueLocation: this.host.locationOf(d.value, ctx) };
      } else {
        const sub = this.newLevel(level.env, level.env, this.host.locationOf(d.node, ctx));
        this.insertPath(sub, d.path, d.index + 1, d.value, d.node);
        binding = { thunk: new LazyThunk(() => this.materialize(sub), sub.location), keyLocation: this.host.locationOf(key, ctx) };
      }
      (unknownKeys ??= []).push({ key: name ?? pattern([HOLE]), binding });
    }
    level.dyn = [];
    const attrs = new Map<string, Binding>();
    for (const [name, e] of level.children) {
      if (e.kind === 'leaf') attrs.set(name, e.binding);
      else {
        const sub = e.level;
        attrs.set(name, {
          thunk: new LazyThunk(() => this.materialize(sub), sub.location),
          keyLocation: e.keyLocation,
          valueLocation: sub.location,
        });
      }
    }
    const out: AttrsValue = { kind: 'attrs', attrs, complete, location: level.location };
    if (unknownKeys) out.unknownKeys = unknownKeys;
    if (level.recursive) {
      level.materialized = out;
      for (const [k, b] of attrs) level.env.vars!.set(k, b.thunk);
    }
    return out;
  }
}
