/**
 * What changed since the last analysis, which decides how much of it can be reused: a changed
 * Nix text alone lets the Nix facts be updated file by file; a changed unit file rebuilds the
 * file listing; files appearing or going (or new settings) need a full extraction.
 */
import { classifyFile, type FileKind } from '../files';

export class PendingChanges {
  /** Nix files whose text changed. */
  readonly changedNix = new Set<string>();
  /** Other files whose text changed: Nix may have read them too (`builtins.readFile`). */
  readonly changedOther = new Set<string>();
  /** Files appeared or went, or settings changed: a full extraction. */
  structural = true;
  /** A non-Nix file changed: the file listing is rebuilt. */
  otherChanged = true;
  /** Anything at all changed: the last snapshot is stale. */
  dirty = true;

  /** The text at `path` may differ; `kind` is its kind now (undefined: the file is gone). */
  textChanged(path: string, kind: FileKind | undefined): void {
    if (kind === 'nix') this.changedNix.add(path);
    else {
      this.changedOther.add(path);
      this.otherChanged = true;
      if (classifyFile(path) === 'nix' || kind === undefined) this.structural = true;
    }
    this.dirty = true;
  }

  /**
   * Files or directories may have appeared or gone, or the settings changed. On its own this
   * does not make the snapshot stale (an open buffer's file deleted on disk reads the same).
   */
  needsFullExtraction(): void {
    this.structural = true;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** The analysis has caught up with every change so far. */
  settled(): void {
    this.changedNix.clear();
    this.changedOther.clear();
    this.structural = false;
    this.otherChanged = false;
    this.dirty = false;
  }
}
