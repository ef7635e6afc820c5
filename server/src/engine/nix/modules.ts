/**
 * The NixOS module system, statically: collects a configuration's modules (`imports`, module
 * functions, `config`/`options` sections), keeps every definition with the mkIf conditions,
 * mkOverride priorities and mkOrder orders pushed down onto it, and offers
 *  - a LAZY `config` value (what module functions receive) that merges definitions per option
 *    path only when something selects that path, with a recursion guard (a module reading
 *    `config.X` while defining X sees `unknown`, never hangs);
 *  - precise accessors for fact extraction (`defsAt`, `keysAt`, `scalarAt`, `listAt`) that keep
 *    track of which definitions are only conditional (mkIf with an unknown condition).
 *
 * Option declarations are not available (no nixpkgs), so the option tree is inferred from the
 * definitions: attrsets merge key by key (the way pushDownProperties treats them), anything else
 * is a leaf merged by priority (lists concatenate, ordered by mkOrder). Option defaults come from
 * a small table of the options this project cares about plus `mkOption { default = ...; }`
 * declarations found in the workspace's own `options` sections.
 */
import { known, UNKNOWN_STRING, type StrPattern } from '../pattern';
import type { Location } from '../text';
import {
  apply,
  asFunction,
  attrs,
  force,
  knownBool,
  knownString,
  path as pathValue,
  ready,
  unknown,
  wrapperType,
} from './eval/helpers';
import type { Evaluator } from './eval/evaluator';
import type { AttrsValue, Binding, ListValue, Thunk, Value } from './value';

// ---------------------------------------------------------------------------------------------
// Markers: values we synthesise for things outside the workspace (flake inputs' modules).

export type MarkerKind = 'microvm-host' | 'microvm-guest' | 'external' | 'nixpkgs';

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

export const DEFAULT_PRIORITY = 100;
export const OPTION_DEFAULT_PRIORITY = 1500;
export const DEFAULT_ORDER = 1000;

/** A Map whose entries are computed on demand; iteration computes the full key list once. */
export class LazyMap extends Map<string, Binding> {
  private readonly cache = new Map<string, Binding | null>();
  private keyList: string[] | undefined;
  private loading = false;

  constructor(
    private readonly keysFn: () => string[],
    private readonly getFn: (key: string) => Binding | undefined,
    /** While true, nothing is cached (results computed then are provisional). */
    private readonly volatile: () => boolean = () => false,
  ) {
    super();
  }

  private allKeys(): string[] {
    if (this.keyList) return this.keyList;
    if (this.loading) return [];
    this.loading = true;
    try {
      const keys = [...new Set(this.keysFn())].sort();
      if (this.volatile()) return keys;
      this.keyList = keys;
    } finally {
      this.loading = false;
    }
    return this.keyList;
  }

  override get(key: string): Binding | undefined {
    if (this.cache.has(key)) return this.cache.get(key) ?? undefined;
    const b = this.getFn(key);
    if (!this.volatile()) this.cache.set(key, b ?? null);
    return b;
  }
  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  override get size(): number {
    return this.allKeys().length;
  }
  override keys(): MapIterator<string> {
    return this.allKeys()[Symbol.iterator]() as MapIterator<string>;
  }
  override *entries(): MapIterator<[string, Binding]> {
    for (const k of this.allKeys()) {
      const b = this.get(k);
      if (b) yield [k, b];
    }
  }
  override *values(): MapIterator<Binding> {
    for (const [, b] of this.entries()) yield b;
  }
  override [Symbol.iterator](): MapIterator<[string, Binding]> {
    return this.entries();
  }
  override forEach(cb: (value: Binding, key: string, map: Map<string, Binding>) => void, thisArg?: unknown): void {
    for (const [k, b] of this.entries()) cb.call(thisArg, b, k, this);
  }
  override set(key: string, value: Binding): this {
    this.cache.set(key, value);
    if (this.keyList && !this.keyList.includes(key)) this.keyList = [...this.keyList, key].sort();
    return this;
  }
  override delete(key: string): boolean {
    const had = this.has(key);
    this.cache.set(key, null);
    if (this.keyList) this.keyList = this.keyList.filter((k) => k !== key);
    return had;
  }
}

/** An attrset value backed by a LazyMap; `complete` is computed on first read. */
export function lazyAttrs(
  keysFn: () => string[],
  getFn: (key: string) => Binding | undefined,
  completeFn: () => boolean,
  location?: Location,
  volatile: () => boolean = () => false,
): AttrsValue {
  const map = new LazyMap(keysFn, getFn, volatile);
  let complete: boolean | undefined;
  const v = { kind: 'attrs', attrs: map, location } as unknown as AttrsValue;
  Object.defineProperty(v, 'complete', {
    enumerable: true,
    get: () => {
      if (complete !== undefined) return complete;
      const c = completeFn();
      if (!volatile()) complete = c;
      return c;
    },
    set: (c: boolean) => {
      complete = c;
    },
  });
  return v;
}

/** A memoised thunk with a re-entrance guard (re-entering yields `unknown`). */
export function lazyThunk(compute: () => Value, location?: Location): Thunk {
  let state: 0 | 1 | 2 = 0;
  let value: Value = unknown('recursion');
  return {
    location,
    force() {
      if (state === 2) return value;
      if (state === 1) return unknown('infinite recursion');
      state = 1;
      try {
        value = compute();
      } catch (e) {
        value = unknown(e instanceof RangeError ? 'stack overflow' : `internal error: ${(e as Error)?.message ?? e}`);
      }
      state = 2;
      return value;
    },
  };
}

/** Shared state of one analysis run: markers, nixosSystem calls, the extended nixpkgs lib. */
export class ModuleWorld {
  readonly markers = new WeakMap<object, Marker>();
  readonly systems = new WeakMap<object, SystemCall>();
  readonly hostModule: AttrsValue;
  readonly guestModule: AttrsValue;
  readonly modulesPath = '/nix/store/nixpkgs/nixos/modules';
  readonly nixosSystem: Value;
  readonly nixpkgsLib: AttrsValue;
  private readonly externals = new Map<string, AttrsValue>();
  /** How often a nixosSystem value's `config` was forced (a configuration reading another's). */
  crossConfigurationReads = 0;

  constructor(
    readonly evaluator: Evaluator,
    /** Builds the Configuration of a nixosSystem call (set by the facts layer). */
    private readonly makeConfiguration: (call: SystemCall) => Configuration,
  ) {
    resetConditionCache();
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
        options: unknown('options of a nixosSystem'),
        pkgs: unknown('pkgs of a nixosSystem'),
        _type: { kind: 'string', value: known('configuration') },
      },
      { complete: false, location: call.location },
    );
    this.systems.set(v, call);
    return v;
  }

  /** Modules of the synthesised inputs, imported by path (`"${microvm}/nixos-modules/host"`). */
  storeModule(p: string): Marker | undefined {
    if (p === this.modulesPath || p.startsWith(this.modulesPath + '/') || p.startsWith('/nix/store/nixpkgs')) {
      return { kind: 'nixpkgs', name: p };
    }
    if (p.startsWith('/nix/store/microvm')) {
      return /host/.test(p.slice('/nix/store/microvm'.length))
        ? { kind: 'microvm-host', name: p }
        : { kind: 'microvm-guest', name: p };
    }
    if (p.startsWith('/nix/store/')) return { kind: 'external', name: p };
    return undefined;
  }

  configurationOf(call: SystemCall): Configuration {
    if (!call.configuration) call.configuration = this.makeConfiguration(call);
    return call.configuration;
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

export type CondState = 'true' | 'false' | 'unknown';

/** A definition after unwrapping mkIf / mkMerge / mkOverride / mkOrder. */
export interface Def {
  value: Value;
  /** The binding it came from (for key/value locations). */
  binding?: Binding;
  /** mkIf conditions above it (pushed down). */
  conds: Thunk[];
  /** Priority (outermost mkOverride wins); DEFAULT_PRIORITY when none. */
  prio: number;
  order: number;
  /** Where the value is written. */
  location?: Location;
  /** Defined in a module that is itself only conditional (nested config under mkIf). */
  baseConditional: boolean;
}

interface RawDef {
  thunk: Thunk;
  binding?: Binding;
  conds: Thunk[];
  prio?: number;
  order?: number;
  baseConditional: boolean;
}

let condCache = new WeakMap<Thunk, CondState>();

/** Conditions are cached per analysis run (a new ModuleWorld starts a new run). */
export function resetConditionCache(): void {
  condCache = new WeakMap();
}

export function condState(conds: readonly Thunk[]): CondState {
  let state: CondState = 'true';
  for (const c of conds) {
    let s = condCache.get(c);
    if (!s) {
      condCache.set(c, 'unknown'); // re-entrance guard
      const b = knownBool(force(c));
      s = b === true ? 'true' : b === false ? 'false' : 'unknown';
      condCache.set(c, s);
    }
    if (s === 'false') return 'false';
    if (s === 'unknown') state = 'unknown';
  }
  return state;
}

function numberOf(v: Value): number | undefined {
  return v.kind === 'int' || v.kind === 'float' ? v.value : undefined;
}

function locationOf(raw: RawDef, v: Value): Location | undefined {
  return raw.binding?.valueLocation ?? raw.thunk.location ?? ('location' in v ? v.location : undefined);
}

/** Unwraps module-system wrappers, pushing their properties down. */
export function normalize(raw: RawDef, out: Def[] = [], depth = 0): Def[] {
  const v = force(raw.thunk);
  if (depth > 64) {
    out.push({ value: unknown('wrapper nesting'), binding: raw.binding, conds: raw.conds, prio: raw.prio ?? DEFAULT_PRIORITY, order: raw.order ?? DEFAULT_ORDER, baseConditional: raw.baseConditional });
    return out;
  }
  const t = wrapperType(v);
  if (v.kind === 'attrs' && t) {
    const get = (k: string): Thunk => v.attrs.get(k)?.thunk ?? ready(unknown(`wrapper without ${k}`));
    switch (t) {
      case 'if':
        return normalize({ ...raw, thunk: get('content'), conds: [...raw.conds, get('condition')] }, out, depth + 1);
      case 'merge': {
        const contents = force(get('contents'));
        if (contents.kind === 'list') {
          for (const item of contents.items) normalize({ ...raw, thunk: item, binding: raw.binding }, out, depth + 1);
          if (!contents.complete) out.push(unknownDef(raw));
        } else out.push(unknownDef(raw));
        return out;
      }
      case 'override': {
        const p = numberOf(force(get('priority')));
        return normalize({ ...raw, thunk: get('content'), prio: raw.prio ?? p ?? DEFAULT_PRIORITY }, out, depth + 1);
      }
      case 'order': {
        const p = numberOf(force(get('priority')));
        return normalize({ ...raw, thunk: get('content'), order: raw.order ?? p ?? DEFAULT_ORDER }, out, depth + 1);
      }
      case 'option':
        // a declaration where a definition was expected: contributes nothing definite
        out.push(unknownDef(raw));
        return out;
      default:
        break;
    }
  }
  out.push({
    value: v,
    binding: raw.binding,
    conds: raw.conds,
    prio: raw.prio ?? DEFAULT_PRIORITY,
    order: raw.order ?? DEFAULT_ORDER,
    location: locationOf(raw, v),
    baseConditional: raw.baseConditional,
  });
  return out;
}

function unknownDef(raw: RawDef): Def {
  return {
    value: unknown('unknown definition'),
    binding: raw.binding,
    conds: raw.conds,
    prio: raw.prio ?? DEFAULT_PRIORITY,
    order: raw.order ?? DEFAULT_ORDER,
    location: raw.binding?.valueLocation ?? raw.thunk.location,
    baseConditional: raw.baseConditional,
  };
}

export interface Selected {
  def: Def;
  /** May not apply (unknown mkIf, or may be overridden by a conditional higher-priority def). */
  conditional: boolean;
}

/**
 * nixpkgs' filterOverrides with unknown conditions: definitions whose condition is false are
 * dropped; of the rest, the lowest priority number wins. A conditional definition with a
 * priority at least as strong as the best definite one makes the choice uncertain.
 */
export function selectByPriority(defs: readonly Def[]): Selected[] {
  const live = defs
    .map((def) => ({ def, state: condState(def.conds) }))
    .filter((d) => d.state !== 'false')
    .map((d) => ({ def: d.def, conditional: d.state === 'unknown' || d.def.baseConditional }));
  let best = Infinity;
  for (const d of live) if (!d.conditional) best = Math.min(best, d.def.prio);
  const selected = live.filter((d) => (d.conditional ? d.def.prio <= best : d.def.prio === best));
  const shaky = live.some((d) => d.conditional && d.def.prio < best);
  return selected.map((d) => ({ def: d.def, conditional: d.conditional || shaky }));
}

/** Stable sort by mkOrder priority. */
export function sortByOrder<T extends { def: Def }>(items: T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.def.order - b.item.def.order || a.i - b.i)
    .map((x) => x.item);
}

// ---------------------------------------------------------------------------------------------
// Modules

export type ModuleSource = { thunk: Thunk; file?: string; conditional?: boolean };

export interface CollectedModule {
  file?: string;
  /** The module's `config` section (or the shorthand attrset minus module keys). */
  config: Thunk | undefined;
  options: Thunk | undefined;
  conditional: boolean;
  location?: Location;
}

const MODULE_KEYS = new Set(['imports', '_file', 'key', 'disabledModules', 'meta', 'freeformType', '_class', 'options', 'config']);
/** Top-level names of NixOS options we expect in a module (to recognise shorthand modules). */
export const OPTION_LIKE_KEYS = new Set([
  'imports', 'microvm', 'systemd', 'networking', 'boot', 'services', 'environment', 'users', 'config',
  'options', 'fileSystems', 'nix', 'nixpkgs', 'system', 'security', 'programs', 'hardware', 'virtualisation',
  'time', 'i18n', 'console', 'documentation', 'swapDevices', 'containers', 'home-manager', 'sops', 'age',
  'powerManagement', 'fonts', 'xdg', 'zramSwap', 'disko', 'specialisation', 'assertions', 'warnings',
]);

export interface ConfigurationOptions {
  name: string;
  modules: ModuleSource[];
  /** `specialArgs` of nixosSystem / microvm.vms.<n>.specialArgs. */
  specialArgs?: Thunk;
  /** Definitions the wrapping machinery adds (`networking.hostName = mkDefault <vm>`). */
  extraDefs?: { path: string[]; value: Value; prio: number }[];
  /** Everything in this configuration is only conditional. */
  conditional?: boolean;
}

/** Defaults of options we read (priority 1500, as mkOptionDefault). */
const BUILTIN_DEFAULTS: { path: string[]; value: () => Value }[] = [
  { path: ['microvm', 'hypervisor'], value: () => ({ kind: 'string', value: known('qemu') }) },
  { path: ['microvm', 'interfaces'], value: () => ({ kind: 'list', items: [], complete: true }) },
  { path: ['microvm', 'vms'], value: () => attrs({}) },
  { path: ['microvm', 'autostart'], value: () => ({ kind: 'list', items: [], complete: true }) },
  { path: ['systemd', 'network', 'enable'], value: () => ({ kind: 'bool', value: false }) },
  { path: ['networking', 'useNetworkd'], value: () => ({ kind: 'bool', value: false }) },
  { path: ['systemd', 'network', 'networks'], value: () => attrs({}) },
  { path: ['systemd', 'network', 'netdevs'], value: () => attrs({}) },
  { path: ['networking', 'bridges'], value: () => attrs({}) },
];

/** Formals that usually come from `_module.args` (nixpkgs' own or the user's). */
const MODULE_ARG_NAMES = new Set(['utils', 'name', 'nodes', 'baseModules', 'extendModules', 'moduleType', 'inputs', 'self', 'flake', 'host', 'hostName', 'vmName']);

const pathKey = (p: readonly string[]): string => p.join('\u0000');

export class Configuration {
  readonly name: string;
  readonly modules: CollectedModule[] = [];
  /** Files this configuration's modules came from. */
  readonly files = new Set<string>();
  readonly markers: Marker[] = [];
  /** Modules whose value could not be known (opaque import, budget...). */
  unknownModules = 0;
  readonly problems: string[] = [];
  readonly conditional: boolean;
  /** The lazy `config` value module functions receive. */
  readonly config: AttrsValue;

  private collecting = true;
  private readonly defsCache = new Map<string, Def[]>();
  private readonly defsBusy = new Set<string>();
  private readonly viewCache = new Map<string, Thunk>();
  private readonly defaults = new Map<string, Def[]>();
  /** First segments of default paths below each path, for key listing. */
  private readonly defaultChildren = new Map<string, Set<string>>();
  private readonly seenFiles = new Set<string>();
  private readonly specialArgs: Value;
  private readonly pkgs: AttrsValue;

  constructor(
    readonly world: ModuleWorld,
    opts: ConfigurationOptions,
  ) {
    this.name = opts.name;
    this.conditional = opts.conditional ?? false;
    this.specialArgs = opts.specialArgs ? force(opts.specialArgs) : attrs({});
    this.pkgs = attrs({ lib: world.evaluator.lib }, { complete: false });
    this.config = this.viewAttrs([]);
    for (const d of BUILTIN_DEFAULTS) this.addDefault(d.path, d.value(), OPTION_DEFAULT_PRIORITY);
    for (const d of opts.extraDefs ?? []) this.addDefault(d.path, d.value, d.prio);
    try {
      for (const m of opts.modules) this.collect(m.thunk, m.file, (m.conditional ?? false) || this.conditional, 0);
    } finally {
      this.collecting = false;
    }
    for (const m of this.modules) if (m.options) this.collectDeclarations(m.options, [], 0);
  }

  get importsExternalModules(): boolean {
    return this.unknownModules > 0 || this.markers.some((m) => m.kind === 'external');
  }
  hasMarker(kind: MarkerKind): boolean {
    return this.markers.some((m) => m.kind === kind);
  }

  // -- collection --------------------------------------------------------------------------

  private collect(thunk: Thunk, file: string | undefined, conditional: boolean, depth: number): void {
    if (depth > 200) {
      this.unknownModules++;
      return;
    }
    let v = force(thunk);
    const marker = this.world.markers.get(v);
    if (marker) {
      this.markers.push(marker);
      return;
    }
    if (v.kind === 'string') {
      const p = knownString(v);
      if (p && p.startsWith('/')) v = pathValue(p);
    }
    if (v.kind === 'path') {
      const store = this.world.storeModule(v.path);
      if (store) {
        if (store.kind !== 'nixpkgs') this.markers.push(store);
        return;
      }
      const resolved = this.resolveModulePath(v.path);
      if (resolved === null) return; // nixpkgs' own modules: nothing we model
      if (resolved === undefined) {
        this.unknownModules++;
        this.problems.push(`cannot read module ${v.path}`);
        return;
      }
      if (this.seenFiles.has(resolved)) return;
      this.seenFiles.add(resolved);
      this.files.add(resolved);
      v = this.world.evaluator.evalFile(resolved);
      file = resolved;
    }
    if (v.kind === 'list') {
      for (const item of v.items) this.collect(item, file, conditional, depth + 1);
      if (!v.complete) this.unknownModules++;
      return;
    }
    const f = asFunction(v);
    if (f && v.kind === 'function') {
      v = f.apply(ready(this.moduleArgs(v.formals?.names ?? [])));
      const m2 = this.world.markers.get(v);
      if (m2) {
        this.markers.push(m2);
        return;
      }
    }
    if (v.kind === 'unknown' && /^search path <nixpkgs(\/|>)/.test(v.reason ?? '')) return; // <nixpkgs/nixos/modules/...>
    if (v.kind !== 'attrs') {
      this.unknownModules++;
      if (v.kind !== 'unknown') this.problems.push(`a module in ${file ?? this.name} is not an attrset`);
      return;
    }
    const a = v;
    const fileB = a.attrs.get('_file');
    const fileV = fileB ? force(fileB.thunk) : undefined;
    if (fileV?.kind === 'path') file = fileV.path;
    const importsB = a.attrs.get('imports');
    if (importsB) {
      const imports = force(importsB.thunk);
      if (imports.kind === 'list') {
        for (const item of imports.items) this.collect(item, file, conditional, depth + 1);
        if (!imports.complete) this.unknownModules++;
      } else {
        this.unknownModules++;
        this.problems.push(`imports of a module in ${file ?? this.name} could not be evaluated`);
      }
    }
    const structured = a.attrs.has('config') || a.attrs.has('options');
    let config: Thunk | undefined;
    if (structured) config = a.attrs.get('config')?.thunk;
    else {
      const map = new Map<string, Binding>();
      for (const [k, b] of a.attrs) if (!MODULE_KEYS.has(k)) map.set(k, b);
      config = ready({ kind: 'attrs', attrs: map, complete: a.complete, location: a.location, unknownKeys: a.unknownKeys });
    }
    this.modules.push({ file, config, options: a.attrs.get('options')?.thunk, conditional, location: a.location });
  }

  /** null: a nixpkgs module (under modulesPath); undefined: unreadable. */
  private resolveModulePath(p: string): string | null | undefined {
    if (p.startsWith(this.world.modulesPath)) return null;
    const fs = this.world.evaluator.fs;
    if (fs.isDirectory(p)) {
      const d = p.replace(/\/+$/, '') + '/default.nix';
      return fs.readFile(d) !== undefined ? d : undefined;
    }
    return fs.readFile(p) !== undefined ? p : undefined;
  }

  private moduleArgs(formals: string[]): AttrsValue {
    const base = new Map<string, Binding>();
    base.set('config', { thunk: ready(this.config) });
    base.set('lib', { thunk: ready(this.world.evaluator.lib) });
    base.set('pkgs', { thunk: ready(this.pkgs) });
    base.set('options', { thunk: ready(attrs({}, { complete: false })) });
    base.set('modulesPath', { thunk: ready(pathValue(this.world.modulesPath)) });
    base.set('specialArgs', { thunk: ready(this.specialArgs) });
    if (this.specialArgs.kind === 'attrs') for (const [k, b] of this.specialArgs.attrs) base.set(k, b);
    for (const name of formals) {
      if (base.has(name) || !MODULE_ARG_NAMES.has(name)) continue;
      // `_module.args.<name>`, read lazily from the merged configuration. Other missing formals
      // are left out so their defaults apply (or they evaluate to unknown).
      base.set(name, { thunk: lazyThunk(() => this.view(['_module', 'args', name])) });
    }
    return { kind: 'attrs', attrs: base, complete: true };
  }

  private collectDeclarations(thunk: Thunk, path: string[], depth: number): void {
    if (depth > 12) return;
    const v = force(thunk);
    if (v.kind !== 'attrs') return;
    const t = wrapperType(v);
    if (t === 'option') {
      const d = v.attrs.get('default');
      if (d) this.addDefault(path, undefined, OPTION_DEFAULT_PRIORITY, d);
      return;
    }
    if (t) return;
    for (const [k, b] of v.attrs) this.collectDeclarations(b.thunk, [...path, k], depth + 1);
  }

  private addDefault(path: string[], value: Value | undefined, prio: number, binding?: Binding): void {
    const key = pathKey(path);
    const raw: RawDef = { thunk: binding?.thunk ?? ready(value ?? unknown()), binding, conds: [], prio, baseConditional: false };
    const list = this.defaults.get(key) ?? [];
    // lazily normalised: store a thunk-backed placeholder
    list.push(...lazyDefs(raw));
    this.defaults.set(key, list);
    for (let i = 0; i < path.length; i++) {
      const parent = pathKey(path.slice(0, i));
      let set = this.defaultChildren.get(parent);
      if (!set) this.defaultChildren.set(parent, (set = new Set()));
      set.add(path[i]);
    }
  }

  // -- definitions -------------------------------------------------------------------------

  /** Every definition at an option path (conditions not yet evaluated; false ones included). */
  private readonly keysBusy = new Set<string>();

  defsAt(path: readonly string[]): Def[] {
    const key = pathKey(path);
    const cached = this.defsCache.get(key);
    if (cached) return cached;
    if (this.collecting || this.defsBusy.has(key)) {
      return [{ value: unknown('recursion'), conds: [], prio: DEFAULT_PRIORITY, order: DEFAULT_ORDER, baseConditional: false }];
    }
    this.defsBusy.add(key);
    let defs: Def[] = [];
    try {
      if (path.length === 0) {
        for (const m of this.modules) {
          if (m.config) normalize({ thunk: m.config, conds: [], baseConditional: m.conditional }, defs);
        }
      } else {
        const parent = this.defsAt(path.slice(0, -1));
        const name = path[path.length - 1];
        for (const d of parent) defs.push(...childDefs(d, name));
      }
      const dflt = this.defaults.get(key);
      if (dflt) defs = [...defs, ...dflt];
    } finally {
      this.defsBusy.delete(key);
    }
    this.defsCache.set(key, defs);
    return defs;
  }

  /** Definitions that may apply, with their conditional flag (no priority filtering). */
  liveDefsAt(path: readonly string[]): Selected[] {
    return this.defsAt(path)
      .map((def) => ({ def, state: condState(def.conds) }))
      .filter((d) => d.state !== 'false')
      .map((d) => ({ def: d.def, conditional: d.state === 'unknown' || d.def.baseConditional }));
  }

  /**
   * Attribute names defined at a path (attrset definitions merged key by key), with whether the
   * set is known to be complete, and keys that are patterns (`"vm-${x}" = ...`).
   */
  keysAt(path: readonly string[]): { keys: string[]; complete: boolean; conditionalKeys: Set<string>; patternKeys: { key: StrPattern; binding: Binding; def: Def; conditional: boolean }[] } {
    // A module may define an option with the config view itself (`args: args` returns `config`):
    // listing its keys would list them again. Re-entering answers "not known", never recursion.
    const busyKey = pathKey(path);
    if (this.keysBusy.has(busyKey)) return { keys: [], complete: false, conditionalKeys: new Set(), patternKeys: [] };
    this.keysBusy.add(busyKey);
    try {
      return this.collectKeys(path);
    } finally {
      this.keysBusy.delete(busyKey);
    }
  }

  private collectKeys(path: readonly string[]): ReturnType<Configuration['keysAt']> {
    const keys = new Map<string, boolean>(); // key -> only conditional
    let complete = true;
    const patternKeys: { key: StrPattern; binding: Binding; def: Def; conditional: boolean }[] = [];
    for (const { def, conditional } of this.liveDefsAt(path)) {
      const v = def.value;
      if (v.kind === 'attrs') {
        for (const k of v.attrs.keys()) keys.set(k, (keys.get(k) ?? true) && conditional);
        if (!v.complete) complete = false;
        for (const u of v.unknownKeys ?? []) patternKeys.push({ key: u.key, binding: u.binding, def, conditional });
      } else if (v.kind === 'unknown') complete = false;
      else if (v.kind !== 'null') complete = false;
    }
    // attrsOf drops names whose definitions are all `mkIf false`
    const cond = new Set<string>();
    const present: string[] = [];
    for (const k of [...keys.keys()].sort()) {
      const live = this.liveDefsAt([...path, k]);
      if (live.length === 0) continue;
      present.push(k);
      if (live.every((d) => d.conditional)) cond.add(k);
    }
    return { keys: present, complete, conditionalKeys: cond, patternKeys };
  }

  /** The merged value of a scalar option: known only when every candidate agrees. */
  scalarAt(path: readonly string[]): { value: Value; conditional: boolean; def?: Def } {
    const sel = selectByPriority(this.defsAt(path));
    if (sel.length === 0) return { value: unknown('no definition'), conditional: false };
    const first = sel[0];
    const allSame = sel.every((s) => sameScalar(s.def.value, first.def.value));
    if (!allSame) return { value: unknown('conflicting or conditional definitions'), conditional: true, def: first.def };
    const conditional = sel.some((s) => s.conditional);
    // A conditional single definition: the value holds only if the condition does.
    return { value: first.def.value, conditional, def: first.def };
  }

  /** The merged items of a list option (priority-filtered, ordered by mkOrder). */
  listAt(path: readonly string[]): { items: { thunk: Thunk; conditional: boolean; def: Def }[]; complete: boolean } {
    const sel = sortByOrder(selectByPriority(this.defsAt(path)));
    const items: { thunk: Thunk; conditional: boolean; def: Def }[] = [];
    let complete = true;
    for (const s of sel) {
      const v = s.def.value;
      if (v.kind === 'list') {
        for (const item of v.items) items.push({ thunk: item, conditional: s.conditional, def: s.def });
        if (!v.complete) complete = false;
      } else complete = false;
    }
    return { items, complete };
  }

  // -- the lazy config view ----------------------------------------------------------------

  /** The merged value at a path, as module code sees it through `config`. */
  view(path: readonly string[]): Value {
    const key = pathKey(path);
    let t = this.viewCache.get(key);
    if (!t) {
      t = lazyThunk(() => this.computeView(path));
      if (!this.collecting) this.viewCache.set(key, t);
    }
    return t.force();
  }

  /** The evaluated guest behind `microvm.vms.<vm>.config` (set by the facts layer). */
  nestedFor?: (vm: string) => Configuration | undefined;

  private computeView(path: readonly string[]): Value {
    if (this.collecting) return unknown('config read while collecting modules');
    if (this.nestedFor && path.length === 4 && path[0] === 'microvm' && path[1] === 'vms' && path[3] === 'config') {
      // the host sees an evaluated guest there: `.config.config.microvm.interfaces`
      const nested = this.nestedFor(path[2]);
      if (nested) return attrs({ config: nested.config, options: unknown('guest options') }, { complete: false });
    }
    const live = this.liveDefsAt(path);
    const hasDefaultsBelow = this.defaultChildren.has(pathKey(path));
    if (live.length === 0) return hasDefaultsBelow ? this.viewAttrs(path) : unknown('no definition');
    const kinds = new Set(live.map((d) => d.def.value.kind));
    kinds.delete('unknown');
    if ((kinds.size === 1 && kinds.has('attrs')) || (kinds.size === 0 && hasDefaultsBelow)) return this.viewAttrs(path);
    if (kinds.has('list')) {
      const { items, complete } = this.listAt(path);
      const l: ListValue = { kind: 'list', items: items.map((i) => i.thunk), complete: complete && !items.some((i) => i.conditional) };
      return l;
    }
    return this.scalarAt(path).value;
  }

  private viewAttrs(path: readonly string[]): AttrsValue {
    const p = [...path];
    return lazyAttrs(
      () => {
        const { keys } = this.keysAt(p);
        const extra = this.defaultChildren.get(pathKey(p));
        return extra ? [...keys, ...extra] : keys;
      },
      (k) => {
        const child = [...p, k];
        let keyLocation: Location | undefined;
        let valueLocation: Location | undefined;
        if (!this.collecting) {
          const first = this.defsAt(child).find((d) => d.binding);
          keyLocation = first?.binding?.keyLocation;
          valueLocation = first?.binding?.valueLocation;
        }
        return { thunk: { force: () => this.view(child), location: valueLocation }, keyLocation, valueLocation };
      },
      () => (this.collecting ? false : this.keysAt(p).complete),
      undefined,
      () => this.collecting,
    );
  }
}

function lazyDefs(raw: RawDef): Def[] {
  // Defaults are few; normalising eagerly is fine but must not force user code at construction
  // time when the default is a workspace expression, so wrap it in a def whose value is forced
  // on first access.
  let cache: Def[] | undefined;
  const get = (): Def[] => (cache ??= normalize(raw));
  const proxy: Def = {
    get value() {
      return get()[0]?.value ?? unknown();
    },
    binding: raw.binding,
    conds: raw.conds,
    get prio() {
      return get()[0]?.prio ?? raw.prio ?? OPTION_DEFAULT_PRIORITY;
    },
    order: DEFAULT_ORDER,
    get location() {
      return get()[0]?.location;
    },
    baseConditional: false,
  } as Def;
  return [proxy];
}

function childDefs(d: Def, name: string): Def[] {
  const v = d.value;
  if (v.kind === 'attrs') {
    const b = v.attrs.get(name);
    const out: Def[] = [];
    if (b) normalize({ thunk: b.thunk, binding: b, conds: d.conds, prio: d.prio === DEFAULT_PRIORITY ? undefined : d.prio, order: d.order === DEFAULT_ORDER ? undefined : d.order, baseConditional: d.baseConditional }, out);
    for (const u of v.unknownKeys ?? []) {
      if (patternMayEqual(u.key, name)) {
        // `"${x}" = ...` might be this key: it contributes, but only conditionally
        const defs = normalize({ thunk: u.binding.thunk, binding: u.binding, conds: d.conds, prio: d.prio === DEFAULT_PRIORITY ? undefined : d.prio, baseConditional: true });
        out.push(...defs);
      }
    }
    if (!v.complete && !b) out.push({ value: unknown('attrset with unknown keys'), conds: d.conds, prio: d.prio, order: d.order, baseConditional: true });
    return out;
  }
  if (v.kind === 'unknown') return [{ value: unknown('parent unknown'), conds: d.conds, prio: d.prio, order: d.order, baseConditional: true }];
  return [];
}

function patternMayEqual(p: StrPattern, s: string): boolean {
  // a regex from the pattern: holes match anything
  const re = new RegExp(
    '^' + p.parts.map((x) => (typeof x === 'string' ? x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[^]*')).join('') + '$',
  );
  return re.test(s);
}

function sameScalar(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'string': {
      const t = knownString(a);
      return t !== undefined && t === knownString(b);
    }
    case 'int':
    case 'float':
      return a.value === (b as { value: number }).value;
    case 'bool':
      return a.value === (b as { value: boolean }).value;
    case 'null':
      return true;
    case 'path':
      return a.path === (b as { path: string }).path;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Small value helpers for fact extraction.

/** A value as the string NixOS would interpolate (`toString`), or a pattern with holes. */
export function toPattern(v: Value): { pattern: StrPattern; known: boolean } {
  switch (v.kind) {
    case 'string':
      return { pattern: v.value, known: true };
    case 'int':
    case 'float':
      return { pattern: known(String(v.value)), known: true };
    case 'path':
      return { pattern: known(v.path), known: true };
    case 'bool':
      return { pattern: known(v.value ? 'true' : 'false'), known: true };
    default:
      return { pattern: UNKNOWN_STRING, known: false };
  }
}

export { apply };
