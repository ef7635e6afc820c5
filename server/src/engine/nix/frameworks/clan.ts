/**
 * clan-core (git.clan.lol/clan/clan-core): `lib.clan module` (and the older `lib.buildClan args`,
 * the same arguments as a plain set) evaluates its argument as a module of the clan options
 * `self`, `directory` (default: `self`), `machines` (deferred modules by name), `specialArgs`,
 * `inventory`, `meta`, and makes a NixOS configuration of every machine:
 *  - the machines are the directories under `<directory>/machines`, the `machines` names and
 *    `inventory.machines` names, less those whose `machineClass` is `darwin`;
 *  - each one's modules are `machines/<name>/configuration.nix`, `hardware-configuration.nix` and
 *    `disko.nix` where they exist, clan's core module, `networking.hostName = mkDefault <name>`
 *    and `machines.<name>`; its special arguments `{ clan-core; self; } // specialArgs`.
 * The result has `nixosConfigurations`, `nixosModules.clan-machine-<name>`, and `config` holding
 * the same (`inherit (clan.config) nixosConfigurations`). The flake-parts module
 * `clan-core.flakeModules.default` adds a `clan` option (the same module) whose machines become
 * `flake.nixosConfigurations`.
 *
 * clan's core module is modelled by what it does to networking: its recommended defaults
 * (`clan.core.enableRecommendedDefaults`, on by default) set `networking.useNetworkd = mkDefault
 * true`. The MulticastDNS settings it adds to nixpkgs' `99-ethernet-default-dhcp` and
 * `99-wireless-client-dhcp` units are left out: those units are nixpkgs' own (not modelled) and
 * match no tap. Inventory services (`inventory.instances`, `inventory.services`) and an
 * `inventory.json` add modules of clan services we cannot see: each machine then has a gap.
 * Other clan-core modules (`clanModules.*`, `nixosModules.*` but `clanCore`) are external.
 */
import { posix } from 'node:path';
import { attrs, fn, force, knownString, list, ready, unknown } from '../eval/helpers';
import { opaque } from '../outside';
import { lazyAttrs, lazyThunk, mergeAttrs, type Configuration, type ModuleWorld, type SystemCall } from '../modules';
import type { Binding, Thunk, Value } from '../value';
import { entries, exists, fileStart, fsPath } from './files';

/** Where the model's own Nix text lives (never a workspace path). */
const MODEL_FILE = '/nix/store/clan-core-model/model.nix';

/**
 * The clan options that matter here, clan's core module as far as networking goes, the module
 * clan adds to each machine, and the flake-parts module (given the clan builder).
 */
const MODEL = `{
  options = { lib, ... }: {
    options.self = lib.mkOption { type = lib.types.raw; default = null; };
    options.directory = lib.mkOption { type = lib.types.raw; default = null; };
    options.machines = lib.mkOption { type = lib.types.attrsOf lib.types.deferredModule; default = { }; };
    options.specialArgs = lib.mkOption { type = lib.types.attrsOf lib.types.raw; default = { }; };
    options.inventory = lib.mkOption { default = { }; };
    options.meta = lib.mkOption { default = { }; };
  };
  core = { config, lib, ... }: {
    options.clan.core.enableRecommendedDefaults = lib.mkOption { type = lib.types.bool; default = true; };
    config = lib.mkIf config.clan.core.enableRecommendedDefaults {
      networking.useNetworkd = lib.mkDefault true;
    };
  };
  machine = name: { lib, ... }: { networking.hostName = lib.mkDefault name; };
  flakeModule = build: { config, lib, self, ... }: {
    options.clan = lib.mkOption { type = lib.types.deferredModule; default = { }; };
    config.flake =
      let clan = build { imports = [ config.clan ]; self = lib.mkDefault self; };
      in { inherit (clan) nixosConfigurations nixosModules clanInternals; clan = clan.config; };
  };
}`;

interface ClanModel {
  world: ModuleWorld;
  inputName: string;
  /** The clan-core input itself (the `clan-core` special argument). */
  input: Thunk;
  model: Thunk;
}

export function clanInput(world: ModuleWorld, inputName: string): Value {
  let input: Value;
  const model = lazyThunk(() => world.evaluator.evalSource(MODEL_FILE, MODEL));
  const ctx: ClanModel = { world, inputName, input: lazyThunk(() => input), model };
  const piece = (name: string) => lazyThunk(() => {
    const m = force(model);
    return m.kind === 'attrs' ? force(m.attrs.get(name)?.thunk) : m;
  });
  const build = fn(`${inputName}.lib.clan`, (module) => buildClan(ctx, module));
  const flakeModule = lazyThunk(() => {
    const f = force(piece('flakeModule'));
    return f.kind === 'function' ? f.apply(ready(build)) : f;
  });
  const known = new Map<string, Binding>([
    ['lib', { thunk: ready(attrs({ clan: build, buildClan: build }, { complete: false })) }],
    ['clanLib', { thunk: ready(attrs({ buildClan: build }, { complete: false })) }],
    ['nixosModules', { thunk: ready(lazyAttrs(() => ['clanCore'], (k) => (k === 'clanCore' ? { thunk: piece('core') } : { thunk: ready(opaque(world, `${inputName}.nixosModules.${k}`)) }), () => false)) }],
    ['flakeModules', { thunk: ready(attrs({ default: flakeModule, clan: flakeModule }, { complete: false })) }],
    ['flakeModule', { thunk: flakeModule }],
  ]);
  input = lazyAttrs(
    () => [...known.keys()],
    (k) => known.get(k) ?? { thunk: ready(opaque(world, `${inputName}.${k}`)) },
    () => false,
  );
  return input;
}

function buildClan(ctx: ClanModel, module: Thunk): Value {
  const { world } = ctx;
  const model = force(ctx.model);
  const piece = (name: string) => (model.kind === 'attrs' ? force(model.attrs.get(name)?.thunk) : model);
  const clan = world.makeModuleConfiguration({ name: '<clan>', kind: 'modules', modules: [{ thunk: ready(piece('options')) }, { thunk: module }] });
  const defined = (path: string[]): Value | undefined => (clan.liveDefsAt(path).length > 0 ? clan.view(path) : undefined);
  const self = defined(['self']);
  const directoryValue = defined(['directory']);
  // `directory` defaults to `self`; either one not known statically hides the machines/ directory.
  const directorySource = directoryValue && directoryValue.kind !== 'null' ? directoryValue : self;
  const directory = directorySource ? fsPath(directorySource) : undefined;
  const machinesView = defined(['machines']);
  const inventoryMachines = defined(['inventory', 'machines']);
  const names = new Set<string>();
  let complete = directory !== undefined;
  if (directory !== undefined) {
    for (const [name, kind] of entries(world, posix.join(directory, 'machines')) ?? []) if (kind === 'directory') names.add(name);
  }
  for (const v of [machinesView, inventoryMachines]) {
    if (v?.kind === 'attrs') {
      for (const k of v.attrs.keys()) names.add(k);
      if (!v.complete) complete = false;
    } else if (v !== undefined) complete = false;
  }
  const unseen = unseenServices(clan, directory);
  if (directory !== undefined && exists(world, posix.join(directory, 'inventory.json'))) complete = false;
  const specialArgs = mergeAttrs(ready(attrs({ 'clan-core': ctx.input, ...(self ? { self } : {}) })), lazyThunk(() => defined(['specialArgs']) ?? attrs({})));
  const configurations = new Map<string, Binding>();
  const modulesByName = new Map<string, Binding>();
  for (const name of [...names].sort()) {
    if (knownString(defined(['inventory', 'machines', name, 'machineClass']) ?? unknown()) === 'darwin') continue;
    const files = directory === undefined ? [] : ['configuration.nix', 'hardware-configuration.nix', 'disko.nix'].map((f) => posix.join(directory, 'machines', name, f)).filter((f) => exists(world, f));
    const machine = piece('machine');
    const own = machinesView?.kind === 'attrs' ? machinesView.attrs.get(name) : undefined;
    const modules: Thunk[] = [
      ...files.map((f) => ready({ kind: 'path', path: f } as Value)),
      ready(piece('core')),
      ready(machine.kind === 'function' ? machine.apply(ready({ kind: 'string', value: { parts: [name] } })) : machine),
      ...(own ? [own.thunk] : []),
      ...unseen.map((gap) => ready(world.external(gap) as Value)),
    ];
    const moduleList = ready(list(modules));
    const location = own?.keyLocation ?? (files[0] ? fileStart(files[0]) : undefined);
    const call: SystemCall = { modules: moduleList, specialArgs, location };
    configurations.set(name, { thunk: lazyThunk(() => world.systemValue(call)), keyLocation: location });
    modulesByName.set(`clan-machine-${name}`, { thunk: ready(attrs({ imports: moduleList })) });
  }
  const outputs = {
    nixosConfigurations: { kind: 'attrs', attrs: configurations, complete } as Value,
    nixosModules: { kind: 'attrs', attrs: modulesByName, complete } as Value,
    darwinConfigurations: attrs({}, { complete: false }),
    darwinModules: attrs({}, { complete: false }),
    clanInternals: attrs({}, { complete: false }),
  };
  return attrs({ ...outputs, config: attrs(outputs, { complete: false }) }, { complete: false });
}

/** What adds modules clan's services make from outside the workspace: inventory services, `inventory.json`. */
function unseenServices(clan: Configuration, directory: string | undefined): string[] {
  const out: string[] = [];
  for (const key of ['instances', 'services']) {
    const keys = clan.keysAt(['inventory', key]);
    if (keys.keys.length > 0 || !keys.complete) out.push(`clan inventory.${key} (${keys.keys.join(', ') || 'not known'})`);
  }
  if (directory !== undefined && clan.world.evaluator.fs.readDir(directory)?.has('inventory.json')) out.push('clan inventory.json');
  return out;
}
