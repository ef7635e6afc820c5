/**
 * Small constructors and accessors for abstract Nix values, shared by the evaluator, the
 * builtins/lib implementation and the module layer. None of these throw.
 */
import { HOLE, isKnown, known, knownText, pattern, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import {
  ready,
  unknown,
  type AttrsValue,
  type Binding,
  type FunctionValue,
  type ListValue,
  type StringValue,
  type Thunk,
  type UnknownValue,
  type Value,
} from '../value';

export { ready, unknown };

/** Forces a thunk; never throws (a throw or a JS stack overflow becomes `unknown`). */
export function force(thunk: Thunk | undefined): Value {
  if (!thunk) return unknown('missing');
  try {
    return thunk.force();
  } catch (e) {
    return unknown(e instanceof RangeError ? 'stack overflow' : `internal error: ${(e as Error)?.message ?? e}`);
  }
}

export const TRUE: Value = Object.freeze({ kind: 'bool', value: true }) as Value;
export const FALSE: Value = Object.freeze({ kind: 'bool', value: false }) as Value;
export const NULL: Value = Object.freeze({ kind: 'null' }) as Value;

export function bool(b: boolean): Value {
  return b ? TRUE : FALSE;
}

export function int(n: number): Value {
  return { kind: 'int', value: n };
}

export function float(n: number): Value {
  return { kind: 'float', value: n };
}

/** A string value: known text or a pattern. */
export function str(text: string | StrPattern, location?: Location): StringValue {
  return { kind: 'string', value: typeof text === 'string' ? known(text) : text, location };
}

/** A string that is entirely unknown (one hole). */
export function unknownString(location?: Location): StringValue {
  return { kind: 'string', value: pattern([HOLE]), location };
}

export function path(p: string): Value {
  return { kind: 'path', path: p };
}

/** An attrset from plain values, thunks or bindings. */
export function attrs(
  record: Record<string, Value | Thunk | Binding> | Map<string, Value | Thunk | Binding>,
  opts?: { complete?: boolean; location?: Location },
): AttrsValue {
  const map = new Map<string, Binding>();
  const entries = record instanceof Map ? record.entries() : Object.entries(record);
  for (const [k, v] of entries) map.set(k, toBinding(v));
  return { kind: 'attrs', attrs: map, complete: opts?.complete ?? true, location: opts?.location };
}

export function toBinding(v: Value | Thunk | Binding): Binding {
  if ('thunk' in v) return v as Binding;
  if (typeof (v as Thunk).force === 'function') return { thunk: v as Thunk };
  return { thunk: ready(v as Value) };
}

export function toThunk(v: Value | Thunk): Thunk {
  return typeof (v as Thunk).force === 'function' ? (v as Thunk) : ready(v as Value);
}

export function list(values: (Value | Thunk)[], opts?: { complete?: boolean; location?: Location }): ListValue {
  return { kind: 'list', items: values.map(toThunk), complete: opts?.complete ?? true, location: opts?.location };
}

/** A native function of one argument. */
export function fn(name: string, impl: (arg: Thunk, callSite?: Location) => Value): FunctionValue {
  return {
    kind: 'function',
    name,
    apply(arg, callSite) {
      try {
        return impl(arg, callSite);
      } catch (e) {
        return unknown(e instanceof RangeError ? 'stack overflow' : `internal error in ${name}: ${(e as Error)?.message ?? e}`);
      }
    },
  };
}

/** A curried native function of two arguments. */
export function fn2(name: string, impl: (a: Thunk, b: Thunk) => Value): FunctionValue {
  return fn(name, (a) => fn(`${name}'`, (b) => impl(a, b)));
}

/** A curried native function of three arguments. */
export function fn3(name: string, impl: (a: Thunk, b: Thunk, c: Thunk) => Value): FunctionValue {
  return fn(name, (a) => fn(`${name}'`, (b) => fn(`${name}''`, (c) => impl(a, b, c))));
}

/** Applies a function value (or a `__functor` attrset) to arguments; anything else → unknown. */
export function apply(f: Value, ...args: (Value | Thunk)[]): Value {
  let cur = f;
  for (const a of args) {
    const fv = asFunction(cur);
    if (!fv) return cur.kind === 'unknown' ? cur : unknown('not a function');
    cur = fv.apply(toThunk(a));
  }
  return cur;
}

/** The function behind a value: itself, or an attrset's `__functor self`. */
export function asFunction(v: Value): FunctionValue | undefined {
  if (v.kind === 'function') return v;
  if (v.kind === 'attrs') {
    const functor = v.attrs.get('__functor');
    if (!functor) return undefined;
    const self = v;
    return {
      kind: 'function',
      name: '__functor',
      apply(arg, callSite) {
        const f = force(functor.thunk);
        if (f.kind !== 'function') return unknown('bad __functor');
        const g = f.apply(ready(self), callSite);
        if (g.kind !== 'function') return g.kind === 'unknown' ? g : unknown('bad __functor');
        return g.apply(arg, callSite);
      },
    };
  }
  return undefined;
}

export function isFunction(v: Value): v is FunctionValue {
  return v.kind === 'function' || (v.kind === 'attrs' && v.attrs.has('__functor'));
}

export function isUnknown(v: Value): v is UnknownValue {
  return v.kind === 'unknown';
}

export function isAttrs(v: Value): v is AttrsValue {
  return v.kind === 'attrs';
}

export function isList(v: Value): v is ListValue {
  return v.kind === 'list';
}

export function isString(v: Value): v is StringValue {
  return v.kind === 'string';
}

/** The text of a fully known string value, else undefined. */
export function knownString(v: Value): string | undefined {
  return v.kind === 'string' ? knownText(v.value) : undefined;
}

export function isKnownString(v: Value): boolean {
  return v.kind === 'string' && isKnown(v.value);
}

/** Looks up and forces `name` in an attrset value; unknown when absent or not an attrset. */
export function getAttr(v: Value, name: string): Value {
  if (v.kind !== 'attrs') return v.kind === 'unknown' ? v : unknown(`not an attrset (.${name})`);
  const b = v.attrs.get(name);
  if (!b) return unknown(v.complete ? `missing attribute ${name}` : `attribute ${name} not known`);
  return force(b.thunk);
}

/** Follows a path of attribute names, forcing along the way. */
export function getPath(v: Value, names: readonly string[]): Value {
  let cur = v;
  for (const n of names) {
    cur = getAttr(cur, n);
    if (cur.kind === 'unknown') return cur;
  }
  return cur;
}

/** `true` / `false` when known, else undefined. */
export function knownBool(v: Value): boolean | undefined {
  return v.kind === 'bool' ? v.value : undefined;
}

/** Forces every item of a list value (shallow). */
export function listItems(v: Value): Value[] | undefined {
  if (v.kind !== 'list') return undefined;
  return v.items.map(force);
}

/** `_type` of a module-system wrapper attrset (`if`, `merge`, `override`, `order`, `option`, …). */
export function wrapperType(v: Value): string | undefined {
  if (v.kind !== 'attrs') return undefined;
  const b = v.attrs.get('_type');
  if (!b) return undefined;
  return knownString(force(b.thunk));
}
