/**
 * Issue 13, what the CLI and the engine read: only regular files inside the roots, bounded
 * (defect 9), a huge unit line costs no stack (10), globs are bounded and a bad one is a usage
 * error (12), `builtins.readFile` is a dependency (13), a file PATH is analysed within its
 * project and `microvm-net-lsp` answers for itself (14). Each bad file is reported and hides no
 * other file's result.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../server/src/cli/check';
import picomatch from 'picomatch';
import { compileGlobs, globMatchesExactly, globProblem } from '../../../server/src/engine/glob';
import { Rng } from '../../fuzz/rng';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { commandLine } from '../../../server/src/lsp/commandLine';
import { displayPattern } from '../../../server/src/engine/pattern';
import { cleanupHostile, hostileWorkspace, SHADOWING_UNITS } from './hostile/workspaces';

const made: string[] = [];
after(() => cleanupHostile(made));

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd }, { createService: createLanguageService });
  return { code, out, err };
}

test('defect 9: a FIFO, a socket-named and a device-node .nix are reported and skipped, imported or not; the rest is analysed', { timeout: 60_000 }, async () => {
  const dir = hostileWorkspace(made, { hostExtra: '  imports = [ ./fifo.nix ./zero.nix ];' });
  assert.equal(spawnSync('mkfifo', [join(dir, 'fifo.nix')]).status, 0);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) assert.equal(spawnSync('mknod', [join(dir, 'zero.nix'), 'c', '1', '5']).status, 0);
  else writeFileSync(join(dir, 'zero.nix'), '{ }\n');
  mkdirSync(join(dir, 'etc/systemd/network'), { recursive: true });
  assert.equal(spawnSync('mkfifo', [join(dir, 'etc/systemd/network/30-fifo.network')]).status, 0);
  const run = await cli(['check', dir, '--format', 'json', '--fail-on', 'never', '--verbose'], dir);
  assert.equal(run.code, 0, run.err);
  const report = JSON.parse(run.out) as { interfaces: { id: string }[]; notices: { message: string; files: string[] }[] };
  assert.deepEqual(report.interfaces.map((i) => i.id), ['vm-web'], 'the tap next to them is still analysed');
  const grouped = await cli(['check', dir, '--format', 'json', '--fail-on', 'never'], dir);
  assert.match(grouped.err, /files were skipped \(not a regular file[^\n]*: \d+ times in \d+ files \([^)]*fifo\.nix/, 'without --verbose: one line for the kind');
  assert.match(run.err, /fifo\.nix: is a FIFO, not a regular file: skipped/);
  assert.match(run.err, /30-fifo\.network: is a FIFO, not a regular file: skipped/);
  if (asRoot) assert.match(run.err, /zero\.nix: is a character device, not a regular file: skipped/);
});

test('defect 9: a symlink to a device outside the workspace is not followed; one inside the reads is refused by fstat', async () => {
  const dir = hostileWorkspace(made, { hostExtra: '  imports = [ ./urandom.nix ];' });
  symlinkSync('/dev/urandom', join(dir, 'urandom.nix'));
  const run = await cli(['check', dir, '--fail-on', 'never', '--no-color'], dir);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /urandom\.nix: symlink points outside the workspace: not followed/);
  assert.match(run.out, /1 tap: 0 bridged/);
});

test('defect 10: a 130,000-word Name= line is analysed (no stack overflow) and named briefly; other files keep their results', { timeout: 120_000 }, async () => {
  const words = Array.from({ length: 130_000 }, (_, i) => `w${i}`).join(' ');
  const dir = hostileWorkspace(made, {
    files: { ...SHADOWING_UNITS, 'etc/systemd/network/05-huge.network': `[Match]\nName=${words}\n\n[Network]\nBridge=br0\n` },
  });
  assert.ok(words.length > 900_000 && words.length < DEFAULT_SETTINGS.maxFileSize);
  const run = await cli(['check', dir, '--format', 'json', '--fail-on', 'never'], dir);
  assert.equal(run.code, 0, run.err);
  const report = JSON.parse(run.out) as { interfaces: { id: string; status: string }[]; diagnostics: { code: string; message: string }[] };
  assert.deepEqual(report.interfaces.map((i) => [i.id, i.status]), [['vm-web', 'shadowed']]);
  for (const d of report.diagnostics) assert.ok(d.message.length < 2000, `${d.code}: a ${d.message.length}-character message`);
  const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  await service.scan();
  const snapshot = service.analyze();
  const unit = join(dir, 'etc/systemd/network/05-huge.network');
  service.hover(unit, { line: 1, character: 3 });
  service.documentSymbols(unit);
  service.codeLenses(unit);
  assert.equal(snapshot.outcomes.length, 1);
  service.dispose();
});

test('defect 12: globs are matched in bounded time, and a bad glob is a usage error that names it', { timeout: 60_000 }, async () => {
  const matcher = compileGlobs(['*a*a*a*a*a*a*a*a*b', '**/*a*a*a*a*a*a*a*a*a*a*a*a*b/**', '{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}*a*a*a*b']);
  const started = performance.now();
  for (const length of [50, 255, 4000]) {
    assert.equal(matcher(`${'a'.repeat(length)}.nix`), false);
    assert.equal(matcher(`${'a/'.repeat(200)}${'a'.repeat(length)}`), false);
  }
  const ms = performance.now() - started;
  assert.ok(ms < 20_000, `${Math.round(ms)} ms`);
  assert.equal(globProblem('[z-a]'), 'range out of order in [z-a]');
  assert.equal(globProblem('[abc'), 'unclosed [');
  assert.equal(globProblem('{a,b'), 'unclosed {');
  // What only picomatch refuses reaches the user in its words; what it would read differently is refused.
  assert.match(globProblem('a]b') ?? '', /Missing opening: "\["/);
  assert.match(globProblem('+(a|b)') ?? '', /extended globs .* are not supported/);
  assert.match(globProblem('!x') ?? '', /negated globs/);
  assert.match(globProblem('{a,b}'.repeat(12)) ?? '', /more than 256 alternatives/);
  assert.match(globProblem('x'.repeat(2000)) ?? '', /longer than 1024 characters/);

  const dir = hostileWorkspace(made, { files: { [`deep/${'a'.repeat(200)}.nix`]: '{ }\n' } });
  const slow = await cli(['check', dir, '--exclude', '*a*a*a*a*a*a*a*a*b', '--fail-on', 'never'], dir);
  assert.equal(slow.code, 0, slow.err);
  const bad = await cli(['check', dir, '--exclude', '[z-a]'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.err, 'microvm-net: --exclude: bad glob "[z-a]": range out of order in [z-a] (see --help)\n');
  assert.doesNotMatch(bad.err, /internal error:/);
});

test('defect 12: the bounded matcher agrees with picomatch, which judges the globs', () => {
  const rng = new Rng(0x9106, 0);
  const globParts = ['a', 'b', '*', '?', '/', '**/', '[ab]', '[^a]', '{a,b}', '.', 'ab', 'é'];
  const pathParts = ['a', 'b', '.', '/', 'ab', 'ba', 'é'];
  let compared = 0;
  for (let i = 0; i < 40_000; i++) {
    let glob = '';
    for (let k = rng.int(6) + 1; k > 0; k--) glob += rng.pick(globParts);
    let path = '';
    for (let k = rng.int(7) + 1; k > 0; k--) path += rng.pick(pathParts);
    // Rooted globs and real relative paths only (no `.`/`..` segments, which picomatch never matches);
    // a trailing `/**` means "what is inside" for excludes, so it is compared through compileGlobs below.
    if (!glob.includes('/') || /^\/|\/$|\/\/|[^/]\*\*|\*\*[^/]|\/\*\*$/.test(glob)) continue;
    if (/^\/|\/$|\/\//.test(path) || path.split('/').some((x) => x === '.' || x === '..')) continue;
    compared++;
    assert.equal(globMatchesExactly(glob, path), picomatch(glob, { dot: true })(path), `${glob} on ${path}`);
  }
  assert.ok(compared > 2000, `${compared} compared`);
  const excludes = compileGlobs(['dir/**', 'result*/**']);
  assert.deepEqual(['dir', 'dir/x', 'dir/x/y', 'result', 'result-1/y', 'dirx'].map(excludes), [false, true, true, false, true, false]);
});

test('defect 13: a file the evaluation read with builtins.readFile is an input: changing it changes the tap (memos of the reader dropped)', async () => {
  // A plain attrset module (no function): its value is memoised with the text it read.
  const dir = hostileWorkspace(made, {
    hostExtra: '  imports = [ ./tap.nix ];',
    files: { 'tap.nix': '{ microvm.vms.db.config.microvm.interfaces = [ { type = "tap"; id = builtins.readFile ./db-id.network; mac = "02:00:00:00:00:02"; } ]; }\n', 'db-id.network': 'vm-one' },
  });
  const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  await service.scan();
  const ids = () => service.analyze().outcomes.map((o) => displayPattern(o.interface.id.value)).sort();
  assert.deepEqual(ids(), ['vm-one', 'vm-web']);
  writeFileSync(join(dir, 'db-id.network'), 'vm-two');
  service.fileChanged(join(dir, 'db-id.network'));
  assert.deepEqual(ids(), ['vm-two', 'vm-web']);
  // As an editor buffer too.
  service.openDocument(join(dir, 'db-id.network'), 'vm-three', 1);
  assert.deepEqual(ids(), ['vm-three', 'vm-web']);
  service.dispose();
});

test('defect 14: a file PATH is analysed within its project and reported alone; SARIF and the exit code say so', async () => {
  const dir = hostileWorkspace(made, { files: { 'vms/other.nix': '{ }\n' } });
  const run = await cli(['check', 'host.nix', '--format', 'sarif'], dir);
  assert.equal(run.code, 1, run.err);
  const sarif = JSON.parse(run.out) as { runs: { invocations: { executionSuccessful: boolean }[]; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.deepEqual(sarif.runs[0].results.map((r) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri]), [['tap-without-bridge', 'host.nix']]);
  assert.equal(sarif.runs[0].invocations[0].executionSuccessful, true);
  // Another file of the same project: analysed with it, nothing of host.nix reported.
  const other = await cli(['check', join(dir, 'vms/other.nix'), '--format', 'json'], dir);
  assert.equal(other.code, 0, other.err);
  assert.deepEqual(JSON.parse(other.out).interfaces, []);
  const notNix = await cli(['check', join(dir, 'flake.lock.txt')], dir);
  assert.equal(notNix.code, 2);
  writeFileSync(join(dir, 'README.md'), '# x\n');
  const readme = await cli(['check', 'README.md'], dir);
  assert.equal(readme.code, 2);
  assert.match(readme.err, /not a Nix or systemd-networkd file: README\.md/);
});

test('defect 14: microvm-net-lsp --help, --version and no transport answer in words, not with the bundle', () => {
  assert.deepEqual(commandLine(['--version'], '1.2.3'), { text: 'microvm-net-lsp 1.2.3\n', code: 0 });
  const help = commandLine(['--help'], '1.2.3')!;
  assert.equal(help.code, 0);
  assert.match(help.text, /^Usage: microvm-net-lsp --stdio/);
  assert.equal(commandLine([], '1')!.code, 2);
  assert.equal(commandLine(['--stdio'], '1'), null);
  assert.equal(commandLine(['--node-ipc', '--clientProcessId=12'], '1'), null);
  assert.equal(commandLine(['--socket=5000'], '1'), null);
  const built = join(__dirname, '..', '..', '..', 'bin', 'microvm-net-lsp.js');
  for (const [args, code] of [[['--help'], 0], [['--version'], 0], [[], 2]] as const) {
    const r = spawnSync(process.execPath, [built, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, code, r.stderr);
    assert.ok(r.stdout.length + r.stderr.length < 1000, `${args.join(' ')}: ${r.stdout.length + r.stderr.length} bytes`);
  }
  void readFileSync;
});

test('defect 16: a unit file that cannot be read may be the one that bridges the tap: unknown with why, no warning; an earlier readable match still decides', async () => {
  // A unit installed as a link into the store (not followed: outside the workspace) and one over the size cap.
  const files = { 'etc/systemd/network/10-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' };
  const dir = hostileWorkspace(made, { files });
  symlinkSync('/nix/store/0000000000000000000000000000000a-vms/20-vms.network', join(dir, 'etc/systemd/network/20-vms.network'));
  let run = await cli(['check', dir, '--format', 'json', '--fail-on', 'warning'], dir);
  assert.equal(run.code, 0, run.out + run.err);
  let report = JSON.parse(run.out) as { interfaces: { id: string; status: string; reasons: unknown[] }[]; diagnostics: unknown[] };
  assert.deepEqual(report.interfaces.map((i) => [i.id, i.status]), [['vm-web', 'unknown']]);
  assert.match(JSON.stringify(report.interfaces[0].reasons), /20-vms\.network could not be read \(broken or looping symlink: not followed\)/);
  assert.deepEqual(report.diagnostics, []);

  // An unreadable .netdev may define the bridge a readable unit names.
  const dir2 = hostileWorkspace(made, { files: { 'etc/systemd/network/20-vms.network': '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n', 'etc/systemd/network/10-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' + '#'.repeat(4000) } });
  const service = await createLanguageService({ roots: [dir2], settings: { ...DEFAULT_SETTINGS, maxFileSize: 2000 } });
  await service.scan();
  const snapshot = service.analyze();
  assert.deepEqual(snapshot.outcomes.map((o) => o.status), ['unknown'], snapshot.outcomes.map((o) => JSON.stringify(o.reasons)).join());
  assert.deepEqual([...snapshot.diagnostics.values()].flat().map((d) => d.code), []);
  service.dispose();

  // A readable unit that matches first decides; the unreadable later one cannot change that.
  const dir3 = hostileWorkspace(made, { files: { ...files, 'etc/systemd/network/10-vms.network': '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' } });
  symlinkSync('/nix/store/0000000000000000000000000000000a-vms/90-other.network', join(dir3, 'etc/systemd/network/90-other.network'));
  run = await cli(['check', dir3, '--format', 'json'], dir3);
  report = JSON.parse(run.out);
  assert.deepEqual(report.interfaces.map((i) => i.status), ['bridged'], run.out);
});
