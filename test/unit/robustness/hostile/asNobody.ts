/**
 * Runs the CLI as another user (`nobody`), for the tests that need a real EACCES or a file the
 * invoking user cannot write while the suite runs as root (CI does). The child must not depend
 * on where the clone sits: a clone under `mktemp -d` (mode 0700) cannot be traversed by
 * `nobody`, so nothing is loaded from it. The CLI is bundled here (esbuild, as
 * scripts/build.mjs does) into a directory of its own that everyone may read, with the two
 * WASM files beside it, and the child runs that bundle with plain `node`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export const NOBODY = 65534;

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Whether this process may start children as another user. */
export function canSwitchUser(): boolean {
  return process.getuid?.() === 0;
}

/** A directory only root may write but everyone may read and traverse (the staging area, a workspace's parent). */
export function readableTempDir(made: string[], prefix = 'microvm-net-nobody-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

/** Bundles the CLI into `made`'s next readable directory; returns the bundle's path. */
export async function stageCli(made: string[]): Promise<string> {
  const dir = readableTempDir(made, 'microvm-net-cli-');
  const out = join(dir, 'cli.js');
  await build({
    entryPoints: [join(ROOT, 'server/src/cli/main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define: { 'import.meta.url': '__bundle_url' },
    banner: { js: "const __bundle_url = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'silent',
  });
  copyFileSync(join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(dir, 'tree-sitter.wasm'));
  copyFileSync(join(ROOT, 'node_modules/@cursorless/tree-sitter-wasms/out/tree-sitter-nix.wasm'), join(dir, 'tree-sitter-nix.wasm'));
  for (const f of ['cli.js', 'tree-sitter.wasm', 'tree-sitter-nix.wasm']) chmodSync(join(dir, f), 0o644);
  return out;
}

/** Runs the staged CLI bundle as `nobody`, from `cwd` (which nobody must be able to enter). */
export function runAsNobody(bundle: string, args: string[], cwd: string, home: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bundle, ...args], {
    cwd,
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, TMPDIR: home },
    timeout: 90_000,
  });
}
