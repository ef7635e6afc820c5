/**
 * The diagnostic registry (server/src/engine/checks/codes.ts) against everything that names a
 * code: the README table, the fixtures, the check modules and what they actually emit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS, findingsOf } from '../../../server/src/engine/checks';
import { DIAGNOSTIC_DEFINITIONS, DIAGNOSTICS, definitionOf } from '../../../server/src/engine/checks/codes';
import { FIXABLE_CODES } from '../../../server/src/engine/fixes';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { README_PATH, renderDiagnosticsTable, tableInReadme } from '../../../scripts/diagnostics-table';

const repoRoot = join(__dirname, '..', '..', '..');
const REGENERATE = 'run `npm run docs:diagnostics` to rewrite the README table from the registry';

interface FixtureCase {
  name: string;
  dir: string;
  /** Codes the case requires (`diagnostics`). */
  required: string[];
  /** Every code the case names, required or tolerated (`optionalDiagnostics`). */
  named: string[];
}

function fixtureCases(bases: string[]): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const base of bases) {
    const abs = join(repoRoot, base);
    if (!existsSync(abs)) continue;
    for (const entry of readdirSync(abs).sort()) {
      const dir = join(abs, entry);
      const file = join(dir, 'expected.json');
      if (!statSync(dir).isDirectory() || !existsSync(file)) continue;
      const expected = JSON.parse(readFileSync(file, 'utf8')) as {
        diagnostics?: { code?: string }[];
        optionalDiagnostics?: { code?: string }[];
      };
      const codes = (list: { code?: string }[] | undefined) => (list ?? []).flatMap((d) => (d.code === undefined ? [] : [d.code]));
      const required = codes(expected.diagnostics);
      out.push({ name: `${base}/${entry}`, dir, required, named: [...required, ...codes(expected.optionalDiagnostics)] });
    }
  }
  return out;
}

/** The code of each row of the README's diagnostics table (its first backticked word). */
function readmeRowCodes(table: string): string[] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => /`([^`]+)`/.exec(line.split('|')[1])?.[1] ?? `(no code in row: ${line})`);
}

test('registry entries are well formed: unique codes and anchors, keys named after codes', () => {
  const codes = DIAGNOSTIC_DEFINITIONS.map((d) => d.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  const anchors = DIAGNOSTIC_DEFINITIONS.map((d) => d.docsAnchor);
  assert.equal(new Set(anchors).size, anchors.length, 'docs anchors are unique');
  for (const [key, d] of Object.entries(DIAGNOSTICS)) {
    assert.match(d.code, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${d.code}: kebab-case`);
    assert.equal(key, d.code.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()), `${d.code}: registry key`);
    assert.match(d.docsAnchor, /^[a-z0-9-]+$/, `${d.code}: anchor`);
    assert.ok(d.shortDescription.length > 0 && d.shortDescription.length <= 1024, `${d.code}: SARIF short description`);
    assert.ok(d.fullDescription.length > 0, `${d.code}: full description`);
    assert.ok(d.reportedWhen.length > 0 && !d.reportedWhen.includes('\n'), `${d.code}: one-line README text`);
    const other: { severity: string } | undefined = 'otherSeverity' in d ? d.otherSeverity : undefined;
    if (other) assert.notEqual(other.severity, d.severity, `${d.code}: otherSeverity differs from the default`);
  }
});

test('every registry code has a README row and every README row a registry entry', () => {
  const table = tableInReadme(readFileSync(README_PATH, 'utf8'));
  assert.ok(table !== null, `README.md has no diagnostics table markers; ${REGENERATE}`);
  const rows = readmeRowCodes(table);
  const missing = DIAGNOSTIC_DEFINITIONS.map((d) => d.code).filter((code) => !rows.includes(code));
  assert.deepEqual(missing, [], `registry codes without a README row; ${REGENERATE}`);
  const unknown = rows.filter((code) => !definitionOf(code));
  assert.deepEqual(unknown, [], 'README rows without a registry entry');
  assert.equal(table, renderDiagnosticsTable(), `the README table differs from the registry; ${REGENERATE}`);
});

test('every registry code is required by some fixture (test/fixtures/<case>/expected.json)', () => {
  const required = new Set(fixtureCases(['test/fixtures']).flatMap((c) => c.required));
  const untested = DIAGNOSTIC_DEFINITIONS.map((d) => d.code).filter((code) => !required.has(code));
  assert.deepEqual(untested, [], 'registry codes no fixture expects');
});

test('every code a fixture or example names has a registry entry', () => {
  const unknown = fixtureCases(['test/fixtures', 'examples']).flatMap((c) =>
    c.named.filter((code) => !definitionOf(code)).map((code) => `${c.name}: ${code}`),
  );
  assert.deepEqual(unknown, []);
});

test('each registry entry is declared by exactly one check, and checks declare only registry entries', () => {
  const declared = CHECKS.flatMap((check) => check.codes);
  for (const d of declared) assert.ok(DIAGNOSTIC_DEFINITIONS.includes(d), `${d.code}: a check declares an entry that is not the registry's`);
  for (const d of DIAGNOSTIC_DEFINITIONS) {
    assert.equal(declared.filter((x) => x === d).length, 1, `${d.code}: declared by ${declared.filter((x) => x === d).length} checks`);
  }
});

test('quick fixes are offered for exactly the codes the registry marks fixable', () => {
  assert.deepEqual([...FIXABLE_CODES].sort(), DIAGNOSTIC_DEFINITIONS.filter((d) => d.fixable).map((d) => d.code).sort());
});

test('on every fixture and example, each check emits only codes it declares, all in the registry; fixable ones carry their outcome', async () => {
  const problems: string[] = [];
  for (const c of fixtureCases(['test/fixtures', 'examples'])) {
    const service = await createLanguageService({ roots: [c.dir], settings: DEFAULT_SETTINGS });
    try {
      await service.scan();
      const { facts, outcomes } = service.analyze();
      const findings = CHECKS.flatMap((check) => findingsOf(check, { facts, outcomes }));
      for (const check of CHECKS) {
        const declared = new Set(check.codes.map((d) => d.code));
        for (const d of [...findingsOf(check, { facts, outcomes }), ...(check.review?.({ facts, outcomes }, findings) ?? [])]) {
          if (!definitionOf(d.code)) problems.push(`${c.name}: ${d.code} is not in the registry`);
          else if (!declared.has(d.code)) problems.push(`${c.name}: ${d.code} is emitted by a check that does not declare it`);
          else if (d.severity !== definitionOf(d.code)!.severity && d.severity !== definitionOf(d.code)!.otherSeverity?.severity) {
            problems.push(`${c.name}: ${d.code} at ${d.severity}, which its registry entry does not allow`);
          }
          if (definitionOf(d.code)?.fixable && !outcomes.includes(d.outcome!)) {
            problems.push(`${c.name}: ${d.code} is fixable but does not carry the outcome it reports`);
          }
        }
      }
    } finally {
      service.dispose();
    }
  }
  assert.deepEqual(problems, []);
});
