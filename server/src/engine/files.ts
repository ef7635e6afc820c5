/**
 * The workspace file set: a bounded walk of the roots that keeps only the files the engine
 * reads, and a reader that turns bytes into text with a clear message for anything odd.
 * Symlinks are followed only when they resolve inside a root, and each real directory is
 * walked once, so link loops end. Only regular files are ever opened: a FIFO would block the
 * read forever and a device node may never end, so both are reported and skipped.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, sep } from 'node:path';
import { compileExcludeWalk, type WalkState } from './glob';
import type { FileProblem } from './model';
import { insideRoots, type RootGuard } from './roots';

export type FileKind = 'nix' | 'network' | 'netdev' | 'dropin' | 'flake-lock';

export interface ScannedFile {
  path: string;
  kind: FileKind;
  /** A unit file that is a symlink to /dev/null: it masks its name. */
  devNull?: boolean;
}

export interface ScanOptions {
  roots: string[];
  exclude: string[];
  maxFiles: number;
  onProgress?: (visited: number, found: number) => void;
  isCancelled?: () => boolean;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Files left out because of the cap. */
  truncated: number;
  skipped: SkippedFile[];
}

/** A path the scan did not take, with why. */
export interface SkippedFile extends FileProblem {
  file: string;
  /**
   * A symlink not followed whose target the machine may read as a file: a regular file outside
   * the workspace, or a target missing here (a store path on the deployed machine, say).
   */
  unreadTarget?: boolean;
}

export function classifyFile(path: string): FileKind | null {
  const name = basename(path);
  if (name.endsWith('.nix')) return 'nix';
  if (name === 'flake.lock') return 'flake-lock';
  if (name.endsWith('.network')) return 'network';
  if (name.endsWith('.netdev')) return 'netdev';
  if (name.endsWith('.conf')) {
    const parent = basename(dirname(path));
    if (parent.endsWith('.network.d') || parent.endsWith('.netdev.d')) return 'dropin';
  }
  return null;
}

function safeRealpath(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

/** Whether a symlink's target, not followed, may be a regular file where the workspace is deployed. */
function mayBeFileThere(path: string, real: string | null): boolean {
  if (real !== null) {
    try {
      return statSync(real).isFile();
    } catch {
      return true;
    }
  }
  try {
    statSync(path);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

const DIRECTORY_UNIT = 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)';
const LOOPING_SYMLINK = 'broken or looping symlink: not followed';
const OUTSIDE_SYMLINK = 'symlink points outside the workspace: not followed';

/**
 * Directories are read synchronously (a readdir through the thread pool costs more than the
 * read itself on a warm cache), so the walk gives the event loop a turn after this many entries
 * or this long, whichever comes first: the language server hears a cancellation and keeps
 * answering while a large tree is walked, on a loaded machine too. (Date.now, not performance.now:
 * the first use of `performance` loads a module, which costs a warm CLI run more than the clock.)
 */
const ENTRIES_PER_TURN = 500;
const MS_PER_TURN = 5;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A directory waiting to be walked: its path, the prefix that makes its entries' paths, and where
 * the excludes stand in it (its path relative to the root, matched so far).
 */
interface PendingDir {
  path: string;
  prefix: string;
  excludes: WalkState;
}

/**
 * What `join(dir, name)` puts before `name`, for an entry name (one segment, never `.` or `..`).
 * A path made this way is normalised already, so below a root it is the path plus a separator.
 */
function childPrefix(dir: string): string {
  return join(dir, '_').slice(0, -1);
}

export async function scanRoots(options: ScanOptions): Promise<ScanResult> {
  const excludeWalk = compileExcludeWalk(options.exclude);
  const realRoots = options.roots.map((r) => safeRealpath(r) ?? r);
  const visitedDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  let truncated = 0;
  let visited = 0;
  let sinceTurn = 0;
  let turnStarted = Date.now();

  for (const root of options.roots) {
    const stack: PendingDir[] = [{ path: root, prefix: childPrefix(root), excludes: excludeWalk.root }];
    while (stack.length > 0) {
      if (sinceTurn >= ENTRIES_PER_TURN || Date.now() - turnStarted >= MS_PER_TURN) {
        await nextTurn();
        sinceTurn = 0;
        turnStarted = Date.now();
      }
      if (options.isCancelled?.()) return { files, truncated, skipped };
      const { path: dir, prefix: pathPrefix, excludes } = stack.pop()!;
      sinceTurn++;
      const realDir = safeRealpath(dir);
      if (realDir === null || visitedDirs.has(realDir)) continue;
      visitedDirs.add(realDir);
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (err) {
        skipped.push({ file: dir, kind: 'file-unreadable', message: `cannot read directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        continue;
      }
      sinceTurn += entries.length;
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const realPrefix = realDir.endsWith(sep) ? realDir : realDir + sep;
      const subdirs: PendingDir[] = [];
      for (const entry of entries) {
        const name = entry.name;
        if (excludeWalk.excludes(excludes, name)) continue;
        const path = pathPrefix + name;
        visited++;
        if (visited % 500 === 0) options.onProgress?.(visited, files.length);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let special = specialKind(entry);
        let devNull = false;
        // A plain entry's real path is its real directory plus its name: no syscall needed.
        let realPath = realPrefix + name;
        if (entry.isSymbolicLink()) {
          let target: string | null = null;
          try {
            target = readlinkSync(path);
          } catch {
            target = null;
          }
          if (target === '/dev/null') {
            devNull = true;
            isFile = true;
          } else {
            const real = safeRealpath(path);
            if (real !== null) realPath = real;
            if (real === null) {
              skipped.push({ file: path, kind: 'symlink-not-followed', message: LOOPING_SYMLINK, unreadTarget: mayBeFileThere(path, null) });
              continue;
            }
            if (!insideRoots(realRoots, real)) {
              skipped.push({ file: path, kind: 'symlink-not-followed', message: OUTSIDE_SYMLINK, unreadTarget: mayBeFileThere(path, real) });
              continue;
            }
            try {
              const st = statSync(real);
              isDir = st.isDirectory();
              isFile = st.isFile();
              special = specialKind(st);
            } catch {
              continue;
            }
          }
        }
        if (isDir) {
          // `x.network/` cannot be a unit (Nix may still import a `x.nix/` directory); walk it anyway.
          const unitKind = classifyFile(path);
          if (unitKind === 'network' || unitKind === 'netdev' || unitKind === 'dropin') {
            skipped.push({ file: path, kind: 'file-skipped', message: DIRECTORY_UNIT });
          }
          subdirs.push({ path, prefix: path + sep, excludes: excludeWalk.enter(excludes, name) });
          continue;
        }
        if (!isFile) {
          if (special !== null && classifyFile(path) !== null) skipped.push({ file: path, kind: 'file-skipped', message: `is a ${special}, not a regular file: skipped` });
          continue;
        }
        const kind = classifyFile(path);
        if (kind === null) continue;
        if (devNull && kind !== 'network' && kind !== 'netdev' && kind !== 'dropin') continue;
        const real = devNull ? path : realPath;
        if (seenFiles.has(real)) continue;
        seenFiles.add(real);
        if (files.length >= options.maxFiles) {
          truncated++;
          continue;
        }
        files.push(devNull ? { path, kind, devNull } : { path, kind });
      }
      // Depth-first in name order: push in reverse so the first name is walked first.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
    options.onProgress?.(visited, files.length);
  }
  return { files, truncated, skipped };
}

export interface ReadResult {
  text: string | null;
  problem?: FileProblem;
  /** SHA-256 of the bytes the text was decoded from: what `--fix` compares before it writes. */
  sha256?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes file bytes. Binary content (a NUL byte) is refused; invalid UTF-8 is decoded with
 * replacement characters and reported; a UTF-8 BOM is dropped, as editors do.
 */
export function decodeText(bytes: Uint8Array): ReadResult {
  const head = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (head.includes(0)) return { text: null, problem: { kind: 'file-skipped', message: 'binary file (contains NUL bytes): skipped' } };
  let text: string;
  let problem: FileProblem | undefined;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = lenientDecoder.decode(bytes);
    problem = { kind: 'file-not-utf8', message: 'invalid UTF-8: decoded with replacement characters' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, problem };
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type SpecialKind = 'FIFO' | 'socket' | 'character device' | 'block device';

function specialKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): SpecialKind | null {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return null;
}

/** Never blocks on open (a FIFO swapped in after the stat), never becomes a controlling terminal. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

const skipped = (message: string): ReadResult => ({ text: null, problem: { kind: 'file-skipped', message } });
const unreadable = (message: string): ReadResult => ({ text: null, problem: { kind: 'file-unreadable', message } });

/**
 * Reads a workspace file, bounded: the real path must stay inside the roots (when a guard is
 * given), only a regular file is opened, the opened file must be the one that was checked
 * (`fstat` after `open`), and at most `maxFileSize` bytes are read however the file grows.
 */
export function readWorkspaceFile(path: string, maxFileSize: number, guard?: RootGuard): ReadResult {
  let fd: number | undefined;
  try {
    if (guard && !guard.reallyInside(path)) return skipped('symlink points outside the workspace: not read');
    const st = statSync(path);
    if (st.isDirectory()) return skipped('is a directory, not a file: skipped');
    const special = specialKind(st);
    if (special !== null || !st.isFile()) return skipped(`is a ${special ?? 'FIFO'}, not a regular file: skipped`);
    if (st.size > maxFileSize) return tooLarge(st.size, maxFileSize);
    fd = openSync(path, READ_FLAGS);
    const opened = fstatSync(fd);
    if (!opened.isFile() || !sameFile(opened, st)) return skipped('changed while it was being read: skipped');
    const bytes = readBounded(fd, maxFileSize);
    if (bytes === null) return tooLarge(Math.max(opened.size, maxFileSize + 1), maxFileSize);
    return { ...decodeText(bytes), sha256: sha256Of(bytes) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return unreadable('permission denied: cannot read');
    if (code === 'ENOENT') return unreadable('file no longer exists');
    if (code === 'ELOOP') return unreadable('broken or looping symlink: not followed');
    return unreadable(`cannot read: ${code ?? String(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tooLarge(size: number, maxFileSize: number): ReadResult {
  return { text: null, problem: { kind: 'file-too-large', message: `larger than the maximum file size (${size} > ${maxFileSize} bytes): skipped` } };
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The whole file when it has at most `limit` bytes, else null; reads at most `limit + 1`. */
function readBounded(fd: number, limit: number): Uint8Array | null {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) return null;
  }
  return Buffer.concat(chunks, total);
}
