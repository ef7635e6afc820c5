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
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { RootGuard } from '../engine/roots';

/** As engine/files.ts opens: never blocks on a FIFO swapped in after the stat, never a controlling terminal. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

let buffer = Buffer.allocUnsafeSlow(64 * 1024);

/** The file's SHA-256 (hex), or null when `readWorkspaceFile` would not read it. */
export function diskSha256(path: string, maxFileSize: number, guard: RootGuard): string | null {
  let fd: number | undefined;
  try {
    if (!guard.reallyInside(path)) return null;
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size > maxFileSize) return null;
    fd = openSync(path, READ_FLAGS);
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.dev !== st.dev || opened.ino !== st.ino) return null;
    const length = readBounded(fd, maxFileSize, opened.size);
    return length === null ? null : hash('sha256', buffer.subarray(0, length));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
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
