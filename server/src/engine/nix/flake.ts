/**
 * Flakes, statically: `outputs` applied to inputs we synthesise (inputs.ts says what each is).
 *  - `self` is the outputs fixpoint (plus `outPath` = the flake's directory, `inputs`, `_type`);
 *  - nixpkgs-like inputs get `lib` = the evaluator's lib plus `nixosSystem`, a function returning
 *    a marker holding the call's `modules` and `specialArgs`;
 *  - the microvm.nix input gets `nixosModules.host` / `.microvm` marker modules;
 *  - a `path:` input inside the workspace is that flake, evaluated (once) in its own right;
 *  - a framework input is its model (frameworks/);
 *  - any other input is opaque: every attribute is again opaque, used as a module it is a gap
 *    named after it (`foo.nixosModules.default`), called it gives `unknown` saying so.
 * `nixosConfigurations.<name>` values that are nixosSystem markers become configurations.
 */
import { posix } from 'node:path';
import { known } from '../pattern';
import type { Location } from '../text';
import { attrs, force, knownString, ready, unknown } from './eval/helpers';
import { MICROVM_STORE, NIXPKGS_STORE } from './eval/store';
import { frameworkConfigurations, frameworkInput } from './frameworks';
import { classifyInput, type InputKind } from './inputs';
import { anyKeyAttrs, opaque } from './outside';
import { lazyAttrs, lazyThunk, type ModuleWorld, type SystemCall } from './modules';
import type { AttrsValue, Binding, Thunk, Value } from './value';

export interface FlakeSystem {
  name: string;
  call: SystemCall;
  /** The `nixosConfigurations.<name>` key, else the nixosSystem call. */
  location?: Location;
}

export interface FlakeResult {
  file: string;
  systems: FlakeSystem[];
  problems: string[];
  /** Why the outputs could not be evaluated, when they could not. */
  failure?: string;
  /** The outputs attrset (self), when it could be evaluated. */
  outputs: Value;
}

const str = (s: string): Value => ({ kind: 'string', value: known(s) });

export { MICROVM_STORE, NIXPKGS_STORE } from './eval/store';

/** What the flake says about its inputs: each one's URL (or top-level `follows`), and the inputs of an input it redirects (`inputs.<n>.inputs.<m>.follows = "<target>"`). */
interface DeclaredInputs {
  urls: Map<string, string | undefined>;
  follows: Map<string, Map<string, string>>;
}

function inputValue(world: ModuleWorld, name: string, kind: InputKind, flakeDir: string, declared: DeclaredInputs): Value {
  switch (kind.kind) {
    case 'nixpkgs':
      return attrs(
        {
          lib: world.nixpkgsLib,
          outPath: str(NIXPKGS_STORE),
          nixosModules: anyKeyAttrs(() => world.marker({ kind: 'nixpkgs', name: `${name}.nixosModules` })),
          legacyPackages: anyKeyAttrs(() => world.packageSet()),
        },
        { complete: false },
      );
    case 'microvm': {
      const modules = attrs(
        { host: world.hostModule, microvm: world.guestModule, default: world.guestModule },
        { complete: false },
      );
      return attrs({ nixosModules: modules, outPath: str(MICROVM_STORE), lib: attrs({}, { complete: false }) }, { complete: false });
    }
    case 'inert': {
      const library: Record<string, Value> = kind.library
        ? { lib: attrs(Object.fromEntries(kind.library.map((k) => [k, unknown(`${name}.lib.${k} is outside the workspace`)])), { complete: true }) }
        : {};
      return attrs(
        {
          nixosModules: anyKeyAttrs((k) => world.marker({ kind: 'inert', name: `${name}.nixosModules.${k}` })),
          nixosModule: world.marker({ kind: 'inert', name: `${name}.nixosModule` }),
          // Its flake-parts modules (home-manager's declares homeConfigurations and homeModules)
          // touch networking no more than its NixOS modules do: empty, not a gap.
          flakeModules: anyKeyAttrs(() => attrs({})),
          flakeModule: attrs({}),
          outPath: unknown(`${name} is outside the workspace`),
          ...library,
        },
        { complete: false },
      );
    }
    case 'path': {
      const dir = posix.normalize(posix.join(flakeDir, kind.path));
      const file = posix.join(dir, 'flake.nix');
      if (world.evaluator.fs.readFile(file) === undefined) return opaque(world, name);
      return flakeSelf(world, file);
    }
    case 'framework':
      return (
        frameworkInput(world, kind.framework, name, {
          follows: declared.follows.get(name) ?? new Map(),
          isNixpkgs: (input) => classifyInput(input, declared.urls.get(input)).kind === 'nixpkgs',
        }) ?? opaque(world, name)
      );
    default:
      return opaque(world, name);
  }
}

/** Declared inputs (`inputs.<n>.url`, `inputs.<n> = { url = ...; }`, `inputs.<n>.follows`). */
function declaredInputs(flake: Value): DeclaredInputs {
  const out: DeclaredInputs = { urls: new Map(), follows: new Map() };
  if (flake.kind !== 'attrs') return out;
  const inputs = flake.attrs.get('inputs');
  if (!inputs) return out;
  const v = force(inputs.thunk);
  if (v.kind !== 'attrs') return out;
  for (const [k, b] of v.attrs) {
    const iv = force(b.thunk);
    let url: string | undefined;
    if (iv.kind === 'attrs') {
      const u = iv.attrs.get('url');
      if (u) url = knownString(force(u.thunk));
      const f = iv.attrs.get('follows');
      if (!url && f) url = knownString(force(f.thunk));
      const sub = iv.attrs.get('inputs');
      const subs = sub ? force(sub.thunk) : undefined;
      if (subs?.kind === 'attrs') {
        const redirects = new Map<string, string>();
        for (const [m, sb] of subs.attrs) {
          const sv = force(sb.thunk);
          const target = sv.kind === 'attrs' && sv.attrs.get('follows') ? knownString(force(sv.attrs.get('follows')!.thunk)) : undefined;
          if (target !== undefined) redirects.set(m, target);
        }
        if (redirects.size) out.follows.set(k, redirects);
      }
    } else url = knownString(iv);
    out.urls.set(k, url);
  }
  return out;
}

/** The `self` of the flake in `file`: its outputs, evaluated once per analysis run. */
export function flakeSelf(world: ModuleWorld, file: string): Value {
  return evaluateFlake(world, file).outputs;
}

export function evaluateFlake(world: ModuleWorld, file: string): FlakeResult {
  const memo = world.flakes.get(file);
  if (memo) return memo;
  const result: FlakeResult = { file, systems: [], problems: [], outputs: unknown(`the flake ${file} is being evaluated`) };
  world.flakes.set(file, result);
  evaluateInto(world, file, result);
  return result;
}

function evaluateInto(world: ModuleWorld, file: string, result: FlakeResult): void {
  const fail = (why: string) => {
    result.failure = why;
    result.problems.push(`flake outputs could not be evaluated: ${why}`);
  };
  const flake = world.evaluator.evalFile(file);
  if (flake.kind !== 'attrs') {
    fail(flake.kind === 'unknown' && flake.reason ? flake.reason : 'flake.nix is not an attribute set');
    result.outputs = unknown('flake not evaluated');
    return;
  }
  const outputsB = flake.attrs.get('outputs');
  const outputsFn = outputsB ? force(outputsB.thunk) : undefined;
  if (!outputsFn || outputsFn.kind !== 'function') {
    fail('`outputs` is not a function');
    result.outputs = unknown('flake not evaluated');
    return;
  }
  const declared = declaredInputs(flake);
  const flakeDir = posix.dirname(file);
  const inputCache = new Map<string, Binding>();
  let outputsThunk: Thunk;
  // `self` adds to the outputs without listing them: outputs built by a framework are only
  // computed when an attribute is asked for, and modules read `self` while they are.
  const selfThunk = lazyThunk(() => {
    const out = outputsThunk.force();
    if (out.kind !== 'attrs') return out;
    const extra = new Map<string, Binding>([
      ['outPath', { thunk: ready(str(flakeDir)) }],
      ['inputs', { thunk: ready(inputsValue) }],
      ['outputs', { thunk: ready(out) }],
      ['_type', { thunk: ready(str('flake')) }],
    ]);
    return lazyAttrs(
      () => [...new Set([...out.attrs.keys(), ...extra.keys()])],
      (k) => extra.get(k) ?? out.attrs.get(k),
      () => out.complete,
      out.location,
    );
  });
  const inputBinding = (name: string): Binding | undefined => {
    if (name === 'self') return { thunk: selfThunk };
    let b = inputCache.get(name);
    if (!b) {
      const url = declared.urls.get(name);
      b = { thunk: lazyThunk(() => inputValue(world, name, classifyInput(name, url), flakeDir, declared)) };
      inputCache.set(name, b);
    }
    return b;
  };
  const names = new Set<string>(['self', ...declared.urls.keys(), ...(outputsFn.formals?.names ?? [])]);
  if (!names.has('nixpkgs')) names.add('nixpkgs');
  // Inputs we never heard of (registry or `@inputs` access) are synthesised on demand.
  const inputsValue: AttrsValue = lazyAttrs(
    () => [...names],
    (k) => inputBinding(k),
    () => false,
  );
  outputsThunk = lazyThunk(() => outputsFn.apply(ready(inputsValue)));
  const outputs = selfThunk.force();
  result.outputs = outputs;
  if (outputs.kind !== 'attrs') {
    fail(outputs.kind === 'unknown' && outputs.reason ? outputs.reason : `the outputs are a ${outputs.kind}`);
    return;
  }
  collectNixosConfigurations(world, outputs, result);
  for (const { name, call } of frameworkConfigurations(world, outputs)) {
    if (result.systems.some((s) => s.call === call)) continue;
    call.name ??= name;
    result.systems.push({ name, call, location: call.location });
  }
  collectPackageSystems(world, outputs, result);
}

/**
 * Configurations a flake builds only inside a package — a MicroVM runner made from
 * `(pkgs.nixos cfg).config.microvm.declaredRunner` or a `nixosSystem` that no
 * nixosConfigurations entry names — are configurations too, named by the package.
 */
function collectPackageSystems(world: ModuleWorld, outputs: AttrsValue, result: FlakeResult): void {
  const packagesB = outputs.attrs.get('packages');
  if (!packagesB) return;
  const packages = force(packagesB.thunk);
  if (packages.kind !== 'attrs' || !packages.complete) return;
  const known = new Set(result.systems.map((s) => s.call));
  for (const system of [...packages.attrs.keys()].sort()) {
    const set = force(packages.attrs.get(system)!.thunk);
    if (set.kind !== 'attrs' || !set.complete) continue;
    for (const name of [...set.attrs.keys()].sort()) {
      const binding = set.attrs.get(name)!;
      const before = world.builtSystems.length;
      force(binding.thunk);
      for (const call of world.builtSystems.slice(before)) {
        if (known.has(call)) continue;
        known.add(call);
        // One package name per system (packages.<system>.<name>): later systems keep their path.
        const taken = result.systems.some((s) => s.name === name);
        call.name ??= taken ? `packages.${system}.${name}` : name;
        result.systems.push({ name: call.name, call, location: binding.keyLocation ?? call.location });
      }
    }
  }
}

function collectNixosConfigurations(world: ModuleWorld, outputs: AttrsValue, result: FlakeResult): void {
  const confB = outputs.attrs.get('nixosConfigurations');
  if (!confB) return;
  const confs = force(confB.thunk);
  if (confs.kind !== 'attrs') {
    result.problems.push(`nixosConfigurations could not be evaluated${confs.kind === 'unknown' && confs.reason ? `: ${confs.reason}` : ''}`);
    return;
  }
  if (!confs.complete) result.problems.push('some nixosConfigurations names could not be evaluated');
  for (const name of [...confs.attrs.keys()].sort()) {
    const b = confs.attrs.get(name)!;
    const v = force(b.thunk);
    const call = v.kind === 'attrs' ? (world.systems.get(v) ?? configHolder(world, v)) : undefined;
    if (!call) {
      result.problems.push(`nixosConfigurations.${name} is not a recognisable nixosSystem call${v.kind === 'unknown' && v.reason ? ` (${v.reason})` : ''}`);
      continue;
    }
    call.name ??= name;
    result.systems.push({ name, call, location: b.keyLocation ?? call.location });
  }
}

/**
 * `{ config = <a system's config>; options = …; }`: what flakes whose framework keeps the
 * systems elsewhere (noxa's `nodes.<name>.configuration`) hand NixOS tools as a configuration.
 */
function configHolder(world: ModuleWorld, v: AttrsValue): SystemCall | undefined {
  const config = v.attrs.get('config');
  if (!config) return undefined;
  const c = force(config.thunk);
  return c.kind === 'attrs' ? world.configCalls.get(c) : undefined;
}
