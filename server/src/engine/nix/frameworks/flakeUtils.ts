/**
 * flake-utils (github:numtide/flake-utils) and flake-utils-plus (github:gytis-ivaskevicius/
 * flake-utils-plus).
 *
 * flake-utils: `eachSystem systems f` / `eachDefaultSystem f` put each output of `f system` under
 * its system (`packages.<system>`), `eachSystemMap` is `genAttrs`; none of it defines
 * configurations, so it only has to evaluate for the rest of the flake to.
 *
 * flake-utils-plus: `mkFlake { self; inputs; hosts; hostDefaults; … }` — every `hosts.<name>`
 * merged over `hostDefaults` (lists such as `modules` concatenate, attribute sets such as
 * `specialArgs` and `extraArgs` merge one level deep; `sharedModules`, the older name, joins every
 * host) becomes `<output>.<name>` (default `nixosConfigurations`) built by `builder` (default
 * `nixosSystem`) from a first module setting `networking.hostName` (the first label of the name)
 * and `_module.args = { inherit inputs; } // extraArgs`; every other argument passes through to
 * the outputs. `exportModules [ ./a.nix ]` is `{ a = ./a.nix; }`. Channels, overlays and
 * `outputsBuilder` are not modelled (they build packages, not configurations).
 */
import { posix } from 'node:path';
import { known } from '../../pattern';
import { apply, attrs, fn, fn2, force, knownString, list, ready, str, unknown } from '../eval/helpers';
import { lazyAttrs, lazyThunk, type ModuleWorld } from '../modules';
import type { AttrsValue, Binding, Thunk, Value } from '../value';

const DEFAULT_SYSTEMS = ['x86_64-linux', 'aarch64-linux', 'x86_64-darwin', 'aarch64-darwin'];
const ALL_SYSTEMS = [...DEFAULT_SYSTEMS, 'i686-linux', 'armv6l-linux', 'armv7l-linux', 'riscv64-linux'];

/** `eachSystem systems f`: `{ <attr>.<system> = (f system).<attr>; }`. */
function eachSystem(systemsThunk: Thunk, f: Thunk): Value {
  const systems = force(systemsThunk);
  if (systems.kind !== 'list') return unknown('eachSystem over systems that are not a list');
  const perSystem = systems.items.map((s) => ({ system: s, out: lazyThunk(() => apply(force(f), s)) }));
  const keys = (): string[] => {
    const first = perSystem[0] ? force(perSystem[0].out) : undefined;
    return first?.kind === 'attrs' ? [...first.attrs.keys()] : [];
  };
  return lazyAttrs(
    keys,
    (attr) => ({
      thunk: lazyThunk(() => {
        const m = new Map<string, Binding>();
        for (const { system, out } of perSystem) {
          const name = knownString(force(system));
          const o = force(out);
          const b = o.kind === 'attrs' ? o.attrs.get(attr) : undefined;
          if (name !== undefined && b) m.set(name, b);
        }
        return { kind: 'attrs', attrs: m, complete: true };
      }),
    }),
    () => perSystem.length > 0,
  );
}

export function flakeUtilsLib(): Record<string, Value> {
  const systemList = (names: string[]) => list(names.map((n) => str(n)));
  return {
    eachSystem: fn2('eachSystem', eachSystem),
    eachDefaultSystem: fn('eachDefaultSystem', (f) => eachSystem(ready(systemList(DEFAULT_SYSTEMS)), f)),
    eachSystemMap: fn2('eachSystemMap', (systems, f) => {
      const s = force(systems);
      if (s.kind !== 'list') return unknown('eachSystemMap over systems that are not a list');
      const m = new Map<string, Binding>();
      for (const item of s.items) {
        const name = knownString(force(item));
        if (name !== undefined) m.set(name, { thunk: lazyThunk(() => apply(force(f), item)) });
      }
      return { kind: 'attrs', attrs: m, complete: true };
    }),
    eachDefaultSystemMap: fn('eachDefaultSystemMap', (f) => {
      const m = new Map<string, Binding>();
      for (const name of DEFAULT_SYSTEMS) m.set(name, { thunk: lazyThunk(() => apply(force(f), ready(str(name)))) });
      return { kind: 'attrs', attrs: m, complete: true };
    }),
    defaultSystems: systemList(DEFAULT_SYSTEMS),
    allSystems: systemList(ALL_SYSTEMS),
    system: attrs(Object.fromEntries(ALL_SYSTEMS.map((s) => [s, str(s)]))),
    flattenTree: fn('flattenTree', (t) => force(t)),
    mkApp: fn('mkApp', (a) => force(a)),
  };
}

export function flakeUtilsInput(): Value {
  return attrs({ lib: attrs(flakeUtilsLib(), { complete: false }) }, { complete: false });
}

export function flakeUtilsPlusInput(world: ModuleWorld, inputName: string): Value {
  const lib = attrs(
    {
      ...flakeUtilsLib(),
      mkFlake: fn(`${inputName}.lib.mkFlake`, (args) => fupMkFlake(world, args)),
      exportModules: fn('exportModules', exportModules),
      exportOverlays: fn('exportOverlays', () => attrs({}, { complete: false })),
      exportPackages: fn2('exportPackages', () => attrs({}, { complete: false })),
    },
    { complete: false },
  );
  return attrs(
    { lib, nixosModules: attrs({ autoGenFromInputs: world.marker({ kind: 'inert', name: `${inputName}.nixosModules.autoGenFromInputs` }) }, { complete: false }) },
    { complete: false },
  );
}

/** `exportModules [ ./a.nix ./b ]` → `{ a = ./a.nix; b = ./b; }`. */
export function exportModules(paths: Thunk): Value {
  const v = force(paths);
  if (v.kind !== 'list') return unknown('exportModules of a non-list');
  const m = new Map<string, Binding>();
  for (const item of v.items) {
    const p = force(item);
    const file = p.kind === 'path' ? p.path : knownString(p);
    if (file === undefined) return unknown('exportModules of a path not known statically');
    m.set(posix.basename(file).replace(/\.nix$/, ''), { thunk: item });
  }
  return { kind: 'attrs', attrs: m, complete: true };
}

/** Arguments of mkFlake that are not outputs. */
const MKFLAKE_ARGUMENTS = new Set([
  'self', 'inputs', 'hosts', 'hostDefaults', 'sharedModules', 'nixosModules', 'nixosProfiles', 'channels', 'channelsConfig',
  'sharedOverlays', 'supportedSystems', 'outputsBuilder',
]);

function field(v: Value, key: string): Thunk | undefined {
  return v.kind === 'attrs' ? v.attrs.get(key)?.thunk : undefined;
}

/** fup's mergeAny, one level deep: attribute sets merge, lists concatenate, anything else is replaced. */
function mergeAny(lhs: Value, rhs: Value): AttrsValue {
  const out = new Map<string, Binding>(lhs.kind === 'attrs' ? lhs.attrs : []);
  if (rhs.kind === 'attrs') {
    for (const [k, b] of rhs.attrs) {
      const before = out.get(k);
      if (!before) {
        out.set(k, b);
        continue;
      }
      out.set(k, {
        thunk: lazyThunk(() => {
          const l = force(before.thunk);
          const r = force(b.thunk);
          if (l.kind === 'list' && r.kind === 'list') return { kind: 'list', items: [...l.items, ...r.items], complete: l.complete && r.complete };
          if (l.kind === 'attrs' && r.kind === 'attrs') return { kind: 'attrs', attrs: new Map([...l.attrs, ...r.attrs]), complete: l.complete && r.complete };
          return r;
        }),
        keyLocation: b.keyLocation,
        valueLocation: b.valueLocation,
      });
    }
  }
  return { kind: 'attrs', attrs: out, complete: (lhs.kind !== 'attrs' || lhs.complete) && (rhs.kind !== 'attrs' || rhs.complete) };
}

/** fup's `mkFlake`, also what snowfall-lib and digga build their outputs with. */
export function fupMkFlake(world: ModuleWorld, argsThunk: Thunk): Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown('mkFlake of a non-attrset');
  const inputs = field(args, 'inputs') ?? ready(attrs({}, { complete: false }));
  const hostDefaults = lazyThunk(() => {
    const d = force(field(args, 'hostDefaults'));
    return d.kind === 'attrs' ? d : attrs({});
  });
  const sharedModules = field(args, 'sharedModules');
  const outputs = new Map<string, Binding>();
  for (const [k, b] of args.attrs) if (!MKFLAKE_ARGUMENTS.has(k)) outputs.set(k, b);
  const hostsValue = force(field(args, 'hosts'));
  const byOutput = new Map<string, Map<string, Binding>>();
  if (hostsValue.kind === 'attrs') {
    for (const [name, binding] of hostsValue.attrs) {
      const host = lazyThunk(() => mergeAny(force(hostDefaults), force(binding.thunk)));
      const outputName = knownString(force(field(force(host), 'output'))) ?? 'nixosConfigurations';
      const configs = byOutput.get(outputName) ?? new Map<string, Binding>();
      byOutput.set(outputName, configs);
      configs.set(name, { thunk: lazyThunk(() => buildHost(world, name, force(host), inputs, sharedModules)), keyLocation: binding.keyLocation });
    }
  }
  for (const [outputName, configs] of byOutput) {
    outputs.set(outputName, { thunk: ready({ kind: 'attrs', attrs: configs, complete: hostsValue.kind === 'attrs' && hostsValue.complete }) });
  }
  return { kind: 'attrs', attrs: outputs, complete: false };
}

function buildHost(world: ModuleWorld, name: string, host: Value, inputs: Thunk, sharedModules: Thunk | undefined): Value {
  const hostname = name.split('.').reverse()[0] ?? name;
  const extraArgs = force(field(host, 'extraArgs'));
  const moduleArgs = new Map<string, Binding>([['inputs', { thunk: inputs }]]);
  if (extraArgs.kind === 'attrs') for (const [k, b] of extraArgs.attrs) moduleArgs.set(k, b);
  const generated = attrs({
    networking: attrs({ hostName: { kind: 'string', value: known(hostname) } }),
    _module: attrs({ args: { kind: 'attrs', attrs: moduleArgs, complete: extraArgs.kind !== 'attrs' || extraArgs.complete } }),
  });
  const own = force(field(host, 'modules'));
  const shared = sharedModules ? force(sharedModules) : undefined;
  const modules: Thunk[] = [ready(generated)];
  let complete = true;
  for (const l of [shared, own]) {
    if (!l) continue;
    if (l.kind === 'list') {
      modules.push(...l.items);
      complete &&= l.complete;
    } else complete = false;
  }
  const builder = field(host, 'builder');
  const call = attrs({
    system: field(host, 'system') ?? ready(str('x86_64-linux')),
    modules: { kind: 'list', items: modules, complete },
    specialArgs: field(host, 'specialArgs') ?? ready(attrs({})),
  });
  return apply(builder ? force(builder) : world.nixosSystem, call);
}
