/**
 * `check --cache DIR` (cache.ts): an unchanged workspace is answered from the cache without an
 * analysis and prints exactly what the analysis printed; a changed file, a changed directory
 * listing the evaluator read, another tool build, or an entry that is not what the tool wrote
 * (garbage, a forged report with terminal escapes, a directory, a link) each make it analyse.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../../server/src/cli/check';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { MemoryStream } from './helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const temporary: string[] = [];
after(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function copy(fixture: string): { root: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'microvm-net-cache-'));
  temporary.push(dir);
  const root = join(dir, 'ws');
  cpSync(join(FIXTURES, fixture), root, { recursive: true });
  rmSync(join(root, 'expected.json'), { force: true });
  return { root, cache: join(dir, 'cache') };
}

/** Runs `check --cache`; `analysed`: whether an analysis ran (a service was created). */
async function check(root: string, cache: string, tool = 'test-tool-1', format = 'json'): Promise<{ out: string; code: number; analysed: boolean; err: string }> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  let analysed = false;
  const code = await runCli(
    ['check', '.', '--no-color', '--format', format, '--cache', cache],
    { stdout, stderr, env: {}, cwd: root },
    {
      createService: (opts) => {
        analysed = true;
        return createLanguageService(opts);
      },
      toolIdentity: () => tool,
    },
  );
  // The wall time is the one thing a cached report may differ in.
  const out = stdout.text.replace(/"ms": ?\d+/g, '"ms":0').replace(/ in \d+ ms/g, '');
  return { out, code, analysed, err: stderr.text };
}

function entryFile(cache: string): string {
  const entries = readdirSync(cache).filter((f) => f.endsWith('.json'));
  assert.equal(entries.length, 1, entries.join(', '));
  return join(cache, entries[0]);
}

describe('check --cache', () => {
  test('an unchanged workspace is answered from the cache, byte for byte, in every format', async () => {
    const { root, cache } = copy('bridge-not-defined');
    for (const format of ['json', 'text', 'sarif']) {
      const cold = await check(root, cache, 'test-tool-1', format);
      const warm = await check(root, cache, 'test-tool-1', format);
      assert.equal(cold.analysed, format === 'json', format); // one entry serves every format
      assert.equal(warm.analysed, false, format);
      assert.equal(warm.out, cold.out, format);
      assert.equal(warm.code, cold.code, format);
    }
    assert.match((await check(root, cache)).out, /bridge-not-defined/);
  });

  test('a changed file is analysed again, and the new answer is cached', async () => {
    const { root, cache } = copy('bridge-not-defined');
    const before = await check(root, cache);
    assert.match(before.out, /bridge-not-defined/);
    const network = join(root, 'hosts', 'lab', 'network.nix');
    writeFileSync(network, readFileSync(network, 'utf8').replace('networkConfig.Bridge = "br-vms";', 'networkConfig.Bridge = "br0";'));
    const after = await check(root, cache);
    assert.equal(after.analysed, true);
    assert.doesNotMatch(after.out, /bridge-not-defined/);
    const again = await check(root, cache);
    assert.equal(again.analysed, false);
    assert.equal(again.out, after.out);
  });

  test('a project file added or changed is analysed again: a report is never reused under other severities', async () => {
    const { root, cache } = copy('bridge-not-defined');
    const plain = await check(root, cache);
    assert.match(plain.out, /"code": ?"bridge-not-defined"/);
    assert.equal((await check(root, cache)).analysed, false);
    writeFileSync(join(root, 'microvm-net.toml'), '[severity]\nbridge-not-defined = "off"\n');
    const silenced = await check(root, cache);
    assert.equal(silenced.analysed, true);
    assert.doesNotMatch(silenced.out, /"code": ?"bridge-not-defined"/);
    assert.equal((await check(root, cache)).analysed, false);
    writeFileSync(join(root, 'microvm-net.toml'), '[severity]\nbridge-not-defined = "info"\n');
    const info = await check(root, cache);
    assert.equal(info.analysed, true);
    assert.match(info.out, /"code": ?"bridge-not-defined"/);
  });

  test('a project file that excludes files: the warm run scans as the analysis did, and answers', async () => {
    const { root, cache } = copy('bridge-not-defined');
    mkdirSync(join(root, 'attic'));
    writeFileSync(join(root, 'attic', 'old.nix'), '{ networking.bridges.br-vms.interfaces = [ ]; }\n');
    writeFileSync(join(root, 'microvm-net.toml'), 'exclude = ["attic/"]\n');
    const cold = await check(root, cache);
    assert.equal(cold.analysed, true);
    const warm = await check(root, cache);
    assert.equal(warm.analysed, false);
    assert.equal(warm.out, cold.out);
    // A file added where the project file excludes it changes nothing the analysis reads.
    writeFileSync(join(root, 'attic', 'newer.nix'), '{ }\n');
    assert.equal((await check(root, cache)).analysed, false);
  });

  test('a file added or removed, or a directory listing the evaluator read changing, is analysed again', async () => {
    const { root, cache } = copy('gen-readdir');
    await check(root, cache);
    assert.equal((await check(root, cache)).analysed, false);
    // An empty directory: no file is added, but builtins.readDir ./guests now answers differently.
    mkdirSync(join(root, 'hosts', 'g4', 'guests', 'extra'));
    assert.equal((await check(root, cache)).analysed, true);
    assert.equal((await check(root, cache)).analysed, false);
    writeFileSync(join(root, 'hosts', 'g4', 'extra.nix'), '{ }\n');
    assert.equal((await check(root, cache)).analysed, true);
    rmSync(join(root, 'hosts', 'g4', 'extra.nix'));
    assert.equal((await check(root, cache)).analysed, true);
  });

  test('another tool build never reads an entry of the previous one', async () => {
    const { root, cache } = copy('bridge-not-defined');
    await check(root, cache, 'test-tool-1');
    assert.equal((await check(root, cache, 'test-tool-2')).analysed, true);
    assert.equal((await check(root, cache, 'test-tool-2')).analysed, false);
  });

  test('hostile or damaged entries are misses: no crash, no forged output', async () => {
    const { root, cache } = copy('bridge-not-defined');
    const honest = await check(root, cache);
    const file = entryFile(cache);
    const original = readFileSync(file, 'utf8');
    const entry = JSON.parse(original);

    const forged = structuredClone(entry);
    forged.report.data.diagnostics[0].message = 'all good \u001b[2J\u001b]0;pwned\u0007';
    const other = structuredClone(entry);
    other.key = '0'.repeat(64);
    const wrongShape = structuredClone(entry);
    wrongShape.inputs.files = [['/etc/passwd', 'not a hash']];
    const prototype = original.replace('"report":{', '"report":{"__proto__":{"polluted":true},');
    const cases: [string, () => void][] = [
      ['garbage', () => writeFileSync(file, '{"format":1,'.repeat(1000))],
      ['not JSON at all', () => writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x01]))],
      ['terminal escapes in a message', () => writeFileSync(file, JSON.stringify(forged))],
      ['another key', () => writeFileSync(file, JSON.stringify(other))],
      ['inputs of the wrong shape', () => writeFileSync(file, JSON.stringify(wrongShape))],
      ['a prototype key', () => writeFileSync(file, prototype)],
      ['a directory', () => {
        rmSync(file);
        mkdirSync(file);
      }],
      ['a link to a file elsewhere', () => {
        rmSync(file, { recursive: true, force: true });
        const elsewhere = join(cache, '..', 'elsewhere.json');
        writeFileSync(elsewhere, original);
        symlinkSync(elsewhere, file);
      }],
    ];
    for (const [name, damage] of cases) {
      damage();
      const run = await check(root, cache);
      assert.equal(run.out, honest.out, name);
      assert.doesNotMatch(run.out, /pwned|all good/, name);
      if (name !== 'a link to a file elsewhere') assert.equal(run.analysed, true, name);
      if (name === 'a directory') {
        // Nothing can be written where a directory stands: said, and the check still answers.
        assert.match(run.err, /could not write the cache/);
        rmSync(file, { recursive: true });
        await check(root, cache);
      }
      // The analysis wrote a fresh entry over the damaged one.
      assert.equal((await check(root, cache)).analysed, false, name);
    }
  });
});
