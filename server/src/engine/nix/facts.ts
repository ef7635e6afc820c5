/**
 * Fact extraction from a workspace's Nix files: configurations (flake nixosConfigurations, or
 * root module files), their module sets, and the facts the resolver needs — MicroVM interfaces,
 * networkd units, `networking.bridges`, script attachments and per-configuration host facts.
 *
 * Precision first: whatever cannot be known statically becomes a pattern, `complete: false`,
 * `'unknown'` or a `conditional` interface — never a definite wrong fact.
 */
import { posix } from 'node:path';
import type {
  BridgeDeclaration,
  HostFacts,
  InterfaceType,
  MicrovmInterface,
  ScriptAttachment,
  UnitDefinition,
  ValueAt,
} from '../model';
import { type StrPattern } from '../pattern';
import type { Location } from '../text';
import type { Evaluator } from './eval/evaluator';
import { asFunction, attrs, force, knownString, ready, unknown } from './eval/helpers';
import { evaluateFlake } from './flake';
import {
  Configuration,
  DEFAULT_PRIORITY,
  ModuleWorld,
  OPTION_LIKE_KEYS,
  type ModuleSource,
  type SystemCall,
} from './modules';
import type { Value } from './value';
import { fileStart, keyLoc, locOfValue, plainValue, stringPattern, valueLoc } from './facts/common';
import { binScriptAttachments, serviceAttachments } from './facts/services';
import { bridgeDeclarations, netdevUnits, networkUnits } from './facts/units';

export interface NixFactsInput {
  evaluator: Evaluator;
  /** Absolute paths of all .nix files in the workspace. */
  nixFiles: string[];
  /** Workspace roots. */
  roots: string[];
}

/** A MicroVM interface; `conditional` when it exists only under an mkIf we could not decide. */
export type NixMicrovmInterface = MicrovmInterface & { conditional?: boolean };

export interface NixFacts {
  hosts: HostFacts[];
  interfaces: NixMicrovmInterface[];
  units: UnitDefinition[];
  bridges: BridgeDeclaration[];
  scripts: ScriptAttachment[];
  problems: { file: string; message: string }[];
}

interface TopConfig {
  name: string;
  cfg: Configuration;
  location: Location;
  /** `nixosConfigurations.<name>` of a flake (the VM name when it is a guest). */
  flakeName: string | null;
  file: string;
}

interface GuestRun {
  /** Host configuration name. */
  host: string;
  vm: string;
}

const VMS = ['microvm', 'vms'];

export function extractNixFacts(input: NixFactsInput): NixFacts {
  return new Extraction(input).run();
}

class Extraction {
  private readonly ev: Evaluator;
  private readonly world: ModuleWorld;
  private readonly problems: { file: string; message: string }[] = [];
  private readonly out: NixFacts;
  private readonly tops: TopConfig[] = [];
  private readonly allConfigs: Configuration[] = [];
  /** Guest configurations (top-level) → the hosts running them. */
  private readonly runs = new Map<Configuration, GuestRun[]>();
  private readonly nested: { host: string; vm: string; cfg: Configuration; hostFile: string }[] = [];

  constructor(private readonly input: NixFactsInput) {
    this.ev = input.evaluator;
    this.world = new ModuleWorld(this.ev, (call) => this.configurationForCall(call));
    this.out = { hosts: [], interfaces: [], units: [], bridges: [], scripts: [], problems: this.problems };
  }

  private readText = (file: string): string | undefined => this.ev.fs.readFile(file);

  private problem(file: string, message: string): void {
    if (!this.problems.some((p) => p.file === file && p.message === message)) this.problems.push({ file, message });
  }

  private configurationForCall(call: SystemCall): Configuration {
    const cfg = new Configuration(this.world, {
      name: call.name ?? '<nixosSystem>',
      modules: call.modules ? [{ thunk: call.modules }] : [],
      specialArgs: call.specialArgs,
    });
    if (!call.modules) cfg.unknownModules++;
    this.allConfigs.push(cfg);
    return cfg;
  }

  run(): NixFacts {
    const files = [...this.input.nixFiles].sort();
    // 1. flakes
    const flakeFiles = files.filter((f) => posix.basename(f) === 'flake.nix');
    const usedNames = new Set<string>();
    for (const flakeFile of flakeFiles) {
      const res = evaluateFlake(this.world, flakeFile);
      for (const p of res.problems) this.problem(flakeFile, p);
      for (const sys of res.systems) {
        let name = sys.name;
        if (usedNames.has(name)) name = `${sys.name} (${this.relative(flakeFile)})`;
        usedNames.add(name);
        sys.call.name = name;
        const cfg = this.world.configurationOf(sys.call);
        this.tops.push({ name, cfg, location: sys.location ?? fileStart(flakeFile), flakeName: sys.name, file: flakeFile });
      }
    }
    // 2. host → guest relations of flake configurations (may create nested configurations)
    for (const top of [...this.tops]) this.analyseHost(top);
    // 3. root module files not reached from any flake configuration
    for (const root of this.rootModules(files, flakeFiles)) {
      const cfg = new Configuration(this.world, { name: root.name, modules: [{ thunk: ready({ kind: 'path', path: root.file }), file: root.file }] });
      this.allConfigs.push(cfg);
      const top: TopConfig = { name: root.name, cfg, location: fileStart(root.file), flakeName: null, file: root.file };
      this.tops.push(top);
      this.analyseHost(top);
    }
    // 4. facts
    for (const top of this.tops) this.emitConfiguration(top);
    for (const n of this.nested) this.emitGuest(n.cfg, n.vm, [{ host: n.host, vm: n.vm }], `${n.host}#microvm.vms.${n.vm}`, n.hostFile);
    for (const cfg of this.allConfigs) for (const p of cfg.problems) this.problem(cfg.files.values().next().value ?? this.input.roots[0] ?? '/', p);
    if (this.ev.budgetExhausted) this.problem(this.input.roots[0] ?? '/', 'evaluation budget exhausted: some Nix facts may be missing');
    return this.out;
  }

  private relative(file: string): string {
    const root = this.input.roots.filter((r) => file === r || file.startsWith(r.replace(/\/+$/, '') + '/')).sort((a, b) => b.length - a.length)[0];
    return root ? posix.relative(root, file) || posix.basename(file) : file;
  }

  // -- hosts and the VMs they run ----------------------------------------------------------

  private hostInfo = new Map<Configuration, { vms: string[] | null; isHost: boolean }>();

  private analyseHost(top: TopConfig): void {
    const cfg = top.cfg;
    cfg.nestedFor = (vm) => this.nestedConfig(top, vm, cfg.keysAt(VMS).conditionalKeys.has(vm));
    const vmKeys = cfg.keysAt(VMS);
    const declaresVms = cfg.liveDefsAt(VMS).some((d) => d.def.prio < 1500);
    const autostartDefs = cfg.liveDefsAt(['microvm', 'autostart']).filter((d) => d.def.prio < 1500);
    const isHost = cfg.hasMarker('microvm-host') || declaresVms || autostartDefs.length > 0;
    let vms: string[] | null = [...vmKeys.keys];
    if (!vmKeys.complete || vmKeys.patternKeys.length) vms = null;

    for (const vm of vmKeys.keys) {
      const base = [...VMS, vm];
      const conditionalVm = vmKeys.conditionalKeys.has(vm);
      // microvm.vms.<n>.config: a module (attrset or function), evaluated as its own configuration
      const nested = this.nestedConfig(top, vm, conditionalVm);
      if (nested) {
        this.nested.push({ host: top.name, vm, cfg: nested, hostFile: top.file });
        continue;
      }
      // flake = self (→ nixosConfigurations.<n>) or evaluatedConfig = <a nixosSystem>
      const guest = this.guestSystem(cfg, base, vm);
      if (guest) this.addRun(guest, { host: top.name, vm });
    }
    // microvm.autostart = [ names ] naming nixosConfigurations of the workspace
    const autostart = cfg.listAt(['microvm', 'autostart']);
    if (autostartDefs.length) {
      if (!autostart.complete) vms = null;
      for (const item of autostart.items) {
        const name = knownString(force(item.thunk));
        if (name === undefined) {
          vms = null;
          continue;
        }
        if (vms && !vms.includes(name)) vms.push(name);
        if (vmKeys.keys.includes(name)) continue;
        const guest = this.tops.find((t) => t.flakeName === name && t.cfg !== cfg);
        if (guest) this.addRun(guest.cfg, { host: top.name, vm: name });
      }
    }
    this.hostInfo.set(cfg, { vms: vms ? [...new Set(vms)].sort() : null, isHost });
  }

  private readonly nestedMemo = new Map<Configuration, Map<string, Configuration | null>>();

  /** The guest configuration of `microvm.vms.<vm>.config` on a host (memoised), if defined. */
  private nestedConfig(top: TopConfig, vm: string, conditionalVm: boolean): Configuration | undefined {
    const cfg = top.cfg;
    let memo = this.nestedMemo.get(cfg);
    if (!memo) this.nestedMemo.set(cfg, (memo = new Map()));
    if (memo.has(vm)) return memo.get(vm) ?? undefined;
    memo.set(vm, null); // re-entrance: the guest reading the host reading the guest
    const base = [...VMS, vm];
    const configDefs = cfg.liveDefsAt([...base, 'config']).filter((d) => d.def.value.kind !== 'null');
    if (configDefs.length === 0) return undefined;
    const modules: ModuleSource[] = configDefs.map((d) => ({
      thunk: ready(d.def.value),
      file: d.def.location?.file,
      conditional: d.conditional || conditionalVm,
    }));
    const special = cfg.scalarAt([...base, 'specialArgs']);
    const nested = new Configuration(this.world, {
      name: `${top.name}#microvm.vms.${vm}`,
      modules,
      specialArgs: special.value.kind === 'attrs' ? ready(special.value) : undefined,
      extraDefs: [{ path: ['networking', 'hostName'], value: { kind: 'string', value: { parts: [vm] } }, prio: 1000 }],
      conditional: conditionalVm,
    });
    this.allConfigs.push(nested);
    memo.set(vm, nested);
    return nested;
  }

  private addRun(guest: Configuration, run: GuestRun): void {
    const list = this.runs.get(guest) ?? [];
    if (!list.some((r) => r.host === run.host && r.vm === run.vm)) list.push(run);
    this.runs.set(guest, list);
  }

  private guestSystem(cfg: Configuration, base: string[], vm: string): Configuration | undefined {
    const evaluated = cfg.scalarAt([...base, 'evaluatedConfig']);
    const fromSystem = (v: Value): Configuration | undefined => {
      const call = v.kind === 'attrs' ? this.world.systems.get(v) : undefined;
      return call ? this.world.configurationOf(call) : undefined;
    };
    if (evaluated.value.kind === 'attrs') {
      const c = fromSystem(evaluated.value);
      if (c) return c;
    }
    const flake = cfg.scalarAt([...base, 'flake']);
    if (flake.value.kind === 'attrs') {
      const confs = flake.value.attrs.get('nixosConfigurations');
      const confsV = confs ? force(confs.thunk) : undefined;
      if (confsV?.kind === 'attrs') {
        const b = confsV.attrs.get(vm);
        if (b) return fromSystem(force(b.thunk));
      }
    }
    return undefined;
  }

  // -- root module files -------------------------------------------------------------------

  private rootModules(files: string[], flakeFiles: string[]): { file: string; name: string }[] {
    const reached = new Set<string>(flakeFiles);
    for (const cfg of this.allConfigs) for (const f of cfg.files) reached.add(f);
    // files imported (by `import`) from anything reached, transitively
    const queue = [...reached];
    while (queue.length) {
      const f = queue.pop()!;
      for (const t of this.ev.imports.get(f) ?? []) {
        if (!reached.has(t)) {
          reached.add(t);
          queue.push(t);
        }
      }
    }
    // flake.nix's own references count through evaluation (reached) only: when its outputs
    // cannot be evaluated, the modules it names are analysed as roots of their own.
    const referencing = files.filter((f) => posix.basename(f) !== 'flake.nix');
    const referenced = referencedFiles(referencing, this.readText, (p) => this.ev.fs.isDirectory(p), (d) => this.ev.fs.readDir(d), files);
    const roots: { file: string; name: string }[] = [];
    for (const file of files) {
      if (reached.has(file) || referenced.has(file) || posix.basename(file) === 'flake.nix') continue;
      if (!this.looksLikeModule(file)) continue;
      roots.push({ file, name: this.relative(file) });
    }
    return roots;
  }

  private looksLikeModule(file: string): boolean {
    const v = this.ev.evalFile(file);
    if (v.kind === 'attrs') return hasOptionLikeKeys(v);
    if (v.kind !== 'function' || !v.formals) return false;
    const names = v.formals.names;
    if (!names.some((n) => MODULE_FORMALS.has(n)) && !v.formals.ellipsis) return false;
    const args = attrs(
      { config: attrs({}, { complete: false }), lib: this.ev.lib, pkgs: attrs({ lib: this.ev.lib }, { complete: false }), options: attrs({}, { complete: false }), modulesPath: { kind: 'path', path: this.world.modulesPath } },
      { complete: false },
    );
    const f = asFunction(v)!;
    const r = f.apply(ready(args));
    if (r.kind === 'attrs') return hasOptionLikeKeys(r) || r.attrs.has('_type');
    return r.kind === 'unknown' && names.includes('config');
  }

  // -- emission ----------------------------------------------------------------------------

  private emitConfiguration(top: TopConfig): void {
    const { cfg, name } = top;
    const info = this.hostInfo.get(cfg) ?? { vms: null, isHost: cfg.hasMarker('microvm-host') };
    this.out.hosts.push({
      name,
      location: top.location,
      ...this.networkd(cfg, top.location),
      importsExternalModules: cfg.importsExternalModules,
      vms: info.vms,
      isMicrovmHost: info.isHost,
      isSystem: top.flakeName !== null,
    });
    this.out.units.push(...networkUnits(cfg, name, top.location), ...netdevUnits(cfg, name, top.location));
    this.out.bridges.push(...bridgeDeclarations(cfg, name, top.location));
    this.out.scripts.push(...serviceAttachments(cfg, name, top.location, this.readText));
    // as a guest: interfaces, once per host running it (or with no host)
    const runs = this.runs.get(cfg) ?? [];
    const vm = top.flakeName;
    const pairs = runs.length ? runs : [{ host: null, vm }];
    this.emitGuest(cfg, vm, pairs, top.flakeName !== null ? `nixosConfigurations.${top.flakeName}` : `file:${top.file}`, top.file);
  }

  private emitGuest(cfg: Configuration, defaultVm: string | null, pairs: { host: string | null; vm: string | null }[], guestKey: string, file: string): void {
    const fallback = fileStart(file);
    const hypervisor = this.hypervisor(cfg);
    const ifaces = this.interfaces(cfg, fallback);
    for (const pair of pairs) {
      const vm = pair.vm ?? defaultVm;
      for (const i of ifaces) this.out.interfaces.push({ ...i, vm, host: pair.host, hypervisor, guest: guestKey });
      this.out.scripts.push(...binScriptAttachments(cfg, pair.host, vm, fallback, this.readText));
    }
  }

  private hypervisor(cfg: Configuration): MicrovmInterface['hypervisor'] {
    const h = cfg.scalarAt(['microvm', 'hypervisor']);
    const text = knownString(h.value);
    if (text === undefined || h.conditional) return null;
    if (!h.def || h.def.prio >= 1500) return { value: text, location: null };
    return { value: text, location: valueLoc(h.def, fileStart(cfg.name)) };
  }

  private interfaces(cfg: Configuration, fallback: Location): Omit<NixMicrovmInterface, 'vm' | 'host' | 'hypervisor' | 'guest'>[] {
    const path = ['microvm', 'interfaces'];
    const out: Omit<NixMicrovmInterface, 'vm' | 'host' | 'hypervisor' | 'guest'>[] = [];
    if (cfg.liveDefsAt(path).every((d) => d.def.prio >= 1500)) return out;
    const { items, complete } = cfg.listAt(path);
    if (!complete) this.problem(fallback.file, `${cfg.name}: microvm.interfaces could not be fully evaluated`);
    for (const item of items) {
      const { value, conditional } = plainValue(item.thunk);
      const location = item.thunk.location ?? locOfValue(value) ?? valueLoc(item.def, fallback);
      if (value.kind !== 'attrs') {
        this.problem(location.file, `${cfg.name}: a microvm.interfaces entry could not be evaluated`);
        continue;
      }
      const field = (name: string): { v: Value; loc: Location; conditional: boolean } | null => {
        const b = value.attrs.get(name);
        if (!b) return value.complete ? null : { v: unknown(`${name} not known`), loc: location, conditional: false };
        const pv = plainValue(b.thunk, b);
        const loc = b.valueLocation ?? locOfValue(pv.value) ?? b.keyLocation ?? location;
        return { v: pv.value, loc, conditional: pv.conditional };
      };
      const type = field('type');
      const id = field('id');
      const mac = field('mac');
      const bridge = field('bridge');
      const typeText = type ? knownString(type.v) : undefined;
      const valueAt = (f: { v: Value; loc: Location } | null): ValueAt<StrPattern> | null =>
        f && f.v.kind !== 'null' ? { value: stringPattern(f.v).pattern, location: f.loc } : null;
      const idAt = valueAt(id) ?? { value: stringPattern(unknown()).pattern, location };
      const iface: Omit<NixMicrovmInterface, 'vm' | 'host' | 'hypervisor' | 'guest'> = {
        type: typeText === undefined ? null : (typeText as InterfaceType),
        id: idAt,
        mac: valueAt(mac),
        bridge: valueAt(bridge),
        location,
      };
      const cond = item.conditional || conditional || cfg.conditional || !!type?.conditional || !!id?.conditional;
      if (cond) iface.conditional = true;
      out.push(iface);
    }
    return out;
  }

  private networkd(cfg: Configuration, fallback: Location): Pick<HostFacts, 'networkdEnabled' | 'networkdLocation'> {
    const state = (path: string[]): { state: boolean | 'unknown'; location: Location | null } => {
      const s = cfg.scalarAt(path);
      const set = s.def && s.def.prio < 1500 ? keyLoc(s.def, fallback) : null;
      if (s.value.kind === 'bool' && !s.conditional) return { state: s.value.value, location: set };
      if (cfg.liveDefsAt(path).length === 0) return { state: false, location: null };
      return { state: 'unknown', location: set ?? (s.def ? keyLoc(s.def, fallback) : null) };
    };
    const a = state(['systemd', 'network', 'enable']);
    const b = state(['networking', 'useNetworkd']);
    let enabled: boolean | 'unknown';
    let location: Location | null;
    if (a.state === true || b.state === true) {
      enabled = true;
      location = a.state === true ? a.location : b.location;
    } else if (a.state === 'unknown' || b.state === 'unknown') {
      enabled = 'unknown';
      location = a.state === 'unknown' ? a.location : b.location;
    } else {
      enabled = false;
      location = a.location ?? b.location;
    }
    if (!location) {
      const first = [...cfg.liveDefsAt(['systemd', 'network', 'networks']), ...cfg.liveDefsAt(['systemd', 'network', 'netdevs'])].find(
        (d) => d.def.prio === DEFAULT_PRIORITY || d.def.prio < 1500,
      );
      if (first) {
        const v = first.def.value;
        const firstKey = v.kind === 'attrs' ? [...v.attrs.values()][0]?.keyLocation : undefined;
        location = firstKey ?? keyLoc(first.def, fallback);
      }
    }
    return { networkdEnabled: enabled, networkdLocation: location };
  }
}

const MODULE_FORMALS = new Set(['config', 'lib', 'pkgs', 'options', 'modulesPath']);

function hasOptionLikeKeys(v: Value): boolean {
  if (v.kind !== 'attrs') return false;
  for (const k of v.attrs.keys()) if (OPTION_LIKE_KEYS.has(k)) return true;
  return false;
}

/**
 * Files some other file names with a relative path literal (`./vm.nix`, `../common`), resolved
 * like Nix paths: a directory means its default.nix; `readDir ./dir` names every .nix file in it.
 * A syntactic over-approximation, used only to keep imported files from being configuration roots.
 */
export function referencedFiles(
  files: string[],
  readText: (file: string) => string | undefined,
  isDirectory: (p: string) => boolean,
  readDir: (p: string) => Map<string, string> | undefined,
  allFiles: string[] = files,
): Set<string> {
  const out = new Set<string>();
  const fileSet = new Set(allFiles);
  for (const file of files) {
    const text = readText(file);
    if (text === undefined) continue;
    const code = stripComments(text);
    const dir = posix.dirname(file);
    for (const m of code.matchAll(/(readDir\s+)?(?<![\w.$}])(\.\.?(?:\/[A-Za-z0-9._+\-]+)+|\.\/?|\.\.)(?![\w/])/g)) {
      const target = posix.normalize(posix.join(dir, m[2]));
      if (target === file) continue;
      if (isDirectory(target)) {
        const d = posix.join(target, 'default.nix');
        if (d !== file) out.add(d);
        if (m[1]) {
          for (const [name, kind] of readDir(target) ?? []) {
            const p = posix.join(target, name);
            if (name.endsWith('.nix') && p !== file) out.add(p);
            if (kind === 'directory') out.add(posix.join(p, 'default.nix'));
          }
        }
      } else if (fileSet.has(target)) out.add(target);
    }
  }
  return out;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^'$"\w])#.*$/gm, '$1');
}
