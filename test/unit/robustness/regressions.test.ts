/**
 * Replays every case under regressions/ (each: case.json naming a fixture and a file in it,
 * and `input`, the bytes that file is replaced with) on a fresh service over a temp copy of the
 * fixture: scan, analyze and every view must not throw. Cases whose case.json names a `known`
 * crash (test/fuzz/known.ts: reported, in code this suite may not change) run as todo tests
 * until fixed. New cases are written by `npm run fuzz` when it finds a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, Session, exerciseViews, loadCorpus } from '../../fuzz/harness';
import { KNOWN_CRASHES } from '../../fuzz/known';
import { Rng } from '../../fuzz/rng';
import { decodeText } from '../../../server/src/engine/files';
import { writeFileSync } from 'node:fs';

const DIR = join(__dirname, 'regressions');

interface Case {
  fixture: string;
  file: string;
  known?: string;
}

const cases = existsSync(DIR) ? readdirSync(DIR).filter((n) => existsSync(join(DIR, n, 'case.json'))).sort() : [];
const corpus = loadCorpus(FIXTURES_DIR);

for (const name of cases) {
  const meta = JSON.parse(readFileSync(join(DIR, name, 'case.json'), 'utf8')) as Case;
  const bytes = readFileSync(join(DIR, name, 'input'));
  const known = meta.known ? KNOWN_CRASHES.find((k) => k.id === meta.known) : undefined;
  test(`regression ${name}`, known ? { todo: `known, reported: ${known.summary}` } : {}, async () => {
    const fixture = corpus.find((f) => f.name === meta.fixture);
    assert.ok(fixture, `fixture ${meta.fixture} exists`);
    const session = await Session.create(fixture);
    try {
      const file = join(session.root, meta.file);
      // As bytes on disk, then as an editor buffer.
      writeFileSync(file, bytes);
      session.service.fileChanged(file);
      const violations: string[] = [];
      let snapshot = session.service.analyze();
      exerciseViews(session.service, snapshot, file, session.service.textOf(file), new Rng(1), violations, () => {});
      const text = decodeText(bytes).text ?? bytes.toString('latin1');
      session.service.openDocument(file, text, 2);
      snapshot = session.service.analyze();
      exerciseViews(session.service, snapshot, file, text, new Rng(2), violations, () => {});
      assert.deepEqual(violations, []);
    } finally {
      session.dispose();
    }
  });
}

test('regression cases are well-formed', () => {
  for (const name of cases) {
    const meta = JSON.parse(readFileSync(join(DIR, name, 'case.json'), 'utf8')) as Case;
    assert.ok(existsSync(join(DIR, name, 'input')), `${name}: input`);
    assert.ok(corpus.some((f) => f.name === meta.fixture), `${name}: fixture ${meta.fixture}`);
    if (meta.known) assert.ok(KNOWN_CRASHES.some((k) => k.id === meta.known), `${name}: known id ${meta.known}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Former hangs. They are asserted by what the engine says, not by how long it takes: a
// catastrophic regex is refused (the tap id stays unknown), and an over-budget parse is reported.

async function analyseSeedWith(vms: string) {
  const fixture = corpus.find((f) => f.name === 'seed');
  assert.ok(fixture);
  const session = await Session.create(fixture);
  try {
    const file = join(session.root, 'hosts/hv/vms.nix');
    writeFileSync(file, vms);
    session.service.fileChanged(file);
    const snapshot = session.service.analyze();
    return { file, snapshot };
  } finally {
    session.dispose();
  }
}

const seedVms = () => readFileSync(join(FIXTURES_DIR, 'seed/hosts/hv/vms.nix'), 'utf8');

test('builtins.match with a catastrophic regex is refused: the id is unknown, no warning', async () => {
  // In the tap id, so the (lazy) evaluator has to force it.
  const vms = seedVms().replace('id = "my-microvm";', `id = if builtins.match "(a*)*b" "${'a'.repeat(40)}c" == null then "my-microvm" else "x";`);
  const { snapshot } = await analyseSeedWith(vms);
  assert.deepEqual(snapshot.outcomes.map((o) => o.status), ['unknown']);
  assert.equal([...snapshot.diagnostics.values()].flat().filter((d) => d.code === 'tap-without-bridge').length, 0);
});

test('a long operator chain (superlinear for tree-sitter-nix) ends with the file reported, not analysed', async () => {
  const vms = seedVms().replace('vcpu = 2;', `vcpu = ${'1+'.repeat(30_000)}1;`);
  const { file, snapshot } = await analyseSeedWith(vms);
  const report = snapshot.facts.files.find((f) => f.file === file);
  assert.ok(report?.problems.some((p) => p.kind === 'parse-incomplete' && /parsing took longer than its budget/.test(p.message)), JSON.stringify(report));
  assert.equal(snapshot.outcomes.length, 0);
});
