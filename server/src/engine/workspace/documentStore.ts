/**
 * The workspace's files and their current texts: disk contents (read lazily) under editor
 * buffers. It knows nothing of parsing or analysis; it tells its listener which path's text may
 * have changed and when files or directories may have appeared or gone, and the listener
 * decides what that costs.
 */
import type { Settings } from '../../protocol/settings';
import { classifyFile, readWorkspaceFile, type FileKind, type ScannedFile, type SkippedFile } from '../files';
import type { FileProblem } from '../model';
import type { TextEdit as ParserEdit, Tree } from '../nix/parser';
import { editFromUtf16 } from '../nix/parser';
import { insideRoots } from '../roots';
import { applyContentChanges, type ContentChange } from '../textEdits';

export interface StoredFile {
  kind: FileKind;
  devNull?: boolean;
  /** Text from disk (undefined until read; null when unreadable/skipped). */
  diskText?: string | null;
  problem?: FileProblem;
  /** Editor buffer, when open. */
  open?: OpenBuffer;
}

export interface OpenBuffer {
  text: string;
  version: number;
  /** The last tree, kept for incremental re-parsing. */
  tree?: Tree;
  /** Edits applied to the text since `tree` was parsed. */
  pendingEdits?: ParserEdit[];
}

export interface StoreListener {
  /** The text at `path` may differ; `kind` is the file's kind now (undefined: no longer a file). */
  textChanged(path: string, kind: FileKind | undefined): void;
  /** Files or directories may have appeared or gone. */
  fileSetChanged(): void;
}

export class DocumentStore {
  private readonly files = new Map<string, StoredFile>();
  /** What the last scan left out, with why (reported as files of their own). */
  private scanSkipped: readonly SkippedFile[] = [];

  constructor(
    private readonly roots: readonly string[],
    private readonly settings: () => Settings,
    private readonly listener: StoreListener,
    private readonly log: (msg: string) => void,
  ) {}

  get size(): number {
    return this.files.size;
  }

  get skipped(): readonly SkippedFile[] {
    return this.scanSkipped;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  get(path: string): Readonly<StoredFile> | undefined {
    return this.files.get(path);
  }

  /** The editor buffer of an open file; the parse cache keeps its tree on it. */
  openBuffer(path: string): OpenBuffer | undefined {
    return this.files.get(path)?.open;
  }

  /** Every file, sorted by path. */
  sorted(): [string, Readonly<StoredFile>][] {
    return [...this.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Current text of a file: the editor buffer when open, else disk (read lazily, cached). */
  textOf(path: string): string | null {
    const entry = this.files.get(path);
    if (!entry) return null;
    if (entry.open) return entry.open.text;
    if (entry.devNull) return null;
    if (entry.diskText === undefined) {
      const read = readWorkspaceFile(path, this.settings().maxFileSize);
      entry.diskText = read.text;
      entry.problem = read.problem;
      if (read.problem) this.log(`${path}: ${read.problem.message}`);
    }
    return entry.diskText;
  }

  /** Takes a scan's file list: files it no longer lists go unless open; listed ones are re-read. */
  applyScan(files: readonly ScannedFile[], skipped: readonly SkippedFile[]): void {
    this.listener.fileSetChanged();
    const keep = new Set(files.map((f) => f.path));
    for (const [path, entry] of this.files) {
      if (!keep.has(path) && !entry.open) this.drop(path);
    }
    for (const file of files) this.addScanned(file);
    this.scanSkipped = skipped;
  }

  private addScanned(file: ScannedFile): void {
    const existing = this.files.get(file.path);
    if (existing) {
      if (!existing.open) {
        existing.diskText = undefined;
        existing.devNull = file.devNull;
        this.changed(file.path);
      }
      return;
    }
    this.files.set(file.path, { kind: file.kind, devNull: file.devNull });
  }

  open(file: string, text: string, version: number): void {
    const kind = classifyFile(file);
    if (kind === null) return;
    if (!this.files.has(file)) this.listener.fileSetChanged();
    const entry = this.files.get(file) ?? { kind };
    entry.open?.tree?.delete();
    entry.open = { text, version };
    this.files.set(file, entry);
    this.changed(file);
  }

  change(file: string, version: number, changes: readonly ContentChange[]): void {
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
      // A whole-text replacement leaves nothing for the old tree to be reused on.
      tree?.delete();
      tree = undefined;
      edits.length = 0;
    });
    entry.open = { text, version, tree, pendingEdits: tree ? edits : undefined };
    this.changed(file);
  }

  close(file: string): void {
    const entry = this.files.get(file);
    if (!entry?.open) return;
    entry.open.tree?.delete();
    entry.open = undefined;
    entry.diskText = undefined;
    this.changed(file);
  }

  /** A file changed (or appeared) on disk. */
  diskChanged(file: string): void {
    const kind = classifyFile(file);
    if (kind === null || !insideRoots(this.roots, file)) return;
    const entry = this.files.get(file);
    if (!entry) {
      if (this.files.size >= this.settings().maxFiles) return;
      this.listener.fileSetChanged();
      this.files.set(file, { kind });
    } else if (!entry.open) {
      entry.diskText = undefined;
    }
    this.changed(file);
  }

  diskDeleted(file: string): void {
    this.listener.fileSetChanged();
    const entry = this.files.get(file);
    if (!entry) {
      // A deleted directory: drop everything below it.
      for (const path of [...this.files.keys()]) if (path !== file && insideRoots([file], path)) this.diskDeleted(path);
      return;
    }
    if (entry.open) {
      entry.diskText = undefined;
      return;
    }
    this.drop(file);
  }

  dispose(): void {
    for (const entry of this.files.values()) entry.open?.tree?.delete();
    this.files.clear();
  }

  private drop(path: string): void {
    this.files.get(path)?.open?.tree?.delete();
    this.files.delete(path);
    this.changed(path);
  }

  private changed(path: string): void {
    this.listener.textChanged(path, this.files.get(path)?.kind);
  }
}
