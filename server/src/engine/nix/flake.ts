/**
 * Flakes, statically: `outputs` applied to inputs we synthesise.
 *  - `self` is the outputs fixpoint (plus `outPath` / `inputs`);
 *  - nixpkgs-like inputs get `lib` = the evaluator's lib plus `nixosSystem`, a function returning
 *    a marker holding the call's `modules` and `specialArgs`;
 *  - the microvm.nix input gets `nixosModules.host` / `.microvm` marker modules;
 *  - any other input's `nixosModules.*` / `nixosModule` are opaque external modules.
 * `nixosConfigurations.<name>` values that are nixosSystem markers become configurations.
 */
import { posix } from 'node:path';
import { known } from '../pattern';
import type { Location } from '../text';
import { attrs, force, knownString, ready, unknown } from './eval/helpers';
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
  /** The outputs attrset (self), when it could be evaluated. */
  outputs: Value;
}

export type InputKind = 'nixpkgs' | 'microvm' | 'external';

export function classifyInput(name: string, url: string | undefined): InputKind {
  const u = (url ?? '').toLowerCase();
  if (/microvm/i.test(name) || /microvm(\.nix)?/.test(u)) return 'microvm';
  if (/^nixpkgs/i.test(name) || /(^|[:/])nixpkgs([/?#]|$)/.test(u) || /nixos\/nixpkgs/.test(u)) return 'nixpkgs';
  return 'external';
}

const str = (s: string): Value => ({ kind: 'string', value: known(s) });

/** Paths our synthesised inputs live at (never in the workspace). */
export const NIXPKGS_STORE = '/nix/store/nixpkgs';
export const MICROVM_STORE = '/nix/store/microvm';

function anyKeyAttrs(make: (key: string) => Value): AttrsValue {
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

export function inputValue(world: ModuleWorld, name: string, kind: InputKind): AttrsValue {
  switch (kind) {
    case 'nixpkgs':
      return attrs(
        {
          lib: world.nixpkgsLib,
          outPath: str(NIXPKGS_STORE),
          nixosModules: anyKeyAttrs(() => world.marker({ kind: 'nixpkgs', name: `${name}.nixosModules` })),
          legacyPackages: unknown(`${name}.legacyPackages`),
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
    default:
      return attrs(
        {
          nixosModules: anyKeyAttrs((k) => world.external(`${name}.nixosModules.${k}`)),
          nixosModule: world.external(`${name}.nixosModule`),
          outPath: unknown(`${name}.outPath`),
        },
        { complete: false },
      );
  }
}

/** Declared inputs (`inputs.<n>.url`, `inputs.<n> = { url = ...; }`, `inputs.<n>.follows`). */
function declaredInputs(flake: Value): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
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
    } else url = knownString(iv);
    out.set(k, url);
  }
  return out;
}

export function evaluateFlake(world: ModuleWorld, file: string): FlakeResult {
  const problems: string[] = [];
  const flake = world.evaluator.evalFile(file);
  const result: FlakeResult = { file, systems: [], problems, outputs: unknown('flake not evaluated') };
  if (flake.kind !== 'attrs') {
    problems.push('flake.nix did not evaluate to an attrset');
    return result;
  }
  const outputsB = flake.attrs.get('outputs');
  const outputsFn = outputsB ? force(outputsB.thunk) : undefined;
  if (!outputsFn || outputsFn.kind !== 'function') {
    problems.push('flake outputs could not be evaluated');
    return result;
  }
  const declared = declaredInputs(flake);
  const inputCache = new Map<string, Binding>();
  let outputsThunk: Thunk;
  const selfThunk = lazyThunk(() => {
    const out = outputsThunk.force();
    if (out.kind !== 'attrs') return out;
    const map = new Map(out.attrs);
    map.set('outPath', { thunk: ready(str(posix.dirname(file))) });
    map.set('inputs', { thunk: ready(inputsValue) });
    map.set('_type', { thunk: ready(str('flake')) });
    return { kind: 'attrs', attrs: map, complete: out.complete, location: out.location };
  });
  const inputBinding = (name: string): Binding | undefined => {
    if (name === 'self') return { thunk: selfThunk };
    let b = inputCache.get(name);
    if (!b) {
      const url = declared.get(name);
      b = { thunk: ready(inputValue(world, name, classifyInput(name, url))) };
      inputCache.set(name, b);
    }
    return b;
  };
  const names = new Set<string>(['self', ...declared.keys(), ...(outputsFn.formals?.names ?? [])]);
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
    problems.push(`flake outputs could not be evaluated${outputs.kind === 'unknown' && outputs.reason ? ` (${outputs.reason})` : ''}`);
    return result;
  }
  const confB = outputs.attrs.get('nixosConfigurations');
  if (!confB) return result;
  const confs = force(confB.thunk);
  if (confs.kind !== 'attrs') {
    problems.push('nixosConfigurations could not be evaluated');
    return result;
  }
  if (!confs.complete) problems.push('some nixosConfigurations names could not be evaluated');
  for (const name of [...confs.attrs.keys()].sort()) {
    const b = confs.attrs.get(name)!;
    const v = force(b.thunk);
    const call = v.kind === 'attrs' ? world.systems.get(v) : undefined;
    if (!call) {
      problems.push(`nixosConfigurations.${name} is not a recognisable nixosSystem call`);
      continue;
    }
    call.name ??= name;
    result.systems.push({ name, call, location: b.keyLocation ?? call.location });
  }
  return result;
}
