/**
 * The CLI with the real engine and the project file: `--severity` over the file's `[severity]`,
 * `--config` instead of the nearest file, `--fix --dry-run` (a unified diff that is exactly what
 * `--fix` writes, and nothing written), `--default-bridge`, and suppressed findings in SARIF,
 * valid against the SARIF 2.1.0 schema (the OASIS schema as @microsoft/jest-sarif ships it).
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import { applyPatch } from 'diff';
import { runCli } from '../../../server/src/cli/check';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { MemoryStream, tempDir } from './helpers';

const repo = join(__dirname, '..', '..', '..');
const fixture = (name: string) => join(repo, 'test', 'fixtures', name);

async function cli(argv: string[], cwd = repo) {
  const io = { stdout: new MemoryStream(), stderr: new MemoryStream(), env: {}, cwd, now: () => 0 };
  const code = await runCli(argv, io, { createService: createLanguageService });
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

function sarifValidator(): ((data: unknown) => boolean) & { errors?: unknown[] | null } {
  const schema = JSON.parse(readFileSync(join(repo, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  // The schema's patterns are ECMAScript without the `u` flag (one would not compile with it);
  // formats (uri) are not what this test is about.
  return new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);
}

test('SARIF: suppressed findings are results with an inSource suppression and its justification, valid against SARIF 2.1.0', async () => {
  const { stdout } = await cli(['check', fixture('suppression-unused'), '--format', 'sarif']);
  const log = JSON.parse(stdout);
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
  const results = log.runs[0].results as { ruleId: string; suppressions?: { kind: string; justification?: string }[] }[];
  const suppressed = results.filter((r) => r.suppressions).map((r) => [r.ruleId, r.suppressions]);
  assert.deepEqual(suppressed.sort(), [
    ['mac-not-local', [{ kind: 'inSource', justification: "the lab's switch expects this vendor MAC" }]],
    ['networkd-syntax-miscased', [{ kind: 'inSource', justification: "kept lower-case to test networkd's own parser" }]],
    ['tap-without-bridge', [{ kind: 'inSource', justification: "attached by the lab's own tooling" }]],
  ]);
  const rules = log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
  for (const r of results) assert.ok(rules.includes(r.ruleId), `${r.ruleId} has a rule`);

  // A broken suppression is what the schema check is for: it must be able to fail.
  const broken = structuredClone(log);
  broken.runs[0].results.find((r: { suppressions?: unknown }) => r.suppressions).suppressions[0].kind = 'inline';
  assert.equal(validate(broken), false);

  // Text and JSON leave suppressed findings out, and so does the exit status.
  const json = JSON.parse((await cli(['check', fixture('suppression-unused'), '--format', 'json'])).stdout);
  assert.deepEqual(json.diagnostics.map((d: { code: string }) => d.code), ['suppression-unused', 'suppression-unused']);
  assert.equal(results.length, json.diagnostics.length + 3);
  assert.equal((await cli(['check', fixture('suppression-unused')])).code, 0, 'only infos remain');
});

test('--severity overrides the project file; the project file overrides the default', async () => {
  const dir = fixture('config-invalid');
  const levelOf = async (...extra: string[]) =>
    JSON.parse((await cli(['check', dir, '--format', 'json', ...extra])).stdout).diagnostics.find((d: { code: string }) => d.code === 'networkd-syntax-miscased')?.severity;
  assert.equal(await levelOf(), 'error', 'the file raises it from warning');
  assert.equal(await levelOf('--severity', 'networkd-syntax-miscased=info'), 'info');
  assert.equal(await levelOf('--severity', 'networkd-syntax-miscased=off'), undefined);
});

test('--config FILE replaces the nearest microvm-net.toml', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ci.toml'), '[severity]\nnetworkd-syntax-miscased = "off"\n');
  const codes = async (...extra: string[]) =>
    JSON.parse((await cli(['check', fixture('config-invalid'), '--format', 'json', ...extra])).stdout).diagnostics.map((d: { code: string }) => d.code);
  assert.ok((await codes()).includes('config-invalid'));
  assert.deepEqual(await codes('--config', join(dir, 'ci.toml')), [], "the fixture's own file is not read");
  const missing = await cli(['check', fixture('config-invalid'), '--config', join(dir, 'nope.toml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^microvm-net: --config: no such file: .*nope\.toml \(see --help\)\n$/);
});

test('--fix --dry-run prints the unified diff --fix would write, writes nothing, and says what it would fix', async (t) => {
  const dry = tempDir(t);
  const wet = tempDir(t);
  cpSync(join(repo, 'examples', 'homelab'), dry, { recursive: true });
  cpSync(join(repo, 'examples', 'homelab'), wet, { recursive: true });
  const file = 'hosts/hypervisor/network.nix';
  const before = readFileSync(join(dry, file), 'utf8');
  const run = await cli(['check', '--fix', '--dry-run', '.'], dry);
  assert.equal(run.code, 1, 'the findings are still there');
  assert.equal(readFileSync(join(dry, file), 'utf8'), before, 'nothing written');
  assert.match(run.stdout, /^--- a\/hosts\/hypervisor\/network\.nix\n\+\+\+ b\/hosts\/hypervisor\/network\.nix\n@@ /);
  assert.match(run.stderr, /^would fix tap-without-bridge at hosts\/hypervisor\/vms\.nix:\d+:\d+ by /m);
  await cli(['check', '--fix', '.'], wet);
  assert.equal(applyPatch(before, run.stdout), readFileSync(join(wet, file), 'utf8'), 'the diff is what --fix writes');
});

test('--default-bridge: a fix that needed a bridge name is planned with it; without it, one line says why not', async () => {
  const dir = fixture('networkd-disabled');
  const without = await cli(['check', '--fix', '--dry-run', dir]);
  assert.equal(without.stdout, '');
  assert.match(without.stderr, /^not fixed: tap-without-bridge at test\/fixtures\/networkd-disabled\/hosts\/edge\/vms\.nix:7:14: .* needs a bridge name.*--default-bridge/m);
  for (const line of without.stderr.trim().split('\n')) assert.ok(!line.includes('\n'));
  const withBridge = await cli(['check', '--fix', '--dry-run', dir, '--default-bridge', 'br-lan']);
  assert.match(withBridge.stdout, /^\+.*br-lan/m);
  assert.doesNotMatch(withBridge.stderr, /not fixed: tap-without-bridge/);
});

test('init writes a starter file once and refuses to overwrite it', async (t) => {
  const dir = tempDir(t);
  const first = await cli(['init'], dir);
  assert.deepEqual([first.code, first.stdout], [0, 'wrote microvm-net.toml\n']);
  const text = readFileSync(join(dir, 'microvm-net.toml'), 'utf8');
  assert.match(text, /^# \[assume\]$/m);
  writeFileSync(join(dir, 'microvm-net.toml'), 'exclude = ["mine/**"]\n');
  const second = await cli(['init', '.'], dir);
  assert.deepEqual([second.code, second.stderr], [1, 'microvm-net: microvm-net.toml already exists; not overwritten\n']);
  assert.equal(readFileSync(join(dir, 'microvm-net.toml'), 'utf8'), 'exclude = ["mine/**"]\n');
});
