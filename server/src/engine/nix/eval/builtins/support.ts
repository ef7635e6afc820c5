/**
 * What every native builtin and `lib` function shares: the host interface to the evaluator and
 * small total accessors/constructors (bad input gives `undefined` or `unknown`, never a throw).
 */
import { knownText, type StrPattern } from '../../../pattern';
import { unknown, type AttrsValue, type Binding, type ListValue, type Thunk, type Value } from '../../value';
import { apply, bool } from '../helpers';

/** What builtins need from the evaluator. */
export interface BuiltinHost {
  readonly fs: {
    readFile(path: string): string | undefined;
    readDir(path: string): Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined;
    isDirectory(path: string): boolean;
  };
  charge(n: number): boolean;
  nested(f: () => Value): Value;
  evalFile(path: string): Value;
  /** The module system, when one is attached (nix/modules); without it these are unknown. */
  readonly moduleSystem?: ModuleSystemHooks;
}

/** What the module layer, built on the evaluator, lends back to it. */
export interface ModuleSystemHooks {
  /** `lib.evalModules`. */
  evalModules(args: Thunk): Value;
  /** `import` of a path outside the workspace (`<nixpkgs/nixos/lib/eval-config.nix>`), if modelled. */
  importStore?(path: string): Value | undefined;
}

/** Longest list `genList`/`range` may build; a longer one is unknown instead of allocated. */
export const MAX_LIST = 1_000_000;

/** A memoised thunk around a computation; forcing it while it runs is infinite recursion. */
class Memo implements Thunk {
  private v: Value | undefined;
  private busy = false;
  constructor(private readonly f: () => Value) {}
  force(): Value {
    if (this.v) return this.v;
    if (this.busy) return unknown('infinite recursion');
    this.busy = true;
    try {
      this.v = this.f();
    } catch (e) {
      this.v = unknown(e instanceof RangeError ? 'stack overflow' : 'internal error');
    } finally {
      this.busy = false;
    }
    return this.v;
  }
}

export const lazy = (f: () => Value): Thunk => new Memo(f);

/** What `throw`/`abort` (and Nix's own errors) give: `tryEval` can tell it from a plain unknown. */
export function thrown(reason: string): Value {
  return { kind: 'unknown', reason, thrown: true };
}

export function unknownFrom(v: Value, what: string): Value {
  return v.kind === 'unknown' ? v : unknown(`${what}: got a ${v.kind}`);
}

export function asInt(v: Value): number | undefined {
  return v.kind === 'int' ? v.value : v.kind === 'float' && Number.isInteger(v.value) ? v.value : undefined;
}

export function asText(v: Value): string | undefined {
  if (v.kind === 'string') return knownText(v.value);
  if (v.kind === 'path') return v.path;
  return undefined;
}

export function strPattern(v: Value): StrPattern | undefined {
  return v.kind === 'string' ? v.value : undefined;
}

export function mkList(items: Thunk[], complete = true, location?: ListValue['location']): ListValue {
  return { kind: 'list', items, complete, location };
}

export function mkAttrs(map: Map<string, Binding>, complete = true, location?: AttrsValue['location'], unknownKeys?: AttrsValue['unknownKeys']): AttrsValue {
  const out: AttrsValue = { kind: 'attrs', attrs: map, complete, location };
  if (unknownKeys && unknownKeys.length) out.unknownKeys = unknownKeys;
  return out;
}

/** Applies `f` to thunks lazily (the result is a memoised thunk). */
export function lazyApply(host: BuiltinHost, f: Value, ...args: Thunk[]): Thunk {
  return lazy(() => host.nested(() => apply(f, ...args)));
}

/** Applies `f` now, one nesting level deeper (budgeted like any call). */
export function callNow(host: BuiltinHost, f: Value, ...args: (Thunk | Value)[]): Value {
  return host.nested(() => apply(f, ...args));
}

export function triBool(t: boolean | undefined, reason: string): Value {
  return t === undefined ? unknown(reason) : bool(t);
}
