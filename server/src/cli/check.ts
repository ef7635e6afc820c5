/**
 * The CLI behind the entry point: parses arguments, runs `check` against a LanguageService, and
 * writes the chosen format. Everything it touches comes in through `CliIo` and `CliDeps`, so
 * tests drive it with fake streams and a fake service.
 */
import { insideRoots } from '../engine/roots';
import type { AnalysisSnapshot, LanguageService, ScanReport } from '../engine/service';
import type { Settings } from '../protocol/settings';
import { parseArgs, USAGE, UsageError, type CheckOptions } from './args';
import { dryRunDiff } from './dryRun';
import { formatFixLog, runFixes, type FixLogEntry } from './fix';
import { runInit } from './init';
import { runGraph } from './graph';
import { runParse } from './parse';
import { runExplain } from './explain';
import { NixParser } from '../engine/nix/parser';
import { TOOL_NAME, TOOL_VERSION } from './meta';
import { planCheck } from './paths';
import { createProgress } from './progress';
import { render } from './render';
import { buildReport, exitCodeFor } from './report';
import { saveCached, toolIdentity } from './cache';
import { answerFromCache, cacheUseFor } from './warm';

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
  /** The cache was asked already (warm.ts, in dist/cli.js) and could not answer: analyse at once. */
  cacheConsulted?: boolean;
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

/** The snapshot with only the diagnostics and interfaces inside the checked PATHs. */
function focusedOn(snapshot: AnalysisSnapshot, checked: readonly string[]): AnalysisSnapshot {
  const diagnostics = new Map([...snapshot.diagnostics].filter(([file]) => insideRoots(checked, file)));
  const outcomes = snapshot.outcomes.filter((o) => insideRoots(checked, o.interface.id.location.file));
  const suppressed = snapshot.suppressed?.filter((d) => insideRoots(checked, d.location.file));
  return { ...snapshot, diagnostics, outcomes, suppressed };
}

export async function runCheck(options: CheckOptions, io: CliIo, deps: CliDeps): Promise<number> {
  const plan = planCheck(options, io.cwd);
  const { roots, checked, focused, base, settings, configFile } = plan;
  const now = io.now ?? Date.now;
  const debug = debugEnabled(io.env);
  const cache = cacheUseFor(options, plan, io, deps.toolIdentity ?? toolIdentity);
  if (cache && !deps.cacheConsulted) {
    const code = await answerFromCache(cache, options, plan, io);
    if (code !== null) return code;
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
    if (cache && service.inputsRead) {
      try {
        saveCached(cache.dir, cache.key, service.inputsRead(), report);
      } catch (e) {
        io.stderr.write(`${TOOL_NAME}: could not write the cache in ${cache.dir}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    render(report, options, io, fixLog);
    return exitCodeFor(report.data, options.failOn);
  } finally {
    service.dispose();
  }
}
