/**
 * Fact extraction from a workspace's Nix files: configurations (flake nixosConfigurations, or
 * root module files), their module sets, and the facts the resolver needs — MicroVM interfaces,
 * networkd units, `networking.bridges`, script attachments and per-configuration host facts.
 *
 * Precision first: whatever cannot be known statically becomes a pattern, `complete: false`,
 * `'unknown'` or a `conditional` interface — never a definite wrong fact.
 */
import { posix } from 'node:path';
import { etcUnits } from './etc';
import { hostDevices } from './hostDevices';
import { hostServices } from './guestNetwork';
import { networkdState } from './networkdState';
import { looksLikeModule, looksLikeSystem } from './roots';
import { unplacedInterfaces, type LiteralsFound } from './unplaced';
import { nameRoots } from './naming';
import { referencedFiles } from './references';
import type {
  AddressAssignment,
  BridgeDeclaration,
  CreatedLink,
  GuestNetwork,
  HostFacts,
  HostServices,
  InterfaceDeclaration,
  MicrovmInterface,
  ScriptAttachment,
  UnitDefinition,
} from '../../model';
import type { Location } from '../../text';
import type { Evaluator } from '../eval/evaluator';
import { force, knownString, ready } from '../eval/helpers';
import { evaluateFlake } from '../flake';
import { Configuration, ModuleWorld, type Gap, type ModuleSource, type SystemCall } from '../modules';
import type { Value } from '../value';
import { fileStart, sameSet } from './common';
import { createdLinks, interfaceDeclarations } from './hostNetworking';
import { addScriptFacts } from './scriptFacts';
import { hostScriptFacts } from './services';
import { emitGuestPart, guestPart, type GuestPart } from './guestPart';
import { emptySlice, noHostFacts, type Slice } from './slices';
import { bridgeDeclarations, netdevUnits, networkUnits } from './units';

/** What kind of thing the analysis could not do (notices are grouped by it). */
export type NoticeKind =
  | 'flake-not-evaluated'
  | 'configuration-not-evaluated'
  | 'module-unreadable'
  | 'module-not-evaluated'
  | 'imports-not-evaluated'
  | 'external-module'
  | 'interfaces-not-evaluated'
  | 'budget-exhausted';

export interface NixFactsInput {
  evaluator: Evaluator;
  /** Absolute paths of all .nix files in the workspace. */
  nixFiles: string[];
  /** Workspace roots. */
  roots: string[];
  /** Interface literals found by file, kept across extractions (each valid for its text). */
  literals?: LiteralsFound;
  /** The text of a scanned file, read without the evaluator's bookkeeping (null: unreadable). */
  scannedText?: (file: string) => string | null;
}

/** A MicroVM interface; `conditional` when it exists only under an mkIf we could not decide. */
export type NixMicrovmInterface = MicrovmInterface & { conditional?: boolean };

export interface NixFacts {
  hosts: HostFacts[];
  interfaces: NixMicrovmInterface[];
  units: UnitDefinition[];
  bridges: BridgeDeclaration[];
  scripts: ScriptAttachment[];
  addresses: AddressAssignment[];
  links: CreatedLink[];
  interfaceDeclarations: InterfaceDeclaration[];
  guestNetworks: GuestNetwork[];
  hostServices: HostServices[];
  problems: { kind: NoticeKind; file: string; message: string }[];
  /** What the workspace as a whole could not show: flakes whose outputs could not be evaluated. */
  gaps: { kind: string; message: string; file?: string }[];
}

interface TopConfig {
  name: string;
  cfg: Configuration;
  location: Location;
  /** `nixosConfigurations.<name>` of a flake (the VM name when it is a guest). */
  flakeName: string | null;
  file: string;
  /** The nixosSystem call of a flake configuration (undefined for root module files). */
  call?: SystemCall;
  /** A whole system, not a bare module (see looksLikeSystem). */
  isSystem: boolean;
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

/**
 * Fact extraction that can be brought up to date after Nix files changed text, re-evaluating
 * only the top-level configurations whose evaluation used a changed file (recorded during the
 * run, closed over `import` edges). Whatever could make the result differ from a full run —
 * a changed file used by a flake's own evaluation, changed path references, a root-module
 * decision that flips, files reached that change, cross-configuration reads, guests run by other
 * hosts, problems, an exhausted budget — makes `update` return undefined: run a full extraction.
 */
export class IncrementalNixFacts {
  private extraction: Extraction;
  constructor(input: NixFactsInput) {
    this.extraction = new Extraction(input);
  }
  get facts(): NixFacts {
    return this.extraction.result;
  }
  static full(input: NixFactsInput): IncrementalNixFacts {
    const inc = new IncrementalNixFacts(input);
    inc.extraction.run();
    return inc;
  }
  /** Facts after `changed` files changed text (already invalidated in the evaluator), or undefined. */
  update(changed: Set<string>): NixFacts | undefined {
    return this.extraction.update(changed);
  }
}

class Extraction {
  private readonly ev: Evaluator;
  private readonly world: ModuleWorld;
  private readonly problems: NixFacts['problems'] = [];
  private readonly out: NixFacts;
  private readonly tops: TopConfig[] = [];
  private readonly allConfigs: Configuration[] = [];
  /** Guest configurations (top-level) → the hosts running them. */
  private readonly runs = new Map<Configuration, GuestRun[]>();
  private nested: { host: string; vm: string; cfg: Configuration; hostFile: string; top: TopConfig }[] = [];

  // -- dependency records (for `update`) --
  /** Files the current phase's evaluation uses are added here. */
  private recording: Set<string> | null = null;
  private readonly flakeDeps = new Set<string>();
  private readonly topDeps = new Map<TopConfig, Set<string>>();
  /** Closure of `topDeps` over `import` edges, computed at the end of a run. */
  private readonly topClosure = new Map<TopConfig, Set<string>>();
  private flakeClosure = new Set<string>();
  private readonly owned = new Map<TopConfig, Configuration[]>();
  private ownedSink: Configuration[] | null = null;
  private readonly mainSlices = new Map<TopConfig, Slice>();
  private readonly nestedSlices = new Map<object, Slice>();
  private slice: Slice | null = null;
  private refsByFile = new Map<string, Set<string>>();
  private readonly rootChecks = new Map<string, { result: boolean; deps: Set<string> }>();
  private reachedSet = new Set<string>();
  /** Per top: the import closure of the files its configurations used (its share of `reachedSet`). */
  private readonly topReached = new Map<TopConfig, Set<string>>();
  /** The share of `reachedSet` no top owns: flake files and configurations made outside any top. */
  private baseReached = new Set<string>();
  private files: string[] = [];
  private fileSet: Set<string> | undefined;
  private flakeFileList: string[] = [];
  result: NixFacts = { ...noHostFacts(), problems: [], gaps: [] };

  constructor(private readonly input: NixFactsInput) {
    this.ev = input.evaluator;
    this.world = new ModuleWorld(
      this.ev,
      (call) => this.configurationForCall(call),
      (opts) => this.track(new Configuration(this.world, opts)),
    );
    this.out = { ...noHostFacts(), problems: this.problems, gaps: [] };
    this.ev.onFileUse = (path) => this.recording?.add(path);
  }

  /** Where emission goes: the current slice (always set while emitting). */
  private sink(): Slice | NixFacts {
    return this.slice ?? this.out;
  }

  private readText = (file: string): string | undefined => this.ev.fs.readFile(file);

  private problem(kind: NoticeKind, file: string, message: string): void {
    if (this.slice) this.slice.problemCalls++;
    if (!this.problems.some((p) => p.file === file && p.message === message)) this.problems.push({ kind, file, message });
  }

  /** A configuration made while evaluating (a framework's, `lib.evalModules`): its files count as reached. */
  private track(cfg: Configuration): Configuration {
    this.allConfigs.push(cfg);
    this.ownedSink?.push(cfg);
    return cfg;
  }

  private configurationForCall(call: SystemCall): Configuration {
    const cfg = new Configuration(this.world, {
      name: call.name ?? '<nixosSystem>',
      modules: call.modules ? [{ thunk: call.modules }] : [],
      specialArgs: call.specialArgs,
    });
    if (!call.modules) cfg.addGap('imports-not-evaluated', 'the modules of a nixosSystem call could not be evaluated', call.location?.file);
    this.allConfigs.push(cfg);
    this.ownedSink?.push(cfg);
    return cfg;
  }

  /** Evaluation roots whose budget ran out (a top configuration, or a flake file). */
  private readonly exhausted = new Set<TopConfig | string>();

  /**
   * Runs one evaluation root's work with a budget of its own: a root that exhausts it leaves
   * the others their whole budget, and its own facts are marked incomplete.
   */
  private budgeted<T>(root: TopConfig | string, f: () => T): T {
    this.ev.resetBudget();
    try {
      return f();
    } finally {
      if (this.ev.budgetExhausted) {
        this.exhausted.add(root);
        const host = typeof root === 'string' ? undefined : this.mainSlices.get(root)?.hosts[0];
        if (host && !host.gaps.some((g) => g.kind === 'budget-exhausted')) host.gaps.push(budgetGap(host.name));
      }
    }
  }

  private reportExhausted(): void {
    for (const root of this.exhausted) {
      const file = typeof root === 'string' ? root : root.file;
      const what = typeof root === 'string' ? this.relative(root) : `\`${root.name}\``;
      this.problem('budget-exhausted', file, `evaluating ${what} took more than the evaluation budget: some of its facts may be missing`);
    }
  }

  /** Runs `f` recording file uses into `deps` and configurations created into `owned`. */
  private within<T>(deps: Set<string> | null, owned: Configuration[] | null, f: () => T): T {
    const r = this.recording;
    const o = this.ownedSink;
    this.recording = deps;
    this.ownedSink = owned;
    try {
      return f();
    } finally {
      this.recording = r;
      this.ownedSink = o;
    }
  }

  private depsOf(top: TopConfig): Set<string> {
    let d = this.topDeps.get(top);
    if (!d) this.topDeps.set(top, (d = new Set()));
    return d;
  }

  private ownedOf(top: TopConfig): Configuration[] {
    let o = this.owned.get(top);
    if (!o) this.owned.set(top, (o = []));
    return o;
  }

  /** `files` plus everything they `import`, transitively (the evaluator's import edges). */
  private importClosure(files: Iterable<string>): Set<string> {
    const out = new Set<string>(files);
    const queue = [...out];
    while (queue.length) {
      const f = queue.pop()!;
      for (const t of this.ev.imports.get(f) ?? []) {
        if (!out.has(t)) {
          out.add(t);
          queue.push(t);
        }
      }
    }
    return out;
  }

  private emitTop(top: TopConfig): void {
    const main = emptySlice();
    this.slice = main;
    this.within(this.depsOf(top), this.ownedOf(top), () => this.emitConfiguration(top));
    this.mainSlices.set(top, main);
    this.slice = null;
  }

  /** A flake configuration, built in its own record of files used and configurations made. */
  private configure(top: TopConfig): Configuration {
    if (!top.cfg) top.cfg = this.within(this.depsOf(top), this.ownedOf(top), () => this.world.configurationOf(top.call!));
    return top.cfg;
  }

  /**
   * A top's own facts and its nested guests', then releases what their configurations collected:
   * holding every host's module instances until the end is what made large fleets take gigabytes.
   */
  private emitOwn(top: TopConfig): void {
    this.budgeted(top, () => this.emitTop(top));
    for (const n of this.nested) if (n.top === top) this.budgeted(top, () => this.emitNested(n));
    for (const cfg of this.ownedOf(top)) cfg.release();
    top.cfg.release();
  }

  /** Once every host's guests are known: the top's interfaces per host running it, and its own directory. */
  private emitGuestRuns(top: TopConfig): void {
    const slice = this.mainSlices.get(top)!;
    this.slice = slice;
    this.within(this.depsOf(top), this.ownedOf(top), () => {
      slice.hosts[0].directory = this.ownDirectory(top);
      const runs = this.runs.get(top.cfg) ?? [];
      emitGuestPart(this.sink(), this.guestParts.get(top)!, top.flakeName, runs.length ? runs : [{ host: null, vm: top.flakeName }], this.readText);
    });
    this.slice = null;
  }

  private emitNested(n: { host: string; vm: string; cfg: Configuration; hostFile: string; top: TopConfig }): void {
    const slice = emptySlice();
    this.slice = slice;
    this.within(this.depsOf(n.top), this.ownedOf(n.top), () =>
      emitGuestPart(this.sink(), this.guestPart(n.cfg, `${n.host}#microvm.vms.${n.vm}`, n.hostFile), n.vm, [{ host: n.host, vm: n.vm }], this.readText),
    );
    this.nestedSlices.set(n, slice);
    this.slice = null;
  }

  /** The output: slices in emission order (tops, then nested guests), then the problems. */
  private assemble(): NixFacts {
    const out: NixFacts = { ...noHostFacts(), problems: this.problems, gaps: this.flakeGaps() };
    const slices = [...this.tops.map((t) => this.mainSlices.get(t)!), ...this.nested.map((n) => this.nestedSlices.get(n)!)];
    for (const sl of slices) {
      out.hosts.push(...sl.hosts);
      out.interfaces.push(...sl.interfaces);
      out.units.push(...sl.units);
      out.bridges.push(...sl.bridges);
      addScriptFacts(out, sl);
      out.interfaceDeclarations.push(...sl.interfaceDeclarations);
      out.guestNetworks.push(...sl.guestNetworks);
      out.hostServices.push(...sl.hostServices);
    }
    out.interfaces.push(
      ...unplacedInterfaces(out.interfaces, this.files, {
        readText: this.input.scannedText ? (file) => this.input.scannedText!(file) ?? undefined : this.readText,
        parse: (file) => this.ev.parse(file),
        found: this.input.literals,
        why: (file) =>
          this.reachedSet.has(file)
            ? `${this.relative(file)} is evaluated, but no configuration's microvm.interfaces holds this entry (it is under a condition that is false, or in code no configuration uses)`
            : [`no configuration in the workspace imports ${this.relative(file)}`, ...this.flakeGaps().map((g) => g.message)].join('; '),
      }),
    );
    this.result = out;
    return out;
  }

  private flakeGaps(): NixFacts['gaps'] {
    return this.flakeFileList.flatMap((f) => {
      const failure = this.world.flakes.get(f)?.failure;
      return failure === undefined ? [] : [{ kind: 'flake-not-evaluated', message: `the outputs of ${this.relative(f)} could not be evaluated (${failure})`, file: f }];
    });
  }



  private computeReached(): Set<string> {
    const reached = new Set<string>(this.flakeFileList);
    for (const cfg of this.allConfigs) for (const f of cfg.files) reached.add(f);
    return this.importClosure(reached);
  }

  run(): NixFacts {
    const files = [...this.input.nixFiles].sort();
    // 1. flakes
    // Outer flakes first: a configuration a flake re-exports from a sub-flake keeps the outer name.
    const flakeFiles = files.filter((f) => posix.basename(f) === 'flake.nix').sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
    const usedNames = new Set<string>();
    const taken = new Set<SystemCall>();
    for (const flakeFile of flakeFiles) {
      const res = this.budgeted(flakeFile, () => this.within(this.flakeDeps, null, () => evaluateFlake(this.world, flakeFile)));
      for (const p of res.problems) this.problem(p === res.problems[0] && res.failure !== undefined ? 'flake-not-evaluated' : 'configuration-not-evaluated', flakeFile, p);
      for (const sys of res.systems) {
        if (taken.has(sys.call)) continue;
        taken.add(sys.call);
        let name = sys.name;
        if (usedNames.has(name)) name = `${sys.name} (${this.relative(flakeFile)})`;
        usedNames.add(name);
        sys.call.name = name;
        const top: TopConfig = { name, cfg: undefined as unknown as Configuration, location: sys.location ?? fileStart(flakeFile), flakeName: sys.name, file: flakeFile, call: sys.call, isSystem: true };
        this.topDeps.set(top, new Set());
        this.owned.set(top, []);
        this.tops.push(top);
      }
    }
    // 2. one flake configuration at a time: built, its guests found (host → guest relations may
    // create nested configurations), its own facts emitted, what it collected released
    for (const top of [...this.tops]) {
      this.budgeted(top, () => this.configure(top));
      this.budgeted(top, () => this.within(this.depsOf(top), this.ownedOf(top), () => this.analyseHost(top)));
      this.emitOwn(top);
    }
    // 3. root module files not reached from any flake configuration
    const rootTops: TopConfig[] = [];
    for (const root of this.rootModules(files, flakeFiles)) {
      const top: TopConfig = { name: root.name, cfg: undefined as unknown as Configuration, location: fileStart(root.file), flakeName: null, file: root.file, isSystem: false };
      this.budgeted(top, () =>
        this.within(this.depsOf(top), this.ownedOf(top), () => {
          top.cfg = this.rootConfiguration(root.name, root.file);
          top.isSystem = looksLikeSystem(top.cfg);
        }),
      );
      rootTops.push(top);
    }
    const names = this.rootNames(rootTops);
    rootTops.forEach((top, i) => {
      top.name = names[i];
      top.cfg.name = names[i];
      this.tops.push(top);
      this.budgeted(top, () => this.within(this.depsOf(top), this.ownedOf(top), () => this.analyseHost(top)));
      this.emitOwn(top);
    });
    // 4. what needed every configuration: each top's interfaces once per host running it, its own directory
    for (const top of this.tops) this.emitGuestRuns(top);
    for (const cfg of this.allConfigs) for (const g of noticedGaps(cfg)) this.problem(g.kind, g.file ?? cfg.files.values().next().value ?? this.input.roots[0] ?? '/', g.message);
    this.reportExhausted();
    this.files = files;
    this.flakeFileList = flakeFiles;
    this.flakeClosure = this.importClosure(this.flakeDeps);
    for (const top of this.tops) this.topClosure.set(top, this.importClosure(this.depsOf(top)));
    this.reachedSet = this.computeReached();
    this.recordReachedShares();
    return this.assemble();
  }

  private reachedOf(top: TopConfig): Set<string> {
    const files = new Set<string>();
    for (const cfg of this.owned.get(top) ?? []) for (const f of cfg.files) files.add(f);
    return this.importClosure(files);
  }

  private recordReachedShares(): void {
    const owned = new Set<Configuration>();
    for (const list of this.owned.values()) for (const c of list) owned.add(c);
    const base = new Set<string>(this.flakeFileList);
    for (const cfg of this.allConfigs) if (!owned.has(cfg)) for (const f of cfg.files) base.add(f);
    this.baseReached = this.importClosure(base);
    this.topReached.clear();
    for (const top of this.tops) this.topReached.set(top, this.reachedOf(top));
  }

  /** Display names of root configurations (host name, else the path's name, else the path). */
  private rootNames(tops: TopConfig[]): string[] {
    const taken = new Set(this.tops.filter((t) => t.flakeName !== null).map((t) => t.name));
    return nameRoots(
      tops.map((t) => ({ relativePath: this.relative(t.file), hostName: knownString(t.cfg.scalarAt(['networking', 'hostName']).value), isSystem: t.isSystem })),
      taken,
    );
  }

  private rootConfiguration(name: string, file: string): Configuration {
    const cfg = new Configuration(this.world, { name, modules: [{ thunk: ready({ kind: 'path', path: file }), file }] });
    this.allConfigs.push(cfg);
    this.ownedSink?.push(cfg);
    return cfg;
  }

  /** See IncrementalNixFacts.update. */
  update(changed: Set<string>): NixFacts | undefined {
    if (this.exhausted.size > 0 || this.world.crossConfigurationReads > 0 || this.runs.size > 0) return undefined;
    if (this.problems.length > 0) return undefined;
    for (const f of changed) if (this.flakeClosure.has(f) || posix.basename(f) === 'flake.nix') return undefined;
    // Path references decide which files are roots: they must not change.
    const fileSet = (this.fileSet ??= new Set(this.files));
    for (const f of changed) {
      if (!fileSet.has(f)) continue;
      const now = this.referencesOf(f);
      const before = this.refsByFile.get(f) ?? new Set<string>();
      if (now.size !== before.size || [...now].some((x) => !before.has(x))) return undefined;
    }
    // Root-module decisions that used a changed file must come out the same.
    const changedList = [...changed];
    for (const [file, check] of this.rootChecks) {
      if (!changedList.some((f) => check.deps.has(f))) continue;
      const again = this.rootCheck(file);
      if (again.result !== check.result) return undefined;
    }
    const affected = this.tops.filter((t) => [...changed].some((f) => this.topClosure.get(t)?.has(f)));
    for (const top of affected) {
      const nested = this.nested.filter((n) => n.top === top);
      if (this.mainSlices.get(top)!.problemCalls || nested.some((n) => this.nestedSlices.get(n)!.problemCalls)) return undefined;
    }
    let renamed = false;
    for (const top of affected) {
      const old = new Set(this.owned.get(top) ?? []);
      this.countFiles(top, -1);
      this.allConfigs.splice(0, this.allConfigs.length, ...this.allConfigs.filter((c) => !old.has(c)));
      for (const c of old) {
        this.nestedMemo.delete(c);
        this.hostInfo.delete(c);
      }
      for (const n of this.nested) if (n.top === top) this.nestedSlices.delete(n);
      this.nested = this.nested.filter((n) => n.top !== top);
      const deps = new Set<string>();
      const owned: Configuration[] = [];
      this.topDeps.set(top, deps);
      this.owned.set(top, owned);
      this.budgeted(top, () =>
        this.within(deps, owned, () => {
          if (top.call) {
            top.call.configuration = undefined;
            top.cfg = this.world.configurationOf(top.call);
          } else {
            top.cfg = this.rootConfiguration(top.name, top.file);
            renamed = looksLikeSystem(top.cfg) !== top.isSystem || this.rootNames([top])[0] !== top.name;
          }
          this.analyseHost(top);
        }),
      );
      if (renamed) return undefined;
      this.countFiles(top, 1);
      this.emitOwn(top);
      this.emitGuestRuns(top);
      this.topClosure.set(top, this.importClosure(deps));
      if (owned.some((c) => noticedGaps(c).length > 0)) return undefined;
    }
    if (this.exhausted.size > 0 || this.world.crossConfigurationReads > 0 || this.runs.size > 0 || this.problems.length > 0) return undefined;
    for (const top of affected) {
      if (this.mainSlices.get(top)!.problemCalls) return undefined;
      if (this.nested.some((n) => n.top === top && this.nestedSlices.get(n)!.problemCalls)) return undefined;
    }
    // Nested guests in the order a full run creates them (grouped by top, in top order).
    const order = new Map(this.tops.map((t, i) => [t, i]));
    this.nested = this.nested.map((n, i) => ({ n, i })).sort((a, b) => order.get(a.n.top)! - order.get(b.n.top)! || a.i - b.i).map((x) => x.n);
    // The set of files reached from configurations decides roots: it must not change. It is the
    // union of per-top shares and a base share; tops that did not use a changed file keep theirs
    // (their configurations and the import edges of their files are untouched), so when the
    // base did not use one either, comparing the affected tops' shares decides.
    let same = !changedList.some((f) => this.baseReached.has(f));
    const shares = new Map<TopConfig, Set<string>>();
    for (const top of affected) {
      if (!same) break;
      const now = this.reachedOf(top);
      shares.set(top, now);
      const before = this.topReached.get(top);
      if (!before || !sameSet(before, now)) same = false;
    }
    if (!same) {
      const reached = this.computeReached();
      if (!sameSet(reached, this.reachedSet)) return undefined;
      this.recordReachedShares();
    } else {
      for (const [top, share] of shares) this.topReached.set(top, share);
    }
    return this.assemble();
  }

  private referencesOf(file: string): Set<string> {
    return this.within(null, null, () =>
      referencedFiles([file], this.readText, (p) => this.ev.fs.isDirectory(p), (d) => this.ev.fs.readDir(d), (this.fileSet ??= new Set(this.files))),
    );
  }

  private rootCheck(file: string): { result: boolean; deps: Set<string> } {
    const deps = new Set<string>();
    const result = this.budgeted(file, () => this.within(deps, null, () => looksLikeModule(this.world, file)));
    const check = { result, deps };
    this.rootChecks.set(file, check);
    return check;
  }

  private relative(file: string): string {
    const root = this.input.roots.filter((r) => file === r || file.startsWith(r.replace(/\/+$/, '') + '/')).sort((a, b) => b.length - a.length)[0];
    return root ? posix.relative(root, file) || posix.basename(file) : file;
  }

  // -- hosts and the VMs they run ----------------------------------------------------------

  private hostInfo = new Map<Configuration, { vms: string[] | null; isHost: boolean; disabled: boolean }>();

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
        this.nested.push({ host: top.name, vm, cfg: nested, hostFile: top.file, top });
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
    // microvm.host.enable (default true): only a certain, unconditional false disables the host module.
    const hostEnable = cfg.scalarAt(['microvm', 'host', 'enable']);
    const disabled = isHost && !hostEnable.conditional && hostEnable.value.kind === 'bool' && hostEnable.value.value === false;
    this.hostInfo.set(cfg, { vms: vms ? [...new Set(vms)].sort() : null, isHost, disabled });
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
    this.ownedOf(top).push(nested);
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
    this.files = files;
    this.flakeFileList = flakeFiles;
    const reached = this.computeReached();
    // flake.nix's own references count through evaluation (reached) only: when its outputs
    // cannot be evaluated, the modules it names are analysed as roots of their own.
    // Per file (the union is the same), so an edit can be checked against its file's share.
    const referenced = new Set<string>();
    this.refsByFile = new Map();
    for (const f of files) {
      if (posix.basename(f) === 'flake.nix') continue;
      const refs = this.referencesOf(f);
      this.refsByFile.set(f, refs);
      for (const r of refs) referenced.add(r);
    }
    const roots: { file: string; name: string }[] = [];
    for (const file of files) {
      if (reached.has(file) || referenced.has(file) || posix.basename(file) === 'flake.nix') continue;
      if (!this.rootCheck(file).result) continue;
      roots.push({ file, name: this.relative(file) });
    }
    return roots;
  }

  // -- emission ----------------------------------------------------------------------------

  private emitConfiguration(top: TopConfig): void {
    const { cfg, name } = top;
    const info = this.hostInfo.get(cfg) ?? { vms: null, isHost: cfg.hasMarker('microvm-host'), disabled: false };
    this.sink().hosts.push({
      name,
      location: top.location,
      ...networkdState(cfg, top.location),
      importsExternalModules: cfg.hasGaps,
      // A root found beside a flake whose outputs failed may be built by that flake with more modules.
      gaps: [
        ...cfg.gaps.map((g) => ({ ...g })),
        ...(top.flakeName === null ? this.flakeGaps() : []),
        ...(this.exhausted.has(top) ? [budgetGap(name)] : []),
      ],
      vms: info.vms,
      isMicrovmHost: info.isHost,
      ...(info.disabled ? { microvmHostDisabled: true } : {}),
      isSystem: top.isSystem,
      // settled once every top is known (emitGuestRuns)
      directory: null,
      etcUnits: etcUnits(cfg, top.location),
      devices: hostDevices(cfg, top.location, info.isHost, this.readText),
    });
    this.sink().units.push(...networkUnits(cfg, name, top.location), ...netdevUnits(cfg, name, top.location));
    this.sink().bridges.push(...bridgeDeclarations(cfg, name, top.location));
    addScriptFacts(this.sink(), hostScriptFacts({ cfg, ev: this.ev, host: name, vms: info.vms, fallback: top.location, readText: this.readText }));
    this.sink().interfaceDeclarations.push(...interfaceDeclarations(cfg, name, top.location));
    this.sink().links.push(...createdLinks(cfg, name, top.location));
    if (info.isHost) this.sink().hostServices.push(hostServices(cfg, name, top.location));
    // as a guest: what its interfaces are now; once per host running it when all hosts are known
    this.guestParts.set(top, this.guestPart(cfg, top.flakeName !== null ? `nixosConfigurations.${top.flakeName}` : `file:${top.file}`, top.file));
  }

  private readonly guestParts = new Map<TopConfig, GuestPart>();

  private guestPart(cfg: Configuration, guestKey: string, file: string): GuestPart {
    return guestPart(cfg, guestKey, file, this.ev, (file, message) => this.problem('interfaces-not-evaluated', file, message));
  }

  /** How many top configurations use each file (for each top's own directory), kept through updates. */
  private fileUsage: Map<string, number> | null = null;

  private countFiles(top: TopConfig, delta: 1 | -1): void {
    if (!this.fileUsage) return;
    for (const f of top.cfg.files) {
      const n = (this.fileUsage.get(f) ?? 0) + delta;
      if (n > 0) this.fileUsage.set(f, n);
      else this.fileUsage.delete(f);
    }
  }

  /** The directory of the first module file only this configuration uses, unless it is a root. */
  private ownDirectory(top: TopConfig): string | null {
    if (!this.fileUsage) {
      this.fileUsage = new Map();
      for (const t of this.tops) for (const f of t.cfg.files) this.fileUsage.set(f, (this.fileUsage.get(f) ?? 0) + 1);
    }
    for (const f of top.cfg.files) {
      if (this.fileUsage.get(f) !== 1) continue;
      const dir = posix.dirname(f);
      return this.input.roots.some((r) => r.replace(/\/+$/, '') === dir) ? null : dir;
    }
    return null;
  }
}

const depth = (file: string) => file.split('/').length;

function budgetGap(host: string): HostFacts['gaps'][number] {
  return { kind: 'budget-exhausted', message: `evaluating \`${host}\` took more than the evaluation budget, so some of its modules may be missing` };
}

/** Gaps reported as notices; modules of flake inputs are expected and only change outcomes. */
function noticedGaps(cfg: Configuration): Gap[] {
  return cfg.gaps.filter((g) => g.kind !== 'external-module');
}
