/**
 * The cache-hit path of `check --cache DIR`: everything a run answered from the cache needs, and
 * nothing more. dist/cli.js holds only this (main.ts); the parser, the evaluator and the checks
 * are in dist/cli-full.js, loaded on a miss, so a warm run does not pay for compiling them.
 */
import * as path from 'node:path';
import { ProjectConfigs } from '../engine/config/discover';
import { effectiveSettings } from '../engine/config/effective';
import { parseArgs, type CheckOptions } from './args';
import { cacheKey, loadCached, projectFilesDigest, toolIdentity } from './cache';
import type { CliIo } from './check';
import { TOOL_NAME } from './meta';
import { planCheck, type CheckPlan } from './paths';
import { render } from './render';
import { exitCodeFor } from './report';

export interface CacheUse {
  dir: string;
  key: string;
}

/** Where and under which key this run's report is cached; undefined without `--cache` or with `--fix`. */
export function cacheUseFor(options: CheckOptions, plan: CheckPlan, io: CliIo, identity: () => string): CacheUse | undefined {
  if (options.cache === undefined || options.fix) return undefined;
  const { roots, checked, focused, base, settings, configFile } = plan;
  const project = projectFilesDigest(roots, configFile, settings.maxFileSize);
  return { dir: path.resolve(io.cwd, options.cache), key: cacheKey({ roots, checked, focused, base, settings, project, tool: identity() }) };
}

/** Writes the cached report and returns the exit code, or null when the cache cannot answer. */
export async function answerFromCache(use: CacheUse, options: CheckOptions, plan: CheckPlan, io: CliIo): Promise<number | null> {
  const now = io.now ?? Date.now;
  const started = now();
  // The scan the analysis ran: the project files' excludes add to the command line's.
  const project = ProjectConfigs.load(plan.roots, { maxFileSize: plan.settings.maxFileSize, ...(plan.configFile !== undefined ? { explicit: plan.configFile } : {}) });
  const cached = await loadCached(use.dir, use.key, plan.roots, effectiveSettings(plan.settings, project));
  if (!cached) return null;
  const report = { ...cached, data: { ...cached.data, stats: { ...cached.data.stats, ms: Math.max(0, Math.round(now() - started)) } } };
  if (io.env.MICROVM_NET_DEBUG === '1') io.stderr.write(`${TOOL_NAME}: debug: report from the cache in ${use.dir}\n`);
  render(report, options, io, []);
  return exitCodeFor(report.data, options.failOn);
}

/**
 * A whole run when it is a `check --cache` the cache answers: the exit code. `miss` when the cache
 * was asked and could not answer (the analysis need not ask again); `other` for anything else,
 * usage errors included, which the full CLI reports.
 */
export async function warmCheck(argv: readonly string[], io: CliIo): Promise<number | 'miss' | 'other'> {
  let command;
  try {
    command = parseArgs(argv);
  } catch {
    return 'other';
  }
  if (command.kind !== 'check') return 'other';
  const options = command.options;
  let plan: CheckPlan;
  let use: CacheUse | undefined;
  try {
    plan = planCheck(options, io.cwd);
    use = cacheUseFor(options, plan, io, toolIdentity);
  } catch {
    return 'other';
  }
  if (use === undefined) return 'other';
  return (await answerFromCache(use, options, plan, io)) ?? 'miss';
}
