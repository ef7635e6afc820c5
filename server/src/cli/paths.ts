/**
 * What a `check` (and `graph`, `explain`) run is about, from its PATHs and flags: the roots to
 * analyse, the PATHs to report, the settings. Kept apart from check.ts so the cache-hit path
 * (warm.ts) can prepare a run without loading the analysis.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyFile } from '../engine/files';
import { insideRoots } from '../engine/roots';
import { DEFAULT_SETTINGS, mergeSettings, type Settings } from '../protocol/settings';
import { UsageError, type CheckOptions } from './args';

export interface ResolvedPaths {
  /** What is analysed: each directory PATH, and for a file PATH its enclosing project. */
  roots: string[];
  /** The PATHs as given (absolute): what is reported, and the only places `--fix` writes. */
  checked: string[];
  /** Some PATH is a file: the report covers only what lies inside `checked`. */
  focused: boolean;
  /** Directory report paths are relative to. */
  base: string;
}

export function resolvePaths(paths: readonly string[], cwd: string): ResolvedPaths {
  const given = paths.length > 0 ? paths : ['.'];
  const roots: string[] = [];
  const checked: string[] = [];
  let focused = false;
  let base: string | undefined;
  for (const p of given) {
    const abs = path.resolve(cwd, p);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (!stat.isDirectory() && !stat.isFile()) throw new UsageError(`not a file or directory: ${p}`);
    let root = abs;
    if (stat.isFile()) {
      // A file means nothing alone (a module needs the host that imports it): it is analysed
      // within its project, and the report keeps to it (docs/cli.md §1).
      if (classifyFile(abs) === null) throw new UsageError(`not a Nix or systemd-networkd file: ${p}`);
      root = enclosingProject(abs);
      focused = true;
    }
    // Relative to the current directory, as compilers and linters print them, unless the first
    // PATH lies outside it (docs/cli.md §3).
    base ??= insideRoots([cwd], abs) ? cwd : stat.isDirectory() ? abs : path.dirname(abs);
    if (!roots.includes(root)) roots.push(root);
    if (!checked.includes(abs)) checked.push(abs);
  }
  return { roots, checked, focused, base: base ?? cwd };
}

/** The nearest directory upwards from `file` that holds flake.nix, else the file's directory. */
function enclosingProject(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'flake.nix'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
}

/** The command line's settings; the engine puts them over the project file's. */
export function settingsFor(options: CheckOptions): Settings {
  const partial: Partial<Settings> = { exclude: [...DEFAULT_SETTINGS.exclude, ...options.exclude], severity: { ...options.severity } };
  if (options.maxFiles !== undefined) partial.maxFiles = options.maxFiles;
  if (options.defaultBridge !== undefined) partial.defaultBridge = options.defaultBridge;
  return mergeSettings(partial);
}

export interface CheckPlan extends ResolvedPaths {
  settings: Settings;
  /** `--config FILE`, absolute. */
  configFile?: string;
}

/** PATHs, `--config` and settings of a `check`; usage errors as `UsageError`. */
export function planCheck(options: CheckOptions, cwd: string): CheckPlan {
  const resolved = resolvePaths(options.paths, cwd);
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = path.resolve(cwd, options.config);
    if (!fs.existsSync(configFile) || !fs.statSync(configFile).isFile()) throw new UsageError(`--config: no such file: ${options.config}`);
  }
  return { ...resolved, settings: settingsFor(options), ...(configFile !== undefined ? { configFile } : {}) };
}
