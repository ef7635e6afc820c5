/**
 * `microvm-net` entry point (bundled to dist/cli.js, run by bin/microvm-net.js). Wires the real
 * engine and process streams into runCli; exit codes per docs/cli.md §2. The CLI never spawns
 * processes and never evaluates workspace code.
 */
import { createLanguageService } from '../engine/workspace';
import { runCli } from './check';

// `microvm-net check --format json | head`: a closed pipe ends the run quietly, not with a trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
  { createService: createLanguageService },
).then(
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
