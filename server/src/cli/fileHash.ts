/**
 * The SHA-256 the document store would record for a workspace file, without the text: a warm
 * `--cache` run compares it with the entry's and never needs the text itself. Each step is
 * `readWorkspaceFile`'s (engine/files.ts) — real path inside the roots, a regular file within the
 * size cap, the opened file the one checked, at most `maxFileSize` bytes read — so a file that
 * reader would refuse has no hash here either. Bytes go into one buffer reused across files:
 * a fresh buffer per file cost a warm run more in allocation and GC than the hashing.
 *
 * Not decoded: an entry records a hash only for a file read as text (`diskSha256Of`), and the
 * same bytes decode the same way, so equal hashes mean the same text.
 */
import { hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { insideRoots, realPathOf, RootGuard } from '../engine/roots';

/** As engine/files.ts opens: never blocks on a FIFO swapped in after the stat, never a controlling terminal. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
/** Absent (Windows): every file takes the guarded way. */
const NO_FOLLOW: number | undefined = constants.O_NOFOLLOW;

let buffer = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Hashes files of one workspace, for paths a scan has just listed as regular files. Containment
 * is `RootGuard.reallyInside`'s answer, reached with fewer system calls: a path that is not
 * itself a link has the real path of its directory plus its name, so one `realpath` per
 * directory decides it, and opening with O_NOFOLLOW makes sure the name is not a link (a link
 * fails to open and takes the guarded way the document store reads: guard, stat, open, fstat).
 * The open comes before the type check here: for a listed path only a file swapped in since the
 * scan can be something else, and it is not read (non-blocking, no controlling terminal).
 */
export class WorkspaceHasher {
  private readonly guard: RootGuard;
  private realRoots: string[] | null = null;
  /** Each directory's real path (null: it cannot be resolved). */
  private readonly realDirs = new Map<string, string | null>();

  constructor(
    roots: readonly string[],
    private readonly maxFileSize: number,
  ) {
    this.guard = new RootGuard(roots);
  }

  /** The file's SHA-256 (hex), or null when `readWorkspaceFile` with a guard on the roots would not read it. */
  sha256(path: string): string | null {
    if (NO_FOLLOW === undefined || !this.insideUnlessLink(path)) return this.guardedSha256(path);
    let fd: number | undefined;
    try {
      try {
        fd = openSync(path, READ_FLAGS | NO_FOLLOW);
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ELOOP' ? this.guardedSha256(path) : null;
      }
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > this.maxFileSize) return null;
      return this.hashOpened(fd, st.size);
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** `readWorkspaceFile`'s steps, for a link or a path whose directory lies outside the roots. */
  private guardedSha256(path: string): string | null {
    let fd: number | undefined;
    try {
      if (!this.guard.reallyInside(path)) return null;
      const st = statSync(path);
      if (!st.isFile() || st.size > this.maxFileSize) return null;
      fd = openSync(path, READ_FLAGS);
      const opened = fstatSync(fd);
      if (!opened.isFile() || opened.dev !== st.dev || opened.ino !== st.ino) return null;
      return this.hashOpened(fd, opened.size);
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private hashOpened(fd: number, size: number): string | null {
    const length = readBounded(fd, this.maxFileSize, size);
    return length === null ? null : hash('sha256', buffer.subarray(0, length));
  }

  /** `RootGuard.reallyInside` for `path` if it is not a link. */
  private insideUnlessLink(path: string): boolean {
    // The roots resolved as RootGuard resolves them.
    this.realRoots ??= this.guard.roots.map((root) => {
      try {
        return realpathSync(root);
      } catch {
        return root;
      }
    });
    const dir = dirname(path);
    let realDir = this.realDirs.get(dir);
    if (realDir === undefined) {
      try {
        realDir = realPathOf(dir);
      } catch {
        realDir = null;
      }
      this.realDirs.set(dir, realDir);
    }
    return realDir !== null && insideRoots(this.realRoots, join(realDir, basename(path)));
  }
}

/** Reads the whole file into `buffer` when it has at most `limit` bytes: its length, else null. Reads at most `limit + 1` bytes. */
function readBounded(fd: number, limit: number, expected: number): number | null {
  const cap = limit + 1;
  // Room for the expected size and one byte more: the usual file takes one read and one at EOF.
  ensureCapacity(Math.min(expected + 1, cap));
  let total = 0;
  for (;;) {
    if (Math.min(buffer.length, cap) === total) ensureCapacity(Math.min(total * 2, cap));
    const n = readSync(fd, buffer, total, Math.min(buffer.length, cap) - total, null);
    if (n === 0) return total;
    total += n;
    if (total > limit) return null;
  }
}

function ensureCapacity(size: number): void {
  if (buffer.length >= size) return;
  const grown = Buffer.allocUnsafeSlow(size);
  buffer.copy(grown);
  buffer = grown;
}
