// Every scenario here was run on the real systemd-networkd 252 (fixtures/daemon/); the engine must
// agree with the daemon, or say it cannot know (conditions that depend on the machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadUnitFiles, resolveNetworkd } from '../../../server/src/engine/networkd';
import { reasonTexts } from '../../../server/src/engine/reasons';
import { known } from '../../../server/src/engine/pattern';

interface Scenario { name: string; files: { path: string; text: string }[]; pre: string | null; master: string | null }
const scenarios = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'daemon-252.json'), 'utf8')) as Scenario[];
/** Scenarios whose result depends on the machine (Host=, KernelVersion=, Property=, netdev [Match]). */
const MACHINE_DEPENDENT = new Set(['host-nomatch', 'host-only', 'kernelver', 'property', 'netdev-host']);

for (const sc of scenarios) {
  test(`daemon scenario ${sc.name} (daemon: ${sc.master ?? 'no master'})`, () => {
    const units = loadUnitFiles(sc.files.map((f) => ({ path: f.path, text: f.text })));
    const mac = sc.pre ? /address (\S+)/.exec(sc.pre)?.[1] : undefined;
    const d = resolveNetworkd(units, { name: known('vm-a'), mac: mac ? known(mac) : null });
    if (MACHINE_DEPENDENT.has(sc.name)) {
      assert.ok(d.match === 'unknown' || d.bridgeUnknown, `expected unknown, got ${JSON.stringify(reasonTexts(d.reasons))}`);
      return;
    }
    assert.equal(d.match === 'unknown', false, reasonTexts(d.reasons).join('; '));
    assert.equal(d.bridgeUnknown, false, reasonTexts(d.reasons).join('; '));
    let engine: string | null = d.match === 'unit' && d.bridge?.netdev ? d.bridge.name : null;
    // KeepMaster=yes keeps the master set before networkd started.
    if (d.keepMaster && sc.pre && /master (\S+)/.test(sc.pre)) engine = /master (\S+)/.exec(sc.pre)![1];
    assert.equal(engine, sc.master, reasonTexts(d.reasons).join('; '));
  });
}

test('the daemon fixture covers the documented pitfalls', () => {
  assert.ok(scenarios.length >= 70);
});
