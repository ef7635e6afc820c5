/**
 * Oracle: the real systemd-networkd decides which bridge each tap joins; the engine must agree
 * for every tap of every generated scenario.
 *
 * Needs root, `unshare`, `ip` and /lib/systemd/systemd-networkd (Debian 12: systemd 252). When
 * any of them is missing the test FAILS: a skipped oracle is not a pass.
 *
 * Environment:
 *   ORACLE_SEED=<n>          another seed (default fixed below)
 *   ORACLE_SCALE=<x>         scale the number of scenarios (default 1 = 40 scenarios)
 *   ORACLE_FAILURE_DIR=<dir> where to write the scenarios when the test fails
 *   ORACLE_VERBOSE=1         print every scenario's progress line
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadUnitFiles, resolveNetworkd } from '../../server/src/engine/networkd';
import { known } from '../../server/src/engine/pattern';
import { reasonTexts } from '../../server/src/engine/reasons';
import { daemonPrerequisiteProblems, runNetworkdScenarios, type ScenarioObservation, type TapObservation } from './daemon';
import { describeScenario, generateScenarios, REQUIRED_FEATURES, type Scenario } from './generate';

const DEFAULT_SEED = 0x5eed2520;
const BASE_COUNT = 40;
const MIN_TAPS = 200;

const seed = process.env.ORACLE_SEED ? Number(process.env.ORACLE_SEED) : DEFAULT_SEED;
const scale = process.env.ORACLE_SCALE ? Number(process.env.ORACLE_SCALE) : 1;

/** Hand-written scenarios that check the harness itself (not the engine). */
const CONTROLS: { scenario: Scenario; expected: Record<string, string | null> }[] = [
  {
    scenario: {
      id: 'control',
      features: ['control'],
      files: [
        { path: '/etc/systemd/network/br0.netdev', text: '[NetDev]\nName=br0\nKind=bridge\n' },
        { path: '/usr/lib/systemd/network/20-vm.network', text: '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' },
      ],
      taps: [
        { name: 'vm-ctl', mac: '02:00:00:00:00:01' },
        { name: 'vm-ctl-late', late: true },
        { name: 'other-ctl' },
      ],
    },
    expected: { 'vm-ctl': 'br0', 'vm-ctl-late': 'br0', 'other-ctl': null },
  },
];

interface EngineAnswer {
  master: string | null;
  match: string;
  unmanaged: boolean;
  bridge: string | null;
  bridgeHasNetdev: boolean;
  winner: string | null;
  reasons: string[];
  error?: string;
}

function engineAnswers(s: Scenario, observed: ScenarioObservation): Map<string, EngineAnswer> {
  const answers = new Map<string, EngineAnswer>();
  let units: ReturnType<typeof loadUnitFiles>;
  try {
    units = loadUnitFiles(s.files.map((f) => ({ path: f.path, text: f.text })));
  } catch (e) {
    const error = `loadUnitFiles threw: ${e instanceof Error ? e.stack : String(e)}`;
    for (const t of s.taps) answers.set(t.name, { master: null, match: 'error', unmanaged: false, bridge: null, bridgeHasNetdev: false, winner: null, reasons: [], error });
    return answers;
  }
  for (const t of s.taps) {
    const obs = observed.taps.find((o) => o.name === t.name);
    const mac = obs?.mac ?? t.mac ?? null;
    try {
      const d = resolveNetworkd(units, { name: known(t.name), mac: mac === null ? null : known(mac) });
      const master = d.match === 'unit' && !d.unmanaged && d.bridge && d.bridge.netdev ? d.bridge.name : null;
      answers.set(t.name, {
        master,
        match: d.match,
        unmanaged: d.unmanaged,
        bridge: d.bridge?.name ?? null,
        bridgeHasNetdev: !!d.bridge?.netdev,
        winner: d.winner ? `${d.winner.name} (${d.winner.location.file})` : null,
        reasons: reasonTexts(d.reasons),
      });
    } catch (e) {
      answers.set(t.name, {
        master: null, match: 'error', unmanaged: false, bridge: null, bridgeHasNetdev: false, winner: null, reasons: [],
        error: `resolveNetworkd threw: ${e instanceof Error ? e.stack : String(e)}`,
      });
    }
  }
  return answers;
}

interface Disagreement {
  scenario: Scenario;
  tap: TapObservation;
  engine: EngineAnswer;
  why: string;
}

function formatDisagreement(d: Disagreement, observation: ScenarioObservation): string {
  const t = d.tap;
  const warnings = observation.generalLog.filter((l) => l.startsWith('/') || /\.(network|netdev|conf)\b/.test(l));
  return [
    `=== ${d.scenario.id} / tap ${t.name}: ${d.why}`,
    `daemon: master=${t.master ?? 'none'} state=${t.adminState ?? '?'} network_file=${t.networkFile ?? 'none'} mac=${t.mac}${t.late ? ' (created after networkd started)' : ''}`,
    `engine: master=${d.engine.master ?? 'none'} match=${d.engine.match} winner=${d.engine.winner ?? 'none'} unmanaged=${d.engine.unmanaged} bridge=${d.engine.bridge ?? 'none'}${d.engine.bridge ? ` (netdev ${d.engine.bridgeHasNetdev ? 'found' : 'missing'})` : ''}`,
    ...(d.engine.error ? [`engine error: ${d.engine.error}`] : []),
    `engine reasons:${d.engine.reasons.length ? '' : ' (none)'}`,
    ...d.engine.reasons.map((r) => `  - ${r}`),
    `daemon log for ${t.name}:`,
    ...t.logLines.filter((l) => /match|Configuring|master|Unmanag|State changed|failed/i.test(l)).map((l) => `  | ${l}`),
    ...(warnings.length ? ['daemon warnings while loading files:', ...warnings.map((l) => `  | ${l}`)] : []),
    describeScenario(d.scenario),
  ].join('\n');
}

/** All scenarios as file trees, plus what each side said, for debugging a failure. */
function writeFailureFolder(scenarios: Scenario[], observations: ScenarioObservation[], report: string): string {
  const root = process.env.ORACLE_FAILURE_DIR ?? join(tmpdir(), `microvm-net-oracle-failure-seed${seed}-${Date.now()}`);
  mkdirSync(root, { recursive: true });
  for (const s of scenarios) {
    const dir = join(root, s.id);
    for (const f of s.files) {
      const path = join(dir, 'root', f.path);
      mkdirSync(dirname(path), { recursive: true });
      if (f.text === null) symlinkSync('/dev/null', path);
      else writeFileSync(path, f.text);
    }
    writeFileSync(join(dir, 'scenario.txt'), describeScenario(s) + `\nfeatures: ${s.features.join(' ')}\n`);
    const obs = observations.find((o) => o.id === s.id);
    if (obs) writeFileSync(join(dir, 'daemon.json'), JSON.stringify(obs, null, 2));
  }
  writeFileSync(join(root, 'scenarios.json'), JSON.stringify(scenarios, null, 2));
  writeFileSync(join(root, 'disagreements.txt'), report + '\n');
  writeFileSync(join(root, 'README.txt'), `seed ${seed}, scale ${scale}\nEach <scenario>/root/ mirrors the file system networkd read; daemon.json is what networkd did.\n`);
  return root;
}

test('oracle: the engine predicts the master systemd-networkd gives every tap', { timeout: 15 * 60_000 }, async (t) => {
  const problems = daemonPrerequisiteProblems();
  if (problems.length) {
    assert.fail(`the networkd oracle cannot run here (this is a failure, not a skip):\n  - ${problems.join('\n  - ')}`);
  }

  const generated = generateScenarios({ seed, count: Math.max(1, Math.round(BASE_COUNT * scale)) });
  const features = new Set(generated.flatMap((s) => s.features));
  const missing = REQUIRED_FEATURES.filter((f) => !features.has(f));
  assert.deepEqual(missing, [], `generator (seed ${seed}) did not cover: ${missing.join(', ')}`);
  const scenarios: Scenario[] = [...CONTROLS.map((c) => c.scenario), ...generated];
  const tapCount = scenarios.reduce((n, s) => n + s.taps.length, 0);
  if (scale >= 1) assert.ok(tapCount >= MIN_TAPS, `only ${tapCount} taps generated, want >= ${MIN_TAPS}`);

  const run = await runNetworkdScenarios(scenarios, {
    onProgress: process.env.ORACLE_VERBOSE ? (line) => t.diagnostic(line) : undefined,
  });
  const observations = run.observations;

  // The harness first: every scenario ran, every tap was seen and settled, the controls hold.
  assert.equal(observations.length, scenarios.length, 'the runner returned a different number of scenarios');
  const harnessProblems: string[] = [];
  for (const o of observations) {
    if (o.error) harnessProblems.push(`${o.id}: ${o.error}`);
    for (const tap of o.taps) {
      if (tap.ifindex === null) harnessProblems.push(`${o.id}: tap ${tap.name} was not created`);
      else if (!tap.settled) harnessProblems.push(`${o.id}: tap ${tap.name} did not settle (state ${tap.adminState})`);
    }
  }
  for (const c of CONTROLS) {
    const o = observations.find((x) => x.id === c.scenario.id)!;
    for (const [tap, master] of Object.entries(c.expected)) {
      const got = o.taps.find((x) => x.name === tap)?.master ?? null;
      if (got !== master) harnessProblems.push(`control ${c.scenario.id}: tap ${tap} has master ${got}, expected ${master}`);
    }
  }
  const bridgedTaps = observations.reduce((n, o) => n + o.taps.filter((x) => x.master).length, 0);
  if (bridgedTaps < tapCount * 0.15 || bridgedTaps > tapCount * 0.85) {
    harnessProblems.push(`implausible: ${bridgedTaps}/${tapCount} taps have a master (generator or harness broken)`);
  }
  if (harnessProblems.length) {
    const dir = writeFailureFolder(scenarios, observations, harnessProblems.join('\n'));
    assert.fail(`oracle harness problems (scenarios written to ${dir}):\n  - ${harnessProblems.join('\n  - ')}`);
  }

  // Then the engine, tap by tap.
  const disagreements: Disagreement[] = [];
  let agree = 0;
  for (const s of scenarios) {
    const o = observations.find((x) => x.id === s.id)!;
    const answers = engineAnswers(s, o);
    for (const tap of o.taps) {
      const e = answers.get(tap.name)!;
      let why: string | null = null;
      if (e.error) why = 'engine threw';
      else if (e.match === 'unknown') why = "engine answered match 'unknown' although every value is known";
      else if (e.master !== tap.master) why = `master differs: networkd ${tap.master ?? 'none'}, engine ${e.master ?? 'none'}`;
      if (why) disagreements.push({ scenario: s, tap, engine: e, why });
      else agree++;
    }
  }

  const summary = `oracle: ${agree}/${tapCount} taps agree across ${scenarios.length} scenarios (seed ${seed}, networkd run ${Math.round(run.ms / 1000)} s, ${bridgedTaps} taps bridged)`;
  console.log(summary);
  t.diagnostic(summary);
  if (disagreements.length) {
    const report = disagreements.map((d) => formatDisagreement(d, observations.find((o) => o.id === d.scenario.id)!)).join('\n\n');
    const dir = writeFailureFolder(scenarios, observations, report);
    const shown = disagreements.slice(0, 8).map((d) => formatDisagreement(d, observations.find((o) => o.id === d.scenario.id)!));
    assert.fail(
      `${summary}\n${disagreements.length} disagreement(s); all scenarios and the full report are in ${dir}\n\n` +
        shown.join('\n\n') +
        (disagreements.length > shown.length ? `\n\n... and ${disagreements.length - shown.length} more in ${dir}/disagreements.txt` : ''),
    );
  }
});
