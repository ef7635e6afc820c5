/**
 * The README's promise, through the built binary: `microvm-net check` on the bundled examples
 * reports the real problem on the tap's id, and `--fix` on a copy leaves none and re-parses.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

const repo = join(__dirname, '..', '..', '..');
const cli = join(repo, 'bin', 'microvm-net.js');

function run(args: string[], cwd = repo) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  if (!existsSync(join(repo, 'dist', 'cli.js'))) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
});

test('check examples/seed: tap-without-bridge on the id, naming brprim4, exit 1', () => {
  const { code, stdout } = run(['check', 'examples/seed', '--format', 'json']);
  assert.equal(code, 1);
  const report = JSON.parse(stdout);
  assert.equal(report.version, 2);
  const [tap] = report.interfaces;
  assert.equal(tap.id, 'my-microvm');
  assert.equal(tap.status, 'unmanaged');
  const [diag] = report.diagnostics;
  assert.equal(diag.code, 'tap-without-bridge');
  assert.deepEqual([diag.file, diag.line, diag.column], [tap.file, tap.line, tap.column]);
  assert.match(diag.message, /brprim4/);
});

test('check examples/homelab in text: one warning line and a summary', () => {
  const { code, stdout } = run(['check', 'examples/homelab', '--no-color']);
  assert.equal(code, 1);
  assert.match(stdout, /^examples\/homelab\/hosts\/hypervisor\/vms\.nix:\d+:\d+: warning tap-without-bridge tap `tap-media`/m);
  assert.match(stdout, /3 taps: 2 bridged/);
});

test('check --fix on a copy of each example leaves no tap-without-bridge and no syntax errors', () => {
  for (const example of ['seed', 'homelab']) {
    const dir = mkdtempSync(join(tmpdir(), `microvm-net-fix-${example}-`));
    try {
      cpSync(join(repo, 'examples', example), dir, { recursive: true });
      const fixed = run(['check', '--fix', '.', '--no-color'], dir);
      assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
      assert.match(fixed.stdout, /^fixed tap-without-bridge/m);
      const after = JSON.parse(run(['check', '.', '--format', 'json'], dir).stdout);
      assert.equal(after.diagnostics.filter((d: { code: string }) => d.code === 'tap-without-bridge').length, 0);
      assert.ok(after.interfaces.every((i: { status: string }) => i.status === 'bridged'));
      assert.doesNotMatch(run(['check', '.', '--no-color'], dir).stdout + readFileSync(join(dir, 'flake.nix'), 'utf8'), /syntax error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
