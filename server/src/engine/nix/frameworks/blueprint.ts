/**
 * blueprint (github:numtide/blueprint): the flake input is callable, `inputs.blueprint { inputs;
 * prefix ? null; systems; nixpkgs; }` (also `blueprint.lib.mkBlueprint`), and maps a folder layout
 * to flake outputs. The layout is read under `src`: the flake's own directory (`inputs.self`), or
 * `"${self}/${prefix}"` for a string prefix, or the prefix itself when it is a path.
 *  - `hosts/<name>/` is a host: its `default.nix` (the escape hatch) is called with `{ flake;
 *    inputs; hostName; }` and returns `{ class; value; }` — `value` is `nixosConfigurations.<name>`
 *    when `class` is `"nixos"`; otherwise its `configuration.nix` is a NixOS system of that file,
 *    a module giving the `perSystem` module argument, and home-manager's NixOS module when
 *    `hosts/<name>/users/` exists, with the special arguments `{ inputs; flake; hostName; }`
 *    (`flake` is `inputs.self`). `darwin-configuration.nix` and `system-configuration.nix` hosts
 *    are not NixOS configurations. blueprint does not set `networking.hostName`.
 *  - `modules/<type>/<name>.nix` or `modules/<type>/<name>/` (the file wins) is
 *    `modules.<type>.<name>`, and for `nixos` also `nixosModules.<name>`. A module that is a
 *    function whose formals are all among `flake` and `inputs` is called with them first (the
 *    publishing flake's values), as blueprint documents.
 *  - `lib/default.nix` called with `{ inputs; flake; }` is the `lib` output.
 * Not modelled: packages, devshells, checks, formatter, templates (no NixOS configurations), the
 * `perSystem` values themselves (packages of inputs: outside the workspace), home-manager users.
 */
import { posix } from 'node:path';
import { known, knownText } from '../../pattern';
import { apply, attrs, fn, force, getAttr, knownString, list, ready, unknown } from '../eval/helpers';
import { opaque } from '../outside';
import { lazyAttrs, lazyThunk, type ModuleWorld, type SystemCall } from '../modules';
import type { Binding, Thunk, Value } from '../value';
import { entries, exists, fileStart, fsPath, importFile, notAPath } from './files';

/** The names blueprint calls a published module with, when they are all the module's formals. */
const PUBLISHER_ARGS = ['flake', 'inputs'];

interface Blueprint {
  world: ModuleWorld;
  inputName: string;
  inputs: Thunk;
  /** `inputs.self`: read only when an output is, since the outputs are what `self` is made of. */
  flake: Thunk;
  /** The folder the layout is read under, or why it is not known. */
  src: Thunk;
  callerFile: string | undefined;
}

export function blueprintInput(world: ModuleWorld, inputName: string): Value {
  const make = (what: string) => fn(what, (args, callSite) => mkBlueprint(world, inputName, args, callSite?.file));
  const mk = make(`${inputName}.lib.mkBlueprint`);
  const known = new Map<string, Binding>([
    ['__functor', { thunk: ready(fn(`${inputName}.__functor`, () => make(inputName))) }],
    ['lib', { thunk: ready(attrs({ mkBlueprint: mk }, { complete: false })) }],
  ]);
  return lazyAttrs(
    () => [...known.keys()],
    (k) => known.get(k) ?? { thunk: ready(opaque(world, `${inputName}.${k}`)) },
    () => false,
  );
}

function mkBlueprint(world: ModuleWorld, inputName: string, argsThunk: Thunk, callerFile: string | undefined): Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown(`${inputName} called with a ${args.kind}, not an attribute set`);
  const inputs = args.attrs.get('inputs')?.thunk ?? ready(unknown(`${inputName} called without inputs`));
  const flake = lazyThunk(() => getAttr(force(inputs), 'self'));
  const prefix = args.attrs.get('prefix')?.thunk;
  const src = lazyThunk((): Value => {
    const root = fsPath(force(flake));
    const p = prefix ? force(prefix) : undefined;
    if (p === undefined || p.kind === 'null') return root === undefined ? unknown(`${inputName}: the flake's directory is not known`) : { kind: 'path', path: root };
    if (p.kind === 'path') return p;
    const text = p.kind === 'string' ? knownText(p.value) : undefined;
    if (text === undefined) return notAPath(`${inputName} prefix`, p);
    if (root === undefined) return unknown(`${inputName}: the flake's directory is not known`);
    return { kind: 'path', path: posix.join(root, text) };
  });
  const ctx: Blueprint = { world, inputName, inputs, flake, src, callerFile };
  const modules = lazyThunk(() => moduleTypes(ctx));
  const typed = (type: string) => lazyThunk(() => {
    const m = force(modules);
    return m.kind === 'attrs' ? (m.attrs.has(type) ? force(m.attrs.get(type)!.thunk) : attrs({}, { complete: m.complete })) : m;
  });
  const outputs = new Map<string, Binding>([
    ['nixosConfigurations', { thunk: lazyThunk(() => hosts(ctx)) }],
    ['modules', { thunk: modules }],
    ['nixosModules', { thunk: typed('nixos') }],
    ['darwinModules', { thunk: typed('darwin') }],
    ['homeModules', { thunk: typed('home') }],
    ['lib', { thunk: lazyThunk(() => library(ctx)) }],
  ]);
  for (const k of ['darwinConfigurations', 'systemConfigs', 'packages', 'devShells', 'checks', 'formatter', 'legacyPackages', 'templates']) {
    outputs.set(k, { thunk: ready(unknown(`${inputName} ${k} are not modelled`)) });
  }
  return { kind: 'attrs', attrs: outputs, complete: true };
}

function srcDir(ctx: Blueprint): string | Value {
  const v = force(ctx.src);
  return v.kind === 'path' ? v.path : v;
}

/** Arguments given as a set of thunks (an attrset value). */
function argSet(ctx: Blueprint, extra: Record<string, Value> = {}): Value {
  const m = new Map<string, Binding>([
    ['inputs', { thunk: ctx.inputs }],
    ['flake', { thunk: ctx.flake }],
  ]);
  for (const [k, v] of Object.entries(extra)) m.set(k, { thunk: ready(v) });
  return { kind: 'attrs', attrs: m, complete: true };
}

/** `nixosConfigurations`: one per NixOS host under `hosts/`. */
function hosts(ctx: Blueprint): Value {
  const { world } = ctx;
  const dir = srcDir(ctx);
  if (typeof dir !== 'string') return dir;
  const hostsDir = posix.join(dir, 'hosts');
  const list_ = entries(world, hostsDir);
  if (!list_) return exists(world, hostsDir) ? unknown(`${hostsDir} cannot be listed`) : attrs({});
  const out = new Map<string, Binding>();
  let complete = true;
  for (const [name, kind] of list_) {
    if (kind !== 'directory') continue;
    const at = posix.join(hostsDir, name);
    const defaultFile = posix.join(at, 'default.nix');
    const configuration = posix.join(at, 'configuration.nix');
    if (exists(world, defaultFile)) {
      // The escape hatch decides its own class: the host is a NixOS configuration only if it says so.
      const result = lazyThunk(() => apply(importFile(world, defaultFile, ctx.callerFile), argSet(ctx, { hostName: str(name) })));
      const cls = knownString(getAttr(force(result), 'class'));
      if (cls === undefined) complete = false;
      if (cls !== 'nixos') continue;
      out.set(name, { thunk: lazyThunk(() => getAttr(force(result), 'value')), keyLocation: fileStart(defaultFile) });
    } else if (exists(world, configuration)) {
      out.set(name, { thunk: lazyThunk(() => world.systemValue(nixosHost(ctx, name, at, configuration))), keyLocation: fileStart(configuration) });
    }
  }
  return { kind: 'attrs', attrs: out, complete };
}

function str(s: string): Value {
  return { kind: 'string', value: known(s) };
}

function nixosHost(ctx: Blueprint, name: string, at: string, configuration: string): SystemCall {
  const { world, inputName } = ctx;
  // `perSystem.<input>.<package>`: packages of inputs, outside the workspace.
  const perSystem = opaque(world, `${inputName} perSystem`);
  const modules: Thunk[] = [ready(attrs({ _module: attrs({ args: attrs({ perSystem }) }) })), ready({ kind: 'path', path: configuration })];
  if (world.evaluator.fs.isDirectory(posix.join(at, 'users'))) {
    modules.push(ready(world.marker({ kind: 'inert', name: 'home-manager.nixosModules.default' })));
  }
  return { modules: ready(list(modules)), specialArgs: ready(argSet(ctx, { hostName: str(name) })), location: fileStart(configuration), name };
}

/** `modules/<type>/<name>(.nix|/)` as `<type>.<name>`, published modules called with `flake` and `inputs`. */
function moduleTypes(ctx: Blueprint): Value {
  const { world } = ctx;
  const dir = srcDir(ctx);
  if (typeof dir !== 'string') return dir;
  const modulesDir = posix.join(dir, 'modules');
  const types = entries(world, modulesDir);
  if (!types) return exists(world, modulesDir) ? unknown(`${modulesDir} cannot be listed`) : attrs({});
  const out = new Map<string, Binding>();
  for (const [type, kind] of types) {
    if (kind !== 'directory') continue;
    const typeDir = posix.join(modulesDir, type);
    const found = new Map<string, string>();
    const list_ = entries(world, typeDir) ?? [];
    for (const [name, k] of list_) if (k === 'directory') found.set(name, posix.join(typeDir, name));
    for (const [name, k] of list_) if (k !== 'directory' && name.endsWith('.nix')) found.set(name.slice(0, -'.nix'.length), posix.join(typeDir, name));
    const byName = new Map<string, Binding>();
    for (const [name, p] of found) byName.set(name, { thunk: lazyThunk(() => published(ctx, p)), keyLocation: fileStart(p) });
    out.set(type, { thunk: ready({ kind: 'attrs', attrs: byName, complete: entries(world, typeDir) !== undefined }) });
  }
  return { kind: 'attrs', attrs: out, complete: true };
}

/** A published module: the path, or what the module gives when it only asks for the publisher's `flake`/`inputs`. */
function published(ctx: Blueprint, p: string): Value {
  const { world } = ctx;
  const file = exists(world, posix.join(p, 'default.nix')) || !p.endsWith('.nix') ? posix.join(p, 'default.nix') : p;
  const module = importFile(world, file, ctx.callerFile);
  if (module.kind !== 'function') return { kind: 'path', path: p };
  const names = module.formals?.names ?? [];
  if (!names.every((n) => PUBLISHER_ARGS.includes(n))) return { kind: 'path', path: p };
  return module.apply(ready(argSet(ctx)));
}

/** `lib`: `lib/default.nix` called with `{ inputs; flake; }` when it exists. */
function library(ctx: Blueprint): Value {
  const dir = srcDir(ctx);
  if (typeof dir !== 'string') return dir;
  const file = posix.join(dir, 'lib', 'default.nix');
  if (!exists(ctx.world, file)) return attrs({});
  return apply(importFile(ctx.world, file, ctx.callerFile), argSet(ctx));
}
