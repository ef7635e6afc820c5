/**
 * snowfall-lib (github:snowfallorg/lib, v2–v3): `mkFlake { inputs; src; snowfall ? { namespace;
 * root; }; systems ? { hosts; modules; }; … }` = `(mkLib { inherit inputs src snowfall; }).mkFlake
 * { … }`, built on flake-utils-plus. Files are found under `snowfall.root` (default `src`):
 *  - every `systems/<target>/<host>/default.nix` whose target is a Linux system (not darwin, not
 *    a nixos-generators format such as `x86_64-iso`) is `nixosConfigurations.<host>`, with the
 *    modules `[ that file ] ++ <every modules/nixos/**\/default.nix> ++ systems.hosts.<host>.modules
 *    ++ systems.modules.nixos`, then snowfall's own user module and home-manager's NixOS module
 *    (inert), and the special arguments `systems.hosts.<host>.specialArgs` // `{ lib; inputs;
 *    namespace; system; target; format = "linux"; virtual = false; host; systems; }`;
 *  - `lib/**\/default.nix` are the user library (a function file is called with the `inputs`,
 *    `namespace`, `snowfall-inputs` and `lib` its formals name), merged deeply; modules see it
 *    as `lib.<namespace>` (the modules' `lib` is nixpkgs' lib, each input's `lib` under the
 *    input's name, and `lib.snowfall`), the flake's `lib` output is it;
 *  - `modules/nixos/<path>/default.nix` are also `nixosModules.<path>`, with `modules.nixos`
 *    added and `alias.modules.nixos` aliases.
 * `systems.hosts.<name>` without a directory is passed to flake-utils-plus as a plain host. Every
 * other argument not snowfall's own is an output. Not modelled: `homes/`, `packages/`,
 * `overlays/`, `shells/`, `checks/`, `templates/` (no NixOS configurations), `channels-config`,
 * darwin and virtual systems (`darwinConfigurations`, `<format>Configurations`).
 */
import { posix } from 'node:path';
import { apply, attrs, fn, force, getAttr, knownString, list, ready, str, unknown } from '../eval/helpers';
import { concatLists, lazyAttrs, lazyThunk, type ModuleWorld } from '../modules';
import type { AttrsValue, Binding, Thunk, Value } from '../value';
import { entries, exists, fileStart, filesBelow, fsPath, importFile, notAPath } from './files';
import { fupMkFlake } from './flakeUtils';

/** nixos-generators formats a target names (`x86_64-iso`), most specific first, as snowfall matches them. */
const VIRTUAL_FORMATS = [
  'amazon', 'azure', 'cloudstack', 'do', 'gce', 'hyperv', 'install-iso-hyperv', 'install-iso', 'iso', 'kexec', 'kexec-bundle',
  'kubevirt', 'lxc-metadata', 'lxc', 'openstack', 'proxmox', 'qcow', 'raw', 'raw-efi', 'sd-aarch64-installer', 'sd-aarch64',
  'vagrant-virtualbox', 'virtualbox', 'vm-bootloader', 'vm-nogui', 'vmware', 'vm',
];

/** mkFlake arguments that configure snowfall rather than being outputs. */
const SNOWFALL_OPTIONS = new Set([
  'inputs', 'src', 'systems', 'modules', 'overlays', 'packages', 'outputs-builder', 'outputsBuilder', 'packagesPrefix', 'hosts',
  'channels-config', 'templates', 'package-namespace', 'alias', 'snowfall', 'homes', 'shells', 'checks', 'extra-exported-overlays',
]);

interface SnowfallLib {
  world: ModuleWorld;
  inputName: string;
  /** The user's flake inputs, `src` not among them. */
  inputs: Thunk;
  /** Where snowfall looks for `systems/`, `modules/`, `lib/`. */
  root: string;
  namespace: string | undefined;
  /** The file whose code called mkLib / mkFlake: the files snowfall reads are imported from there. */
  callerFile: string | undefined;
  baseLib: Thunk;
  userLib: Thunk;
  /** The `lib` modules receive. */
  systemLib: Thunk;
}

export function snowfallInput(world: ModuleWorld, inputName: string): Value {
  const userModule = (kind: string) => attrs({ user: world.marker({ kind: 'inert', name: `${inputName}.${kind}.user` }) }, { complete: false });
  return attrs(
    {
      mkLib: fn(`${inputName}.mkLib`, (args, callSite) => {
        const ctx = snowfallLib(world, inputName, args, callSite?.file);
        return 'kind' in ctx ? ctx : libValue(ctx);
      }),
      // `mkLib` then `lib.mkFlake` with the other arguments.
      mkFlake: fn(`${inputName}.mkFlake`, (args, callSite) => {
        const ctx = snowfallLib(world, inputName, args, callSite?.file);
        return 'kind' in ctx ? ctx : mkFlake(ctx, args);
      }),
      nixosModules: userModule('nixosModules'),
      darwinModules: userModule('darwinModules'),
      homeModules: userModule('homeModules'),
    },
    { complete: false },
  );
}

function snowfallLib(world: ModuleWorld, inputName: string, argsThunk: Thunk, callerFile: string | undefined): SnowfallLib | Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown('snowfall mkLib of a non-attrset');
  const srcValue = force(args.attrs.get('src')?.thunk);
  const src = fsPath(srcValue);
  if (src === undefined) return notAPath('snowfall mkLib src', srcValue);
  const config = force(args.attrs.get('snowfall')?.thunk ?? ready(attrs({})));
  const setting = (key: string): Value | undefined => (config.kind === 'attrs' && config.attrs.has(key) ? force(config.attrs.get(key)!.thunk) : undefined);
  const rootValue = setting('root');
  const namespaceValue = setting('namespace');
  const ctx: SnowfallLib = {
    world,
    inputName,
    inputs: args.attrs.get('inputs')?.thunk ?? ready(unknown('snowfall mkLib without inputs')),
    root: (rootValue && fsPath(rootValue)) ?? src,
    namespace: namespaceValue ? knownString(namespaceValue) : 'internal',
    callerFile,
    baseLib: ready(unknown()),
    userLib: ready(unknown()),
    systemLib: ready(unknown()),
  };
  ctx.baseLib = lazyThunk(() => baseLibrary(ctx));
  ctx.userLib = lazyThunk(() => userLibrary(ctx));
  const namespaced = ctx.namespace === undefined ? attrs({}, { complete: false }) : attrs({ [ctx.namespace]: ctx.userLib });
  ctx.systemLib = lazyThunk(() => overlay(world, ctx.baseLib, ready(namespaced), false));
  return ctx;
}

/** What mkLib returns: the base library with the user's library merged in deeply. */
function libValue(ctx: SnowfallLib): Value {
  return overlay(ctx.world, ctx.baseLib, ctx.userLib, true);
}

/**
 * `base // top` (`recursiveUpdate base top` when deep), worked out per attribute on demand: the
 * base library holds every input's `lib`, and an input is only evaluated when its name is read.
 */
function overlay(world: ModuleWorld, base: Thunk, top: Thunk, deep: boolean): Value {
  const side = (t: Thunk) => {
    const v = force(t);
    return v.kind === 'attrs' ? v : undefined;
  };
  return lazyAttrs(
    () => [...new Set([...(side(base)?.attrs.keys() ?? []), ...(side(top)?.attrs.keys() ?? [])])],
    (k) => {
      const below = side(base)?.attrs.get(k);
      const above = side(top)?.attrs.get(k);
      if (!above) return below;
      if (!below || !deep) return above;
      return { thunk: lazyThunk(() => apply(getAttr(world.evaluator.lib, 'recursiveUpdate'), below.thunk, above.thunk)) };
    },
    () => (side(base)?.complete ?? false) && (side(top)?.complete ?? false),
  );
}

/** nixpkgs' lib, each input's `lib` under the input's name, snowfall's top-level functions, `snowfall`. */
function baseLibrary(ctx: SnowfallLib): Value {
  const { world } = ctx;
  const inputs = force(ctx.inputs);
  const inputNames = inputs.kind === 'attrs' ? [...inputs.attrs.keys()].filter((k) => k !== 'self' && k !== 'src') : [];
  const own = new Map<string, Binding>([
    ['mkFlake', { thunk: ready(fn(`${ctx.inputName} lib.mkFlake`, (options) => mkFlake(ctx, options))) }],
    ['snowfall', { thunk: ready(attrs({}, { complete: false })) }],
  ]);
  const inputLib = (name: string): Binding | undefined => {
    if (inputs.kind !== 'attrs' || !inputNames.includes(name)) return undefined;
    const input = force(inputs.attrs.get(name)?.thunk);
    const lib = input.kind === 'attrs' ? input.attrs.get('lib') : undefined;
    return lib && force(lib.thunk).kind === 'attrs' ? lib : undefined;
  };
  return lazyAttrs(
    () => [...world.nixpkgsLib.attrs.keys(), ...inputNames, ...own.keys()],
    (k) => own.get(k) ?? inputLib(k) ?? world.nixpkgsLib.attrs.get(k),
    () => false,
  );
}

/** Every `lib/**\/default.nix` below the root, merged deeply (later files win). */
function userLibrary(ctx: SnowfallLib): Value {
  const { world } = ctx;
  const files = (filesBelow(world, posix.join(ctx.root, 'lib')) ?? []).filter((f) => posix.basename(f) === 'default.nix');
  const available = new Map<string, Thunk>([
    ['inputs', ctx.inputs],
    ['snowfall-inputs', ready(unknown('snowfall-lib inputs are outside the workspace'))],
    ['lib', ctx.systemLib],
  ]);
  if (ctx.namespace !== undefined) available.set('namespace', ready(str(ctx.namespace)));
  let merged: Value = attrs({});
  for (const file of files) {
    const v = importFile(world, file, ctx.callerFile);
    let part: Value = v;
    if (v.kind === 'function') {
      // callPackageWith: only the arguments the file's formals name, so its defaults apply.
      const given = new Map<string, Binding>();
      for (const name of v.formals?.names ?? []) {
        const t = available.get(name);
        if (t) given.set(name, { thunk: t });
      }
      part = v.apply(ready({ kind: 'attrs', attrs: given, complete: true }));
    }
    merged = apply(getAttr(world.evaluator.lib, 'recursiveUpdate'), merged, part);
  }
  return merged;
}

function field(v: Value, ...path: string[]): Value | undefined {
  let cur = v;
  for (const k of path) {
    if (cur.kind !== 'attrs') return undefined;
    const b = cur.attrs.get(k);
    if (!b) return undefined;
    cur = force(b.thunk);
  }
  return cur;
}

function mkFlake(ctx: SnowfallLib, optionsThunk: Thunk): Value {
  const { world } = ctx;
  const options = force(optionsThunk);
  if (options.kind !== 'attrs') return unknown('snowfall lib.mkFlake of a non-attrset');
  // `inputs` and `src` are mkLib's (SNOWFALL_OPTIONS keeps them out of the outputs).
  const inputs = force(ctx.inputs);
  const inputsWithoutSrc: Value =
    inputs.kind === 'attrs' ? lazyAttrs(() => [...inputs.attrs.keys()].filter((k) => k !== 'src'), (k) => (k === 'src' ? undefined : inputs.attrs.get(k)), () => inputs.complete) : inputs;
  const nixosModulePaths = modulePaths(ctx, 'nixos');
  const hosts = new Map<string, Binding>();
  const rawHosts = field(options, 'systems', 'hosts');
  if (rawHosts?.kind === 'attrs') for (const [name, b] of rawHosts.attrs) hosts.set(name, b);
  const systems = lazyAttrs(
    () => [...hosts.keys()],
    (k) => hosts.get(k),
    () => true,
  );
  for (const [target, kind] of entries(world, posix.join(ctx.root, 'systems')) ?? []) {
    if (kind !== 'directory' || !isNixosTarget(target)) continue;
    for (const [name, hostKind] of entries(world, posix.join(ctx.root, 'systems', target)) ?? []) {
      const file = posix.join(ctx.root, 'systems', target, name, 'default.nix');
      if (hostKind !== 'directory' || !exists(world, file)) continue;
      const overrides = rawHosts?.kind === 'attrs' ? rawHosts.attrs.get(name)?.thunk : undefined;
      hosts.set(name, {
        thunk: lazyThunk(() => snowfallHost(ctx, { name, target, file, overrides, nixosModulePaths, inputs: inputsWithoutSrc, systems, options })),
        keyLocation: fileStart(file),
      });
    }
  }
  const fupArgs = new Map<string, Binding>();
  for (const [k, b] of options.attrs) if (!SNOWFALL_OPTIONS.has(k)) fupArgs.set(k, b);
  fupArgs.set('hosts', { thunk: ready({ kind: 'attrs', attrs: hosts, complete: rawHosts === undefined || (rawHosts.kind === 'attrs' && rawHosts.complete) }) });
  fupArgs.set('inputs', { thunk: ready(inputsWithoutSrc) });
  const self = inputs.kind === 'attrs' ? inputs.attrs.get('self') : undefined;
  if (self) fupArgs.set('self', self);
  fupArgs.set('lib', { thunk: ctx.userLib });
  const outputs = fupMkFlake(world, ready({ kind: 'attrs', attrs: fupArgs, complete: options.complete }));
  if (outputs.kind !== 'attrs') return outputs;
  const m = new Map(outputs.attrs);
  m.set('nixosModules', { thunk: lazyThunk(() => exportedModules(options, nixosModulePaths)) });
  return { kind: 'attrs', attrs: m, complete: false };
}

function isNixosTarget(target: string): boolean {
  return target.includes('linux') && !VIRTUAL_FORMATS.some((f) => target.includes(f));
}

/** `modules/<kind>/**\/default.nix` by snowfall's name for them (the directory path below `modules/<kind>`). */
function modulePaths(ctx: SnowfallLib, kind: string): [string, string][] {
  const dir = posix.join(ctx.root, 'modules', kind);
  return (filesBelow(ctx.world, dir) ?? [])
    .filter((f) => posix.basename(f) === 'default.nix')
    .map((f): [string, string] => [posix.relative(dir, posix.dirname(f)), f]);
}

interface HostSource {
  name: string;
  target: string;
  file: string;
  overrides: Thunk | undefined;
  nixosModulePaths: [string, string][];
  inputs: Value;
  systems: Value;
  options: AttrsValue;
}

/** The flake-utils-plus host snowfall makes of `systems/<target>/<name>/default.nix`. */
function snowfallHost(ctx: SnowfallLib, h: HostSource): Value {
  const { world } = ctx;
  const overrides = h.overrides ? force(h.overrides) : attrs({});
  const own: Thunk[] = [ready({ kind: 'path', path: h.file }), ...h.nixosModulePaths.map(([, f]) => ready({ kind: 'path', path: f }))];
  const hostModules = field(overrides, 'modules');
  const sharedModules = field(h.options, 'systems', 'modules', 'nixos');
  const tail: Thunk[] = [ready(world.marker({ kind: 'inert', name: `${ctx.inputName}.nixosModules.user` }))];
  const inputs = h.inputs;
  if (inputs.kind === 'attrs' && [...inputs.attrs.keys()].includes('home-manager')) {
    tail.push(lazyThunk(() => getAttr(getAttr(force(inputs.attrs.get('home-manager')?.thunk), 'nixosModules'), 'home-manager')));
  }
  const modules = concatLists(
    concatLists(ready(list(own)), hostModules ? ready(hostModules) : undefined),
    concatLists(sharedModules ? ready(sharedModules) : undefined, ready(list(tail))),
  );
  const system = h.target;
  const specialArgs = lazyThunk(() => {
    const given = field(overrides, 'specialArgs');
    const m = new Map<string, Binding>(given?.kind === 'attrs' ? given.attrs : []);
    const set = (k: string, v: Value | Thunk) => m.set(k, { thunk: 'force' in v ? v : ready(v) });
    set('target', str(h.target));
    set('system', str(system));
    set('format', str('linux'));
    set('virtual', { kind: 'bool', value: false });
    set('host', str(h.name));
    set('systems', h.systems);
    set('lib', ctx.systemLib);
    set('inputs', h.inputs);
    if (ctx.namespace !== undefined) set('namespace', str(ctx.namespace));
    return { kind: 'attrs', attrs: m, complete: given === undefined || (given.kind === 'attrs' && given.complete) };
  });
  const host = new Map<string, Binding>(overrides.kind === 'attrs' ? overrides.attrs : []);
  host.set('system', { thunk: ready(str(system)) });
  host.set('modules', { thunk: modules });
  host.set('specialArgs', { thunk: specialArgs });
  host.set('output', { thunk: ready(str('nixosConfigurations')) });
  return { kind: 'attrs', attrs: host, complete: true };
}

/** `nixosModules`: every `modules/nixos/<path>/default.nix` as `<path>`, aliases, then `modules.nixos`. */
function exportedModules(options: AttrsValue, paths: [string, string][]): Value {
  const m = new Map<string, Binding>(paths.map(([name, file]) => [name, { thunk: ready({ kind: 'path', path: file }) }]));
  const alias = field(options, 'alias', 'modules', 'nixos');
  if (alias?.kind === 'attrs') {
    for (const [k, b] of alias.attrs) {
      const target = knownString(force(b.thunk));
      const found = target === undefined ? undefined : m.get(target);
      if (found) m.set(k, found);
    }
  }
  const extra = field(options, 'modules', 'nixos');
  if (extra?.kind === 'attrs') for (const [k, b] of extra.attrs) m.set(k, b);
  return { kind: 'attrs', attrs: m, complete: alias === undefined || alias.kind === 'attrs' };
}
