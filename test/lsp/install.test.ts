/**
 * Putting `microvm-net-lsp` on PATH as the README says: `npm pack`, then `npm install -g` of the
 * tarball into a fresh prefix. The installed commands must answer --version and --help, and the
 * installed server must speak LSP over stdio.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, LspClient, REPO } from './harness';

before(ensureBuilt);
const base = mkdtempSync(join(tmpdir(), 'microvm-net-install-'));
after(() => rmSync(base, { recursive: true, force: true }));

const npm = (args: string[]) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  assert.equal(r.status, 0, `npm ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

test('npm pack + npm install -g into a prefix gives working microvm-net-lsp and microvm-net', { timeout: 300_000 }, async () => {
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  // dist/ is already built (ensureBuilt); packing must not build again.
  npm(['pack', '--ignore-scripts', '--pack-destination', base]);
  const tarball = readdirSync(base).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'a tarball');
  const prefix = join(base, 'prefix');
  npm(['install', '-g', '--prefer-offline', '--prefix', prefix, join(base, tarball)]);
  const bin = join(prefix, 'bin');

  const run = (cmd: string, args: string[]) => spawnSync(join(bin, cmd), args, { encoding: 'utf8', cwd: base });
  assert.equal(run('microvm-net-lsp', ['--version']).stdout, `microvm-net-lsp ${version}\n`);
  const help = run('microvm-net-lsp', ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--stdio/);
  assert.equal(run('microvm-net', ['--version']).stdout, `microvm-net ${version}\n`);
  const check = run('microvm-net', ['check', join(REPO, 'examples', 'seed'), '--no-color']);
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stdout, /tap-without-bridge/);

  const client = await LspClient.start({ roots: [join(REPO, 'examples', 'seed')], command: [join(bin, 'microvm-net-lsp'), '--stdio'] });
  try {
    assert.equal(client.initializeResult.serverInfo?.version, version);
  } finally {
    await client.stop();
  }
});
