/**
 * A deliberately plain walk of the workspace roots, written from the scan's documented rules and
 * not from its code: every entry is lstat'ed, every real path asked of realpath(3), every
 * relative path computed with `path.relative` and matched whole by `compileGlobs`. The scan
 * carries paths and exclude states down and trusts directory entry types; this walk does none
 * of that, so a shortcut that changes what the scan returns makes the two disagree.
 *
 * `compareScans` runs both over one tree under several option sets (excludes, caps, roots spelt
 * oddly, cancellation after k checks) and returns both answers; the test (in-process, and as
 * `nobody` where a directory must really be unreadable) asserts they are equal.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { scanRoots, type ScanResult, type ScannedFile, type SkippedFile } from '../../../../server/src/engine/files';
import { compileGlobs } from '../../../../server/src/engine/glob';

export interface ScanCall {
  roots: string[];
  exclude: string[];
  maxFiles: number;
  /** Cancelled from the (k+1)-th question on. */
  cancelAfter?: number;
}

export interface Answer extends ScanResult {
  progress: [number, number][];
}

class Cancelled extends Error {}

function kindOf(path: string): ScannedFile['kind'] | null {
  const name = basename(path);
  if (name.endsWith('.nix')) return 'nix';
  if (name === 'flake.lock') return 'flake-lock';
  if (name.endsWith('.network')) return 'network';
  if (name.endsWith('.netdev')) return 'netdev';
  const parent = basename(dirname(path));
  if (name.endsWith('.conf') && (parent.endsWith('.network.d') || parent.endsWith('.netdev.d'))) return 'dropin';
  return null;
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

function special(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | null {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return null;
}

export function referenceScan(call: ScanCall): Answer {
  const excluded = compileGlobs(call.exclude);
  const realRoots = call.roots.map((r) => realOrNull(r) ?? r);
  const walkedDirs = new Set<string>();
  const seen = new Set<string>();
  const answer: Answer = { files: [], truncated: 0, skipped: [], progress: [] };
  let entries = 0;
  let questions = 0;
  const skip = (s: SkippedFile) => answer.skipped.push(s);

  const walk = (root: string, dir: string): void => {
    questions++;
    if (call.cancelAfter !== undefined && questions > call.cancelAfter) throw new Cancelled();
    const real = realOrNull(dir);
    if (real === null || walkedDirs.has(real)) return;
    walkedDirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      skip({ file: dir, kind: 'file-unreadable', message: `cannot read directory: ${(err as NodeJS.ErrnoException).code}` });
      return;
    }
    const subdirs: string[] = [];
    for (const name of names.sort()) {
      const path = join(dir, name);
      if (excluded(relative(root, path).split(sep).join('/'))) continue;
      entries++;
      if (entries % 500 === 0) answer.progress.push([entries, answer.files.length]);
      let st = lstatSync(path);
      let target = path;
      let devNull = false;
      if (st.isSymbolicLink()) {
        if (readlinkSync(path) === '/dev/null') devNull = true;
        else {
          const to = realOrNull(path);
          if (to === null) {
            let missing = false;
            try {
              statSync(path);
            } catch (err) {
              missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
            }
            skip({ file: path, kind: 'symlink-not-followed', message: 'broken or looping symlink: not followed', unreadTarget: missing });
            continue;
          }
          if (!realRoots.some((r) => within(r, to))) {
            let file = true;
            try {
              file = statSync(to).isFile();
            } catch {
              file = true;
            }
            skip({ file: path, kind: 'symlink-not-followed', message: 'symlink points outside the workspace: not followed', unreadTarget: file });
            continue;
          }
          target = to;
          st = statSync(to);
        }
      }
      if (!devNull && st.isDirectory()) {
        const k = kindOf(path);
        if (k === 'network' || k === 'netdev' || k === 'dropin') {
          skip({ file: path, kind: 'file-skipped', message: 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)' });
        }
        subdirs.push(path);
        continue;
      }
      const kind = kindOf(path);
      if (!devNull && !st.isFile()) {
        const what = special(st);
        if (what !== null && kind !== null) skip({ file: path, kind: 'file-skipped', message: `is a ${what}, not a regular file: skipped` });
        continue;
      }
      if (kind === null) continue;
      if (devNull && kind !== 'network' && kind !== 'netdev' && kind !== 'dropin') continue;
      const identity = devNull ? path : (realOrNull(target) ?? target);
      if (seen.has(identity)) continue;
      seen.add(identity);
      if (answer.files.length >= call.maxFiles) answer.truncated++;
      else answer.files.push(devNull ? { path, kind, devNull } : { path, kind });
    }
    for (const sub of subdirs) walk(root, sub);
  };

  try {
    for (const root of call.roots) {
      walk(root, root);
      answer.progress.push([entries, answer.files.length]);
    }
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
  }
  return answer;
}

export async function actualScan(call: ScanCall): Promise<Answer> {
  const progress: [number, number][] = [];
  let questions = 0;
  const result = await scanRoots({
    roots: call.roots,
    exclude: call.exclude,
    maxFiles: call.maxFiles,
    onProgress: (visited, found) => progress.push([visited, found]),
    ...(call.cancelAfter !== undefined ? { isCancelled: () => ++questions > call.cancelAfter! } : {}),
  });
  return { ...result, progress };
}

export const DEFAULT_EXCLUDES = ['**/.git/**', '**/node_modules/**', '**/result*/**', '**/.direnv/**'];
/** Every glob shape: bare names, anchored paths, classes, braces, `?`, astral characters, inner `**`, two stars in a segment. */
export const ODD_EXCLUDES = ['skip-me', './anchored/**', '*.tmp.nix', '[ab]x.nix', '{c,d}y/**', 'q?.nix', '😀*', '**/deep/**/z.nix', '*a*b*.nix', 'many/f00[0-4]*', 'z-dir/**', 'z-dir'];

/** The calls compared on a tree made by the test: `ws` the main root, `ws2` a second one. */
export function scanCalls(ws: string, ws2: string): ScanCall[] {
  const calls: ScanCall[] = [
    { roots: [ws], exclude: DEFAULT_EXCLUDES, maxFiles: 100_000 },
    { roots: [ws], exclude: [], maxFiles: 100_000 },
    { roots: [ws, ws2], exclude: [...DEFAULT_EXCLUDES, ...ODD_EXCLUDES], maxFiles: 100_000 },
    { roots: [`${ws}/`, `${dirname(ws)}/./${basename(ws2)}`], exclude: DEFAULT_EXCLUDES, maxFiles: 100_000 },
    { roots: [ws2, ws], exclude: DEFAULT_EXCLUDES, maxFiles: 100_000 },
    { roots: [ws], exclude: DEFAULT_EXCLUDES, maxFiles: 7 },
    { roots: [ws, ws2], exclude: ODD_EXCLUDES, maxFiles: 2_000 },
  ];
  for (const k of [0, 1, 2, 3, 5, 8, 13, 21, 34]) calls.push({ roots: [ws, ws2], exclude: DEFAULT_EXCLUDES, maxFiles: 100_000, cancelAfter: k });
  return calls;
}

export async function compareScans(ws: string, ws2: string): Promise<{ call: ScanCall; actual: Answer; expected: Answer }[]> {
  const out = [];
  for (const call of scanCalls(ws, ws2)) out.push({ call, actual: await actualScan(call), expected: referenceScan(call) });
  return out;
}
