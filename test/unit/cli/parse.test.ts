import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, USAGE } from '../../../server/src/cli/args';
import { runCli } from '../../../server/src/cli/check';
import { FakeService, harness, tempDir, write } from './helpers';

/** `parse` reads files itself: the language service must not be asked. */
function unusedService(): FakeService {
  return new FakeService({
    analyze: () => {
      throw new Error('parse must not analyse');
    },
  });
}

test('parse: arguments', () => {
  assert.deepEqual(parseArgs(['parse', 'a.nix', 'b.nix']), { kind: 'parse', files: ['a.nix', 'b.nix'] });
  assert.deepEqual(parseArgs(['parse', '--', '-odd.nix']), { kind: 'parse', files: ['-odd.nix'] });
  assert.deepEqual(parseArgs(['help', 'parse']), { kind: 'help' });
  assert.throws(() => parseArgs(['parse']), /parse needs at least one FILE/);
  assert.throws(() => parseArgs(['parse', '--format', 'json', 'a.nix']), /unknown option of parse: --format/);
  assert.match(USAGE, /microvm-net parse FILE\.\.\./);
  assert.match(USAGE, /diagnostic aid, like rust-analyzer parse/);
});

test('parse prints each file as nix-instantiate --parse does, one line each, in argument order', async (t) => {
  const root = tempDir(t);
  write(root, 'a.nix', '{ b = ./x; a = x: x.y//z; }');
  write(root, 'dir/default.nix', 'let inherit; f = x: x |> g; in ~/${f}');
  const h = harness(unusedService(), { cwd: root, env: { HOME: '/home/someone' } });
  assert.equal(await runCli(['parse', 'a.nix', 'dir'], h.io, h.deps), 0);
  assert.equal(
    h.io.stdout.text,
    `{ a = (x: ((x).y // z)); b = ${root}/x; }\n(let f = (x: (g x)); in (/home/someone/ + f))\n`,
  );
  assert.equal(h.io.stderr.text, '');
  assert.equal(h.created.length, 0, 'no language service for parse');
});

test('parse resolves a symlinked file against its target, as Nix does', async (t) => {
  const root = tempDir(t);
  write(root, 'real/file.nix', './here');
  fs.symlinkSync(path.join(root, 'real/file.nix'), path.join(root, 'link.nix'));
  const h = harness(unusedService(), { cwd: root });
  assert.equal(await runCli(['parse', 'link.nix'], h.io, h.deps), 0);
  assert.equal(h.io.stdout.text, `${root}/real/here\n`);
});

test('parse exits 1 when a file does not parse, and still prints the others', async (t) => {
  const root = tempDir(t);
  write(root, 'bad.nix', '{ a = ; }');
  write(root, 'good.nix', '1');
  const h = harness(unusedService(), { cwd: root });
  assert.equal(await runCli(['parse', 'bad.nix', 'good.nix'], h.io, h.deps), 1);
  assert.equal(h.io.stdout.text, '1\n');
  assert.equal(h.io.stderr.text, 'microvm-net: bad.nix:1:6: does not parse (1 syntax error)\n');
});

test('parse of a missing file is a usage error', async (t) => {
  const root = tempDir(t);
  const h = harness(unusedService(), { cwd: root });
  assert.equal(await runCli(['parse', 'nope.nix'], h.io, h.deps), 2);
  assert.match(h.io.stderr.text, /no such file or directory: nope\.nix/);
});
