/**
 * The language service over a workspace: a thin facade joining the document store (files and
 * editor buffers), the parse cache, the evaluator's file-system adapter and the staged
 * analysis (workspace/). A changed file drops only its own caches; cross-file resolution is
 * recomputed from what is cached.
 */
import type { Settings } from '../protocol/settings';
import { mergeSettings } from '../protocol/settings';
import { basename } from 'node:path';
import { ProjectConfigs } from './config/discover';
import { PROJECT_FILE_NAME } from './config/projectFile';
import { effectiveSettings } from './config/effective';
import { scanRoots } from './files';
import { Evaluator } from './nix/eval';
import { NixParser } from './nix/parser';
import type { AnalysisSnapshot, LanguageService, ScanProgress, ScanReport } from './service';
import type { Position, Range } from './text';
import { applyContentChanges, type ContentChange, type OffsetEdit } from './textEdits';
import { WorkspaceViews } from './views';
import { inlayHints } from './inlayHints';
import { bridgeNameAt, renameBridge, type RenameEnv } from './rename';
import { explainOutcome, outcomesAt, outcomesNamed } from './explain';
import { Analysis, type NixFactsReuse } from './workspace/analysis';
import { DocumentStore } from './workspace/documentStore';
import { WorkspaceFileSystem, type InputsRead } from './workspace/nixFileSystem';
import { ParseCache } from './workspace/parseCache';
import { PendingChanges } from './workspace/pendingChanges';
import { EditsSinceSnapshot, staleFixes, staleHover, staleInlayHints } from './workspace/staleViews';
import { parseNixFile, type ParsedNixFile } from './nix/ast';

export interface ServiceOptions {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
  /** Directory holding tree-sitter.wasm and tree-sitter-nix.wasm (default: found next to the bundle). */
  wasmDir?: string;
  /** The project file to use instead of each root's nearest `microvm-net.toml` (`--config`). */
  configFile?: string;
}

export async function createLanguageService(opts: ServiceOptions): Promise<WorkspaceService> {
  const parser = await NixParser.create(opts.wasmDir);
  return new WorkspaceService(parser, opts);
}

export class WorkspaceService implements LanguageService {
  private settings: Settings;
  private readonly roots: string[];
  private readonly log: (msg: string) => void;
  private readonly store: DocumentStore;
  private readonly parses: ParseCache;
  private readonly fileSystem: WorkspaceFileSystem;
  private readonly evaluator: Evaluator;
  private readonly pending = new PendingChanges();
  private readonly analysis: Analysis;
  private snapshot: AnalysisSnapshot | null = null;
  private readonly configFile: string | undefined;
  private project = ProjectConfigs.none();
  /** Open editor buffers of project files: they override the file on disk, as for any document. */
  private readonly projectBuffers = new Map<string, string>();
  /** Views answer from one snapshot; a newer snapshot gets new views. */
  private views: WorkspaceViews | null = null;
  /** What lets `quickHover`/`quickFixes` answer from `snapshot` while edits are pending. */
  private readonly sinceSnapshot = new EditsSinceSnapshot();
  private staleViews: WorkspaceViews | null = null;

  constructor(
    private readonly parser: NixParser,
    opts: ServiceOptions,
  ) {
    this.roots = opts.roots.map((r) => r.replace(/\/+$/, '') || '/');
    this.settings = mergeSettings(opts.settings);
    this.configFile = opts.configFile;
    this.log = opts.log ?? (() => {});
    const settings = () => this.effective();
    this.store = new DocumentStore(
      this.roots,
      settings,
      {
        textChanged: (path, kind) => {
          // Already dropped since the last analysis, and nothing evaluates before the next one:
          // a burst of keystrokes invalidates the file (and its importers) once, not per key.
          const dropped = kind === 'nix' && this.pending.changedNix.has(path);
          this.pending.textChanged(path, kind);
          if (dropped) return;
          this.parses.forget(path);
          this.evaluator.invalidate(path);
        },
        fileSetChanged: () => {
          this.sinceSnapshot.lost();
          this.pending.needsFullExtraction();
          this.fileSystem.fileSetChanged();
        },
      },
      this.log,
    );
    this.parses = new ParseCache(parser, (path) => this.store.openBuffer(path));
    this.fileSystem = new WorkspaceFileSystem(this.roots, this.store, settings);
    this.evaluator = new Evaluator({ fs: this.fileSystem, parse: (file, text) => this.parses.parse(file, text) });
    this.analysis = new Analysis({ store: this.store, parses: this.parses, evaluator: this.evaluator, roots: this.roots });
  }

  /** How the last analysis got its Nix facts (benchmarks and tests look at it). */
  get lastNixFacts(): NixFactsReuse {
    return this.analysis.lastNixFacts;
  }

  updateSettings(settings: Settings): void {
    this.sinceSnapshot.lost();
    this.settings = mergeSettings(settings);
    this.pending.needsFullExtraction();
    this.pending.markDirty();
  }

  getSettings(): Settings {
    return this.settings;
  }

  /** The user's settings over the project files': what the analysis, the scan and the fixes use. */
  effective(): Settings {
    // Asked on every bounded read: computed once per (settings, project files) pair.
    const last = this.effectiveMemo;
    if (last && last.user === this.settings && last.project === this.project) return last.value;
    const value = effectiveSettings(this.settings, this.project);
    this.effectiveMemo = { user: this.settings, project: this.project, value };
    return value;
  }

  private effectiveMemo: { user: Settings; project: ProjectConfigs; value: Settings } | null = null;

  /** The project files in use (after the last scan or project-file change). */
  get projectConfigs(): ProjectConfigs {
    return this.project;
  }

  private loadProject(): void {
    this.project = ProjectConfigs.load(this.roots, {
      explicit: this.configFile,
      maxFileSize: this.settings.maxFileSize,
      previous: this.project,
      buffers: this.projectBuffers,
    });
    this.pending.markDirty();
  }

  private isProjectFile(file: string): boolean {
    return basename(file) === PROJECT_FILE_NAME || file === this.configFile || this.project.isProjectFile(file);
  }

  getRoots(): readonly string[] {
    return this.roots;
  }

  // ------------------------------------------------------------------------------------------
  // Files

  async scan(onProgress?: (p: ScanProgress) => void, isCancelled?: () => boolean): Promise<ScanReport> {
    this.loadProject();
    const result = await scanRoots({
      roots: this.roots,
      exclude: this.effective().exclude,
      maxFiles: this.settings.maxFiles,
      isCancelled,
      onProgress: (visited, found) =>
        onProgress?.({ done: found, total: 0, message: `scanned ${visited} entries, ${found} relevant files` }),
    });
    this.sinceSnapshot.lost();
    this.store.applyScan(result.files, result.skipped);
    if (result.truncated > 0) {
      this.log(`workspace scan stopped at the file cap (microvmNet.maxFiles = ${this.settings.maxFiles}); ${result.truncated} files were not analysed`);
    }
    this.pending.markDirty();
    return { files: result.files.length, truncated: result.truncated, skipped: result.skipped };
  }

  /** What the last analysis read from disk (for the CLI's `--cache`); open buffers make it meaningless. */
  inputsRead(): InputsRead {
    const files: InputsRead['files'] = this.store.sorted().map(([path, entry]) => [path, entry.devNull ? 'devnull' : (this.store.diskSha256Of(path) ?? null)]);
    return { files, ...this.fileSystem.inputsRead() };
  }

  /** Current text of a file: the editor buffer when open, else disk (read lazily, cached). */
  textOf(path: string): string | null {
    return this.store.textOf(path);
  }

  openDocument(file: string, text: string, version: number): void {
    if (this.isProjectFile(file)) {
      this.projectBuffers.set(file, text);
      this.sinceSnapshot.lost();
      this.loadProject();
      return;
    }
    const before = this.store.textOf(file);
    this.store.open(file, text, version);
    if (before !== text) this.sinceSnapshot.edited(file, before);
  }

  changeDocument(file: string, version: number, changes: ContentChange[]): void {
    const buffer = this.projectBuffers.get(file);
    if (buffer !== undefined) {
      this.projectBuffers.set(file, applyContentChanges(buffer, changes));
      this.sinceSnapshot.lost();
      this.loadProject();
      return;
    }
    const before = this.store.textOf(file);
    this.store.change(file, version, changes);
    if (this.store.textOf(file) !== before) this.sinceSnapshot.edited(file, before);
  }

  closeDocument(file: string): void {
    if (this.projectBuffers.delete(file)) {
      this.sinceSnapshot.lost();
      this.loadProject();
      return;
    }
    this.sinceSnapshot.lost();
    this.store.close(file);
  }

  /**
   * A changed project file takes effect at once for severities, assumptions and fixes; a
   * changed `exclude` needs a re-scan (the server re-scans on a project-file change).
   */
  fileChanged(file: string): void {
    this.sinceSnapshot.lost();
    if (this.isProjectFile(file)) return this.loadProject();
    this.store.diskChanged(file);
  }

  fileDeleted(file: string): void {
    this.sinceSnapshot.lost();
    if (this.isProjectFile(file)) return this.loadProject();
    this.store.diskDeleted(file);
  }

  // ------------------------------------------------------------------------------------------
  // Analysis

  analyze(): AnalysisSnapshot {
    if (!this.pending.dirty && this.snapshot) return this.snapshot;
    this.snapshot = this.analysis.run(this.pending, this.settings, this.project);
    this.pending.settled();
    this.sinceSnapshot.reset();
    this.staleViews = null;
    return this.snapshot;
  }

  private currentViews(): WorkspaceViews {
    const snapshot = this.analyze();
    if (this.views?.snapshot !== snapshot) {
      this.views = new WorkspaceViews(snapshot, {
        textOf: (path) => this.store.textOf(path),
        parseNix: (file, text) => this.parses.parse(file, text),
        addsSyntaxErrors: (file, before, edits, after) => this.addsSyntaxErrors(file, before, edits, after, (f, t) => this.parses.syntaxErrorsOf(f, t)),
        settings: this.effective(),
        roots: this.roots,
        guard: this.store.guard,
        sha256Of: (path) => this.store.diskSha256Of(path),
      });
    }
    return this.views;
  }

  /**
   * Views over the last complete snapshot while only editor edits are pending, reading texts as
   * that snapshot saw them; null when the snapshot is current or cannot be mapped to the texts now.
   */
  private viewsOfLastSnapshot(): WorkspaceViews | null {
    const snapshot = this.snapshot;
    if (!snapshot || !this.pending.dirty || !this.sinceSnapshot.mappable) return null;
    if (this.staleViews?.snapshot === snapshot) return this.staleViews;
    const textOf = (path: string) => this.sinceSnapshot.textAtSnapshot(path) ?? this.store.textOf(path);
    const oldParses = new Map<string, ParsedNixFile>();
    const parseNix = (file: string, text: string): ParsedNixFile => {
      if (this.sinceSnapshot.textAtSnapshot(file) === undefined) return this.parses.parse(file, text);
      const cached = oldParses.get(file);
      if (cached?.text === text) return cached;
      const parsed = parseNixFile(this.parser, file, text);
      oldParses.set(file, parsed);
      return parsed;
    };
    this.staleViews = new WorkspaceViews(snapshot, {
      textOf,
      parseNix,
      addsSyntaxErrors: (file, before, edits, after) =>
        this.addsSyntaxErrors(file, before, edits, after, (f, t) => (this.sinceSnapshot.textAtSnapshot(f) === undefined ? this.parses.syntaxErrorsOf(f, t) : parseNix(f, t).syntaxErrors)),
      settings: this.settings,
      roots: this.roots,
      guard: this.store.guard,
      sha256Of: (path) => this.store.diskSha256Of(path),
    });
    return this.staleViews;
  }

  /** A fix's check: `after` parsed incrementally from `before`'s tree; only a text with errors is counted. */
  private addsSyntaxErrors(file: string, before: string, edits: readonly OffsetEdit[], after: string, count: (file: string, text: string) => number): boolean {
    if (this.parses.previewAddsErrors(file, before, edits, after) === false) return false;
    return this.parses.syntaxErrorsOf(`${file}#microvm-net-fix-preview`, after) > count(file, before);
  }

  /** `hover`, answered from the last complete snapshot when only editor edits are pending. */
  quickHover(file: string, position: Position) {
    const stale = this.viewsOfLastSnapshot();
    if (!stale) return this.hover(file, position);
    return staleHover(stale, this.sinceSnapshot, (path) => this.store.textOf(path), file, position);
  }

  /** `fixes`, answered from the last complete snapshot when only editor edits are pending. */
  quickFixes(file: string, range: Range) {
    const stale = this.viewsOfLastSnapshot();
    if (!stale) return this.fixes(file, range);
    return staleFixes(stale, this.sinceSnapshot, (path) => this.store.textOf(path), file, range);
  }

  /** `suppressionFixes`, from the last complete snapshot as `quickFixes` (code actions ask for both). */
  quickSuppressionFixes(file: string, range: Range) {
    const stale = this.viewsOfLastSnapshot();
    if (!stale) return this.suppressionFixes(file, range);
    return staleFixes(stale, this.sinceSnapshot, (path) => this.store.textOf(path), file, range, 'suppressions');
  }

  // ------------------------------------------------------------------------------------------
  // Views: answered from the current snapshot by WorkspaceViews.

  hover(file: string, position: Position) {
    return this.currentViews().hover(file, position);
  }
  fixes(file: string, range: Range) {
    return this.currentViews().fixes(file, range);
  }
  suppressionFixes(file: string, range: Range) {
    return this.currentViews().suppressionFixes(file, range);
  }
  definition(file: string, position: Position) {
    return this.currentViews().definition(file, position);
  }
  references(file: string, position: Position) {
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
  completions(file: string, position: Position) {
    return this.currentViews().completions(file, position);
  }

  inlayHints(file: string, range?: Range) {
    return inlayHints(this.analyze().outcomes, file, range);
  }

  /** `inlayHints` from the last complete snapshot while editor edits are pending (editors ask after every edit). */
  quickInlayHints(file: string, range?: Range) {
    if (!this.snapshot || !this.pending.dirty || !this.sinceSnapshot.mappable) return this.inlayHints(file, range);
    return staleInlayHints(this.snapshot.outcomes, this.sinceSnapshot, (path) => this.store.textOf(path), file, range);
  }
  prepareRename(file: string, position: Position) {
    return bridgeNameAt(this.analyze().facts, this.renameEnv, file, position);
  }
  rename(file: string, position: Position, newName: string) {
    const facts = this.analyze().facts;
    const target = bridgeNameAt(facts, this.renameEnv, file, position);
    return target ? renameBridge(facts, this.renameEnv, target.name, newName) : null;
  }
  explain(query: { tap: string } | { file: string; position: Position }) {
    const snapshot = this.analyze();
    const outcomes = 'tap' in query ? outcomesNamed(snapshot, query.tap) : outcomesAt(snapshot, query.file, query.position);
    return outcomes.map((o) => explainOutcome(snapshot, o));
  }
  private get renameEnv(): RenameEnv {
    return {
      textOf: (path) => this.store.textOf(path),
      parseNix: (file, text) => this.parses.parse(file, text),
      sha256Of: (path) => this.store.diskSha256Of(path),
    };
  }

  dispose(): void {
    this.store.dispose();
    this.parses.clear();
    this.analysis.dispose();
    this.parser.delete();
    this.snapshot = null;
    this.views = null;
    this.staleViews = null;
  }
}
