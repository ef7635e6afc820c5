/**
 * colmena (github:zhaofengli/colmena): a hive is an attribute set whose `meta` (or NixOps'
 * `network`) holds `specialArgs` / `nodeSpecialArgs`, whose `defaults` module goes into every
 * node, and whose every other attribute is a node: a module (or a list of modules) evaluated as a
 * NixOS system with `name` (the node's name) and `nodes` (every node) as special arguments.
 * Modelled: `colmena.lib.makeHive hive` → `{ nodes; meta; … }`, and a flake's raw `colmena` output.
 * Not modelled: `meta.nixpkgs` / `nodeNixpkgs` (nixpkgs is ours anyway), a hive given as a function.
 */
import { attrs, fn, force, ready, unknown } from '../eval/helpers';
import { concatLists, lazyAttrs, lazyThunk, mergeAttrs, type ModuleWorld, type SystemCall } from '../modules';
import type { Thunk, Value } from '../value';

const RESERVED = new Set(['meta', 'network', 'defaults']);

export function colmenaInput(world: ModuleWorld, inputName: string): Value {
  return attrs(
    {
      lib: attrs({ makeHive: fn(`${inputName}.lib.makeHive`, (hive) => makeHive(world, hive)) }, { complete: false }),
      nixosModules: attrs({}, { complete: false }),
    },
    { complete: false },
  );
}

/** The node calls of a hive value (by node name), or undefined when it is not an attribute set. */
export function hiveNodes(world: ModuleWorld, hive: Value): Map<string, SystemCall> | undefined {
  return world.hiveNodes.get(hive) ?? buildNodes(world, hive);
}

function buildNodes(world: ModuleWorld, hive: Value): Map<string, SystemCall> | undefined {
  if (hive.kind !== 'attrs') return undefined;
  const meta = hive.attrs.get('meta') ?? hive.attrs.get('network');
  const metaField = (key: string): Thunk | undefined =>
    meta ? lazyThunk(() => {
      const m = force(meta.thunk);
      const b = m.kind === 'attrs' ? m.attrs.get(key) : undefined;
      return b ? force(b.thunk) : attrs({});
    }) : undefined;
  const specialArgs = metaField('specialArgs');
  const nodeSpecialArgs = metaField('nodeSpecialArgs');
  const defaults = hive.attrs.get('defaults')?.thunk;
  const nodes = new Map<string, SystemCall>();
  world.hiveNodes.set(hive, nodes);
  const nodesValue = lazyAttrs(
    () => [...nodes.keys()],
    (k) => {
      const call = nodes.get(k);
      return call ? { thunk: ready(world.systemValue(call)) } : undefined;
    },
    () => hive.complete,
  );
  for (const [name, binding] of hive.attrs) {
    if (RESERVED.has(name)) continue;
    const perNode = nodeSpecialArgs
      ? lazyThunk(() => {
          const all = force(nodeSpecialArgs);
          const b = all.kind === 'attrs' ? all.attrs.get(name) : undefined;
          return b ? force(b.thunk) : attrs({});
        })
      : undefined;
    const own = attrs({ name: { kind: 'string', value: { parts: [name] } }, nodes: nodesValue });
    nodes.set(name, {
      modules: concatLists(defaults ? ready({ kind: 'list', items: [defaults], complete: true }) : undefined, binding.thunk),
      specialArgs: mergeAttrs(mergeAttrs(specialArgs, perNode), ready(own)),
      location: binding.keyLocation,
      name,
    });
  }
  return nodes;
}

function makeHive(world: ModuleWorld, hiveThunk: Thunk): Value {
  const hive = force(hiveThunk);
  const nodes = hiveNodes(world, hive);
  if (!nodes) return unknown('makeHive of a hive that is not an attribute set');
  const nodesValue = attrs(new Map([...nodes].map(([name, call]) => [name, ready(world.systemValue(call))])), { complete: hive.kind === 'attrs' && hive.complete });
  const meta = hive.kind === 'attrs' ? (hive.attrs.get('meta') ?? hive.attrs.get('network'))?.thunk : undefined;
  return attrs({ nodes: nodesValue, meta: meta ?? ready(attrs({})) }, { complete: false });
}
