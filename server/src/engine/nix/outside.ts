/**
 * Values standing for things outside the workspace: an attribute set that has every key, and an
 * opaque value known only by its name — used as a module it is a gap named after it, called it is
 * `unknown` saying so.
 */
import { ready, unknown } from './eval/helpers';
import { lazyAttrs, lazyThunk } from './eval/lazy';
import { concatLists, type ModuleWorld } from './modules';
import type { AttrsValue, Binding, Value } from './value';

export function anyKeyAttrs(make: (key: string) => Value): AttrsValue {
  const cache = new Map<string, Binding>();
  return lazyAttrs(
    () => [],
    (k) => {
      let b = cache.get(k);
      if (!b) cache.set(k, (b = { thunk: ready(make(k)) }));
      return b;
    },
    () => false,
  );
}

/**
 * A value from outside the workspace, known only by name: any attribute is again opaque, used as
 * a module it is an external module (a gap), applied it is `unknown` with the reason.
 */
export function opaque(world: ModuleWorld, name: string): AttrsValue {
  const cached = world.opaqueValues.get(name);
  if (cached) return cached;
  const functor: Value = {
    kind: 'function',
    name: '__functor',
    apply: () => ({
      kind: 'function',
      name,
      apply: () => unknown(`call of ${name}, from an input the workspace does not contain`),
    }),
  };
  const children = new Map<string, Binding>();
  const v = lazyAttrs(
    () => [],
    (k) => {
      if (k === '__functor') return { thunk: ready(functor) };
      if (k === 'outPath') return { thunk: ready(unknown(`${name} is outside the workspace`)) };
      if (k === 'nixosSystem' && name.endsWith('.lib')) return { thunk: ready(wrappedNixosSystem(world, `${name}.nixosSystem`)) };
      let b = children.get(k);
      if (!b) children.set(k, (b = { thunk: lazyThunk(() => opaque(world, `${name}.${k}`)) }));
      return b;
    },
    () => false,
  );
  v.outside = name;
  world.opaqueValues.set(name, v);
  world.markers.set(v, { kind: 'external', name });
  return v;
}

/**
 * `<input>.lib.nixosSystem` of an input we do not have (a board support flake, a distribution
 * built on nixpkgs): a nixosSystem wrapper. The call is a configuration of the modules and
 * specialArgs it is given plus one module from outside — whatever the wrapper adds — so its own
 * modules are read and what it adds is a gap, as for any module from an input.
 */
function wrappedNixosSystem(world: ModuleWorld, name: string): Value {
  return {
    kind: 'function',
    name,
    formals: { names: ['modules', 'specialArgs', 'system'], ellipsis: true },
    apply(arg, callSite) {
      const a = arg.force();
      const get = (k: string) => (a.kind === 'attrs' ? a.attrs.get(k)?.thunk : undefined);
      const added = ready({ kind: 'list', items: [ready(opaque(world, `${name} (the modules it adds)`))], complete: true });
      return world.systemValue({ modules: a.kind === 'attrs' ? concatLists(get('modules'), added) : undefined, specialArgs: get('specialArgs'), location: callSite });
    },
  };
}
