/**
 * One NixOS configuration, statically: collects its modules (`imports`, module functions,
 * `config`/`options` sections), keeps every definition with the mkIf conditions, mkOverride
 * priorities and mkOrder orders pushed down onto it, and offers
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
import { known, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { asFunction, attrs, force, knownString, path as pathValue, ready, unknown } from '../eval/helpers';
import type { AttrsValue, Binding, ListValue, Thunk, Value } from '../value';
import {
  childDefs,
  DEFAULT_ORDER,
  DEFAULT_PRIORITY,
  lazyDefs,
  normalize,
  OPTION_DEFAULT_PRIORITY,
  sameScalar,
  selectByPriority,
  sortByOrder,
  type Def,
  type RawDef,
  type Selected,
} from './definitions';
import { lazyAttrs, lazyThunk } from '../eval/lazy';
import { valueShape, type ValueShape } from './optionTypes';
import { Declarations } from './declarations';
import type { Marker, MarkerKind, ModuleWorld } from './world';

export type GapKind =
  /** A module path that does not exist in the workspace or cannot be read. */
  | 'module-unreadable'
  /** A module whose value could not be evaluated. */
  | 'module-not-evaluated'
  /** A module list (or `imports`) with entries that could not be evaluated. */
  | 'imports-not-evaluated'
  /** A module from a flake input that is not in the workspace. */
  | 'external-module';

export interface Gap {
  kind: GapKind;
  message: string;
  /** The file whose module list holds the gap. */
  file?: string;
  /** What failed provably cannot define units, bridges, scripts or MicroVM settings. */
  cannotMatter?: boolean;
}

/**
 * Whether a module's text can say anything that decides a tap: units, bridges, interfaces,
 * scripts, udev rules, unit files in /etc, MicroVM settings — or import a module that does.
 * Matched on the whole text, strings included, so a name built from a string still counts.
 */
export function mayDefineNetworking(text: string): boolean {
  // Attribute names computed from data (`${n} = …`, listToAttrs, genAttrs, …) may be any of these.
  return /systemd|network|microvm|bridge|brctl|udev|\bip\b|environment|\betc\b|imports|Exec|script|tuntap|\$\{[^}]*\}"?\s*=|listToAttrs|nameValuePair|setAttrByPath|genAttrs/.test(text);
}

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
  /**
   * `nixos` (default): a NixOS system, with the defaults of the NixOS options we read;
   * `modules`: any other module system (a submodule value, `lib.evalModules`, a framework's).
   */
  kind?: 'nixos' | 'modules';
  /** Definitions of the whole configuration from outside its modules (a submodule value's). */
  rootDefs?: Def[];
  /** Module arguments besides `config`, `lib`, `options` (a submodule's `name`). */
  moduleArgs?: Record<string, Thunk>;
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

const pathKey = (p: readonly string[]): string => p.join('\u0000');

export class Configuration {
  /** Display name; a root configuration's is settled once it is evaluated (its host name). */
  name: string;
  private modules: CollectedModule[] = [];
  /** Files this configuration's modules came from. */
  readonly files = new Set<string>();
  readonly markers: Marker[] = [];
  private readonly gapList: Gap[] = [];
  readonly conditional: boolean;
  /** The lazy `config` value module functions receive. */
  readonly config: AttrsValue;

  private collecting = true;
  /** Collected state dropped by `release` (rebuilt by the next read); the gaps stay settled. */
  private released = false;
  private readonly opts: ConfigurationOptions;
  private defsCache = new Map<string, Def[]>();
  private readonly defsBusy = new Set<string>();
  private viewCache = new Map<string, Thunk>();
  private defaults = new Map<string, Def[]>();
  /** First segments of default paths below each path, for key listing (defaults not declared by modules). */
  private defaultChildren = new Map<string, Set<string>>();
  private seenFiles = new Set<string>();
  private readonly specialArgs: Value;
  private readonly pkgs: AttrsValue;
  private readonly rootDefs: Def[];
  private readonly extraArgs: Record<string, Thunk>;
  /** Declared options (what `options` sections say), found per path when asked. */
  private declarations = new Declarations([]);
  /** Values of typed options (submodules, deferred modules), built once per path. */
  private typedValues = new Map<string, Configuration>();

  constructor(
    readonly world: ModuleWorld,
    opts: ConfigurationOptions,
  ) {
    this.name = opts.name;
    this.conditional = opts.conditional ?? false;
    this.specialArgs = opts.specialArgs ? force(opts.specialArgs) : attrs({});
    this.pkgs = attrs({ lib: world.evaluator.lib }, { complete: false });
    this.rootDefs = opts.rootDefs ?? [];
    this.extraArgs = opts.moduleArgs ?? {};
    this.opts = opts;
    this.config = this.viewAttrs([]);
    this.populate();
  }

  private populate(): void {
    const opts = this.opts;
    this.collecting = true;
    if ((opts.kind ?? 'nixos') === 'nixos') for (const d of BUILTIN_DEFAULTS) this.addDefault(d.path, d.value(), OPTION_DEFAULT_PRIORITY);
    for (const d of opts.extraDefs ?? []) this.addDefault(d.path, d.value, d.prio);
    try {
      for (const m of opts.modules) this.collect(m.thunk, m.file, (m.conditional ?? false) || this.conditional, 0);
    } finally {
      this.collecting = false;
    }
    this.declarations = new Declarations(this.modules.flatMap((m) => (m.options ? [m.options] : [])));
  }

  /**
   * Drops what collecting and merging built (modules, definitions, views), keeping the name,
   * files, markers and the settled gaps: a configuration whose facts are emitted is rarely read
   * again, and keeping every host's module instances alive is what made large fleets need
   * gigabytes. A later read collects again; collection is a function
   * of the options and the evaluator's (cached) files, so it answers the same.
   */
  release(): void {
    if (this.collecting || this.released || this.defsBusy.size > 0 || this.keysBusy.size > 0) return;
    void this.gaps;
    this.released = true;
    this.modules = [];
    this.seenFiles = new Set();
    this.defsCache = new Map();
    this.viewCache = new Map();
    this.defaults = new Map();
    this.defaultChildren = new Map();
    this.declarations = new Declarations([]);
    this.typedValues = new Map();
  }

  private revive(): void {
    if (!this.released) return;
    this.released = false;
    // Collection finds the same markers again.
    this.markers.length = 0;
    this.populate();
  }

  /** What could not be read or evaluated: a module there may define anything (open world). */
  get gaps(): readonly Gap[] {
    // Modules whose config cannot be evaluated are found when definitions are first merged.
    if (!this.collecting && !this.released) this.defsAt([]);
    return this.gapList;
  }

  /** Something outside what we could read may define this configuration's networking. */
  get hasGaps(): boolean {
    return this.gaps.length > 0;
  }
  hasMarker(kind: MarkerKind): boolean {
    return this.markers.some((m) => m.kind === kind);
  }

  addGap(kind: GapKind, message: string, file: string | undefined): void {
    if (this.gapList.some((g) => g.kind === kind && g.message === message)) return;
    const gap: Gap = { kind, message, file };
    // A module that failed to evaluate in a file that mentions nothing networking-related (and
    // imports nothing) cannot define what decides a tap: the gap is kept, but cannot matter.
    if (kind === 'module-not-evaluated' && file !== undefined) {
      const text = this.world.evaluator.fs.readFile(file);
      if (text !== undefined && !mayDefineNetworking(text)) gap.cannotMatter = true;
    }
    this.gapList.push(gap);
  }

  // -- collection --------------------------------------------------------------------------

  private collect(thunk: Thunk, file: string | undefined, conditional: boolean, depth: number): void {
    if (depth > 200) {
      this.addGap('module-not-evaluated', 'modules nested too deeply', file);
      return;
    }
    let v = force(thunk);
    const marker = this.world.markers.get(v);
    if (marker) {
      this.addMarker(marker, file);
      return;
    }
    if (v.kind === 'string') {
      const p = knownString(v);
      if (p && p.startsWith('/')) v = pathValue(p);
    }
    if (v.kind === 'path') {
      const store = this.world.storeModule(v.path);
      if (store) {
        this.addMarker(store, file);
        return;
      }
      const resolved = this.resolveModulePath(v.path);
      if (resolved === null) return; // nixpkgs' own modules: nothing we model
      if (resolved === undefined) {
        this.addGap('module-unreadable', `cannot read module ${v.path}`, file);
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
      if (!v.complete) this.addGap('imports-not-evaluated', `a module list in ${file ?? this.name} could not be fully evaluated`, file);
      return;
    }
    const f = asFunction(v);
    // As lib.isFunction: an attribute set with `__functor` is a module function too (import-tree).
    if (f) {
      v = f.apply(ready(this.moduleArgs(v.kind === 'function' ? (v.formals?.names ?? []) : [])));
      const m2 = this.world.markers.get(v);
      if (m2) {
        this.addMarker(m2, file);
        return;
      }
    }
    if (v.kind !== 'attrs') {
      const why = v.kind === 'unknown' ? (v.reason ? `: ${v.reason}` : '') : ` (it is a ${v.kind}, not a module)`;
      this.addGap('module-not-evaluated', `a module in ${file ?? this.name} could not be evaluated${why}`, file);
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
        if (!imports.complete) this.addGap('imports-not-evaluated', `the imports of a module in ${file ?? this.name} could not be fully evaluated`, file);
      } else {
        this.addGap('imports-not-evaluated', `the imports of a module in ${file ?? this.name} could not be evaluated`, file);
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

  /** A module from outside the workspace: modelled (microvm.nix), known not to network, or a gap. */
  private addMarker(marker: Marker, file: string | undefined): void {
    if (marker.kind === 'nixpkgs' || marker.kind === 'inert') return;
    this.markers.push(marker);
    if (marker.kind === 'external') this.addGap('external-module', `${marker.name} comes from outside the workspace`, file);
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
    base.set('options', { thunk: ready(this.optionsAt([])) });
    base.set('modulesPath', { thunk: ready(pathValue(this.world.modulesPath)) });
    base.set('specialArgs', { thunk: ready(this.specialArgs) });
    base.set('_prefix', { thunk: ready(this.prefix()) });
    for (const [k, t] of Object.entries(this.extraArgs)) base.set(k, { thunk: t });
    if (this.specialArgs.kind === 'attrs') for (const [k, b] of this.specialArgs.attrs) base.set(k, b);
    for (const name of formals) {
      if (base.has(name)) continue;
      // As lib.modules' applyModuleArgs does: every formal gets `specialArgs.<name> or
      // config._module.args.<name>` (so a formal's default never applies), read lazily.
      base.set(name, {
        thunk: lazyThunk(() => {
          const v = this.view(['_module', 'args', name]);
          // Said as what it is: an argument the system importing this module would have to pass.
          return v.kind === 'unknown' && v.reason === 'no definition' ? unknown(`the module argument \`${name}\` is passed nowhere in the workspace (neither specialArgs nor _module.args)`) : v;
        }),
      });
    }
    return { kind: 'attrs', attrs: base, complete: true };
  }

  /**
   * The `options` module argument as far as it is known (`options.microvm or null`): an option a
   * workspace module declares exists, so does `microvm` where microvm.nix's module is imported;
   * no option is ever known to be absent (nixpkgs' and other inputs' are not seen).
   */
  private optionsAt(path: readonly string[]): AttrsValue {
    const p = [...path];
    return lazyAttrs(
      () => [],
      (k) => (this.collecting || !this.declaresOption([...p, k]) ? undefined : { thunk: lazyThunk(() => this.optionsAt([...p, k])) }),
      () => false,
      undefined,
      () => this.collecting,
    );
  }

  private declaresOption(path: readonly string[]): boolean {
    this.revive();
    if (path.length === 1 && path[0] === 'microvm' && (this.hasMarker('microvm-host') || this.hasMarker('microvm-guest'))) return true;
    return this.declarations.declaresAtOrBelow(path);
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
    this.revive();
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
          if (!m.config) continue;
          // A module whose whole config cannot be evaluated may define anything: a gap of the
          // open world, not an unknown value of every option of the configuration.
          for (const def of normalize({ thunk: m.config, conds: [], baseConditional: m.conditional })) {
            if (def.value.kind === 'unknown') {
              const why = def.value.reason ? `: ${def.value.reason}` : '';
              this.addGap('module-not-evaluated', `the config of a module in ${m.file ?? this.name} could not be evaluated${why}`, m.file);
            } else defs.push(def);
          }
        }
        defs.push(...this.rootDefs);
      } else {
        const parent = this.defsAt(path.slice(0, -1));
        const name = path[path.length - 1];
        for (const d of parent) defs.push(...childDefs(d, name));
      }
      const dflt = this.defaults.get(key);
      if (dflt) defs = [...defs, ...dflt];
      for (const binding of this.declarations.optionAt(path)?.defaults ?? []) {
        defs.push(...lazyDefs({ thunk: binding.thunk, binding, conds: [], prio: OPTION_DEFAULT_PRIORITY, baseConditional: false }));
      }
    } finally {
      this.defsBusy.delete(key);
    }
    this.defsCache.set(key, defs);
    return defs;
  }

  /** The definitions at a path that apply after nixpkgs' priority filtering. */
  selectAt(path: readonly string[]): Selected[] {
    return selectByPriority(this.defsAt(path), this.world.conditions);
  }

  /** Definitions that may apply, with their conditional flag (no priority filtering). */
  liveDefsAt(path: readonly string[]): Selected[] {
    return this.defsAt(path)
      .map((def) => ({ def, state: this.world.conditions.state(def.conds) }))
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
    this.revive();
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
    const sel = this.selectAt(path);
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
    const sel = sortByOrder(this.selectAt(path));
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
    this.revive();
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
    const declared = this.declarations.optionAt(path);
    const shape = declared?.type ? valueShape(force(declared.type)) : undefined;
    if (shape) return this.typedView(path, shape);
    const defaultsBelow = (): boolean => this.defaultChildren.has(pathKey(path)) || this.declarations.hasDefaultBelow(path);
    // mkIf pushes its condition down into every attribute (pushDownProperties): whether the value
    // here is an attribute set never depends on a condition, so none is evaluated to answer it —
    // a module whose `config = mkIf cfg.enable { … }` reads its own option tree stays lazy.
    const all = this.defsAt(path);
    // A configuration or a module from outside is a value of its own, not an option tree.
    if (all.length === 1 && (this.world.systems.has(all[0].value) || this.world.configCalls.has(all[0].value) || this.world.markers.has(all[0].value))) return this.scalarAt(path).value;
    if (all.length > 0 && all.every((d) => d.value.kind === 'attrs')) return this.viewAttrs(path);
    const live = this.liveDefsAt(path);
    if (live.length === 0) return defaultsBelow() ? this.viewAttrs(path) : unknown('no definition');
    const kinds = new Set(live.map((d) => d.def.value.kind));
    kinds.delete('unknown');
    if ((kinds.size === 1 && kinds.has('attrs')) || (kinds.size === 0 && defaultsBelow())) return this.viewAttrs(path);
    if (kinds.has('list')) {
      const { items, complete } = this.listAt(path);
      const l: ListValue = { kind: 'list', items: items.map((i) => i.thunk), complete: complete && !items.some((i) => i.conditional) };
      return l;
    }
    return this.scalarAt(path).value;
  }

  /**
   * The value of an option whose declared type has submodules or deferred modules in it, merged
   * the way lib.types merges them: each submodule value is its own configuration (its options'
   * defaults apply, `name` is its attribute name), a deferred module is `{ imports = defs; }`.
   */
  private typedView(path: readonly string[], shape: ValueShape): Value {
    switch (shape.kind) {
      case 'raw':
        return this.scalarAt(path).value;
      case 'submodule':
        return this.submoduleValue(path, this.defsAt(path), shape).config;
      case 'deferred': {
        const items = this.liveDefsAt(path).map((d) => ready(d.def.value));
        return attrs({ imports: { kind: 'list', items, complete: true } });
      }
      case 'nullable': {
        const live = this.liveDefsAt(path);
        if (live.length > 0 && live.every((d) => d.def.value.kind === 'null' && !d.conditional)) return { kind: 'null' };
        return this.typedView(path, shape.elem);
      }
      case 'attrs': {
        const p = [...path];
        return lazyAttrs(
          () => this.keysAt(p).keys,
          (k) => ({ thunk: lazyThunk(() => this.typedView([...p, k], shape.elem)) }),
          () => this.keysAt(p).complete,
        );
      }
      case 'list': {
        if (shape.elem.kind !== 'submodule') return this.listView(path);
        const elem = shape.elem;
        const { items, complete } = this.listAt(path);
        return {
          kind: 'list',
          complete: complete && !items.some((i) => i.conditional),
          items: items.map((item, i) =>
            lazyThunk(() => this.submoduleValue([...path, `[${i}]`], normalize({ thunk: item.thunk, conds: [], baseConditional: false }), elem).config),
          ),
        };
      }
    }
  }

  private submoduleValue(path: readonly string[], defs: Def[], shape: Extract<ValueShape, { kind: 'submodule' }>): Configuration {
    const key = pathKey(path);
    let sub = this.typedValues.get(key);
    if (!sub) {
      const name = path[path.length - 1] ?? '';
      // As lib.types' submodule merge does: a definition that is a function is a module of the
      // value (it may declare options, import, read `config`); an attribute set is its config.
      const asModules = defs.filter((d) => d.value.kind === 'function');
      sub = new Configuration(this.world, {
        name: `${this.name}:${path.join('.')}`,
        kind: 'modules',
        modules: [{ thunk: shape.modules }, ...asModules.map((d) => ({ thunk: ready(d.value), file: d.location?.file }))],
        rootDefs: defs.filter((d) => d.value.kind !== 'function'),
        specialArgs: shape.specialArgs,
        moduleArgs: {
          name: ready({ kind: 'string', value: known(name) }),
          // lib.types' submodule passes the value's location, below this configuration's own.
          _prefix: ready(this.prefix(path)),
        },
      });
      this.typedValues.set(key, sub);
    }
    return sub;
  }

  /** `_prefix` of a value at `path`: this configuration's own (empty at the top) and the path. */
  private prefix(path: readonly string[] = []): ListValue {
    const own = this.extraArgs._prefix ? force(this.extraArgs._prefix) : undefined;
    const items = own?.kind === 'list' ? own.items : [];
    const complete = own === undefined || (own.kind === 'list' && own.complete);
    return { kind: 'list', items: [...items, ...path.map((p) => ready({ kind: 'string', value: known(p) }))], complete };
  }

  private listView(path: readonly string[]): ListValue {
    const { items, complete } = this.listAt(path);
    return { kind: 'list', items: items.map((i) => i.thunk), complete: complete && !items.some((i) => i.conditional) };
  }

  private viewAttrs(path: readonly string[]): AttrsValue {
    const p = [...path];
    return lazyAttrs(
      () => {
        const { keys } = this.keysAt(p);
        const extra = this.defaultChildren.get(pathKey(p));
        return [...keys, ...(extra ?? []), ...this.declarations.defaultNames(p)];
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
