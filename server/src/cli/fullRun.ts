/**
 * The CLI with the analysis behind it (bundled to dist/cli-full.js): main.ts loads it only when
 * the run is not a `check --cache` the cache answers, so a warm run never compiles the parser,
 * the evaluator or the checks.
 */
import { createLanguageService } from '../engine/workspace';
import { runCli, type CliIo } from './check';

/** `cacheConsulted`: main.ts asked the cache already and it could not answer. */
export function runFull(argv: readonly string[], io: CliIo, cacheConsulted: boolean): Promise<number> {
  return runCli(argv, io, { createService: createLanguageService, cacheConsulted });
}
