// Shared by the e2e runners: paths, building the suite, fixture workspaces, and a registry of
// the processes we start so that every one of them is stopped by its PID, also on failure,
// timeout or Ctrl-C.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'e2e');
export const SUITE_OUT = join(OUTPUT_DIR, 'out', 'suite');
/** The compiled `extensionTestsPath` module. */
export const SUITE_ENTRY = join(SUITE_OUT, 'index.js');
/** Examples with an expected.json that the integration suite runs on, in order. */
export const DEFAULT_FIXTURES = ['seed', 'homelab'];

export function log(message) {
  process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Bundles the extension (dist/) and compiles the suite to test-output/e2e/out/suite. */
export async function buildAll() {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  checkBuilt();
  const { build } = await import('esbuild');
  const dir = join(ROOT, 'test', 'e2e', 'suite');
  const entryPoints = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
  mkdirSync(SUITE_OUT, { recursive: true });
  await build({
    entryPoints,
    outdir: SUITE_OUT,
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/** What the extension and the LSP tests run: fail early and clearly if the build skipped any. */
export function checkBuilt() {
  const missing = ['dist/client/extension.js', 'dist/server.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-nix.wasm'].filter(
    (f) => !existsSync(join(ROOT, f)),
  );
  if (missing.length) throw new Error(`the build did not produce ${missing.join(', ')} (scripts/build.mjs skips entries whose source is missing)`);
}

/** A fresh copy of examples/<name> under `parent` (quick fixes edit it). */
export function copyExample(name, parent) {
  const from = join(ROOT, 'examples', name);
  if (!existsSync(join(from, 'expected.json'))) throw new Error(`examples/${name}/expected.json does not exist`);
  const to = join(parent, name);
  cpSync(from, to, { recursive: true });
  return to;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms);
    }),
  ]);
}

/** Running (a zombie waiting for its parent to reap it does not count). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Linux: every descendant PID of `pid`, from /proc. */
export function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * The processes this run started. Each is a process-group leader (spawned `detached`), so
 * stopping one signals its group and then any descendant that left the group, by PID.
 */
export class ProcessRegistry {
  #tracked = new Map();

  constructor() {
    // Last resort if the runner dies without its cleanup: synchronous SIGKILL by PID.
    process.on('exit', () => {
      for (const pid of this.#tracked.keys()) this.#signal(pid, 'SIGKILL', descendants(pid));
    });
  }

  track(pid, name) {
    if (!pid) throw new Error(`${name}: no PID`);
    this.#tracked.set(pid, name);
    log(`started ${name} (pid ${pid})`);
  }

  #signal(pid, signal, extra = []) {
    try {
      process.kill(-pid, signal);
    } catch {
      // not a group leader (or already gone): the PID itself
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
    for (const child of extra) {
      try {
        process.kill(child, signal);
      } catch {
        // gone
      }
    }
  }

  async stop(pid, graceMs = 5000) {
    const name = this.#tracked.get(pid);
    if (name === undefined) return;
    const family = descendants(pid);
    if (alive(pid) || family.some(alive)) {
      this.#signal(pid, 'SIGTERM', family);
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (alive(pid) || family.some(alive))) await sleep(100);
      if (alive(pid) || family.some(alive)) {
        log(`${name} (pid ${pid}) still running after SIGTERM: SIGKILL`);
        this.#signal(pid, 'SIGKILL', family);
      }
    }
    this.#tracked.delete(pid);
    log(`stopped ${name} (pid ${pid})`);
  }

  async stopAll() {
    for (const pid of [...this.#tracked.keys()].reverse()) await this.stop(pid);
  }
}
