/**
 * easy-hosts (github:tgirlcloud/easy-hosts, formerly isabelroses/easy-hosts): a flake-parts module,
 * `imports = [ inputs.easy-hosts.flakeModule ];` (also `flakeModules.default`), with the options
 * it documents under `easy-hosts` (older releases: `easyHosts`):
 *  - `hosts.<name>`: `arch` (default `x86_64`), `class` (`nixos`, `darwin`, `iso`, or a name of
 *    `additionalClasses`; default `nixos`), `path` (default: `hosts/<name>/default.nix` or
 *    `systems/<name>/default.nix` of the flake, whichever exist), `modules`, `specialArgs`,
 *    `tags`, `deployable`;
 *  - `autoConstruct` with `path`: every `<path>/<arch>-<kernel>/<name>` is a host (`linux` meaning
 *    class `nixos`), or every `<path>/<name>` of the one `onlySystem` when that is set;
 *  - `shared`, `perClass class`, `perArch arch`, `perTag tag`: `{ modules; specialArgs; }` added to
 *    every host they apply to.
 * Each host of class `nixos` or `iso` (after `additionalClasses`) is `nixosConfigurations.<name>`:
 * a NixOS system of the host's path, `networking.hostName = <name>`, `nixpkgs.hostPlatform =
 * mkDefault <system>` and the modules above (lists flattened), with the special arguments `lib`,
 * `self`, `self'`, `inputs`, `inputs'` updated recursively by the host's, shared, per-class,
 * per-arch and per-tag `specialArgs`. Not modelled: darwin hosts (`darwinConfigurations`), the
 * iso installer profile (a nixpkgs module outside the workspace: no bridges), `nixpkgs` /
 * `nix-darwin` per host (the host is a NixOS system either way).
 */
import { known } from '../../pattern';
import { posix } from 'node:path';
import { attrs, fn, force, knownString, list, ready, unknown } from '../eval/helpers';
import { opaque } from '../outside';
import { concatLists, lazyAttrs, lazyThunk, type ModuleWorld } from '../modules';
import type { Binding, Thunk, Value } from '../value';
import { exists, fileStart, fsPath } from './files';

/** Where the model's own Nix text lives (never a workspace path). */
const MODEL_FILE = '/nix/store/easy-hosts-model/flake-module.nix';

/** The flake module, given the primitive that makes a NixOS system and the option prefix. */
const MODEL = `build: prefix: { config, lib, self, inputs, withSystem, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.\${prefix};
  perSettings = mkOption { type = types.raw; default = _: { }; };
  settings = {
    modules = mkOption { type = types.listOf types.raw; default = [ ]; };
    specialArgs = mkOption { type = types.lazyAttrsOf types.raw; default = { }; };
  };
  hostModule = {
    options = settings // {
      arch = mkOption { type = types.str; default = "x86_64"; };
      class = mkOption { type = types.str; default = "nixos"; };
      path = mkOption { type = types.nullOr types.raw; default = null; };
      tags = mkOption { type = types.listOf types.str; default = [ ]; };
      deployable = mkOption { type = types.bool; default = false; };
      nixpkgs = mkOption { type = types.raw; default = null; };
      nix-darwin = mkOption { type = types.raw; default = null; };
      system = mkOption { type = types.nullOr types.str; default = null; };
    };
  };
  systemOf = host: if host.system != null then host.system
    else if isNixos host.class then "\${host.arch}-linux" else "\${host.arch}-\${host.class}";
  kernelClass = kernel: if kernel == "linux" then "nixos" else kernel;
  fromSystem = system: let parts = lib.splitString "-" system; in { arch = builtins.head parts; class = kernelClass (lib.last parts); };
  dirsOf = dir: lib.attrNames (lib.filterAttrs (_: type: type == "directory") (builtins.readDir dir));
  scanned =
    if cfg.onlySystem != null then
      lib.genAttrs (dirsOf cfg.path) (name: fromSystem cfg.onlySystem // { path = cfg.path + "/\${name}"; })
    else
      lib.foldl' (acc: system: acc // lib.genAttrs (dirsOf (cfg.path + "/\${system}")) (name: fromSystem system // { path = cfg.path + "/\${system}/\${name}"; })) { } (dirsOf cfg.path);
  # Through the names: the option's value is a view of its definitions, where \`or\` cannot tell absent from undefined.
  baseClass = class: if builtins.elem class (builtins.attrNames cfg.additionalClasses) then cfg.additionalClasses.\${class} else class;
  isNixos = class: baseClass class == "nixos" || baseClass class == "iso";
  per = f: key: let v = f key; in { modules = v.modules or [ ]; specialArgs = v.specialArgs or { }; };
  hostSystem = name: host:
    let
      system = systemOf host;
      parts = [ { inherit (host) modules specialArgs; } cfg.shared (per cfg.perClass host.class) (per cfg.perArch host.arch) ] ++ map (per cfg.perTag) host.tags;
    in
    withSystem system ({ self', inputs', ... }: build {
      inherit name;
      inherit (host) path;
      root = self.outPath;
      modules = lib.flatten [
        { networking.hostName = name; nixpkgs.hostPlatform = lib.mkDefault system; }
        (map (p: p.modules) parts)
      ];
      specialArgs = lib.foldl' lib.recursiveUpdate { inherit lib self self' inputs inputs'; } (map (p: p.specialArgs) parts);
    });
in
{
  options.\${prefix} = {
    autoConstruct = mkOption { type = types.bool; default = false; };
    path = mkOption { type = types.nullOr types.raw; default = null; };
    onlySystem = mkOption { type = types.nullOr types.str; default = null; };
    additionalClasses = mkOption { type = types.attrsOf types.str; default = { }; };
    shared = settings;
    perClass = perSettings;
    perArch = perSettings;
    perTag = perSettings;
    hosts = mkOption { type = types.attrsOf (types.submodule hostModule); default = { }; };
  };
  config.\${prefix}.hosts = lib.mkIf cfg.autoConstruct scanned;
  config.flake.nixosConfigurations = lib.mapAttrs hostSystem
    (lib.filterAttrs (_: host: isNixos host.class) cfg.hosts);
}`;

export function easyHostsInput(world: ModuleWorld, inputName: string): Value {
  const model = lazyThunk(() => world.evaluator.evalSource(MODEL_FILE, MODEL));
  const build = fn(`${inputName} host`, (argsThunk) => {
    const args = force(argsThunk);
    if (args.kind !== 'attrs') return unknown(`${inputName}: a host that is not an attribute set`);
    const name = knownString(force(args.attrs.get('name')?.thunk ?? ready(unknown())));
    const pathValue = force(args.attrs.get('path')?.thunk ?? ready({ kind: 'null' }));
    // Without a path, the host is whichever of hosts/<name>/default.nix and systems/<name>/default.nix exist in the flake.
    const root = fsPath(force(args.attrs.get('root')?.thunk ?? ready(unknown())));
    const found: Value[] =
      pathValue.kind !== 'null' ? [pathValue]
      : name === undefined || root === undefined ? [unknown(`${inputName}: the file of a host without a path`)]
      : ['hosts', 'systems'].map((d) => posix.join(root, d, name, 'default.nix')).filter((f) => exists(world, f)).map((f) => ({ kind: 'path', path: f }) as Value);
    const path = found[0] ? fsPath(found[0]) : undefined;
    return world.systemValue({
      modules: concatLists(ready(list(found.map((v) => ready(v)))), args.attrs.get('modules')?.thunk),
      specialArgs: args.attrs.get('specialArgs')?.thunk,
      location: path === undefined ? undefined : fileStart(path.endsWith('.nix') ? path : `${path}/default.nix`),
      ...(name === undefined ? {} : { name }),
    });
  });
  // The module for the current option name, and the older `easyHosts` one, each its own module.
  const flakeModule = (prefix: string): Thunk => lazyThunk(() => applyPrefix(force(model), build, prefix));
  const current = flakeModule('easy-hosts');
  const both = ready(attrs({ imports: { kind: 'list', items: [current, flakeModule('easyHosts')], complete: true } }));
  const own = new Map<string, Binding>([
    ['flakeModule', { thunk: both }],
    ['flakeModules', { thunk: ready(attrs({ default: both, 'easy-hosts': both }, { complete: false })) }],
  ]);
  return lazyAttrs(
    () => [...own.keys()],
    (k) => own.get(k) ?? { thunk: ready(opaque(world, `${inputName}.${k}`)) },
    () => false,
  );
}

function applyPrefix(model: Value, build: Value, prefix: string): Value {
  if (model.kind !== 'function') return model;
  const withBuild = model.apply(ready(build));
  return withBuild.kind === 'function' ? withBuild.apply(ready({ kind: 'string', value: known(prefix) })) : withBuild;
}
