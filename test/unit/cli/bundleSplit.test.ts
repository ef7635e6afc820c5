/**
 * The CLI ships as two bundles (scripts/build.mjs): dist/cli.js answers a warm `check --cache`
 * without loading dist/cli-full.js, prints what the analysing run printed, and its cache key
 * covers both bundles, however the CLI is started (argv[1] is bin/microvm-net.js when installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const repo = join(__dirname, '..', '..', '..');
const dist = join(repo, 'dist');
const work = mkdtempSync(join(tmpdir(), 'microvm-net-split-'));
after(() => rmSync(work, { recursive: true, force: true }));

before(() => {
  if (!existsSync(join(dist, 'cli-full.js'))) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
});

/** A copy of the CLI bundles (free to change), a workspace, a cache dir and a load recorder. */
function setup(): { bundles: string; ws: string; cache: string; hook: string; log: string } {
  const base = mkdtempSync(join(work, 'case-'));
  const bundles = join(base, 'dist');
  cpSync(dist, bundles, { recursive: true, filter: (src) => !src.endsWith('.map') });
  const ws = join(base, 'ws');
  cpSync(join(repo, 'test', 'fixtures', 'bridge-not-defined'), ws, { recursive: true });
  const log = join(base, 'loads.log');
  const hook = join(base, 'hook.cjs');
  // Records every module the CLI requires by a relative path (the hand-off to cli-full.js is one).
  writeFileSync(
    hook,
    `const Module = require('module'); const fs = require('fs'); const load = Module._load;
     Module._load = function (request, ...rest) { if (request.startsWith('.')) fs.appendFileSync(${JSON.stringify(log)}, request + '\\n'); return load.call(this, request, ...rest); };`,
  );
  return { bundles, ws, cache: join(base, 'cache'), hook, log };
}

function run(script: string, args: string[], hook: string, cwd: string) {
  const r = spawnSync(process.execPath, ['--require', hook, script, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: r.status, out: r.stdout.replace(/"ms": ?\d+/g, '"ms":0'), err: r.stderr };
}

const loads = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8') : '');

test('a warm run loads only dist/cli.js and prints what the analysing run printed', () => {
  const { bundles, ws, cache, hook, log } = setup();
  const args = ['check', '.', '--format', 'json', '--cache', cache];
  const cold = run(join(bundles, 'cli.js'), args, hook, ws);
  assert.match(cold.out, /bridge-not-defined/);
  assert.match(loads(log), /cli-full\.js/, 'the run that analyses loads the full CLI');
  rmSync(log);
  const warm = run(join(bundles, 'cli.js'), args, hook, ws);
  assert.equal(loads(log), '');
  assert.equal(warm.out, cold.out);
  assert.equal(warm.code, cold.code);
  assert.equal(warm.err, cold.err);
  // Any other command still works through the hand-off.
  const version = run(join(bundles, 'cli.js'), ['--version'], hook, ws);
  assert.match(version.out, /^microvm-net \d/);
});

test('the cache key covers both bundles, not the script node was started with', () => {
  const { bundles, ws, cache, hook, log } = setup();
  const args = ['check', '.', '--format', 'json', '--cache', cache];
  // Started the way the installed binary starts: a stub elsewhere requires the bundle.
  const stub = join(bundles, '..', 'microvm-net.js');
  writeFileSync(stub, `require(${JSON.stringify(join(bundles, 'cli.js'))});\n`);
  run(stub, args, hook, ws);
  rmSync(log);
  run(join(bundles, 'cli.js'), args, hook, ws);
  assert.equal(loads(log), '', 'the same build answers from the cache whichever script started it');
  appendFileSync(join(bundles, 'cli-full.js'), '\n// rebuilt\n');
  run(stub, args, hook, ws);
  assert.match(loads(log), /cli-full\.js/, 'another cli-full.js is another tool: the entry is not reused');
  rmSync(log);
  appendFileSync(join(bundles, 'cli.js'), '\n// rebuilt\n');
  run(stub, args, hook, ws);
  assert.match(loads(log), /cli-full\.js/, 'another cli.js is another tool too');
});
