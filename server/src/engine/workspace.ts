/**
 * The workspace: the file set, per-file caches (text, Nix AST, unit parse), editor overlays,
 * and the pipeline files → facts → outcomes → diagnostics. A changed file drops only its own
 * caches; cross-file resolution is recomputed from what is cached.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import type { Settings } from '../protocol/settings';
import { mergeSettings } from '../protocol/settings';
import { runChecks } from './checks';
import { classifyFile, readWorkspaceFile, scanRoots, type FileKind, type ScannedFile } from './files';
import type { Diagnostic, FileReport, HostFacts, MicrovmInterface, Outcome, UnitDefinition, WorkspaceFacts } from './model';
import { loadUnitFiles, type UnitFileInput } from './networkd';
import { parseNixFile, toAst, withParseProblem, type ParsedNixFile } from './nix/ast';
import { Evaluator, type NixFileSystem } from './nix/eval';
import { IncrementalNixFacts, type NixFacts } from './nix/facts';
import { NixParser, editFromUtf16, type TextEdit as ParserEdit, type Tree } from './nix/parser';
import { resolveOutcomes } from './resolve';
import type { AnalysisSnapshot, LanguageService, ScanProgress, ScanReport } from './service';
import type { Range } from './text';
import { applyContentChanges } from './textEdits';
import { insideRoots } from './roots';
import { readFlakeLock } from './flakeLock';
import { WorkspaceViews } from './views';

export interface ServiceOptions {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
  /** Directory holding tree-sitter.wasm and tree-sitter-nix.wasm (default: found next to the bundle). */
  wasmDir?: string;
}

interface FileEntry {
  kind: FileKind;
  devNull?: boolean;
  /** Text from disk (undefined until read; null when unreadable/skipped). */
  diskText?: string | null;
  problem?: string;
  /** Editor buffer, when open. */
  open?: OpenDocument;
}

/** The file listing of the last analysis (reports without Nix problems). */
interface Listing {
  reports: FileReport[];
  /** Index of each file's report. */
  byPath: Map<string, number>;
  nixFiles: string[];
  unitInputs: UnitFileInput[];
  microvmLastModified: number | null;
}

interface OpenDocument {
  text: string;
  version: number;
  /** The last tree, kept for incremental re-parsing. */
  tree?: Tree;
  /** Edits applied to the text since `tree` was parsed. */
  pendingEdits?: ParserEdit[];
}

export async function createLanguageService(opts: ServiceOptions): Promise<WorkspaceService> {
  const parser = await NixParser.create(opts.wasmDir);
  return new WorkspaceService(parser, opts);
}

export class WorkspaceService implements LanguageService {
  private settings: Settings;
  private readonly roots: string[];
  private readonly log: (msg: string) => void;
  private readonly files = new Map<string, FileEntry>();
  private readonly nixCache = new Map<string, ParsedNixFile>();
  private evaluator: Evaluator;
  private snapshot: AnalysisSnapshot | null = null;
  private dirty = true;
  private scanSkipped: { file: string; reason: string }[] = [];
  private views: WorkspaceViews | null = null;
  /** The last Nix fact extraction, brought up to date incrementally when only Nix texts changed. */
  private nixFacts: IncrementalNixFacts | null = null;
  /** Nix files whose text changed since the last analysis. */
  private readonly changedNix = new Set<string>();
  /** Files appeared or went, or settings changed, since the last analysis: a full extraction. */
  private structural = true;
  /** A non-Nix file changed since the last analysis: the file listing is rebuilt. */
  private otherChanged = true;
  private listing: Listing | null = null;
  /** How the last analysis got its Nix facts (benchmarks and tests look at it). */
  lastNixFacts: 'full' | 'incremental' | 'reused' = 'full';
  /** Syntax error counts of files not kept as ASTs, with the text they were counted on. */
  private readonly syntaxCounts = new Map<string, { text: string; count: number }>();
  private lastUnits: { inputs: UnitFileInput[]; units: UnitDefinition[] } | null = null;
  private lastOutcomes: { fingerprints: Map<string | null, unknown[]>; byInterface: Map<MicrovmInterface, Outcome> } | null = null;
  /** Directory facts the evaluator asks for (stat/readdir), dropped on any file-set change. */
  private readonly dirCache = new Map<string, boolean>();
  /** Whether a path the evaluator asks for really lies inside a root (symlinks resolved). */
  private readonly reachableCache = new Map<string, boolean>();
  private realRoots: string[] | null = null;
  private readonly readDirCache = new Map<string, Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined>();

  constructor(
    private readonly parser: NixParser,
    opts: ServiceOptions,
  ) {
    this.roots = opts.roots.map((r) => r.replace(/\/+$/, '') || '/');
    this.settings = mergeSettings(opts.settings);
    this.log = opts.log ?? (() => {});
    this.evaluator = this.newEvaluator();
  }

  updateSettings(settings: Settings): void {
    this.settings = mergeSettings(settings);
    this.structural = true;
    this.markDirty();
  }

  getSettings(): Settings {
    return this.settings;
  }

  getRoots(): readonly string[] {
    return this.roots;
  }

  // ------------------------------------------------------------------------------------------
  // Files

  async scan(onProgress?: (p: ScanProgress) => void, isCancelled?: () => boolean): Promise<ScanReport> {
    const result = await scanRoots({
      roots: this.roots,
      exclude: this.settings.exclude,
      maxFiles: this.settings.maxFiles,
      isCancelled,
      onProgress: (visited, found) =>
        onProgress?.({ done: found, total: 0, message: `scanned ${visited} entries, ${found} relevant files` }),
    });
    this.fileSetChanged();
    const keep = new Set(result.files.map((f) => f.path));
    for (const [path, entry] of this.files) {
      if (!keep.has(path) && !entry.open) this.dropFile(path);
    }
    for (const file of result.files) this.addScanned(file);
    this.scanSkipped = result.skipped;
    if (result.truncated > 0) {
      this.log(`workspace scan stopped at the file cap (microvmNet.maxFiles = ${this.settings.maxFiles}); ${result.truncated} files were not analysed`);
    }
    this.markDirty();
    return { files: result.files.length, truncated: result.truncated, skipped: result.skipped };
  }

  private addScanned(file: ScannedFile): void {
    const existing = this.files.get(file.path);
    if (existing) {
      if (!existing.open) {
        existing.diskText = undefined;
        existing.devNull = file.devNull;
        this.invalidate(file.path);
      }
      return;
    }
    this.files.set(file.path, { kind: file.kind, devNull: file.devNull });
  }

  /**
   * For reads the evaluator asks for (imports, readDir): inside a root lexically, and still
   * inside once symlinks are resolved — an in-workspace link must not lead the evaluator out.
   */
  private reachable(path: string): boolean {
    if (!insideRoots(this.roots, path)) return false;
    if (this.files.has(path)) return true;
    let ok = this.reachableCache.get(path);
    if (ok === undefined) {
      this.realRoots ??= this.roots.map((r) => {
        try {
          return realpathSync(r);
        } catch {
          return r;
        }
      });
      try {
        const real = realpathSync(path);
        ok = insideRoots(this.realRoots, real);
      } catch {
        ok = true; // does not exist: reading it fails on its own
      }
      this.reachableCache.set(path, ok);
    }
    return ok;
  }

  /** Current text of a file: the editor buffer when open, else disk (read lazily, cached). */
  textOf(path: string): string | null {
    const entry = this.files.get(path);
    if (!entry) return null;
    if (entry.open) return entry.open.text;
    if (entry.devNull) return null;
    if (entry.diskText === undefined) {
      const read = readWorkspaceFile(path, this.settings.maxFileSize);
      entry.diskText = read.text;
      entry.problem = read.problem;
      if (read.problem) this.log(`${path}: ${read.problem}`);
    }
    return entry.diskText;
  }

  openDocument(file: string, text: string, version: number): void {
    const kind = classifyFile(file);
    if (kind === null) return;
    if (!this.files.has(file)) this.fileSetChanged();
    const entry = this.files.get(file) ?? { kind };
    entry.open?.tree?.delete();
    entry.open = { text, version };
    this.files.set(file, entry);
    this.invalidate(file);
  }

  changeDocument(file: string, version: number, changes: { range?: Range; text: string }[]): void {
    const entry = this.files.get(file);
    if (!entry?.open) return;
    if (version <= entry.open.version) return;
    let tree = entry.open.tree;
    const edits: ParserEdit[] = [...(entry.open.pendingEdits ?? [])];
    const text = applyContentChanges(entry.open.text, changes, (applied) => {
      if (applied) {
        edits.push(editFromUtf16(applied));
        return;
      }
      tree?.delete();
      tree = undefined;
      edits.length = 0;
    });
    entry.open = { text, version, tree, pendingEdits: tree ? edits : undefined };
    this.invalidate(file);
  }

  closeDocument(file: string): void {
    const entry = this.files.get(file);
    if (!entry?.open) return;
    entry.open.tree?.delete();
    entry.open = undefined;
    entry.diskText = undefined;
    this.invalidate(file);
  }

  fileChanged(file: string): void {
    const kind = classifyFile(file);
    if (kind === null || !insideRoots(this.roots, file)) return;
    const entry = this.files.get(file);
    if (!entry) {
      if (this.files.size >= this.settings.maxFiles) return;
      this.fileSetChanged();
      this.files.set(file, { kind });
    } else if (!entry.open) {
      entry.diskText = undefined;
    }
    this.invalidate(file);
  }

  fileDeleted(file: string): void {
    this.fileSetChanged();
    const entry = this.files.get(file);
    if (!entry) {
      // A deleted directory: drop everything below it.
      for (const path of [...this.files.keys()]) if (path.startsWith(file + '/')) this.fileDeleted(path);
      return;
    }
    if (entry.open) {
      entry.diskText = undefined;
      return;
    }
    this.dropFile(file);
  }

  /** Files or directories may have appeared or gone: directory facts are stale. */
  private fileSetChanged(): void {
    this.structural = true;
    this.dirCache.clear();
    this.readDirCache.clear();
    this.reachableCache.clear();
  }

  private dropFile(path: string): void {
    const entry = this.files.get(path);
    entry?.open?.tree?.delete();
    this.files.delete(path);
    this.invalidate(path);
  }

  private invalidate(path: string): void {
    if (this.files.get(path)?.kind === 'nix') this.changedNix.add(path);
    else {
      this.otherChanged = true;
      if (classifyFile(path) === 'nix' || !this.files.has(path)) this.structural = true;
    }
    this.nixCache.delete(path);
    this.evaluator.invalidate(path);
    this.markDirty();
  }

  private markDirty(): void {
    this.dirty = true;
    this.views = null;
  }

  // ------------------------------------------------------------------------------------------
  // Parsing

  private parsedNix(path: string, text: string): ParsedNixFile {
    const cached = this.nixCache.get(path);
    if (cached && cached.text === text) return cached;
    const entry = this.files.get(path);
    let parsed: ParsedNixFile;
    if (entry?.open && entry.open.text === text) {
      // Open documents keep their tree for incremental re-parsing on the next edit.
      const open = entry.open;
      const previous = open.tree && open.pendingEdits ? { tree: open.tree, edits: open.pendingEdits } : undefined;
      const tree = this.parser.parse(text, previous);
      open.tree?.delete();
      open.tree = tree;
      open.pendingEdits = [];
      parsed = withParseProblem(toAst(path, text, tree), this.parser);
    } else {
      parsed = parseNixFile(this.parser, path, text);
    }
    this.nixCache.set(path, parsed);
    return parsed;
  }

  /** Syntax errors of a Nix file: from its cached AST, else from a parse (AST only when it has errors). */
  private syntaxErrorsOf(path: string, text: string): number {
    const cached = this.nixCache.get(path);
    if (cached && cached.text === text) return cached.syntaxErrors;
    if (this.files.get(path)?.open) return this.parsedNix(path, text).syntaxErrors;
    const counted = this.syntaxCounts.get(path);
    if (counted && counted.text === text) return counted.count;
    const tree = this.parser.parse(text);
    try {
      if (this.parser.lastParseAborted) {
        this.nixCache.set(path, withParseProblem(toAst(path, text, tree), this.parser));
        return 0;
      }
      if (!tree.rootNode.hasError) {
        this.syntaxCounts.set(path, { text, count: 0 });
        return 0;
      }
      const parsed = toAst(path, text, tree);
      this.nixCache.set(path, parsed);
      return parsed.syntaxErrors;
    } finally {
      tree.delete();
    }
  }

  private newEvaluator(): Evaluator {
    const fs: NixFileSystem = {
      readFile: (path) => {
        if (!this.reachable(path)) return undefined;
        if (!this.files.has(path)) {
          if (classifyFile(path) !== 'nix') return undefined;
          // Imported but not scanned (excluded or past the cap): read it on demand.
          const read = readWorkspaceFile(path, this.settings.maxFileSize);
          return read.text ?? undefined;
        }
        return this.textOf(path) ?? undefined;
      },
      readDir: (path) => {
        if (!this.reachable(path)) return undefined;
        if (this.readDirCache.has(path)) return this.readDirCache.get(path);
        let out: Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined;
        try {
          const entries = readdirSync(path, { withFileTypes: true });
          out = new Map();
          for (const e of entries) {
            out.set(e.name, e.isFile() ? 'regular' : e.isDirectory() ? 'directory' : e.isSymbolicLink() ? 'symlink' : 'unknown');
          }
        } catch {
          out = undefined;
        }
        this.readDirCache.set(path, out);
        return out;
      },
      isDirectory: (path) => {
        if (!this.reachable(path)) return false;
        // Every scanned file is a regular file (no stat needed for the common case).
        const entry = this.files.get(path);
        if (entry && entry.kind === 'nix' && !entry.devNull) return false;
        let dir = this.dirCache.get(path);
        if (dir === undefined) {
          try {
            dir = statSync(path).isDirectory();
          } catch {
            dir = false;
          }
          this.dirCache.set(path, dir);
        }
        return dir;
      },
    };
    return new Evaluator({ fs, parse: (file, text) => this.parsedNix(file, text) });
  }

  // ------------------------------------------------------------------------------------------
  // Analysis

  analyze(): AnalysisSnapshot {
    if (!this.dirty && this.snapshot) return this.snapshot;
    const started = performance.now();
    // The file listing (sorted reports, unit inputs, flake.lock) is rebuilt only when the file set,
    // the settings or a non-Nix text changed; otherwise only the changed Nix files' reports are.
    // Syntax errors are counted after fact extraction: files the evaluator converted are cached
    // by then, and the others need only a parse (no AST) unless they have errors.
    const syntaxPending: { at: number; path: string; text: string }[] = [];
    let listing = this.listing;
    if (!listing || this.structural || this.otherChanged) {
      listing = this.buildListing(syntaxPending);
    } else {
      listing = { ...listing, reports: listing.reports.slice() };
      for (const path of this.changedNix) {
        const at = listing.byPath.get(path);
        const entry = this.files.get(path);
        if (at === undefined || !entry) continue;
        const text = this.textOf(path);
        listing.reports[at] = { file: path, kind: 'nix', syntaxErrors: 0, problems: entry.problem && !entry.open ? [entry.problem] : [] };
        if (text !== null) syntaxPending.push({ at, path, text });
      }
    }
    this.otherChanged = false;
    const { nixFiles, unitInputs, microvmLastModified } = listing;
    const reports = listing.reports;

    let nix: NixFacts | undefined;
    if (this.nixFacts && !this.structural) {
      nix = this.changedNix.size ? this.nixFacts.update(this.changedNix) : this.nixFacts.facts;
      this.lastNixFacts = this.changedNix.size ? 'incremental' : 'reused';
    }
    if (!nix) {
      this.lastNixFacts = 'full';
      this.evaluator.resetBudget();
      this.nixFacts = IncrementalNixFacts.full({ evaluator: this.evaluator, nixFiles, roots: this.roots });
      nix = this.nixFacts.facts;
    }
    this.changedNix.clear();
    this.structural = false;
    for (const p of syntaxPending) {
      const syntaxErrors = this.syntaxErrorsOf(p.path, p.text);
      const parseProblem = this.nixCache.get(p.path)?.problem;
      const report = reports[p.at];
      reports[p.at] = { ...report, syntaxErrors, problems: parseProblem ? [...report.problems, parseProblem] : report.problems };
    }
    // The listing keeps the reports without Nix problems; problems go on copies.
    this.listing = { ...listing, reports: reports.slice() };
    const extra = new Map<string, FileReport>();
    for (const problem of nix.problems) {
      const at = listing.byPath.get(problem.file);
      if (at !== undefined) {
        const copy = reports[at] === this.listing.reports[at] ? { ...reports[at], problems: [...reports[at].problems] } : reports[at];
        copy.problems.push(problem.message);
        reports[at] = copy;
        continue;
      }
      const report = extra.get(problem.file);
      if (report) report.problems.push(problem.message);
      else {
        const added: FileReport = { file: problem.file, kind: 'nix', syntaxErrors: 0, problems: [problem.message] };
        extra.set(problem.file, added);
        reports.push(added);
      }
    }
    const fileUnits = this.unitFiles(unitInputs);
    const facts: WorkspaceFacts = {
      hosts: nix.hosts,
      interfaces: nix.interfaces,
      units: [...fileUnits, ...nix.units],
      bridges: nix.bridges,
      scripts: nix.scripts,
      microvmLastModified,
      files: reports,
    };
    const outcomes = this.resolve(facts);
    const diagnostics = new Map<string, Diagnostic[]>();
    for (const d of runChecks({ facts, outcomes })) {
      const severity = this.settings.severity[d.code];
      if (severity === 'off') continue;
      const final = severity ? { ...d, severity } : d;
      const list = diagnostics.get(d.location.file) ?? [];
      list.push(final);
      diagnostics.set(d.location.file, list);
    }
    this.snapshot = {
      facts,
      outcomes,
      diagnostics,
      stats: {
        files: this.files.size,
        nixFiles: nixFiles.length,
        networkdFiles: unitInputs.length,
        ms: Math.round(performance.now() - started),
      },
    };
    this.dirty = false;
    return this.snapshot;
  }

  /** Every file's report (sorted by path), the Nix files, unit inputs and flake.lock facts. */
  private buildListing(syntaxPending: { at: number; path: string; text: string }[]): Listing {
    const nixFiles: string[] = [];
    const unitInputs: UnitFileInput[] = [];
    const reports: FileReport[] = [];
    let microvmLastModified: number | null = null;
    for (const [path, entry] of [...this.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const text = this.textOf(path);
      const problems = entry.problem && !entry.open ? [entry.problem] : [];
      if (entry.kind === 'nix') {
        nixFiles.push(path);
        if (text !== null) syntaxPending.push({ at: reports.length, path, text });
        reports.push({ file: path, kind: 'nix', syntaxErrors: 0, problems });
      } else if (entry.kind === 'flake-lock') {
        if (text !== null) microvmLastModified = readFlakeLock(text) ?? microvmLastModified;
      } else {
        if (text === null && !entry.devNull) {
          reports.push({ file: path, kind: 'networkd', syntaxErrors: 0, problems });
          continue;
        }
        unitInputs.push({ path, text: entry.devNull ? null : text });
        reports.push({ file: path, kind: 'networkd', syntaxErrors: 0, problems });
      }
    }
    for (const skip of this.scanSkipped) reports.push({ file: skip.file, kind: 'other', syntaxErrors: 0, problems: [skip.reason] });
    const byPath = new Map<string, number>();
    reports.forEach((r, i) => {
      if (!byPath.has(r.file)) byPath.set(r.file, i);
    });
    return { reports, byPath, nixFiles, unitInputs, microvmLastModified };
  }

  /** Unit files, re-loaded only when one of their texts (or the set) changed. */
  private unitFiles(inputs: UnitFileInput[]): UnitDefinition[] {
    const last = this.lastUnits;
    if (last && last.inputs.length === inputs.length && last.inputs.every((u, i) => u.path === inputs[i].path && u.text === inputs[i].text)) {
      return last.units;
    }
    const units = loadUnitFiles(inputs);
    this.lastUnits = { inputs, units };
    return units;
  }

  /**
   * Outcomes, re-resolved only for interfaces whose world may differ from the last analysis.
   * An outcome is a function of the interface and its host's world (world.ts: the host, the
   * microvm hosts' names, file units, and the Nix units, bridges and scripts of that host or of
   * none); unchanged inputs are the very same objects (cached facts), so identity decides.
   */
  private resolve(facts: WorkspaceFacts): Outcome[] {
    const microvmHosts = facts.hosts
      .filter((h) => h.isMicrovmHost)
      .map((h) => h.name)
      .join('\0');
    const hostByName = new Map<string, HostFacts>();
    for (const h of facts.hosts) if (!hostByName.has(h.name)) hostByName.set(h.name, h);
    // Nix units, bridges and scripts grouped by owner once (null: no host), in facts order.
    type Owned = { units: unknown[]; bridges: unknown[]; scripts: unknown[] };
    const byOwner = new Map<string | null, Owned>();
    const ownedBy = (owner: string | null): Owned => {
      let o = byOwner.get(owner);
      if (!o) byOwner.set(owner, (o = { units: [], bridges: [], scripts: [] }));
      return o;
    };
    const fileUnits: unknown[] = [];
    for (const u of facts.units) (u.source === 'file' ? fileUnits : ownedBy(u.host).units).push(u);
    for (const b of facts.bridges) ownedBy(b.host).bridges.push(b);
    for (const sc of facts.scripts) ownedBy(sc.host).scripts.push(sc);
    const none: Owned = { units: [], bridges: [], scripts: [] };
    // The loaded unit files are one cached array while no unit text changed: its identity stands for them.
    const loaded = this.lastUnits?.units;
    const filePart = loaded && loaded.length === fileUnits.length && loaded.every((u, i) => u === fileUnits[i]) ? [loaded] : fileUnits;
    const fingerprints = new Map<string | null, unknown[]>();
    // What a host's world is made of (world.ts): the same objects in the same order as a
    // filter of facts by `owner === null || owner === host` (merged by their positions).
    const merged = (a: unknown[], b: unknown[], all: readonly unknown[]): unknown[] => {
      if (a.length === 0) return b;
      if (b.length === 0) return a;
      const keep = new Set([...a, ...b]);
      return all.filter((x) => keep.has(x));
    };
    const fingerprint = (hostName: string | null): unknown[] => {
      let fp = fingerprints.get(hostName);
      if (fp) return fp;
      const host = hostName === null ? null : hostByName.get(hostName) ?? null;
      fp = [microvmHosts, host, ...filePart, 'nix'];
      if (host === null) {
        for (const u of facts.units) if (u.source !== 'file') fp.push(u);
        fp.push('bridges', ...facts.bridges, 'scripts', ...facts.scripts);
      } else {
        const own = byOwner.get(host.name) ?? none;
        const shared = byOwner.get(null) ?? none;
        fp.push(...merged(own.units, shared.units, facts.units));
        fp.push('bridges', ...merged(own.bridges, shared.bridges, facts.bridges));
        fp.push('scripts', ...merged(own.scripts, shared.scripts, facts.scripts));
      }
      fingerprints.set(hostName, fp);
      return fp;
    };
    const last = this.lastOutcomes;
    const same = (a: unknown[] | undefined, b: unknown[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);
    const reusable = new Map<string | null, boolean>();
    const out: (Outcome | undefined)[] = [];
    const misses: MicrovmInterface[] = [];
    const missAt: number[] = [];
    facts.interfaces.forEach((iface, i) => {
      let ok = reusable.get(iface.host);
      if (ok === undefined) {
        ok = same(last?.fingerprints.get(iface.host), fingerprint(iface.host));
        reusable.set(iface.host, ok);
      }
      const cached = ok ? last?.byInterface.get(iface) : undefined;
      out.push(cached);
      if (!cached) {
        misses.push(iface);
        missAt.push(i);
      }
    });
    if (misses.length) {
      const resolved = resolveOutcomes({ ...facts, interfaces: misses });
      resolved.forEach((o, k) => (out[missAt[k]] = o));
    }
    const outcomes = out as Outcome[];
    for (const iface of facts.interfaces) fingerprint(iface.host);
    this.lastOutcomes = { fingerprints, byInterface: new Map(facts.interfaces.map((iface, i) => [iface, outcomes[i]])) };
    return outcomes;
  }

  private currentViews(): WorkspaceViews {
    const snapshot = this.analyze();
    if (!this.views) {
      this.views = new WorkspaceViews(snapshot, {
        textOf: (path) => this.textOf(path),
        parseNix: (file, text) => this.parsedNix(file, text),
        settings: this.settings,
        roots: this.roots,
      });
    }
    return this.views;
  }

  // ------------------------------------------------------------------------------------------
  // Views: answered from the current snapshot by WorkspaceViews.

  hover(file: string, position: { line: number; character: number }) {
    return this.currentViews().hover(file, position);
  }
  fixes(file: string, range: Range) {
    return this.currentViews().fixes(file, range);
  }
  definition(file: string, position: { line: number; character: number }) {
    return this.currentViews().definition(file, position);
  }
  references(file: string, position: { line: number; character: number }) {
    return this.currentViews().references(file, position);
  }
  documentSymbols(file: string) {
    return this.currentViews().documentSymbols(file);
  }
  workspaceSymbols(query: string) {
    return this.currentViews().workspaceSymbols(query);
  }
  codeLenses(file: string) {
    return this.currentViews().codeLenses(file);
  }
  completions(file: string, position: { line: number; character: number }) {
    return this.currentViews().completions(file, position);
  }

  dispose(): void {
    for (const entry of this.files.values()) entry.open?.tree?.delete();
    this.files.clear();
    this.nixCache.clear();
    this.syntaxCounts.clear();
    this.nixFacts = null;
    this.parser.delete();
    this.snapshot = null;
    this.views = null;
  }
}
