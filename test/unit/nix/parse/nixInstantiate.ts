/**
 * `nix-instantiate --parse` (Nix 2.8, Debian's nix-bin) over many files: batches of files per
 * process, several processes at once. Nix prints one expression per line in argument order and
 * stops at the first file it rejects; the files before it keep their lines, the rejected one is
 * confirmed (by its name in the error, or alone), and the batch goes on after it.
 */
import { spawn, spawnSync } from 'node:child_process';

export type NixParseResult = { ok: true; output: string } | { ok: false; error: string };

export const NIX_INSTANTIATE = 'nix-instantiate';

/** The version line, or undefined when nix-instantiate cannot be run. */
export function nixVersion(): string | undefined {
  const run = spawnSync(NIX_INSTANTIATE, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

function run(files: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The dummy store: parsing needs none, and an ordinary user may not reach the daemon's.
    const child = spawn(NIX_INSTANTIATE, ['--parse', '--store', 'dummy://', ...files], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function lines(stdout: string): string[] {
  const all = stdout.split('\n');
  all.pop();
  return all;
}

async function parseBatch(files: string[], env: NodeJS.ProcessEnv, results: Map<string, NixParseResult>): Promise<void> {
  let rest = files;
  while (rest.length > 0) {
    const r = await run(rest, env);
    const printed = lines(r.stdout);
    if (r.status === 0 && printed.length === rest.length) {
      rest.forEach((f, i) => results.set(f, { ok: true, output: printed[i] }));
      return;
    }
    const failed = rest[printed.length];
    // Nix names the file it rejects; when it does not, the file is tried alone.
    const alone = failed === undefined ? undefined : r.stderr.includes(`${failed}:`) ? r : await run([failed], env);
    if (!alone || alone.status === 0 || printed.length >= rest.length) {
      // The batch did not fail where it said: every file on its own.
      for (const f of rest) {
        const one = await run([f], env);
        results.set(f, one.status === 0 ? { ok: true, output: lines(one.stdout)[0] ?? '' } : { ok: false, error: one.stderr.trim() });
      }
      return;
    }
    printed.forEach((line, i) => results.set(rest[i], { ok: true, output: line }));
    results.set(failed, { ok: false, error: alone.stderr.trim() });
    rest = rest.slice(printed.length + 1);
  }
}

export async function nixParseFiles(
  files: string[],
  options: { home: string; batchSize?: number; concurrency?: number },
): Promise<Map<string, NixParseResult>> {
  const env = { ...process.env, HOME: options.home };
  const size = options.batchSize ?? 400;
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += size) batches.push(files.slice(i, i + size));
  const results = new Map<string, NixParseResult>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) await parseBatch(batches[next++], env, results);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return results;
}
