/** `microvm-net explain TAP-ID [PATH]` through runCli with the real engine. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../server/src/cli/check';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { MemoryStream } from './helpers';

const REPO = join(__dirname, '..', '..', '..');

async function run(args: string[]) {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const code = await runCli(args, { stdout, stderr, env: {}, cwd: REPO }, { createService: createLanguageService });
  return { code, out: stdout.text, err: stderr.text };
}

test('explain prints the decision chain with file:line relative to the current directory, as check does', async () => {
  const { code, out } = await run(['explain', 'tap-media', 'examples/homelab']);
  assert.equal(code, 0);
  assert.deepEqual(out.split('\n').slice(0, 2), [
    'tap tap-media of VM media on host hypervisor (type tap)  (examples/homelab/hosts/hypervisor/vms.nix:55)',
    'outcome: no bridge (unmanaged)',
  ]);
  assert.match(out, /\n {2}- 20-lan\.network: does not match {2}\(examples\/homelab\/hosts\/hypervisor\/network\.nix:14\)\n/);
  assert.match(out, /\n {2}- 30-br0\.network: does not match/);
  assert.match(out, /no script, service or networking\.bridges entry attaches it\n$/);
});

test('explain of an id nobody has exits 1 and says so; without an id it is a usage error', async () => {
  const missing = await run(['explain', 'nope', 'examples/homelab']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no interface with id "nope"/);
  const usage = await run(['explain']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /explain needs a TAP-ID/);
});
