/**
 * Values standing for things outside the workspace: an attribute set that has every key, and an
 * opaque value known only by its name — used as a module it is a gap named after it, called it is
 * `unknown` saying so.
 */
import { ready, unknown } from './eval/helpers';
import { lazyAttrs, lazyThunk } from './eval/lazy';
import type { ModuleWorld } from './modules';
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
      let b = children.get(k);
      if (!b) children.set(k, (b = { thunk: lazyThunk(() => opaque(world, `${name}.${k}`)) }));
      return b;
    },
    () => false,
  );
  world.opaqueValues.set(name, v);
  world.markers.set(v, { kind: 'external', name });
  return v;
}
