/**
 * `microvm-net` entry point (bundled to dist/cli.js, run by bin/microvm-net.js). A `check
 * --cache` the cache answers is served here (warm.ts); anything else loads the rest of the CLI
 * (fullRun.ts, dist/cli-full.js) with the real engine. Exit codes per docs/cli.md §2. The CLI never
 * spawns processes and never evaluates workspace code.
 */
import type * as Full from './fullRun';
import type { CliIo } from './check';
import { warmCheck } from './warm';

// `microvm-net check --format json | head`: a closed pipe ends the run quietly, not with a trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let warm: Awaited<ReturnType<typeof warmCheck>>;
  try {
    warm = await warmCheck(argv, io);
  } catch {
    // Whatever went wrong, the full CLI runs the check from the start and reports it.
    warm = 'other';
  }
  if (typeof warm === 'number') return warm;
  // Required here, not imported: scripts/build.mjs makes it the separate bundle dist/cli-full.js,
  // so its code is read and compiled only when the cache does not answer.
  const full = require('./fullRun') as typeof Full;
  return full.runFull(argv, io, warm === 'miss');
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runCli handles its own errors; this is a last resort.
    process.stderr.write(`microvm-net: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.MICROVM_NET_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  },
);
