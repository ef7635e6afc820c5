/**
 * The CLI behind the entry point: parses arguments, runs `check` against a LanguageService, and
 * writes the chosen format. Everything it touches comes in through `CliIo` and `CliDeps`, so
 * tests drive it with fake streams and a fake service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LanguageService, ScanReport } from '../engine/service';
import { DEFAULT_SETTINGS, mergeSettings, type Settings } from '../protocol/settings';
import { parseArgs, USAGE, UsageError, type CheckOptions } from './args';
import { formatFixLog, runFixes, type FixLogEntry } from './fix';
import { formatJson } from './json';
import { runParse } from './parse';
import { NixParser } from '../engine/nix/parser';
import { TOOL_NAME, TOOL_VERSION } from './meta';
import { createProgress } from './progress';
import { buildReport, exitCodeFor, type CheckReport } from './report';
import { formatSarif } from './sarif';
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
}

export interface CliDeps {
  createService(options: ServiceOptions): Promise<LanguageService>;
  /** For `parse`; the real tree-sitter parser when absent. */
  createParser?(): Promise<NixParser>;
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
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${TOOL_NAME}: ${error.message}\n\n${USAGE}`);
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
  roots: string[];
  /** Directory report paths are relative to. */
  base: string;
}

export function resolvePaths(paths: readonly string[], cwd: string): ResolvedPaths {
  const given = paths.length > 0 ? paths : ['.'];
  const roots: string[] = [];
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
    base ??= stat.isDirectory() ? abs : path.dirname(abs);
    if (!roots.includes(abs)) roots.push(abs);
  }
  return { roots, base: base ?? cwd };
}

export function settingsFor(options: CheckOptions): Settings {
  const partial: Partial<Settings> = { exclude: [...DEFAULT_SETTINGS.exclude, ...options.exclude] };
  if (options.maxFiles !== undefined) partial.maxFiles = options.maxFiles;
  return mergeSettings(partial);
}

export function useColor(options: CheckOptions, io: CliIo): boolean {
  if (options.noColor) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true;
}

export function render(report: CheckReport, options: CheckOptions, io: CliIo, fixLog: FixLogEntry[]): void {
  const side: string[] = fixLog.map(formatFixLog);
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
  const { roots, base } = resolvePaths(options.paths, io.cwd);
  const now = io.now ?? Date.now;
  const debug = debugEnabled(io.env);
  const service = await deps.createService({
    roots,
    settings: settingsFor(options),
    log: debug ? (msg) => io.stderr.write(`${TOOL_NAME}: debug: ${msg}\n`) : () => {},
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
    if (options.fix) {
      const run = await runFixes(snapshot, {
        service,
        roots,
        base,
        refresh: async (touched) => {
          for (const file of touched) service.fileChanged(file);
          scan = await service.scan();
          return service.analyze();
        },
      });
      snapshot = run.snapshot;
      fixLog = run.log;
    }
    const report = buildReport(snapshot, { base, scan, ms: now() - started });
    render(report, options, io, fixLog);
    return exitCodeFor(report.data, options.failOn);
  } finally {
    service.dispose();
  }
}
