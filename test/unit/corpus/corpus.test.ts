/**
 * The regression corpus: real public repositories with hand-evaluated answers
 * (`shared/corpus/expected.tsv`, beside the repository). Each directory is checked by the built
 * CLI as a user would run it. What must hold now: no false warning, and no row or interface
 * definition lost that was found before (the FLOOR figures and KNOWN_MISSING ratchet only upwards:
 * raise them when the engine finds more).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { filesWithInterfaceLiterals } from './interfaceLiterals';
import { findCorpus } from './findCorpus';

const repo = resolve(__dirname, '../../..');
const cli = join(repo, 'bin/microvm-net.js');


interface Row { dir: string; host: string; vm: string; id: string; type: string; status: string; bridge: string }
interface Reported { host: string | null; id: string; status: string; bridge: string | null; file: string }
interface Report { interfaces: Reported[]; diagnostics: { severity: string; code: string; file: string; line: number }[] }

function readRows(corpus: string): Row[] {
  const [header, ...lines] = readFileSync(join(corpus, 'expected.tsv'), 'utf8').trim().split('\n');
  const cols = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? ''])) as unknown as Row;
  });
}

function check(dir: string): Report {
  const run = spawnSync(process.execPath, [cli, 'check', '--format', 'json', '--fail-on', 'never', '.'], {
    cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `check ${dir} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const right = (row: Row, got: Reported) =>
  row.status === 'unknowable' ? got.status === 'unknown'
    : got.status === row.status && (row.status !== 'bridged' || got.bridge === row.bridge);

/** Figures reached so far; a change may raise them, never lower them. */
const FLOOR = { found: 49, right: 49 };
/** Interface-literal files no reported interface points at yet ("Real repositories" issues). */
const KNOWN_MISSING = new Set<string>([]);

const corpus = findCorpus();

test('the corpus is beside the repository (shared/corpus)', () => {
  assert.ok(corpus, 'no shared/corpus found beside the repository; set MICROVM_NET_CORPUS');
});

test('corpus: no false warning, rows found and right at least as before, no interface definition newly lost', async () => {
  assert.ok(corpus);
  const rows = readRows(corpus);
  const dirs = [...new Set(rows.map((r) => r.dir))];
  let found = 0;
  let correct = 0;
  const falseWarnings: string[] = [];
  const missing: string[] = [];
  const perDir: string[] = [];
  let literalFiles = 0;
  for (const dir of dirs) {
    const report = check(join(corpus, dir));
    const mine = rows.filter((r) => r.dir === dir);
    let f = 0;
    let r = 0;
    for (const row of mine) {
      const same = report.interfaces.filter((i) => i.id === row.id);
      if (same.length) f++;
      if (same.some((i) => right(row, i))) r++;
    }
    found += f;
    correct += r;
    perDir.push(`${dir}: ${mine.length} rows, ${f} found, ${r} right`);
    // Every corpus row is a working setup or unknowable, so any warning or error is false.
    for (const d of report.diagnostics) {
      if (d.severity === 'warning' || d.severity === 'error') falseWarnings.push(`${dir}/${d.file}:${d.line} ${d.code}`);
    }
    const reportedFiles = new Set(report.interfaces.map((i) => i.file));
    for (const file of await filesWithInterfaceLiterals(join(corpus, dir))) {
      literalFiles++;
      if (!reportedFiles.has(file)) missing.push(`${dir}/${file}`);
    }
  }
  console.log(`corpus: ${rows.length} rows, ${found} found, ${correct} right, ${falseWarnings.length} false warnings\n  ${perDir.join('\n  ')}`);
  console.log(`corpus: ${literalFiles} files hold interface definitions, ${missing.length} of them the file of no reported interface`);
  assert.deepEqual(falseWarnings, []);
  assert.ok(found >= FLOOR.found, `rows found: ${found} < ${FLOOR.found}`);
  assert.ok(correct >= FLOOR.right, `rows right: ${correct} < ${FLOOR.right}`);
  assert.deepEqual(missing.filter((m) => !KNOWN_MISSING.has(m)), [], 'interface definitions that no reported interface points at');
});

test('every fixture and example: each file holding an interface literal is the file of a reported interface', async () => {
  const roots = [
    ...readdirNames(join(repo, 'test/fixtures')).map((n) => join(repo, 'test/fixtures', n)),
    ...readdirNames(join(repo, 'examples')).map((n) => join(repo, 'examples', n)),
  ];
  const missing: string[] = [];
  let literalFiles = 0;
  for (const root of roots) {
    const literals = await filesWithInterfaceLiterals(root);
    if (!literals.length) continue;
    literalFiles += literals.length;
    const reported = new Set(check(root).interfaces.map((i) => i.file));
    for (const file of literals) if (!reported.has(file)) missing.push(`${root}: ${file}`);
  }
  console.log(`fixtures and examples: ${literalFiles} files hold interface definitions, ${missing.length} of them the file of no reported interface`);
  assert.ok(literalFiles > 40, `only ${literalFiles} files with interface literals found`);
  assert.deepEqual(missing, []);
});

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()) : [];
}
