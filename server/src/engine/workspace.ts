/**
 * The language service over a workspace: a thin facade joining the document store (files and
 * editor buffers), the parse cache, the evaluator's file-system adapter and the staged
 * analysis (workspace/). A changed file drops only its own caches; cross-file resolution is
 * recomputed from what is cached.
 */
import type { Settings } from '../protocol/settings';
import { mergeSettings } from '../protocol/settings';
import { scanRoots } from './files';
import { Evaluator } from './nix/eval';
import { NixParser } from './nix/parser';
import type { AnalysisSnapshot, LanguageService, ScanProgress, ScanReport } from './service';
import type { Position, Range } from './text';
import type { ContentChange } from './textEdits';
import { WorkspaceViews } from './views';
import { inlayHints } from './inlayHints';
import { bridgeNameAt, renameBridge, type RenameEnv } from './rename';
import { explainOutcome, outcomesAt, outcomesNamed } from './explain';
import { Analysis, type NixFactsReuse } from './workspace/analysis';
import { DocumentStore } from './workspace/documentStore';
import { WorkspaceFileSystem } from './workspace/nixFileSystem';
import { ParseCache } from './workspace/parseCache';
import { PendingChanges } from './workspace/pendingChanges';

export interface ServiceOptions {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
  /** Directory holding tree-sitter.wasm and tree-sitter-nix.wasm (default: found next to the bundle). */
  wasmDir?: string;
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
  /** Views answer from one snapshot; a newer snapshot gets new views. */
  private views: WorkspaceViews | null = null;

  constructor(
    private readonly parser: NixParser,
    opts: ServiceOptions,
  ) {
    this.roots = opts.roots.map((r) => r.replace(/\/+$/, '') || '/');
    this.settings = mergeSettings(opts.settings);
    this.log = opts.log ?? (() => {});
    const settings = () => this.settings;
    this.store = new DocumentStore(
      this.roots,
      settings,
      {
        textChanged: (path, kind) => {
          this.pending.textChanged(path, kind);
          this.parses.forget(path);
          this.evaluator.invalidate(path);
        },
        fileSetChanged: () => {
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
    this.settings = mergeSettings(settings);
    this.pending.needsFullExtraction();
    this.pending.markDirty();
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
    this.store.applyScan(result.files, result.skipped);
    if (result.truncated > 0) {
      this.log(`workspace scan stopped at the file cap (microvmNet.maxFiles = ${this.settings.maxFiles}); ${result.truncated} files were not analysed`);
    }
    this.pending.markDirty();
    return { files: result.files.length, truncated: result.truncated, skipped: result.skipped };
  }

  /** Current text of a file: the editor buffer when open, else disk (read lazily, cached). */
  textOf(path: string): string | null {
    return this.store.textOf(path);
  }

  openDocument(file: string, text: string, version: number): void {
    this.store.open(file, text, version);
  }

  changeDocument(file: string, version: number, changes: ContentChange[]): void {
    this.store.change(file, version, changes);
  }

  closeDocument(file: string): void {
    this.store.close(file);
  }

  fileChanged(file: string): void {
    this.store.diskChanged(file);
  }

  fileDeleted(file: string): void {
    this.store.diskDeleted(file);
  }

  // ------------------------------------------------------------------------------------------
  // Analysis

  analyze(): AnalysisSnapshot {
    if (!this.pending.dirty && this.snapshot) return this.snapshot;
    this.snapshot = this.analysis.run(this.pending, this.settings);
    this.pending.settled();
    return this.snapshot;
  }

  private currentViews(): WorkspaceViews {
    const snapshot = this.analyze();
    if (this.views?.snapshot !== snapshot) {
      this.views = new WorkspaceViews(snapshot, {
        textOf: (path) => this.store.textOf(path),
        parseNix: (file, text) => this.parses.parse(file, text),
        settings: this.settings,
        roots: this.roots,
        guard: this.store.guard,
        sha256Of: (path) => this.store.diskSha256Of(path),
      });
    }
    return this.views;
  }

  // ------------------------------------------------------------------------------------------
  // Views: answered from the current snapshot by WorkspaceViews.

  hover(file: string, position: Position) {
    return this.currentViews().hover(file, position);
  }
  fixes(file: string, range: Range) {
    return this.currentViews().fixes(file, range);
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
  }
}
