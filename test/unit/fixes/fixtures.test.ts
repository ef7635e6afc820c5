/**
 * Soundness sweep over every fixture workspace: each fix offered for a fixable diagnostic is
 * applied to a fresh copy and must pass the checks in harness.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { applyAndCheck, cleanup, fixableDiagnostics, open, workspace } from './harness';

after(cleanup);

const ROOT = join(__dirname, '..', '..', '..');
const dirs = [
  ...readdirSync(join(ROOT, 'test', 'fixtures')).map((d) => join(ROOT, 'test', 'fixtures', d)),
  ...(existsSync(join(ROOT, 'examples')) ? readdirSync(join(ROOT, 'examples')).map((d) => join(ROOT, 'examples', d)) : []),
].filter((d) => !d.endsWith('.md'));

for (const fixture of dirs) {
  test(`fixes are sound on ${relative(ROOT, fixture)}`, async (t) => {
    const base = workspace({}, fixture);
    const { service, snapshot } = await open(base);
    const diagnostics = fixableDiagnostics(snapshot);
    const plan: { index: number; title: string }[] = [];
    for (const [index, d] of diagnostics.entries()) {
      const fixes = service.fixes(d.location.file, d.location.range);
      assert.ok(fixes.length > 0, `no fix offered for ${d.code} at ${relative(base, d.location.file)}:${d.location.range.start.line + 1}`);
      assert.equal(fixes.filter((f) => f.preferred).length, 1, 'exactly one preferred fix');
      for (const f of fixes) plan.push({ index, title: f.title });
    }
    service.dispose();
    for (const step of plan) {
      // A fresh copy per fix: fixes are alternatives, not a sequence.
      const dir = workspace({}, fixture);
      const fresh = await open(dir);
      const d = fixableDiagnostics(fresh.snapshot)[step.index];
      const fix = fresh.service.fixes(d.location.file, d.location.range).find((f) => f.title === step.title);
      fresh.service.dispose();
      assert.ok(fix, step.title);
      const report = await applyAndCheck(dir, fresh.snapshot, d, fix);
      t.diagnostic(`${report.title} -> ${report.status} ${report.bridge}`);
    }
  });
}
