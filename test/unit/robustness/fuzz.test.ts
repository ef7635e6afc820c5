/**
 * Bounded mutation fuzzing of the whole engine (see test/fuzz/): 2,000 inputs derived from the
 * fixture workspaces with a fixed seed, each fed as an editor buffer, as an incremental edit
 * (checked against a fresh parse) or as bytes on disk, and every view exercised on the result.
 * The engine must never throw, never report a range outside the text, and never go over its
 * evaluation step budget. Long runs: `npm run fuzz -- --runs 100000`.
 *
 * Also a cheaper, wider pass over the unit-file parser and loader alone, and the hostile generators
 * (test/fuzz/hostile.ts: injection through names, BOM and bad bytes under --fix, FIFOs, huge
 * lines, pathological globs). Long runs: `npm run fuzz -- --hostile --runs 2000`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, loadCorpus, type Finding } from '../../fuzz/harness';
import { fuzzHostile, type HostileFinding } from '../../fuzz/hostile';
import { knownCrash } from '../../fuzz/known';
import { mutate } from '../../fuzz/mutate';
import { Rng } from '../../fuzz/rng';
import { loadUnitFiles, parseUnitText } from '../../../server/src/engine/networkd';
import { LineIndex } from '../../../server/src/engine/text';

const SEED = 0x6d766e; // fixed: failures are reproducible with `npm run fuzz -- --seed 7173742 --only <index>`
const RUNS = 2000;
const HOSTILE_RUNS = 120;

function describe(f: Finding): string {
  const what = f.outcome.crash ? `${f.outcome.crash.during}: ${f.outcome.crash.stack}` : f.outcome.violations.join('\n');
  return `#${f.info.index} ${f.info.fixture}/${f.info.file} [${f.info.ops.join(' ')}] ${f.info.mode}: ${what}`;
}

test(`engine survives ${RUNS} mutated fixture files (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  const summary = await fuzz({ seed: SEED, runs: RUNS, scale: 1 });
  t.diagnostic(
    `inputs ${summary.inputs}, crashes ${summary.crashes.length}, violations ${summary.violations.length}, ` +
      `slowest ${summary.slowest ? `${summary.slowest.info.fixture}/${summary.slowest.info.file} #${summary.slowest.info.index} ${Math.round(summary.slowest.ms)} ms` : '-'}, ` +
      `max steps ${summary.maxSteps}, ${(summary.totalMs / 1000).toFixed(1)} s`,
  );
  assert.equal(summary.inputs, RUNS);
  // Crashes already reported against code outside this suite's reach (see test/fuzz/known.ts)
  // are listed, not failed on; regressions.test.ts replays them.
  const known = summary.crashes.filter((f) => knownCrash(f.outcome.crash!));
  for (const f of known) t.diagnostic(`known crash ${knownCrash(f.outcome.crash!)!.id}: ${describe(f).split('\n')[0]}`);
  assert.deepEqual(summary.crashes.filter((f) => !knownCrash(f.outcome.crash!)).map(describe), []);
  assert.deepEqual(summary.violations.map(describe), []);
  // Every mode ran a fair share.
  for (const [mode, n] of Object.entries(summary.byMode)) assert.ok(n > RUNS / 10, `${mode}: only ${n} inputs`);
});

test('unit-file parser and loader survive 5,000 mutated units, positions stay inside the text', () => {
  const corpus = loadCorpus();
  const units = corpus.flatMap((f) => f.files.filter((x) => x.kind === 'unit').map((x) => ({ ...x, fixture: f.name })));
  const donors = units.map((u) => u.text);
  assert.ok(units.length > 20);
  for (let i = 0; i < 5000; i++) {
    const rng = new Rng(SEED, 1_000_000 + i);
    const unit = rng.pick(units);
    const { input, ops } = mutate(rng, unit.text, { kind: 'unit', donors, scale: 1 });
    const path = `/ws/${unit.fixture}/${unit.rel}`;
    const where = `#${i} ${unit.fixture}/${unit.rel} [${ops.join(' ')}]`;
    let parsed;
    try {
      parsed = parseUnitText(path, input.text);
      loadUnitFiles([{ path, text: input.text }, { path: `${path}.d/override.conf`, text: input.text }]);
    } catch (error) {
      assert.fail(`${where}: ${(error as Error).stack}`);
    }
    const index = new LineIndex(input.text);
    for (const e of parsed.entries) {
      for (const r of [e.keyLocation.range, e.valueLocation.range]) {
        assert.ok(r.end.line < index.lineCount, `${where}: ${JSON.stringify(r)} past the last line`);
        const start = index.offsetAt(r.start);
        const end = index.offsetAt(r.end);
        assert.ok(start <= end, `${where}: range ends before it starts`);
      }
      // The key really is at its location (unless a continuation joined it).
      const k = e.keyLocation.range;
      if (!e.continued) assert.equal(input.text.slice(index.offsetAt(k.start), index.offsetAt(k.end)), e.key, `${where}: key text`);
    }
  }
});

test(`hostile workspaces (names, BOM and bad bytes, FIFOs, huge lines, globs): ${HOSTILE_RUNS} cases`, { timeout: 300_000 }, async (t) => {
  const summary = await fuzzHostile({ seed: SEED, runs: HOSTILE_RUNS });
  t.diagnostic(
    `cases ${summary.cases} (${Object.entries(summary.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), fixes applied ${summary.fixesApplied}, ` +
      `crashes ${summary.crashes.length}, hangs ${summary.hangs.length}, bytes outside edits ${summary.bytesOutsideEdits.length}, payloads ${summary.payloads.length}, slowest ${Math.round(summary.slowestMs)} ms`,
  );
  const show = (fs: HostileFinding[]) => fs.map((f) => `#${f.index} ${f.kind} ${f.what}: ${f.detail}`);
  assert.deepEqual(show(summary.crashes), []);
  assert.deepEqual(show(summary.hangs), []);
  assert.deepEqual(show(summary.bytesOutsideEdits), []);
  assert.deepEqual(show(summary.payloads), []);
  for (const [kind, n] of Object.entries(summary.byKind)) assert.ok(n > 0, `${kind}: no case`);
  assert.ok(summary.fixesApplied > HOSTILE_RUNS / 4, `only ${summary.fixesApplied} fixes applied`);
});
