/**
 * The evaluator's view of the disk: reads, directory listings and stats for `import`,
 * `readDir` and `pathExists`, answered from the document store where it can (editor buffers
 * win over disk) and confined to the roots. Directory facts are cached until the file set
 * changes, since an evaluation asks the same ones many times.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import type { Settings } from '../../protocol/settings';
import { classifyFile, readWorkspaceFile } from '../files';
import type { NixFileSystem } from '../nix/eval';
import { insideRoots } from '../roots';
import type { DocumentStore } from './documentStore';

type EntryType = 'regular' | 'directory' | 'symlink' | 'unknown';

/**
 * What an analysis depended on, for a cache to tell whether it still holds: the scanned files'
 * disk bytes (SHA-256; null: unreadable), and what the evaluator asked the disk besides —
 * directory listings (`type:name`, sorted; null: unreadable), whether paths are directories,
 * whether paths resolve inside the roots, Nix files read outside the scan.
 */
export interface InputsRead {
  files: [string, string | null][];
  listings: [string, string[] | null][];
  directories: [string, boolean][];
  reachable: [string, boolean][];
  outside: [string, string | null][];
}

export class WorkspaceFileSystem implements NixFileSystem {
  private readonly isDirectoryCache = new Map<string, boolean>();
  private readonly readDirCache = new Map<string, Map<string, EntryType> | undefined>();
  /** Whether a path really lies inside a root once symlinks are resolved. */
  private readonly reachableCache = new Map<string, boolean>();
  private realRoots: string[] | null = null;
  /** Nix files read on demand outside the scanned set, with the SHA-256 of what was read (null: unreadable). */
  private readonly outsideReads = new Map<string, string | null>();

  constructor(
    private readonly roots: readonly string[],
    private readonly store: DocumentStore,
    private readonly settings: () => Settings,
  ) {}

  readFile(path: string): string | undefined {
    if (!this.reachable(path)) return undefined;
    if (!this.store.has(path)) {
      if (classifyFile(path) !== 'nix') return undefined;
      // Imported but not scanned (excluded or past the cap): read it on demand.
      const read = readWorkspaceFile(path, this.settings().maxFileSize, this.store.guard);
      this.outsideReads.set(path, read.text === null ? null : (read.sha256 ?? null));
      return read.text ?? undefined;
    }
    return this.store.textOf(path) ?? undefined;
  }

  readDir(path: string): Map<string, EntryType> | undefined {
    if (!this.reachable(path)) return undefined;
    if (this.readDirCache.has(path)) return this.readDirCache.get(path);
    let out: Map<string, EntryType> | undefined;
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
  }

  isDirectory(path: string): boolean {
    if (!this.reachable(path)) return false;
    // Every scanned file is a regular file (no stat needed for the common case).
    const entry = this.store.get(path);
    if (entry && entry.kind === 'nix' && !entry.devNull) return false;
    let dir = this.isDirectoryCache.get(path);
    if (dir === undefined) {
      try {
        dir = statSync(path).isDirectory();
      } catch {
        dir = false;
      }
      this.isDirectoryCache.set(path, dir);
    }
    return dir;
  }

  /** Files or directories may have appeared or gone: every directory fact is stale. */
  fileSetChanged(): void {
    this.isDirectoryCache.clear();
    this.readDirCache.clear();
    this.reachableCache.clear();
    this.outsideReads.clear();
  }

  /** Everything the evaluator learnt from the disk beyond the scanned files' texts (see `InputsRead`). */
  inputsRead(): Omit<InputsRead, 'files'> {
    const listings: InputsRead['listings'] = [];
    for (const [dir, entries] of this.readDirCache) listings.push([dir, entries ? [...entries].map(([n, t]) => `${t}:${n}`).sort() : null]);
    return {
      listings,
      directories: [...this.isDirectoryCache],
      reachable: [...this.reachableCache],
      outside: [...this.outsideReads],
    };
  }

  /** Inside a root lexically, and still inside once symlinks are resolved: an in-workspace link must not lead the evaluator out. */
  private reachable(path: string): boolean {
    if (!insideRoots(this.roots, path)) return false;
    if (this.store.has(path)) return true;
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
        ok = insideRoots(this.realRoots, realpathSync(path));
      } catch {
        ok = true; // does not exist: reading it fails on its own
      }
      this.reachableCache.set(path, ok);
    }
    return ok;
  }
}
