/**
 * The CLI behind the entry point: parses arguments, runs `check` against a LanguageService, and
 * writes the chosen format. Everything it touches comes in through `CliIo` and `CliDeps`, so
 * tests drive it with fake streams and a fake service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyFile } from '../engine/files';
import { insideRoots } from '../engine/roots';
import type { AnalysisSnapshot, LanguageService, ScanReport } from '../engine/service';
import { DEFAULT_SETTINGS, mergeSettings, type Settings } from '../protocol/settings';
import { parseArgs, USAGE, UsageError, type CheckOptions } from './args';
import { dryRunDiff } from './dryRun';
import { formatFixLog, runFixes, type FixLogEntry } from './fix';
import { runInit } from './init';
import { formatJson } from './json';
import { runGraph } from './graph';
import { runParse } from './parse';
import { runExplain } from './explain';
import { NixParser } from '../engine/nix/parser';
import { TOOL_NAME, TOOL_VERSION } from './meta';
import { createProgress } from './progress';
import { buildReport, exitCodeFor, type CheckReport } from './report';
import { formatSarif } from './sarif';
import { cacheKey, loadCached, projectFilesDigest, saveCached, toolIdentity } from './cache';
import { formatText, sideLines } from './text';

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  now?: () => number;
}

export interface ServiceOptions {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
  /** `--config FILE`: the project file instead of each root's nearest one. */
  configFile?: string;
}

export interface CliDeps {
  createService(options: ServiceOptions): Promise<LanguageService>;
  /** For `parse`; the real tree-sitter parser when absent. */
  createParser?(): Promise<NixParser>;
  /** Identifies the tool build for `--cache` entries (cache.ts `toolIdentity` when absent). */
  toolIdentity?(): string;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

function debugEnabled(env: CliIo['env']): boolean {
  return env.MICROVM_NET_DEBUG === '1';
}

/** Runs the whole CLI; never throws. Returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  try {
    const command = parseArgs(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(USAGE);
        return EXIT_OK;
      case 'version':
        io.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
        return EXIT_OK;
      case 'check':
        return await runCheck(command.options, io, deps);
      case 'parse':
        return await runParse(command.files, io, deps.createParser ?? (() => NixParser.create()));
      case 'graph':
        return await runGraph(command.options, io, deps);
      case 'init':
        return runInit(command.directory, io);
      case 'explain':
        return await runExplain(command.tap, command.paths, io, deps);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      // One line, not the whole help: the mistake stays visible in a CI log.
      io.stderr.write(`${TOOL_NAME}: ${error.message} (see --help)\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${TOOL_NAME}: internal error: ${message}\n`);
    if (debugEnabled(io.env) && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else io.stderr.write(`(set MICROVM_NET_DEBUG=1 to see the stack trace)\n`);
    return EXIT_USAGE;
  }
}

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

/** The snapshot with only the diagnostics and interfaces inside the checked PATHs. */
function focusedOn(snapshot: AnalysisSnapshot, checked: readonly string[]): AnalysisSnapshot {
  const diagnostics = new Map([...snapshot.diagnostics].filter(([file]) => insideRoots(checked, file)));
  const outcomes = snapshot.outcomes.filter((o) => insideRoots(checked, o.interface.id.location.file));
  const suppressed = snapshot.suppressed?.filter((d) => insideRoots(checked, d.location.file));
  return { ...snapshot, diagnostics, outcomes, suppressed };
}

/** The command line's settings; the engine puts them over the project file's. */
export function settingsFor(options: CheckOptions): Settings {
  const partial: Partial<Settings> = { exclude: [...DEFAULT_SETTINGS.exclude, ...options.exclude], severity: { ...options.severity } };
  if (options.maxFiles !== undefined) partial.maxFiles = options.maxFiles;
  if (options.defaultBridge !== undefined) partial.defaultBridge = options.defaultBridge;
  return mergeSettings(partial);
}

export function useColor(options: CheckOptions, io: CliIo): boolean {
  if (options.noColor) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true;
}

export function render(report: CheckReport, options: CheckOptions, io: CliIo, fixLog: FixLogEntry[]): void {
  const side: string[] = fixLog.map((entry) => formatFixLog(entry));
  if (options.format === 'text') {
    let out = '';
    if (!options.quiet && side.length > 0) out += `${side.join('\n')}\n\n`;
    out += formatText(report, { color: useColor(options, io), quiet: options.quiet, verbose: options.verbose });
    io.stdout.write(out);
    return;
  }
  io.stdout.write(options.format === 'json' ? formatJson(report) : formatSarif(report));
  if (!options.quiet) {
    side.push(...sideLines(report, options.verbose));
    if (side.length > 0) io.stderr.write(`${side.join('\n')}\n`);
  }
}

export async function runCheck(options: CheckOptions, io: CliIo, deps: CliDeps): Promise<number> {
  const { roots, checked, focused, base } = resolvePaths(options.paths, io.cwd);
  const now = io.now ?? Date.now;
  const debug = debugEnabled(io.env);
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = path.resolve(io.cwd, options.config);
    if (!fs.existsSync(configFile) || !fs.statSync(configFile).isFile()) throw new UsageError(`--config: no such file: ${options.config}`);
  }
  const settings = settingsFor(options);
  const cacheDir = options.cache !== undefined && !options.fix ? path.resolve(io.cwd, options.cache) : undefined;
  const key = cacheDir ? cacheKey({ roots, checked, focused, base, settings, project: projectFilesDigest(roots, configFile, settings.maxFileSize), tool: deps.toolIdentity?.() ?? toolIdentity() }) : '';
  if (cacheDir) {
    const started = now();
    const cached = await loadCached(cacheDir, key, roots, settings);
    if (cached) {
      const report = { ...cached, data: { ...cached.data, stats: { ...cached.data.stats, ms: Math.max(0, Math.round(now() - started)) } } };
      if (debug) io.stderr.write(`${TOOL_NAME}: debug: report from the cache in ${cacheDir}\n`);
      render(report, options, io, []);
      return exitCodeFor(report.data, options.failOn);
    }
  }
  const service = await deps.createService({
    roots,
    settings,
    log: debug ? (msg) => io.stderr.write(`${TOOL_NAME}: debug: ${msg}\n`) : () => {},
    ...(configFile !== undefined ? { configFile } : {}),
  });
  try {
    const started = now();
    const progress = createProgress({ stream: io.stderr, force: options.progress, disabled: options.quiet && !options.progress });
    let scan: ScanReport;
    try {
      scan = await service.scan((p) => progress.update(p));
    } finally {
      progress.done();
    }
    let snapshot = service.analyze();
    let fixLog: FixLogEntry[] = [];
    if (options.fix && options.dryRun) {
      const before = buildReport(focused ? focusedOn(snapshot, checked) : snapshot, { base, scan, ms: now() - started });
      const run = await dryRunDiff(focused ? focusedOn(snapshot, checked) : snapshot, {
        service,
        roots: checked,
        base,
        refresh: () => (focused ? focusedOn(service.analyze(), checked) : service.analyze()),
      });
      io.stdout.write(run.diff);
      const log = run.log.map((entry: FixLogEntry) => formatFixLog(entry, { dryRun: true }));
      if (!options.quiet && log.length > 0) io.stderr.write(`${log.join('\n')}\n`);
      return exitCodeFor(before.data, options.failOn);
    }
    if (options.fix) {
      const run = await runFixes(focused ? focusedOn(snapshot, checked) : snapshot, {
        service,
        roots: checked,
        base,
        refresh: async (touched) => {
          for (const file of touched) service.fileChanged(file);
          scan = await service.scan();
          return focused ? focusedOn(service.analyze(), checked) : service.analyze();
        },
      });
      snapshot = service.analyze();
      fixLog = run.log;
    }
    const report = buildReport(focused ? focusedOn(snapshot, checked) : snapshot, { base, scan, ms: now() - started });
    if (cacheDir && service.inputsRead) {
      try {
        saveCached(cacheDir, key, service.inputsRead(), report);
      } catch (e) {
        io.stderr.write(`${TOOL_NAME}: could not write the cache in ${cacheDir}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    render(report, options, io, fixLog);
    return exitCodeFor(report.data, options.failOn);
  } finally {
    service.dispose();
  }
}
