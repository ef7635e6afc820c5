/**
 * What an option's declared type says about the shape of its value, as far as merging needs it:
 * where submodules sit (whose own option defaults then apply to each value, with `name` bound
 * for `attrsOf`), and where definitions are deferred modules (merged into `{ imports = …; }`).
 * Types come from `lib.types` (eval/lib/types.ts), structured as nixpkgs structures them.
 */
import { force, knownString } from '../eval/helpers';
import type { Thunk, Value } from '../value';

export type ValueShape =
  /** Taken as defined, never merged structurally (`raw`, `unspecified`, `package`, functions). */
  | { kind: 'raw' }
  | { kind: 'submodule'; modules: Thunk; specialArgs?: Thunk }
  | { kind: 'deferred' }
  | { kind: 'attrs'; elem: ValueShape }
  | { kind: 'list'; elem: ValueShape }
  | { kind: 'nullable'; elem: ValueShape };

const MAX_NESTING = 8;

/** The shape of values of `type`, or undefined when nothing in it needs more than plain merging. */
export function valueShape(type: Value, depth = 0): ValueShape | undefined {
  if (type.kind !== 'attrs' || depth > MAX_NESTING) return undefined;
  const name = knownString(force(type.attrs.get('name')?.thunk));
  const nested = (key: string): Value | undefined => {
    const n = force(type.attrs.get('nestedTypes')?.thunk);
    const t = n.kind === 'attrs' ? n.attrs.get(key)?.thunk : undefined;
    return t ? force(t) : undefined;
  };
  const elem = (): ValueShape | undefined => {
    const t = nested('elemType');
    return t ? valueShape(t, depth + 1) : undefined;
  };
  switch (name) {
    case 'submodule': {
      const modules = type.attrs.get('getSubModules')?.thunk;
      if (!modules) return undefined;
      return { kind: 'submodule', modules, specialArgs: type.attrs.get('specialArgs')?.thunk };
    }
    case 'deferredModule':
      return { kind: 'deferred' };
    case 'raw':
    case 'unspecified':
    case 'package':
    case 'functionTo':
      return { kind: 'raw' };
    case 'attrsOf':
    case 'lazyAttrsOf': {
      const e = elem();
      return e ? { kind: 'attrs', elem: e } : undefined;
    }
    case 'listOf':
    case 'nonEmptyListOf': {
      const e = elem();
      return e ? { kind: 'list', elem: e } : undefined;
    }
    case 'nullOr': {
      const e = elem();
      return e ? { kind: 'nullable', elem: e } : undefined;
    }
    case 'uniq':
    case 'unique':
    case 'coercedTo':
      return elem();
    default:
      return undefined;
  }
}
