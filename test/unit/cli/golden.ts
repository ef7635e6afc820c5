/** Golden files next to the tests; `UPDATE_GOLDEN=1` rewrites them instead of comparing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function assertGolden(name: string, actual: string): void {
  const file = path.join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    fs.mkdirSync(FIXTURES, { recursive: true });
    fs.writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`golden file ${name} did not exist; written, check it and re-run`);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `output differs from ${name} (UPDATE_GOLDEN=1 to rewrite)`);
}
