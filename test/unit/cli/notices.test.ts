/**
 * Defect 7 of issue 11 (notices are noise), through the real engine and the CLI: the same gap in
 * several configurations is one text line with a count, one JSON entry, and every instance only
 * with --verbose.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../server/src/cli/check';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { MemoryStream } from './helpers';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'notices-one-line-per-kind');
const NOT_EVALUATED = /microvm\.interfaces (could not be fully evaluated|entry could not be evaluated)/;

async function check(...args: string[]): Promise<string> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const code = await runCli(['check', '.', '--no-color', ...args], { stdout, stderr, env: {}, cwd: FIXTURE }, { createService: createLanguageService });
  assert.equal(code, 0, stderr.text);
  return stdout.text + stderr.text;
}

test('one text line per notice kind, with how many and where', async () => {
  const lines = (await check()).split('\n').filter((l) => NOT_EVALUATED.test(l));
  assert.deepEqual(lines, [
    'microvm.interfaces could not be fully evaluated: 3 times in 3 files (hosts/h1.nix, hosts/h2.nix, hosts/h3.nix); --verbose lists each',
  ]);
});

test('--verbose prints every instance', async () => {
  const lines = (await check('--verbose')).split('\n').filter((l) => NOT_EVALUATED.test(l));
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['hosts/h1.nix', 'hosts/h2.nix', 'hosts/h3.nix']);
});

test('json: one entry for the kind, counted', async () => {
  const json = JSON.parse(await check('--format', 'json', '--quiet'));
  assert.deepEqual(json.notices, [
    {
      kind: 'interfaces-not-evaluated',
      count: 3,
      message: 'microvm.interfaces could not be fully evaluated',
      files: ['hosts/h1.nix', 'hosts/h2.nix', 'hosts/h3.nix'],
    },
  ]);
  assert.equal(json.stats.configurations, 3);
});
