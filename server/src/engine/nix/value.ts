/**
 * Values of the abstract Nix evaluator. Every value may be partly unknown: strings are patterns
 * with holes, attrsets may have keys we could not compute, and anything may be `unknown`.
 * Attribute values and list items are thunks, forced on demand, because Nix is lazy and real
 * configurations rely on it (a `config` fixpoint, `rec`, unused broken branches).
 *
 * Module-system wrappers (`lib.mkIf`, `mkMerge`, `mkOverride`, `mkOrder`) are attrsets with a
 * `_type` key, exactly as nixpkgs' lib builds them, so the module layer interprets them the way
 * NixOS does.
 */
import type { StrPattern } from '../pattern';
import type { Location } from '../text';

export interface Thunk {
  force(): Value;
  /** Where the expression behind this thunk is written, when it comes from source. */
  readonly location?: Location;
}

export interface Binding {
  thunk: Thunk;
  /** The attribute name as written (`id` in `id = ...`), when it comes from source. */
  keyLocation?: Location;
  /** The value expression (`"vm-a"` in `id = "vm-a"`), when it comes from source. */
  valueLocation?: Location;
}

export type Value =
  | StringValue
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'path'; path: string }
  | ListValue
  | AttrsValue
  | FunctionValue
  | UnknownValue;

export interface StringValue {
  kind: 'string';
  value: StrPattern;
  /** The literal that produced it (for positions of ids, MACs, bridge names). */
  location?: Location;
}

export interface ListValue {
  kind: 'list';
  items: Thunk[];
  /** False when the list may have more items than we know (e.g. `known ++ unknown`). */
  complete: boolean;
  location?: Location;
}

export interface AttrsValue {
  kind: 'attrs';
  attrs: Map<string, Binding>;
  /** False when some keys could not be computed (`${unknown} = ...`, `// unknown`). */
  complete: boolean;
  location?: Location;
  /**
   * Bindings whose key is a pattern with holes (`"vm-${name}" = { ... };` with `name` unknown).
   * They make the set incomplete; kept so callers can still look at the values.
   */
  unknownKeys?: { key: StrPattern; binding: Binding }[];
  /**
   * Set on a value standing for something outside the workspace (nix/outside.ts), named by it:
   * it is an attribute set only as far as we model it, so what depends on its type (`==`) is
   * unknown.
   */
  outside?: string;
}

export interface FunctionValue {
  kind: 'function';
  /** Applies the function. Budget exhaustion or errors yield `unknown`, never a throw. */
  apply(arg: Thunk, callSite?: Location): Value;
  /** Formal names for `{ a, b ? x, ... }:` functions (modules are recognised by these). */
  formals?: { names: string[]; ellipsis: boolean };
  location?: Location;
  name?: string;
}

export interface UnknownValue {
  kind: 'unknown';
  /** Short reason for debugging and hover ("budget exhausted", "undefined variable foo"). */
  reason?: string;
  /** Set when the unknown comes from `throw` / `abort` / a failed `assert` (for `tryEval`). */
  thrown?: boolean;
}

export function unknown(reason?: string): UnknownValue {
  return { kind: 'unknown', reason };
}

export function ready(value: Value, location?: Location): Thunk {
  return { force: () => value, location };
}
