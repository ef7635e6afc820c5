/**
 * `check --cache DIR`: the report of an earlier run, reused when nothing it rests on changed.
 * An entry is keyed by the tool (its version and the bytes of the running bundle), the options
 * that shape the report and the scan (paths, excludes, file cap), and holds what the analysis read:
 * every scanned file's SHA-256 and what the evaluator asked the disk besides (`InputsRead`). A
 * warm run scans, re-hashes and re-asks those questions without parsing anything; any difference,
 * and any entry that is not exactly what this module writes, is a miss and the analysis runs.
 *
 * The cache directory is untrusted like the workspace: entries are read with the bounded reader
 * (regular files only, size-capped), parsed inside try, and validated field by field; a report
 * string holding a control character (terminal escapes) invalidates the entry. Writes go to a
 * temporary file renamed into place, so a crash never leaves half an entry.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readWorkspaceFile, scanRoots } from '../engine/files';
import { findProjectFile } from '../engine/config/discover';
import { insideRoots, RootGuard } from '../engine/roots';
import type { InputsRead } from '../engine/workspace/nixFileSystem';
import type { Settings } from '../protocol/settings';
import type { CheckReport } from './report';
import { WorkspaceHasher } from './fileHash';
import { TOOL_VERSION } from './meta';

/** Entries larger than this are not read (a 10,000-file workspace's entry is a few MB). */
const MAX_ENTRY_BYTES = 256 << 20;
const FORMAT = 1;

export interface CacheKeyParts {
  roots: readonly string[];
  checked: readonly string[];
  focused: boolean;
  base: string;
  settings: Settings;
  /** The project files that apply (`projectFilesDigest`): the report depends on them too. */
  project?: string;
  /** Identifies the tool build; `toolIdentity()` unless a test says otherwise. */
  tool: string;
}

interface Entry {
  format: number;
  key: string;
  inputs: InputsRead;
  report: CheckReport;
}

/** The bundles of a build (scripts/build.mjs): a warm run loads only the first, a miss both. */
const BUNDLES = ['cli.js', 'cli-full.js'];

/**
 * The tool's version and a hash of its bundles, found beside this code (not through argv[1],
 * which is bin/microvm-net.js when installed): a rebuilt tool never reads an old entry. Run from
 * the sources (no bundles there), the version and this file identify it.
 */
export function toolIdentity(): string {
  const hash = createHash('sha256');
  let found = 0;
  for (const name of BUNDLES) {
    try {
      hash.update(`${name}\0`).update(readFileSync(path.join(__dirname, name)));
      found++;
    } catch {
      hash.update(`${name}:absent\0`);
    }
  }
  if (found === 0) {
    try {
      hash.update(readFileSync(__filename));
    } catch {
      // Unreadable: the version alone identifies the tool.
    }
  }
  return `${TOOL_VERSION}+${hash.digest('hex')}`;
}

/**
 * What the project files serving `roots` hold (or the one `--config` names): a changed, added or
 * removed microvm-net.toml changes the key, so a report is never reused under other severities
 * or assumptions. Read with the bounded reader, like every other input.
 */
export function projectFilesDigest(roots: readonly string[], configFile: string | undefined, maxFileSize: number): string {
  const found = configFile !== undefined ? [{ file: configFile, boundary: undefined }] : roots.map((root) => findProjectFile(root));
  const hash = createHash('sha256');
  for (const entry of found) {
    if (entry === null) {
      hash.update('none\0');
      continue;
    }
    const read = readWorkspaceFile(entry.file, maxFileSize, entry.boundary === undefined ? undefined : new RootGuard([entry.boundary]));
    hash.update(`${entry.file}\0${read.text ?? `unread:${read.problem?.message ?? ''}`}\0`);
  }
  return hash.digest('hex');
}

export function cacheKey(parts: CacheKeyParts): string {
  const { roots, checked, focused, base, settings, tool, project } = parts;
  const material = JSON.stringify({
    format: FORMAT,
    tool,
    roots,
    checked,
    focused,
    base,
    exclude: settings.exclude,
    maxFiles: settings.maxFiles,
    maxFileSize: settings.maxFileSize,
    severity: settings.severity,
    defaultBridge: settings.defaultBridge,
    project: project ?? null,
  });
  return createHash('sha256').update(material).digest('hex');
}

function entryPath(dir: string, key: string): string {
  return path.join(dir, `check-${key}.json`);
}

/** The cached report for `key` when every input still reads the same; null otherwise. */
export async function loadCached(dir: string, key: string, roots: readonly string[], settings: Settings): Promise<CheckReport | null> {
  const entry = readEntry(dir, key);
  if (!entry) return null;
  const scan = await scanRoots({ roots: [...roots], exclude: settings.exclude, maxFiles: settings.maxFiles });
  const scanned = scan.files.map((f) => f.path).sort();
  const cached = entry.inputs.files;
  if (scanned.length !== cached.length || scanned.some((p, i) => p !== cached[i][0])) return null;
  const devNull = new Set(scan.files.filter((f) => f.devNull).map((f) => f.path));
  const guard = new RootGuard(roots);
  const hasher = new WorkspaceHasher(roots, settings.maxFileSize);
  for (const [file, sha] of cached) {
    if (devNull.has(file)) {
      if (sha !== 'devnull') return null;
      continue;
    }
    if (sha === null || sha === 'devnull') return null;
    // Read as the document store reads it: a file that became a link out of the roots is not read.
    if (hasher.sha256(file) !== sha) return null;
  }
  return inputsStillHold(entry.inputs, roots, realRoots(roots), settings, guard) ? entry.report : null;
}

/** Writes the entry; failures are the caller's to log (a cache never fails a check). */
export function saveCached(dir: string, key: string, inputs: InputsRead, report: CheckReport): void {
  mkdirSync(dir, { recursive: true });
  const entry: Entry = { format: FORMAT, key, inputs, report };
  const target = entryPath(dir, key);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
  renameSync(temporary, target);
}

function readEntry(dir: string, key: string): Entry | null {
  const file = entryPath(dir, key);
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_ENTRY_BYTES) return null;
    const read = readWorkspaceFile(file, MAX_ENTRY_BYTES);
    if (read.text === null) return null;
    text = read.text;
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return validEntry(value, key) ? value : null;
}

// -- validation ---------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** No control characters but tab and newline: a report string reaches the terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const cleanString = (v: unknown): v is string => typeof v === 'string' && !CONTROL.test(v);
const pairsOf = <T>(v: unknown, second: (x: unknown) => x is T): v is [string, T][] =>
  Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && cleanString(p[0]) && second(p[1]));
const SHA = /^([0-9a-f]{64}|devnull)$/;
const shaOrNull = (x: unknown): x is string | null => x === null || (typeof x === 'string' && SHA.test(x));
const isBoolean = (x: unknown): x is boolean => typeof x === 'boolean';
const listingOrNull = (x: unknown): x is string[] | null => x === null || (Array.isArray(x) && x.every(cleanString));

function validEntry(v: unknown, key: string): v is Entry {
  if (!isObject(v) || v.format !== FORMAT || v.key !== key || !isObject(v.inputs) || !isObject(v.report)) return false;
  const inputs = v.inputs;
  if (
    !pairsOf(inputs.files, shaOrNull) ||
    !pairsOf(inputs.listings, listingOrNull) ||
    !pairsOf(inputs.directories, isBoolean) ||
    !pairsOf(inputs.reachable, isBoolean) ||
    !pairsOf(inputs.outside, shaOrNull)
  ) {
    return false;
  }
  return validReport(v.report);
}

/** The report's shape as `buildReport` makes it: only JSON of known types, clean strings. */
function validReport(report: Record<string, unknown>): boolean {
  const data = report.data;
  if (!isObject(data) || !Array.isArray(data.interfaces) || !Array.isArray(data.diagnostics) || !Array.isArray(data.notices) || !isObject(data.stats)) return false;
  for (const field of ['related', 'reasons', 'notices', 'unplaced'] as const) if (!Array.isArray(report[field])) return false;
  if ((report.related as unknown[]).length !== data.diagnostics.length || (report.reasons as unknown[]).length !== data.diagnostics.length) return false;
  return cleanJson(report, 0);
}

function cleanJson(v: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return cleanString(v);
  // Loops, not every()/entries(): a warm run walks the whole report, and callbacks and pairs cost it.
  if (Array.isArray(v)) {
    for (const x of v) if (!cleanJson(x, depth + 1)) return false;
    return true;
  }
  if (!isObject(v)) return false;
  for (const k of Object.keys(v)) if (!cleanString(k) || k === '__proto__' || !cleanJson(v[k], depth + 1)) return false;
  return true;
}

// -- re-asking the evaluator's questions --------------------------------------------------------

function realRoots(roots: readonly string[]): string[] {
  return roots.map((r) => {
    try {
      return realpathSync(r);
    } catch {
      return r;
    }
  });
}

/** Each answer the evaluator got from the disk, asked again the way nixFileSystem.ts asks it. */
function inputsStillHold(inputs: InputsRead, roots: readonly string[], real: readonly string[], settings: Settings, guard: RootGuard): boolean {
  const inside = (p: string) => insideRoots(roots, p);
  for (const [p, was] of inputs.reachable) {
    if (!inside(p)) return false;
    let now: boolean;
    try {
      // The evaluator asks the JS realpathSync; realpath(3) gives the same path (or the same
      // failure) in one call instead of an lstat per component.
      now = insideRoots(real, realpathSync.native(p));
    } catch {
      now = true;
    }
    if (now !== was) return false;
  }
  for (const [dir, was] of inputs.listings) {
    if (!inside(dir)) return false;
    let now: string[] | null;
    try {
      now = readdirSync(dir, { withFileTypes: true })
        .map((e) => `${e.isFile() ? 'regular' : e.isDirectory() ? 'directory' : e.isSymbolicLink() ? 'symlink' : 'unknown'}:${e.name}`)
        .sort();
    } catch {
      now = null;
    }
    if (JSON.stringify(now) !== JSON.stringify(was)) return false;
  }
  for (const [p, was] of inputs.directories) {
    if (!inside(p)) return false;
    let now: boolean;
    try {
      now = statSync(p).isDirectory();
    } catch {
      now = false;
    }
    if (now !== was) return false;
  }
  for (const [file, sha] of inputs.outside) {
    if (!inside(file)) return false;
    const read = readWorkspaceFile(file, settings.maxFileSize, guard);
    if ((read.text === null ? null : (read.sha256 ?? null)) !== sha) return false;
  }
  return true;
}
