/**
 * Replays every case under regressions/ (each: case.json naming a fixture and a file in it,
 * and `input`, the bytes that file is replaced with) on a fresh service over a temp copy of the
 * fixture: scan, analyze and every view must not throw. Cases whose case.json names a `known`
 * crash (test/fuzz/known.ts: reported, in code this suite may not change) run as todo tests
 * until fixed. New cases are written by `npm run fuzz` when it finds a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
// Known hangs (reported; the fuzzer leaves them out unless --include-known-hangs). Each runs the
// CLI from source in a child process that is killed after HANG_MS: a hang detector, not a
// performance threshold (a fixed engine finishes these in well under a second).

const HANG_MS = 5000;

function finishes(files: Record<string, string>): { done: boolean; out: string } {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-hang-'));
  try {
    const dir = join(base, 'ws');
    cpSync(join(FIXTURES_DIR, 'seed'), dir, { recursive: true });
    for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
    const root = join(__dirname, '..', '..', '..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'server/src/cli/main.ts'), 'check', dir, '--fail-on', 'never'], {
      cwd: root,
      encoding: 'utf8',
      timeout: HANG_MS,
    });
    return { done: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

const seedVms = () => readFileSync(join(FIXTURES_DIR, 'seed/hosts/hv/vms.nix'), 'utf8');

test('builtins.match with a catastrophic regex ends', () => {
  // In the tap id, so the (lazy) evaluator has to force it.
  const vms = seedVms().replace('id = "my-microvm";', `id = if builtins.match "(a*)*b" "${'a'.repeat(40)}c" == null then "my-microvm" else "x";`);
  const r = finishes({ 'hosts/hv/vms.nix': vms });
  assert.ok(r.done, `no result within ${HANG_MS} ms`);
});

test('a long operator chain ends: the parse has a budget', () => {
  const vms = seedVms().replace('vcpu = 2;', `vcpu = ${'1+'.repeat(30_000)}1;`);
  const r = finishes({ 'hosts/hv/vms.nix': vms });
  assert.ok(r.done, `no result within ${HANG_MS} ms`);
});
