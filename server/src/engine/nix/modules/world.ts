/**
 * Shared state of one analysis run: the markers standing for modules outside the workspace
 * (flake inputs' modules), the nixosSystem calls seen, the nixpkgs `lib` extended with
 * `nixosSystem`, and the per-run cache of decided `mkIf` conditions.
 */
import { known } from '../../pattern';
import type { Location } from '../../text';
import { attrs, fn, force, ready, unknown } from '../eval/helpers';
import { MICROVM_STORE, NIXPKGS_STORE, STORE } from '../eval/store';
import { extendFunction } from '../eval/lib';
import type { Evaluator } from '../eval/evaluator';
import type { AttrsValue, Thunk, Value } from '../value';
import type { FlakeResult } from '../flake';
import type { Configuration, ConfigurationOptions } from './configuration';
import { Conditions } from './definitions';
import { lazyThunk } from '../eval/lazy';
import { isInertStorePath } from '../inputs';

// Values we synthesise for things outside the workspace (flake inputs' modules).

/**
 * `inert`: a module of a well-known input that never defines networking (home-manager, sops-nix,
 * disko, ...); `external`: any other module from outside the workspace — a gap.
 */
export type MarkerKind = 'microvm-host' | 'microvm-guest' | 'external' | 'inert' | 'nixpkgs';

export interface Marker {
  kind: MarkerKind;
  /** Flake input / module name, for messages. */
  name: string;
}

/** A `nixpkgs.lib.nixosSystem { ... }` call. */
export interface SystemCall {
  modules: Thunk | undefined;
  specialArgs: Thunk | undefined;
  location?: Location;
  /** Set by whoever names it (`nixosConfigurations.<name>`). */
  name?: string;
  configuration?: Configuration;
}

/** Shared state of one analysis run: markers, nixosSystem calls, the extended nixpkgs lib. */
export class ModuleWorld {
  readonly markers = new WeakMap<object, Marker>();
  /** Opaque values of inputs outside the workspace, by name (flake.ts). */
  readonly opaqueValues = new Map<string, AttrsValue>();
  /** Node calls of each colmena hive value (frameworks/colmena.ts), built once. */
  readonly hiveNodes = new WeakMap<object, Map<string, SystemCall>>();
  /** Flakes evaluated in this run, by flake.nix path: a sub-flake is evaluated once. */
  readonly flakes = new Map<string, FlakeResult>();
  /** Decided `mkIf` conditions, per run: a condition thunk is forced once. */
  readonly conditions = new Conditions();
  readonly systems = new WeakMap<object, SystemCall>();
  /** Every system call built so far, in order: a flake may build configurations outside nixosConfigurations. */
  readonly builtSystems: SystemCall[] = [];
  /** The call whose configuration's `config` a value is (a flake may name `{ config = sys.config; }`). */
  readonly configCalls = new WeakMap<object, SystemCall>();
  readonly hostModule: AttrsValue;
  readonly guestModule: AttrsValue;
  readonly modulesPath = `${NIXPKGS_STORE}/nixos/modules`;
  readonly nixosSystem: Value;
  readonly nixpkgsLib: AttrsValue;
  private readonly externals = new Map<string, AttrsValue>();
  /** How often a nixosSystem value's `config` was forced (a configuration reading another's). */
  crossConfigurationReads = 0;

  constructor(
    readonly evaluator: Evaluator,
    /** Builds the Configuration of a nixosSystem call (set by the facts layer). */
    private readonly makeConfiguration: (call: SystemCall) => Configuration,
    /** Builds any other module-system configuration (`lib.evalModules`, framework models). */
    readonly makeModuleConfiguration: (opts: ConfigurationOptions) => Configuration,
  ) {
    evaluator.moduleSystem = { evalModules: (args) => this.evalModules(args), importStore: (path) => this.importStore(path) };
    this.hostModule = this.marker({ kind: 'microvm-host', name: 'microvm.nixosModules.host' });
    this.guestModule = this.marker({ kind: 'microvm-guest', name: 'microvm.nixosModules.microvm' });
    const world = this;
    this.nixosSystem = {
      kind: 'function',
      name: 'nixosSystem',
      formals: { names: ['modules', 'specialArgs', 'system', 'lib', 'pkgs', 'extraModules', 'baseModules'], ellipsis: true },
      apply(arg: Thunk, callSite?: Location): Value {
        const a = force(arg);
        const call: SystemCall = {
          modules: a.kind === 'attrs' ? a.attrs.get('modules')?.thunk : undefined,
          specialArgs: a.kind === 'attrs' ? a.attrs.get('specialArgs')?.thunk : undefined,
          location: callSite,
        };
        if (a.kind !== 'attrs') call.modules = undefined;
        return world.systemValue(call);
      },
    };
    const libMap = new Map(evaluator.lib.attrs);
    libMap.set('nixosSystem', { thunk: ready(this.nixosSystem) });
    this.nixpkgsLib = { kind: 'attrs', attrs: libMap, complete: evaluator.lib.complete };
    // `nixpkgs.lib.extend f` extends this lib, nixosSystem included.
    libMap.set('extend', { thunk: ready(extendFunction(this.nixpkgsLib)) });
  }

  marker(m: Marker): AttrsValue {
    const v = attrs({ _class: { kind: 'string', value: known('nixos') } }, { complete: false });
    this.markers.set(v, m);
    return v;
  }

  external(name: string): AttrsValue {
    let v = this.externals.get(name);
    if (!v) {
      v = this.marker({ kind: 'external', name });
      this.externals.set(name, v);
    }
    return v;
  }

  /** The value of a nixosSystem call: `config` is the lazy view of its configuration. */
  systemValue(call: SystemCall): AttrsValue {
    const world = this;
    const v = attrs(
      {
        config: lazyThunk(() => {
          // Some code reads another configuration's config: configurations depend on each other.
          world.crossConfigurationReads++;
          return world.configurationOf(call).config;
        }),
        // `extendModules { modules = [ … ]; }`: the same system with more modules.
        extendModules: fn('extendModules', (arg) => {
          const a = force(arg);
          const get = (k: string) => (a.kind === 'attrs' ? a.attrs.get(k)?.thunk : undefined);
          return world.systemValue({
            modules: concatLists(call.modules, get('modules')),
            specialArgs: mergeAttrs(call.specialArgs, get('specialArgs')),
            location: call.location,
          });
        }),
        options: unknown('options of a nixosSystem'),
        pkgs: unknown('pkgs of a nixosSystem'),
        _type: { kind: 'string', value: known('configuration') },
      },
      { complete: false, location: call.location },
    );
    this.systems.set(v, call);
    this.builtSystems.push(call);
    return v;
  }

  /**
   * A nixpkgs package set (`import nixpkgs { … }`, `nixpkgs.legacyPackages.<system>`): its `lib`
   * is ours, and `nixos configuration` is nixpkgs' `nixos` function — eval-config of that one
   * module, whose value is the configuration (`(pkgs.nixos m).config`). Packages stay unknown.
   */
  packageSet(): AttrsValue {
    const world = this;
    return attrs(
      {
        lib: this.nixpkgsLib,
        path: { kind: 'path', path: NIXPKGS_STORE },
        nixos: fn('nixos', (configuration) =>
          world.systemValue({ modules: ready({ kind: 'list', items: [configuration], complete: true }), specialArgs: undefined }),
        ),
      },
      { complete: false },
    );
  }

  /** Modules of the synthesised inputs, imported by path (`"${microvm}/nixos-modules/host"`). */
  storeModule(p: string): Marker | undefined {
    if (p === this.modulesPath || p.startsWith(this.modulesPath + '/') || p.startsWith(NIXPKGS_STORE)) {
      return { kind: 'nixpkgs', name: p };
    }
    if (p.startsWith(MICROVM_STORE)) {
      return /host/.test(p.slice(MICROVM_STORE.length))
        ? { kind: 'microvm-host', name: p }
        : { kind: 'microvm-guest', name: p };
    }
    if (isInertStorePath(p)) return { kind: 'inert', name: p };
    if (p.startsWith(`${STORE}/`)) return { kind: 'external', name: p };
    return undefined;
  }

  /** `lib.evalModules { modules; specialArgs; }`: any module system, on the same machinery. */
  evalModules(arg: Thunk): Value {
    const a = force(arg);
    if (a.kind !== 'attrs') return unknown('evalModules of a non-attrset');
    const get = (k: string) => a.attrs.get(k)?.thunk;
    const modules = get('modules');
    const cfg = this.makeModuleConfiguration({ name: '<evalModules>', kind: 'modules', modules: modules ? [{ thunk: modules }] : [], specialArgs: get('specialArgs') });
    const world = this;
    return attrs(
      {
        config: ready(cfg.config),
        options: unknown('options of lib.evalModules'),
        _module: attrs({ args: cfg.view(['_module', 'args']) }, { complete: false }),
        extendModules: fn('extendModules', (more) => {
          const m = force(more);
          const extra = m.kind === 'attrs' ? m.attrs.get('modules')?.thunk : undefined;
          const special = m.kind === 'attrs' ? m.attrs.get('specialArgs')?.thunk : undefined;
          const specialArgs = mergeAttrs(get('specialArgs'), special);
          return world.evalModules(ready(attrs({ modules: concatLists(modules, extra), ...(specialArgs ? { specialArgs } : {}) })));
        }),
      },
      { complete: false },
    );
  }

  /**
   * The nixpkgs files a configuration is built with, imported by path: `nixos/lib/eval-config.nix`
   * is nixosSystem; `<nixpkgs/nixos>` builds `configuration`; `<nixpkgs>` is a package set whose
   * `lib` is ours; `<nixpkgs/lib>` is lib.
   */
  importStore(path: string): Value | undefined {
    // `import <home-manager/nixos>` (or a fetched copy): that input's module, inert.
    if (isInertStorePath(path)) return this.marker({ kind: 'inert', name: path });
    const rest = path.startsWith(NIXPKGS_STORE) ? path.slice(NIXPKGS_STORE.length).replace(/\/default\.nix$/, '') : undefined;
    if (rest === undefined) return undefined;
    const world = this;
    switch (rest) {
      case '/nixos/lib/eval-config.nix':
        return this.nixosSystem;
      case '/nixos':
        return fn('nixos', (arg) => {
          const a = force(arg);
          const configuration = a.kind === 'attrs' ? a.attrs.get('configuration')?.thunk : undefined;
          return world.systemValue({ modules: configuration ? ready({ kind: 'list', items: [configuration], complete: true }) : undefined, specialArgs: undefined });
        });
      case '':
        return fn('nixpkgs', () => this.packageSet());
      case '/lib':
        return this.nixpkgsLib;
      default:
        return undefined;
    }
  }

  configurationOf(call: SystemCall): Configuration {
    if (!call.configuration) {
      call.configuration = this.makeConfiguration(call);
      this.configCalls.set(call.configuration.config, call);
    }
    return call.configuration;
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** Two module lists as one, lazily (either may be missing). */
export function concatLists(a: Thunk | undefined, b: Thunk | undefined): Thunk {
  return lazyThunk(() => {
    const items: Thunk[] = [];
    let complete = true;
    for (const t of [a, b]) {
      if (!t) continue;
      const v = force(t);
      if (v.kind === 'list') {
        items.push(...v.items);
        complete &&= v.complete;
      } else {
        items.push(t);
      }
    }
    return { kind: 'list', items, complete };
  });
}

/** `a // b` of two optional attrset thunks, lazily. */
export function mergeAttrs(a: Thunk | undefined, b: Thunk | undefined): Thunk | undefined {
  if (!a || !b) return a ?? b;
  return lazyThunk(() => {
    const x = force(a);
    const y = force(b);
    if (x.kind !== 'attrs' || y.kind !== 'attrs') return unknown('specialArgs not attribute sets');
    return { kind: 'attrs', attrs: new Map([...x.attrs, ...y.attrs]), complete: x.complete && y.complete };
  });
}
