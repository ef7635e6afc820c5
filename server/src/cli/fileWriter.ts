/**
 * How `--fix` touches the disk. It writes only what it analysed, where it was asked to:
 *
 * - the file's real path (symlinks followed) must lie inside the checked paths, checked again
 *   right before the rename;
 * - the bytes on disk must be exactly the bytes the analysis read (SHA-256), so an edit computed
 *   against one text never lands on another;
 * - the file must be a regular file with one link (a rename would split hard links) that the
 *   invoking user may write (`access(W_OK)` on the file itself: a temp file and a rename only
 *   need the directory, and would replace a read-only or someone else's file);
 * - the replacement keeps the mode and the owner (or the fix is refused), and every byte outside
 *   the edited ranges — a BOM, line endings, bytes that are not UTF-8 (byteEdits.ts).
 *
 * A refusal is a WriteRefusal, whose message says why in words a user can act on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256Of } from '../engine/files';
import { RootGuard } from '../engine/roots';
import type { TextEdit } from '../engine/service';
import { applyEditsToBytes } from './byteEdits';

export class WriteRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteRefusal';
  }
}

/** Largest file `--fix` reads back to compare; the analysis never reads more (microvmNet.maxFileSize). */
const MAX_COMPARED_BYTES = 64 * 1024 * 1024;

export interface FileChange {
  /** The path the engine knows the file by. */
  file: string;
  edits: readonly TextEdit[];
  /** SHA-256 of the bytes the edits were computed against. */
  sha256?: string;
}

/** Applies one file's edits on disk, safely; throws WriteRefusal (or a system error). */
export function writeChange(change: FileChange, guard: RootGuard): void {
  if (change.sha256 === undefined) throw new WriteRefusal(`${change.file} was not read from disk by the analysis: not written`);
  if (!guard.contains(change.file)) throw new WriteRefusal(`${change.file} resolves outside the checked paths: not written`);
  const real = fs.realpathSync(change.file);
  const before = regularSingleLink(real, change.file);
  try {
    fs.accessSync(real, fs.constants.W_OK);
  } catch {
    throw new WriteRefusal(`${change.file} is not writable by the invoking user: not written`);
  }
  const bytes = readExactly(real, before);
  if (sha256Of(bytes) !== change.sha256) throw new WriteRefusal(`${change.file} changed since it was analysed: not written (run the check again)`);
  const next = applyEditsToBytes(bytes, change.edits);
  writeFileAtomic(real, next, {
    mode: before.mode & 0o7777,
    owner: { uid: before.uid, gid: before.gid },
    beforeRename: () => {
      // The narrowest window we can give a swap: the same file, still inside, still unchanged.
      if (!guard.contains(change.file) || fs.realpathSync(change.file) !== real) throw new WriteRefusal(`${change.file} was moved or re-linked while being fixed: not written`);
      const now = regularSingleLink(real, change.file);
      if (now.ino !== before.ino || now.dev !== before.dev || sha256Of(readExactly(real, now)) !== change.sha256) {
        throw new WriteRefusal(`${change.file} changed while being fixed: not written`);
      }
    },
  });
}

/** Creates a new file (never replacing one) inside the checked paths. */
export function createFile(file: string, text: string, guard: RootGuard): void {
  if (!guard.contains(file)) throw new WriteRefusal(`${file} resolves outside the checked paths: not created`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!guard.contains(file)) throw new WriteRefusal(`${file} resolves outside the checked paths: not created`);
  writeFileAtomic(file, text, { exclusive: true });
}

function regularSingleLink(real: string, shown: string): fs.Stats {
  const st = fs.statSync(real);
  if (!st.isFile()) throw new WriteRefusal(`${shown} is not a regular file: not written`);
  if (st.nlink > 1) throw new WriteRefusal(`${shown} has ${st.nlink} hard links; replacing it would split them: not written`);
  return st;
}

/** The file's bytes, read through a descriptor that must be the file just checked. */
function readExactly(real: string, expected: fs.Stats): Buffer {
  const fd = fs.openSync(real, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== expected.ino || st.dev !== expected.dev) throw new WriteRefusal(`${real} changed while being fixed: not written`);
    if (st.size > MAX_COMPARED_BYTES) throw new WriteRefusal(`${real} is larger than the analysis reads: not written`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.microvm-net-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

export interface AtomicWriteOptions {
  mode?: number;
  /** Give the new file this owner; when that is not allowed, the write is refused. */
  owner?: { uid: number; gid: number };
  /** With `exclusive`, fails (EEXIST) instead of replacing a file that exists. */
  exclusive?: boolean;
  /** Last check before the rename; throwing cancels the write. */
  beforeRename?: () => void;
}

/** Writes through a temporary file in the same directory and a rename. */
export function writeFileAtomic(file: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', options.mode ?? 0o666);
    fs.writeFileSync(fd, content);
    if (options.owner) keepOwner(fd, file, options.owner);
    if (options.mode !== undefined) fs.fchmodSync(fd, options.mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    options.beforeRename?.();
    if (options.exclusive) {
      // link() refuses to replace an existing name, unlike rename(). Filesystems without hard
      // links fall back to a check and a rename.
      try {
        fs.linkSync(tmp, file);
        fs.unlinkSync(tmp);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
        if (fs.existsSync(file)) throw Object.assign(new Error(`EEXIST: file already exists, ${file}`), { code: 'EEXIST' });
        fs.renameSync(tmp, file);
      }
    } else {
      fs.renameSync(tmp, file);
    }
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

function keepOwner(fd: number, file: string, owner: { uid: number; gid: number }): void {
  const mine = fs.fstatSync(fd);
  if (mine.uid === owner.uid && mine.gid === owner.gid) return;
  try {
    fs.fchownSync(fd, owner.uid, owner.gid);
  } catch {
    throw new WriteRefusal(`${file} belongs to uid ${owner.uid} gid ${owner.gid}; replacing it would change its owner: not written`);
  }
}
