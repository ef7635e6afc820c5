/**
 * Issue 13, where `--fix` writes: only the bytes it analysed (defect 5: a file changed or swapped
 * for a symlink after the analysis is refused), only files the invoking user may write, with one
 * link, keeping their owner (defect 6). The unwritable cases run the CLI as `nobody` (root may
 * write anything, and CI runs as root), from a bundle staged where `nobody` can read it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../server/src/cli/check';
import { runFixes, type FixLogEntry } from '../../../server/src/cli/fix';
import { writeChange } from '../../../server/src/cli/fileWriter';
import { sha256Of } from '../../../server/src/engine/files';
import { RootGuard } from '../../../server/src/engine/roots';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import type { Fix } from '../../../server/src/engine/service';
import type { Range } from '../../../server/src/engine/text';
import { canSwitchUser, NOBODY, readableTempDir, runAsNobody, stageCli } from './hostile/asNobody';
import { cleanupHostile, hostileWorkspace, type HostOptions } from './hostile/workspaces';

const made: string[] = [];
after(() => cleanupHostile(made));

/** The preferred fix edits host.nix (tap-up, with `lib`/`pkgs` added to the formals). */
const EDITS_HOST: HostOptions = { formals: 'config, ...', hostExtra: '  networking.bridges.br0.interfaces = [ ];' };

/**
 * The analysis and its fixes, computed now: what `--fix` holds in hand when something changes on
 * disk before it writes.
 */
async function planned(dir: string) {
  const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  await service.scan();
  const snapshot = service.analyze();
  const computed = new Map<string, Fix[]>();
  for (const d of [...snapshot.diagnostics.values()].flat()) computed.set(JSON.stringify([d.location.file, d.location.range]), service.fixes(d.location.file, d.location.range));
  const fixes = (file: string, range: Range) => computed.get(JSON.stringify([file, range])) ?? [];
  return { service, snapshot, held: { fixes } };
}

function refusal(log: FixLogEntry[]): string {
  assert.equal(log.length, 1, JSON.stringify(log));
  assert.equal(log[0].kind, 'refused', JSON.stringify(log));
  return (log[0] as { reason: string }).reason;
}

test('defect 5: a file changed after the analysis is not written (content hash)', async () => {
  const dir = hostileWorkspace(made, EDITS_HOST);
  const host = join(dir, 'host.nix');
  const { service, snapshot, held } = await planned(dir);
  const changed = readFileSync(host, 'utf8').replace('networking.hostName = "hv";', 'networking.hostName = "hv2";');
  writeFileSync(host, changed);
  const run = await runFixes(snapshot, { service: held, roots: [dir], base: dir, refresh: async () => service.analyze() });
  assert.match(refusal(run.log), /host\.nix changed since it was analysed: not written/);
  assert.equal(readFileSync(host, 'utf8'), changed);
  assert.deepEqual(run.touched, []);
  service.dispose();
});

test('defect 5: a file swapped for a symlink out of the workspace after the analysis is not written', async () => {
  const dir = hostileWorkspace(made, EDITS_HOST);
  const host = join(dir, 'host.nix');
  const outside = join(readableTempDir(made), 'victim.nix');
  writeFileSync(outside, readFileSync(host));
  const { service, snapshot, held } = await planned(dir);
  rmSync(host);
  symlinkSync(outside, host);
  const before = readFileSync(outside);
  const run = await runFixes(snapshot, { service: held, roots: [dir], base: dir, refresh: async () => service.analyze() });
  assert.match(refusal(run.log), /would write outside the checked paths|resolves outside the checked paths/);
  assert.deepEqual(readFileSync(outside), before, 'the file outside is untouched');
  service.dispose();
});

test('defect 6: a file with two hard links is not replaced (a rename would split them)', async () => {
  const dir = hostileWorkspace(made, EDITS_HOST);
  const host = join(dir, 'host.nix');
  linkSync(host, join(dir, 'host-copy.txt'));
  const before = readFileSync(host);
  const { service, snapshot, held } = await planned(dir);
  const run = await runFixes(snapshot, { service: held, roots: [dir], base: dir, refresh: async () => service.analyze() });
  assert.match(refusal(run.log), /host\.nix has 2 hard links; replacing it would split them: not written/);
  assert.deepEqual(readFileSync(host), before);
  assert.equal(statSync(host).nlink, 2);
  service.dispose();
});

test('defect 6: a file another user owns keeps its owner and mode when the fix may write it', { skip: !canSwitchUser() && 'chown needs root; the nobody test below covers a user who may not write' }, async () => {
  const dir = hostileWorkspace(made, EDITS_HOST);
  const host = join(dir, 'host.nix');
  chownSync(host, NOBODY, NOBODY);
  chmodSync(host, 0o664);
  let out = '';
  const code = await runCli(['check', dir, '--fix', '--fail-on', 'never'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {}, cwd: dir }, { createService: createLanguageService });
  assert.equal(code, 0, out);
  assert.match(out, /^fixed tap-without-bridge/m);
  const st = statSync(host);
  assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [NOBODY, NOBODY, 0o664]);
});

// Only root can hand a file to another user. An ordinary user's `npm test` leaves this one out and
// says so; CI (.ci/run, as root, MICROVM_NET_ORACLE=required) must run it.
const rootOnly = !canSwitchUser() && process.env.MICROVM_NET_ORACLE !== 'required' && 'NOT RUN: needs root to give files to another user (nobody); CI runs it as root';

test('defect 6: as a user who may not write them, a 0444 file of its own and a file of another user are refused, not replaced', { timeout: 180_000, skip: rootOnly }, async () => {
  assert.ok(canSwitchUser(), 'runs as root (as CI does) to start the CLI as nobody; as another user, a 0444 file already cannot be written');
  const bundle = await stageCli(made);
  const base = readableTempDir(made);
  const home = join(base, 'home');
  mkdirSync(home, { mode: 0o1777 });
  chmodSync(home, 0o1777);
  const cases: [string, (file: string) => void][] = [
    ['its own file, mode 0444', (file) => {
      chownSync(file, NOBODY, NOBODY);
      chmodSync(file, 0o444);
    }],
    ["root's file, mode 0644", (file) => chmodSync(file, 0o644)],
  ];
  for (const [what, prepare] of cases) {
    const dir = join(base, what.replace(/\W+/g, '-'));
    mkdirSync(dir);
    const ws = hostileWorkspace([], EDITS_HOST);
    writeFileSync(join(dir, 'flake.nix'), readFileSync(join(ws, 'flake.nix')));
    writeFileSync(join(dir, 'host.nix'), readFileSync(join(ws, 'host.nix')));
    rmSync(join(ws, '..'), { recursive: true, force: true });
    // nobody owns the directory: a temp file and a rename would succeed; only the file's own permissions say no.
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, 'flake.nix'), NOBODY, NOBODY);
    const host = join(dir, 'host.nix');
    prepare(host);
    const before = statSync(host);
    const bytes = readFileSync(host);
    const r = runAsNobody(bundle, ['check', dir, '--fix', '--fail-on', 'never', '--no-color'], dir, home);
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    assert.match(r.stdout, /^not fixed: tap-without-bridge at host\.nix:\d+:\d+: .*host\.nix is not writable by the invoking user: not written/m, `${what}: ${r.stdout}`);
    const now = statSync(host);
    assert.deepEqual([now.ino, now.uid, now.gid, now.mode], [before.ino, before.uid, before.gid, before.mode], `${what}: replaced`);
    assert.deepEqual(readFileSync(host), bytes, `${what}: changed`);
  }
});

test('defect 5: the writer itself re-checks: no recorded hash, a hash of other bytes, a path that leads out', () => {
  const dir = hostileWorkspace(made, EDITS_HOST);
  const host = join(dir, 'host.nix');
  const bytes = readFileSync(host);
  const guard = new RootGuard([dir]);
  const edits = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# x\n' }];
  assert.throws(() => writeChange({ file: host, edits }, guard), /was not read from disk by the analysis/);
  assert.throws(() => writeChange({ file: host, edits, sha256: sha256Of(Buffer.from('other')) }, guard), /changed since it was analysed/);
  const outside = join(readableTempDir(made), 'victim.nix');
  writeFileSync(outside, bytes);
  symlinkSync(outside, join(dir, 'link.nix'));
  assert.throws(() => writeChange({ file: join(dir, 'link.nix'), edits, sha256: sha256Of(bytes) }, guard), /resolves outside the checked paths/);
  assert.deepEqual(readFileSync(outside), bytes);
  assert.deepEqual(readFileSync(host), bytes);
  // And with everything in order it writes, keeping every byte outside the edit.
  writeChange({ file: host, edits, sha256: sha256Of(bytes) }, guard);
  assert.deepEqual(readFileSync(host), Buffer.concat([Buffer.from('# x\n'), bytes]));
});
