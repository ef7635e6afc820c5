/**
 * Issue 13, defect 1, on the real systemd-networkd: the unit the create-unit fix writes for a
 * MicroVM whose name carries unit-file directives (`x\n[Match]\nName=*\n[Network]\n…`) affects
 * the fixed tap and no other link. Three runs of the daemon on the same links:
 *
 *   baseline  the workspace's own units;
 *   fixed     plus the unit `check --fix` created;
 *   control   plus the unit as the old template wrote it (the VM name raw in the comment), to
 *             show the daemon does take over every link when the name is not escaped.
 *
 * Every link but the fixed tap must look the same in `fixed` as in `baseline` (its .network file,
 * master and admin state); in `control` they must not. Needs what the oracle needs (root,
 * unshare, ip, systemd-networkd); when something is missing the test fails.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli } from '../../server/src/cli/check';
import { createLanguageService } from '../../server/src/engine/workspace';
import { cleanupHostile, hostileWorkspace, HOSTILE_VM_NAME, SHADOWING_UNITS } from '../unit/robustness/hostile/workspaces';
import { daemonPrerequisiteProblems, runNetworkdScenarios, type DaemonFile, type DaemonTap, type TapObservation } from './daemon';

const made: string[] = [];
after(() => cleanupHostile(made));

const TAPS: DaemonTap[] = [{ name: 'vm-web', mac: '02:00:00:00:00:01' }, { name: 'other0' }, { name: 'uplink9' }, { name: 'late7', late: true }];

function seen(o: TapObservation): [string | null, string | null, string | null] {
  return [o.networkFile === null ? null : basename(o.networkFile), o.master, o.adminState];
}

test('defect 1: the unit created for a hostile VM name takes over no link but its tap (real systemd-networkd)', { timeout: 600_000 }, async (t) => {
  assert.deepEqual(daemonPrerequisiteProblems(), [], 'the real systemd-networkd cannot run here');
  const dir = hostileWorkspace(made, { vmName: HOSTILE_VM_NAME, files: SHADOWING_UNITS });
  const unitDir = join(dir, 'etc/systemd/network');
  const before = new Set(readdirSync(unitDir));
  let out = '';
  const code = await runCli(['check', dir, '--fix', '--fail-on', 'never'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {}, cwd: dir }, { createService: createLanguageService });
  assert.equal(code, 0, out);
  const [created] = readdirSync(unitDir).filter((n) => !before.has(n));
  assert.ok(created, out);
  const fixedText = readFileSync(join(unitDir, created), 'utf8');
  // What the old template wrote: the same unit with the name raw in its comment.
  const unsafeText = fixedText.replace(/^# Puts the tap vm-web of MicroVM .* on br0;/, `# Puts the tap vm-web of MicroVM ${HOSTILE_VM_NAME} on br0;`);
  assert.notEqual(unsafeText, fixedText);

  const own: DaemonFile[] = Object.entries(SHADOWING_UNITS).map(([rel, text]) => ({ path: `/etc/systemd/network/${basename(rel)}`, text }));
  const createdPath = `/etc/systemd/network/${created}`;
  const run = await runNetworkdScenarios([
    { id: 'baseline', files: own, taps: TAPS },
    { id: 'fixed', files: [...own, { path: createdPath, text: fixedText }], taps: TAPS },
    { id: 'control', files: [...own, { path: createdPath, text: unsafeText }], taps: TAPS },
  ]);
  const [baseline, fixed, control] = run.observations;
  for (const o of run.observations) {
    assert.equal(o.error, undefined, `${o.id}: ${o.error}`);
    for (const t of o.taps) assert.ok(t.settled, `${o.id}/${t.name} did not settle`);
  }
  const tap = (obs: typeof fixed, name: string) => obs.taps.find((x) => x.name === name)!;
  for (const o of run.observations) t.diagnostic(`${o.id}: ${o.taps.map((x) => `${x.name} ${seen(x).join(' ')}`).join('; ')}`);

  // The fix does what it says: the tap is on br0 through the created unit.
  assert.deepEqual(seen(tap(fixed, 'vm-web')).slice(0, 2), [created, 'br0']);
  assert.notDeepEqual(seen(tap(baseline, 'vm-web')).slice(0, 2), [created, 'br0']);
  // And nothing else moved.
  for (const other of TAPS.filter((x) => x.name !== 'vm-web')) {
    assert.deepEqual(seen(tap(fixed, other.name)), seen(tap(baseline, other.name)), `${other.name} changed with the fix`);
  }
  // The control shows the payload would have mattered: the unescaped unit takes the other links.
  const hijacked = TAPS.filter((x) => x.name !== 'vm-web').filter((other) => seen(tap(control, other.name))[0] === created);
  assert.ok(hijacked.length > 0, `the unescaped control took no link: ${JSON.stringify(control.taps.map(seen))}`);
});
