/**
 * Definitions as the NixOS module system sees them: module-system wrappers (`mkIf`, `mkMerge`,
 * `mkOverride`, `mkOrder`) unwrapped with their properties pushed down onto each definition, then
 * nixpkgs' priority filtering and mkOrder sorting — with conditions that may be unknown.
 */
import type { StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force, knownBool, knownString, ready, unknown, wrapperType } from '../eval/helpers';
import type { Binding, Thunk, Value } from '../value';

export const DEFAULT_PRIORITY = 100;
export const OPTION_DEFAULT_PRIORITY = 1500;
export const DEFAULT_ORDER = 1000;

export type CondState = 'true' | 'false' | 'unknown';

/** A definition after unwrapping mkIf / mkMerge / mkOverride / mkOrder. */
export interface Def {
  value: Value;
  /** The binding it came from (for key/value locations). */
  binding?: Binding;
  /** mkIf conditions above it (pushed down). */
  conds: Thunk[];
  /** Priority (outermost mkOverride wins); DEFAULT_PRIORITY when none. */
  prio: number;
  order: number;
  /** Where the value is written. */
  location?: Location;
  /** Defined in a module that is itself only conditional (nested config under mkIf). */
  baseConditional: boolean;
}

export interface RawDef {
  thunk: Thunk;
  binding?: Binding;
  conds: Thunk[];
  prio?: number;
  order?: number;
  baseConditional: boolean;
}

/** Conditions are decided once per analysis run (a new ModuleWorld starts a new run). */
export class Conditions {
  private readonly decided = new WeakMap<Thunk, CondState>();

  state(conds: readonly Thunk[]): CondState {
    let state: CondState = 'true';
    for (const c of conds) {
      let s = this.decided.get(c);
      if (!s) {
        this.decided.set(c, 'unknown'); // re-entrance guard
        const b = knownBool(force(c));
        s = b === true ? 'true' : b === false ? 'false' : 'unknown';
        this.decided.set(c, s);
      }
      if (s === 'false') return 'false';
      if (s === 'unknown') state = 'unknown';
    }
    return state;
  }
}


function numberOf(v: Value): number | undefined {
  return v.kind === 'int' || v.kind === 'float' ? v.value : undefined;
}

function locationOf(raw: RawDef, v: Value): Location | undefined {
  return raw.binding?.valueLocation ?? raw.thunk.location ?? ('location' in v ? v.location : undefined);
}

/** Unwraps module-system wrappers, pushing their properties down. */
export function normalize(raw: RawDef, out: Def[] = [], depth = 0): Def[] {
  const v = force(raw.thunk);
  if (depth > 64) {
    out.push({ value: unknown('wrapper nesting'), binding: raw.binding, conds: raw.conds, prio: raw.prio ?? DEFAULT_PRIORITY, order: raw.order ?? DEFAULT_ORDER, baseConditional: raw.baseConditional });
    return out;
  }
  const t = wrapperType(v);
  if (v.kind === 'attrs' && t) {
    const get = (k: string): Thunk => v.attrs.get(k)?.thunk ?? ready(unknown(`wrapper without ${k}`));
    switch (t) {
      case 'if':
        return normalize({ ...raw, thunk: get('content'), conds: [...raw.conds, get('condition')] }, out, depth + 1);
      case 'merge': {
        const contents = force(get('contents'));
        if (contents.kind === 'list') {
          for (const item of contents.items) normalize({ ...raw, thunk: item, binding: raw.binding }, out, depth + 1);
          if (!contents.complete) out.push(unknownDef(raw));
        } else out.push(unknownDef(raw));
        return out;
      }
      case 'override': {
        const p = numberOf(force(get('priority')));
        return normalize({ ...raw, thunk: get('content'), prio: raw.prio ?? p ?? DEFAULT_PRIORITY }, out, depth + 1);
      }
      case 'order': {
        const p = numberOf(force(get('priority')));
        return normalize({ ...raw, thunk: get('content'), order: raw.order ?? p ?? DEFAULT_ORDER }, out, depth + 1);
      }
      case 'option':
        // a declaration where a definition was expected: contributes nothing definite
        out.push(unknownDef(raw));
        return out;
      default:
        break;
    }
  }
  out.push({
    value: v,
    binding: raw.binding,
    conds: raw.conds,
    prio: raw.prio ?? DEFAULT_PRIORITY,
    order: raw.order ?? DEFAULT_ORDER,
    location: locationOf(raw, v),
    baseConditional: raw.baseConditional,
  });
  return out;
}

function unknownDef(raw: RawDef): Def {
  return {
    value: unknown('unknown definition'),
    binding: raw.binding,
    conds: raw.conds,
    prio: raw.prio ?? DEFAULT_PRIORITY,
    order: raw.order ?? DEFAULT_ORDER,
    location: raw.binding?.valueLocation ?? raw.thunk.location,
    baseConditional: raw.baseConditional,
  };
}

export interface Selected {
  def: Def;
  /** May not apply (unknown mkIf, or may be overridden by a conditional higher-priority def). */
  conditional: boolean;
}

/**
 * nixpkgs' filterOverrides with unknown conditions: definitions whose condition is false are
 * dropped; of the rest, the lowest priority number wins. A conditional definition with a
 * priority at least as strong as the best definite one makes the choice uncertain.
 */
export function selectByPriority(defs: readonly Def[], conditions: Conditions): Selected[] {
  const live = defs
    .map((def) => ({ def, state: conditions.state(def.conds) }))
    .filter((d) => d.state !== 'false')
    .map((d) => ({ def: d.def, conditional: d.state === 'unknown' || d.def.baseConditional }));
  let best = Infinity;
  for (const d of live) if (!d.conditional) best = Math.min(best, d.def.prio);
  const selected = live.filter((d) => (d.conditional ? d.def.prio <= best : d.def.prio === best));
  const shaky = live.some((d) => d.conditional && d.def.prio < best);
  return selected.map((d) => ({ def: d.def, conditional: d.conditional || shaky }));
}

/** Stable sort by mkOrder priority. */
export function sortByOrder<T extends { def: Def }>(items: T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.def.order - b.item.def.order || a.i - b.i)
    .map((x) => x.item);
}

// ---------------------------------------------------------------------------------------------
// Modules

/**
 * A default, normalised on first read: constructing a configuration must not force workspace
 * code. A class, not an object with accessors per default: there are thousands per host.
 */
class LazyDef implements Def {
  readonly binding: Binding | undefined;
  readonly conds: Thunk[];
  readonly order = DEFAULT_ORDER;
  readonly baseConditional = false;
  private normalized: Def[] | undefined;
  constructor(private readonly raw: RawDef) {
    this.binding = raw.binding;
    this.conds = raw.conds;
  }
  private first(): Def | undefined {
    return (this.normalized ??= normalize(this.raw))[0];
  }
  get value(): Value {
    return this.first()?.value ?? unknown();
  }
  get prio(): number {
    return this.first()?.prio ?? this.raw.prio ?? OPTION_DEFAULT_PRIORITY;
  }
  get location(): Location | undefined {
    return this.first()?.location;
  }
}

export function lazyDefs(raw: RawDef): Def[] {
  return [new LazyDef(raw)];
}

export function childDefs(d: Def, name: string): Def[] {
  const v = d.value;
  if (v.kind === 'attrs') {
    const b = v.attrs.get(name);
    const out: Def[] = [];
    if (b) normalize({ thunk: b.thunk, binding: b, conds: d.conds, prio: d.prio === DEFAULT_PRIORITY ? undefined : d.prio, order: d.order === DEFAULT_ORDER ? undefined : d.order, baseConditional: d.baseConditional }, out);
    for (const u of v.unknownKeys ?? []) {
      if (patternMayEqual(u.key, name)) {
        // `"${x}" = ...` might be this key: it contributes, but only conditionally
        const defs = normalize({ thunk: u.binding.thunk, binding: u.binding, conds: d.conds, prio: d.prio === DEFAULT_PRIORITY ? undefined : d.prio, baseConditional: true });
        out.push(...defs);
      }
    }
    if (!v.complete && !b) out.push({ value: unknown('attrset with unknown keys'), conds: d.conds, prio: d.prio, order: d.order, baseConditional: true });
    return out;
  }
  if (v.kind === 'unknown') return [{ value: unknown('parent unknown'), conds: d.conds, prio: d.prio, order: d.order, baseConditional: true }];
  return [];
}

function patternMayEqual(p: StrPattern, s: string): boolean {
  // a regex from the pattern: holes match anything
  const re = new RegExp(
    '^' + p.parts.map((x) => (typeof x === 'string' ? x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[^]*')).join('') + '$',
  );
  return re.test(s);
}

export function sameScalar(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'string': {
      const t = knownString(a);
      return t !== undefined && t === knownString(b);
    }
    case 'int':
    case 'float':
      return a.value === (b as { value: number }).value;
    case 'bool':
      return a.value === (b as { value: boolean }).value;
    case 'null':
      return true;
    case 'path':
      return a.path === (b as { path: string }).path;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Small value helpers for fact extraction.
