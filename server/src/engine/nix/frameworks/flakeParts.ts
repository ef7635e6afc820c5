/**
 * flake-parts (github:hercules-ci/flake-parts): `lib.mkFlake { inputs; specialArgs ? {}; } module`
 * evaluates `module` (an attribute set, a function, or a path) in a module system whose `flake`
 * option is the flake's outputs — `flake.nixosConfigurations`, `flake.nixosModules`
 * (deferred modules), `flake.modules.<class>.<name>` (deferred modules, from the `modules` flake
 * module), anything else freeform — and returns `config.flake`. Module arguments: `inputs`,
 * `self`, `withSystem`, `moduleWithSystem`, `getSystem`, `flake-parts-lib` and `specialArgs`.
 * `perSystem` is not evaluated (it defines packages and shells, not configurations); `withSystem
 * system f` passes `f` `{ system; }` with the per-system `config`, `pkgs`, `self'`, `inputs'`
 * opaque. `lib`: `importApply`, `mkPerSystemOption`, `mkSubmoduleOptions`,
 * `mkTransposedPerSystemModule`, `mkDeferredModuleOption`.
 * The modules' `lib` argument is flake-parts' `nixpkgs-lib` input's lib: by default the lib-only
 * flake, without `nixosSystem` (flake-parts issue #120); with `inputs.flake-parts.inputs.nixpkgs-lib
 * .follows = "nixpkgs"` it is nixpkgs' flake lib, so `lib.nixosSystem` is nixpkgs'.
 */
import { apply, attrs, fn, fn2, force, ready, str, unknown } from '../eval/helpers';
import { lazyAttrs, lazyThunk } from '../eval/lazy';
import { mergeAttrs, type ModuleWorld } from '../modules';
import type { Thunk, Value } from '../value';
import type { FrameworkInputContext } from './index';

/** Where the model's own Nix text lives (never a workspace path). */
const CORE_FILE = '/nix/store/flake-parts-model/core.nix';

/**
 * The option declarations flake-parts' own modules make that matter here, written as a module.
 * The `flake` submodule is freeform: definitions of anything else merge as they are written.
 */
const CORE_MODULE = `{ lib, ... }: {
  options.flake = lib.mkOption {
    type = lib.types.submodule {
      options.nixosModules = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.deferredModule; default = { }; };
      options.modules = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.lazyAttrsOf lib.types.deferredModule); default = { }; };
      options.nixosConfigurations = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.raw; default = { }; };
    };
    default = { };
  };
  options.perSystem = lib.mkOption { type = lib.types.deferredModule; default = { }; };
}`;

export function flakePartsInput(world: ModuleWorld, inputName: string, context: FrameworkInputContext): Value {
  const nixpkgsLib = context.follows.get('nixpkgs-lib')?.split('/')[0];
  const moduleLib = nixpkgsLib !== undefined && context.isNixpkgs(nixpkgsLib) ? world.nixpkgsLib : world.evaluator.lib;
  const lib = flakePartsLib(world, inputName, moduleLib);
  const emptyModule = attrs({});
  return attrs(
    {
      lib,
      flakeModules: attrs({ modules: emptyModule, easyOverlay: emptyModule, flakeModules: emptyModule, partitions: emptyModule }, { complete: false }),
      flakeModule: emptyModule,
    },
    { complete: false },
  );
}

function flakePartsLib(world: ModuleWorld, inputName: string, moduleLib: Value): Value {
  const mkOption = (extra: Record<string, Value>) => attrs({ _type: str('option'), ...extra });
  const lib = attrs(
    {
      mkFlake: fn2(`${inputName}.lib.mkFlake`, (args, module) => mkFlake(world, args, module, lib, moduleLib)),
      // `importApply ./m.nix args` = `import ./m.nix args`, with the file as the module's location.
      importApply: fn2('importApply', (path, args) => apply(world.evaluator.evalFile(pathOf(force(path))), args)),
      mkPerSystemOption: fn('mkPerSystemOption', () => mkOption({ default: attrs({}) })),
      // `mkSubmoduleOptions opts` = `mkOption { type = types.submodule { options = opts; }; default = { }; }`
      mkSubmoduleOptions: fn('mkSubmoduleOptions', (options) => {
        const types = force(world.evaluator.lib.attrs.get('types')?.thunk);
        const submodule = types.kind === 'attrs' ? force(types.attrs.get('submodule')?.thunk) : unknown('lib.types');
        return mkOption({ type: apply(submodule, attrs({ options })), default: attrs({}) });
      }),
      mkDeferredModuleOption: fn('mkDeferredModuleOption', () => mkOption({ default: attrs({}) })),
      mkTransposedPerSystemModule: fn('mkTransposedPerSystemModule', () => attrs({})),
    },
    { complete: false },
  );
  return lib;
}

function pathOf(v: Value): string {
  if (v.kind === 'path') return v.path;
  if (v.kind === 'string' && v.value.parts.length === 1 && typeof v.value.parts[0] === 'string') return v.value.parts[0];
  return '/nonexistent/importApply-of-an-unknown-path';
}

function mkFlake(world: ModuleWorld, argsThunk: Thunk, module: Thunk, flakePartsLibValue: Value, moduleLib: Value): Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown('mkFlake of a non-attrset');
  const inputs = args.attrs.get('inputs')?.thunk ?? ready(unknown('mkFlake without inputs'));
  const self = args.attrs.get('self')?.thunk ?? lazyThunk(() => {
    const i = force(inputs);
    return i.kind === 'attrs' ? force(i.attrs.get('self')?.thunk) : unknown('mkFlake without self');
  });
  const perSystemArgs = (system: Thunk) =>
    attrs(
      {
        system,
        config: attrs({}, { complete: false }),
        pkgs: unknown('perSystem pkgs'),
        "self'": attrs({}, { complete: false }),
        "inputs'": attrs({}, { complete: false }),
      },
      { complete: false },
    );
  const withSystem = fn2('withSystem', (system, f) => apply(force(f), ready(perSystemArgs(system))));
  const frameworkArgs = attrs({
    lib: moduleLib,
    inputs,
    self,
    withSystem,
    moduleWithSystem: fn('moduleWithSystem', (m) => force(m)),
    getSystem: fn('getSystem', (system) => perSystemArgs(system)),
    'flake-parts-lib': flakePartsLibValue,
  });
  // Built on first use: modules read `self` (these very outputs) while they are collected.
  const flake = lazyThunk(() => {
    const core = world.evaluator.evalSource(CORE_FILE, CORE_MODULE);
    const cfg = world.makeModuleConfiguration({
      name: '<flake-parts>',
      kind: 'modules',
      modules: [{ thunk: ready({ kind: 'list', items: [ready(core), module], complete: true }) }],
      specialArgs: mergeAttrs(ready(frameworkArgs), args.attrs.get('specialArgs')?.thunk),
    });
    return cfg.view(['flake']);
  });
  const attrsOfFlake = () => {
    const v = force(flake);
    return v.kind === 'attrs' ? v : undefined;
  };
  return lazyAttrs(
    () => [...(attrsOfFlake()?.attrs.keys() ?? [])],
    (k) => {
      const v = attrsOfFlake();
      return v ? v.attrs.get(k) : { thunk: ready(force(flake)) };
    },
    () => attrsOfFlake()?.complete ?? false,
  );
}
