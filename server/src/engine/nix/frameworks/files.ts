/**
 * The directory walks frameworks do (snowfall's `systems/`, digga's `rakeLeaves`, import-tree,
 * haumea, clan's `machines/`), done through the evaluator's file-system adapter so they stay
 * inside the roots and are recorded like any other read.
 */
import { posix } from 'node:path';
import { knownText } from '../../pattern';
import { force, unknown } from '../eval/helpers';
import { sortedKeys } from '../eval/ops';
import type { ModuleWorld } from '../modules';
import type { Location } from '../../text';
import type { Value } from '../value';

export type EntryKind = 'regular' | 'directory' | 'symlink' | 'unknown';

/** The file-system path a framework argument names: a path, an absolute string, or anything with an `outPath`. */
export function fsPath(v: Value, depth = 0): string | undefined {
  if (v.kind === 'path') return v.path;
  if (v.kind === 'string') {
    const t = knownText(v.value);
    return t !== undefined && t.startsWith('/') ? posix.normalize(t) : undefined;
  }
  if (v.kind === 'attrs' && depth < 4) {
    const out = v.attrs.get('outPath');
    return out ? fsPath(force(out.thunk), depth + 1) : undefined;
  }
  return undefined;
}

/** A directory's entries in Nix's attribute order (byte order), or undefined when it cannot be listed. */
export function entries(world: ModuleWorld, dir: string): [string, EntryKind][] | undefined {
  const listing = world.evaluator.fs.readDir(dir);
  if (!listing) return undefined;
  return sortedKeys(listing.keys()).map((name) => [name, listing.get(name)!]);
}

export function isDirectory(world: ModuleWorld, p: string): boolean {
  return world.evaluator.fs.isDirectory(p);
}

/** Whether a file exists: read through the adapter, or listed by its directory (a file we may not read). */
export function exists(world: ModuleWorld, p: string): boolean {
  if (world.evaluator.fs.isDirectory(p) || world.evaluator.fs.readFile(p) !== undefined) return true;
  return world.evaluator.fs.readDir(posix.dirname(p))?.has(posix.basename(p)) ?? false;
}

/**
 * Every file below `dir` (directories walked, everything else a file), in the order
 * `lib.filesystem.listFilesRecursive` gives them. Undefined when `dir` cannot be listed.
 */
export function filesBelow(world: ModuleWorld, dir: string, depth = 0): string[] | undefined {
  const list = entries(world, dir);
  if (!list || depth > 32) return undefined;
  const out: string[] = [];
  for (const [name, kind] of list) {
    const p = posix.join(dir, name);
    if (kind === 'directory') out.push(...(filesBelow(world, p, depth + 1) ?? []));
    else out.push(p);
  }
  return out;
}

/**
 * A file a framework loads, as `import` would from `fromFile` (the file whose code called the
 * framework): the import edge makes the file count as reached from there.
 */
export function importFile(world: ModuleWorld, file: string, fromFile: string | undefined): Value {
  return world.evaluator.importValue({ kind: 'path', path: file }, fromFile);
}

/**
 * Records that `fromFile`'s code loads `file` without `import` (a framework reading it for the
 * caller): the file then counts as reached from there, and an edit to it re-evaluates the caller.
 */
export function recordImport(world: ModuleWorld, fromFile: string | undefined, file: string): void {
  if (!fromFile) return;
  let targets = world.evaluator.imports.get(fromFile);
  if (!targets) world.evaluator.imports.set(fromFile, (targets = new Set()));
  targets.add(file);
}

/** The start of a file, where a configuration a framework makes of it is said to be. */
export function fileStart(file: string): Location {
  return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

/** A framework function applied to something that is not the path it needs. */
export function notAPath(what: string, v: Value): Value {
  return unknown(v.kind === 'unknown' ? `${what}: ${v.reason ?? 'unknown path'}` : `${what} of a ${v.kind}, not a path`);
}
