/**
 * Bad inputs on real temp directories. Each must end in a clear message (FileReport.problems,
 * the scan's skipped list, the CLI's notices), never a crash, never a changed file.
 *
 * Unreadable files: tests run as root, where mode 000 is still readable. Two ways are used:
 * (1) the engine's file-reading seam: `readWorkspaceFile` opens through `fs.openSync`, which
 * is replaced for one path to fail with a real EACCES error object; (2) a real EACCES: when the
 * suite runs as root, the CLI, bundled into a directory everyone can read (hostile/asNobody.ts:
 * the clone itself may not be), runs in a child process with uid/gid 65534 (nobody) over a
 * world-readable temp workspace whose file has mode 000 (as non-root, chmod 000 suffices and the
 * engine is called in-process).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs = require('node:fs');
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS, type Settings } from '../../../server/src/protocol/settings';
import type { AnalysisSnapshot } from '../../../server/src/engine/service';
import { LineIndex, type Range } from '../../../server/src/engine/text';
import { runCli } from '../../../server/src/cli/check';
import { canSwitchUser, runAsNobody, stageCli } from './hostile/asNobody';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const made: string[] = [];
after(() => {
  for (const d of made) {
    // Undo mode 000 so the directories can be removed by a non-root user too.
    spawnSync('chmod', ['-R', 'u+rwx', d]);
    rmSync(d, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'microvm-net-bad-'));
  made.push(d);
  return d;
}

/** A workspace: a copy of a fixture (or empty) plus `files` (string or bytes). */
function workspace(from: string | null, files: Record<string, string | Uint8Array> = {}): string {
  const dir = join(tempDir(), 'ws');
  mkdirSync(dir);
  if (from) cpSync(join(FIXTURES, from), dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** Hashes of every regular file under `dir` (symlinks recorded by target, not followed). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      // A directory this user may not list (a test's chmod 000 when not run as root).
      out.set(d, 'unreadable directory');
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out.set(p, `-> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        let h = `mode ${st.mode.toString(8)} size ${st.size}`;
        try {
          h += ' ' + createHash('sha256').update(readFileSync(p)).digest('hex');
        } catch {
          h += ' unreadable';
        }
        out.set(p, h);
      }
    }
  };
  walk(dir);
  return out;
}

async function analyse(dir: string, settings: Partial<Settings> = {}) {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS, ...settings } });
  const scan = await service.scan();
  const snapshot = service.analyze();
  // Every view on every file: none may throw.
  for (const r of snapshot.facts.files) {
    service.documentSymbols(r.file);
    service.codeLenses(r.file);
    service.hover(r.file, { line: 0, character: 0 });
  }
  return { service, scan, snapshot };
}

function problemsOf(snapshot: AnalysisSnapshot, file: string): string[] {
  return snapshot.facts.files.filter((f) => f.file === file).flatMap((f) => f.problems.map((p) => p.message));
}

async function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, cwd }, { createService: createLanguageService });
  return { code, stdout, stderr };
}

/** Runs the check on `dir` through the library and the CLI; the tree must be unchanged by both. */
async function checkUnchanged(dir: string, settings: Partial<Settings> = {}, opts: { json?: boolean } = {}) {
  const before = tree(dir);
  const result = await analyse(dir, settings);
  result.service.dispose();
  // --verbose: each bad input must be named on its own line, not only counted with its kind.
  const text = await cli(['check', dir, '--format', 'text', '--fail-on', 'never', '--verbose']);
  assert.equal(text.code, 0, `text run: ${text.stderr}`);
  let jsonErr = '';
  if (opts.json !== false) {
    const json = await cli(['check', dir, '--format', 'json', '--fail-on', 'never', '--verbose']);
    assert.equal(json.code, 0, `json run: ${json.stderr}`);
    JSON.parse(json.stdout);
    jsonErr = json.stderr;
  }
  assert.deepEqual(tree(dir), before, 'no file changed');
  return { ...result, text: text.stdout + text.stderr, jsonErr };
}

// ---------------------------------------------------------------------------------------------

test('binary file with a .nix name: skipped with a message', async () => {
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  const dir = workspace('seed', { 'hosts/hv/blob.nix': bytes, 'etc/systemd/network/30-x.network': new Uint8Array([0x5b, 0, 0x5d, 0xff, 0]) });
  const r = await checkUnchanged(dir);
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'hosts/hv/blob.nix')), ['binary file (contains NUL bytes): skipped']);
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'etc/systemd/network/30-x.network')), ['binary file (contains NUL bytes): skipped']);
  assert.match(r.text, /hosts\/hv\/blob\.nix: binary file \(contains NUL bytes\): skipped/);
  assert.match(r.jsonErr, /hosts\/hv\/blob\.nix: binary file/);
  // The rest of the workspace is still analysed.
  assert.equal(r.snapshot.outcomes.length, 1);
});

test('binary file imported by Nix: the import is opaque, not an error', async () => {
  const dir = workspace('seed', { 'hosts/hv/blob.nix': new Uint8Array([0, 1, 2, 0, 0xff]) });
  writeFileSync(join(dir, 'hosts/hv/default.nix'), readFileSync(join(dir, 'hosts/hv/default.nix'), 'utf8').replace('./vms.nix', './vms.nix\n    ./blob.nix'));
  const r = await checkUnchanged(dir);
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'hosts/hv/blob.nix')), ['binary file (contains NUL bytes): skipped']);
});

test('files over the maximum size: skipped with a message (engine setting and CLI default)', async () => {
  const big = `# ${'x'.repeat(3000)}\n{ }\n`;
  const dir = workspace('seed', { 'hosts/hv/big.nix': big, 'etc/systemd/network/40-big.network': `[Match]\nName=${'a'.repeat(3000)}\n` });
  const r = await analyse(dir, { maxFileSize: 1024 });
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'hosts/hv/big.nix')), [`larger than the maximum file size (${big.length} > 1024 bytes): skipped`]);
  assert.match(problemsOf(r.snapshot, join(dir, 'etc/systemd/network/40-big.network'))[0], /^larger than the maximum file size \(\d+ > 1024 bytes\): skipped$/);
  r.service.dispose();
  // The CLI uses the 2 MiB default.
  const dir2 = workspace('seed', { 'hosts/hv/huge.nix': `{ x = "${'y'.repeat(DEFAULT_SETTINGS.maxFileSize)}"; }` });
  const c = await checkUnchanged(dir2);
  assert.match(c.text, /hosts\/hv\/huge\.nix: larger than the maximum file size \(\d+ > 2097152 bytes\): skipped/);
});

const DEPTH = 100_000;
const NESTINGS: Record<string, string> = {
  lists: '['.repeat(DEPTH) + ' 1 ' + ']'.repeat(DEPTH),
  attrs: '{ a = '.repeat(DEPTH) + '1' + '; }'.repeat(DEPTH),
  parens: '('.repeat(DEPTH) + '1' + ')'.repeat(DEPTH),
  lets: 'let a = 1; in '.repeat(DEPTH) + 'a',
  lambdas: 'x: '.repeat(DEPTH) + 'x',
  ifs: 'if true then '.repeat(DEPTH) + '1' + ' else 0'.repeat(DEPTH),
  nots: '!'.repeat(DEPTH) + 'true',
  interpolations: '"${'.repeat(DEPTH) + '"x"' + '}"'.repeat(DEPTH),
  unclosed: '{ a = ['.repeat(DEPTH),
};

for (const [name, body] of Object.entries(NESTINGS)) {
  test(`${DEPTH.toLocaleString('en')}-deep nesting (${name}): no stack overflow`, { timeout: 120_000 }, async () => {
    // As a whole file, and as the value of the tap list the evaluator must walk into.
    const vms = readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8').replace('interfaces = [', `deep = ${body};\n        interfaces = [`);
    const dir = workspace('seed', { 'hosts/hv/deep.nix': body, 'hosts/hv/vms.nix': vms });
    const r = await checkUnchanged(dir, {}, { json: false });
    // The tap next to the deep value is still found (unless the value is a syntax error).
    if (name !== 'unclosed') assert.equal(r.snapshot.outcomes.length, 1, JSON.stringify(r.snapshot.facts.files.flatMap((f) => f.problems)));
    assert.match(r.text, /in \d+ files/);
  });
}

test('deep nesting in a unit file (continuations, header floods): no stack overflow', async () => {
  const dir = workspace('seed-files', {
    'etc/systemd/network/05-deep.network': `[Match]\nName=${'vm-a \\\n'.repeat(DEPTH)}vm-b\n[Network]\nBridge=br0\n`,
    'etc/systemd/network/06-flood.network': '[Match]\n'.repeat(DEPTH),
  });
  const r = await checkUnchanged(dir, {}, { json: false });
  assert.ok(r.snapshot.facts.units.some((u) => u.name === '05-deep.network'));
});

test('symlink loops and symlinks out of the workspace: not followed, reported', async () => {
  const outside = tempDir();
  writeFileSync(join(outside, 'vms.nix'), readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8').replace('"my-microvm"', '"outside-tap"'));
  writeFileSync(join(outside, '90-outside.network'), '[Match]\nName=*\n[Network]\nBridge=brout\n');
  const dir = workspace('seed');
  symlinkSync('loop-b.nix', join(dir, 'loop-a.nix'));
  symlinkSync('loop-a.nix', join(dir, 'loop-b.nix'));
  symlinkSync('self.network', join(dir, 'self.network'));
  symlinkSync('..', join(dir, 'hosts/hv/up')); // a directory loop inside the root
  symlinkSync(join(outside, 'vms.nix'), join(dir, 'hosts/outside.nix'));
  symlinkSync(outside, join(dir, 'hosts/outdir'));
  symlinkSync(join(outside, '90-outside.network'), join(dir, '90-outside.network'));
  const r = await checkUnchanged(dir);
  const skipped = new Map(r.scan.skipped.map((s) => [relative(dir, s.file), s.message]));
  assert.equal(skipped.get('loop-a.nix'), 'broken or looping symlink: not followed');
  assert.equal(skipped.get('loop-b.nix'), 'broken or looping symlink: not followed');
  assert.equal(skipped.get('self.network'), 'broken or looping symlink: not followed');
  assert.equal(skipped.get('hosts/outside.nix'), 'symlink points outside the workspace: not followed');
  assert.equal(skipped.get('hosts/outdir'), 'symlink points outside the workspace: not followed');
  assert.equal(skipped.get('90-outside.network'), 'symlink points outside the workspace: not followed');
  assert.match(r.text, /hosts\/outdir: symlink points outside the workspace: not followed/);
  assert.match(r.text, /loop-a\.nix: broken or looping symlink: not followed/);
  // Nothing from outside is analysed; the in-root directory loop is walked once.
  assert.deepEqual(r.snapshot.outcomes.map((o) => o.interface.id.location.file), [join(dir, 'hosts/hv/vms.nix')]);
  // The linked unit takes part unread: as a unit the machine may have, with nothing known of it.
  const linked = r.snapshot.facts.units.filter((u) => u.name === '90-outside.network');
  assert.deepEqual(linked.map((u) => [u.complete, u.settings.length, u.unreadable]), [[false, 0, '90-outside.network could not be read (symlink points outside the workspace: not followed)']]);
  assert.ok(!r.snapshot.facts.units.some((u) => u.name === 'self.network'), 'a symlink loop is no unit (networkd cannot open it either)');
  assert.ok(!r.snapshot.facts.files.some((f) => f.file.includes('/up/')), 'the directory loop is not walked twice');
});

test('a Nix import through a symlink that leaves the workspace is not read', async () => {
  const outside = tempDir();
  writeFileSync(join(outside, 'vms.nix'), readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8'));
  const dir = workspace('seed');
  rmSync(join(dir, 'hosts/hv/vms.nix'));
  symlinkSync(outside, join(dir, 'hosts/hv/ext'));
  writeFileSync(join(dir, 'hosts/hv/default.nix'), readFileSync(join(dir, 'hosts/hv/default.nix'), 'utf8').replace('./vms.nix', './ext/vms.nix'));
  const r = await checkUnchanged(dir);
  assert.deepEqual(
    r.snapshot.outcomes.map((o) => relative(dir, o.interface.id.location.file)),
    [],
    'a tap defined in a file outside the workspace was analysed',
  );
});

test('unreadable file (EACCES) through the read seam: reported, not fatal', async () => {
  const dir = workspace('seed', { 'hosts/hv/secret.nix': '{ }\n', 'etc/systemd/network/50-secret.network': '[Match]\nName=x\n' });
  const denied = new Set([join(dir, 'hosts/hv/secret.nix'), join(dir, 'etc/systemd/network/50-secret.network')]);
  const original = fs.openSync;
  let hits = 0;
  (fs as { openSync: unknown }).openSync = function (this: unknown, path: fs.PathLike, ...rest: unknown[]) {
    if (typeof path === 'string' && denied.has(path)) {
      hits++;
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', errno: -13, syscall: 'open', path });
    }
    return (original as (...a: unknown[]) => unknown).call(this, path, ...rest);
  };
  try {
    const before = tree(dir);
    const r = await analyse(dir);
    for (const f of denied) assert.deepEqual(problemsOf(r.snapshot, f), ['permission denied: cannot read'], f);
    assert.ok(hits >= 2, 'the seam was used');
    assert.equal(r.snapshot.outcomes.length, 1);
    const grouped = await cli(['check', dir, '--fail-on', 'never']);
    assert.match(grouped.stdout, /^files or directories could not be read: 2 times in 2 files \(etc\/systemd\/network\/50-secret\.network, hosts\/hv\/secret\.nix\)/m);
    const c = await cli(['check', dir, '--fail-on', 'never', '--verbose']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /hosts\/hv\/secret\.nix: permission denied: cannot read/);
    assert.match(c.stdout, /etc\/systemd\/network\/50-secret\.network: permission denied: cannot read/);
    r.service.dispose();
    assert.deepEqual(tree(dir), before);
  } finally {
    (fs as { openSync: unknown }).openSync = original;
  }
});

test('unreadable file and directory (real EACCES; as root via a child running as nobody, loading nothing from the clone: defect 17)', { timeout: 120_000 }, async () => {
  const base = tempDir();
  chmodSync(base, 0o755);
  mkdirSync(join(base, 'tmp'));
  chmodSync(join(base, 'tmp'), 0o1777);
  const dir = join(base, 'ws');
  cpSync(join(FIXTURES, 'seed'), dir, { recursive: true });
  writeFileSync(join(dir, 'hosts/hv/secret.nix'), '{ }\n');
  mkdirSync(join(dir, 'locked'));
  writeFileSync(join(dir, 'locked/inner.nix'), '{ }\n');
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(join(dir, 'hosts/hv/secret.nix'), 0o000);
  chmodSync(join(dir, 'locked'), 0o000);
  const before = tree(dir);
  let output: string;
  if (canSwitchUser()) {
    // Nothing is loaded from the clone: it may sit where nobody cannot go (a `mktemp -d`).
    const bundle = await stageCli(made);
    const r = runAsNobody(bundle, ['check', dir, '--fail-on', 'never', '--verbose'], base, join(base, 'tmp'));
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, r.stderr);
    output = r.stdout;
  } else {
    const c = await cli(['check', dir, '--fail-on', 'never', '--verbose']);
    assert.equal(c.code, 0, c.stderr);
    output = c.stdout;
  }
  assert.match(output, /hosts\/hv\/secret\.nix: permission denied: cannot read/);
  assert.match(output, /locked: cannot read directory: EACCES/);
  assert.match(output, /1 tap: 0 bridged, 0 routed, 1 without bridge/);
  assert.deepEqual(tree(dir), before);
});

test('invalid UTF-8: decoded with replacement characters, reported, still analysed', async () => {
  const vms = readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'));
  const bad = Buffer.concat([Buffer.from('# caf\xe9 \xff\xfe \xc3\x28 \xed\xa0\x80\n', 'latin1'), vms]);
  const dir = workspace('seed', { 'hosts/hv/vms.nix': bad, 'etc/systemd/network/20-x.network': Buffer.from('[Match]\nName=vm-\xff\n', 'latin1') });
  const r = await checkUnchanged(dir);
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'hosts/hv/vms.nix')), ['invalid UTF-8: decoded with replacement characters']);
  assert.deepEqual(problemsOf(r.snapshot, join(dir, 'etc/systemd/network/20-x.network')), ['invalid UTF-8: decoded with replacement characters']);
  assert.match(r.text, /hosts\/hv\/vms\.nix: invalid UTF-8: decoded with replacement characters/);
  // The tap is found one line further down.
  const [o] = r.snapshot.outcomes;
  assert.deepEqual(o.interface.id.location.range.start, { line: 12, character: 17 });
});

/** The text a range covers. */
function cover(text: string, range: Range): string {
  const index = new LineIndex(text);
  return text.slice(index.offsetAt(range.start), index.offsetAt(range.end));
}

test('BOM: dropped, positions as the editor counts them (Nix and unit files)', async () => {
  const vms = readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8');
  const dir = workspace('networkd-syntax-quoted-name');
  const unitRel = readdirSync(join(dir, 'etc/systemd/network')).find((n) => n.endsWith('.network'))!;
  const unitPath = join(dir, 'etc/systemd/network', unitRel);
  const plain = await analyse(dir);
  const plainDiags = [...plain.snapshot.diagnostics.values()].flat();
  plain.service.dispose();
  writeFileSync(unitPath, '\ufeff' + readFileSync(unitPath, 'utf8'));
  const bommed = await checkUnchanged(dir);
  const bomDiags = [...bommed.snapshot.diagnostics.values()].flat();
  assert.deepEqual(
    bomDiags.map((d) => [d.code, d.location.range]),
    plainDiags.map((d) => [d.code, d.location.range]),
    'a BOM moves nothing (the editor does not count it either)',
  );
  assert.ok(bomDiags.length > 0);
  assert.deepEqual(problemsOf(bommed.snapshot, unitPath), []);

  const dir2 = workspace('seed', { 'hosts/hv/vms.nix': '\ufeff' + vms });
  const r = await checkUnchanged(dir2);
  const [d] = r.snapshot.diagnostics.get(join(dir2, 'hosts/hv/vms.nix'))!;
  assert.deepEqual(d.location.range, { start: { line: 11, character: 17 }, end: { line: 11, character: 29 } });
  assert.deepEqual(problemsOf(r.snapshot, join(dir2, 'hosts/hv/vms.nix')), []);
});

test('CRLF, mixed line endings, CJK/emoji before the tap id: diagnostic range exact', async () => {
  const vms = readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8');
  const comment = '        # 日本語のコメント 😀🐧 ネットワーク 🏳️‍🌈\n';
  const withComment = vms.replace('        interfaces = [', comment + '        interfaces = [').replace('id = "my-microvm"', '/* 😀 */ id = "my-microvm"');
  const variants: Record<string, string> = {
    crlf: withComment.replace(/\n/g, '\r\n'),
    cr: vms.replace('id = "my-microvm"', '/* 日本 */\r/* 😀 */ id = "my-microvm"').replace(/\n/g, '\r'),
    mixed: withComment
      .split('\n')
      .map((l, i) => l + (l.includes('#') ? '\r' : ['\r\n', '\n', '\r'][i % 3]))
      .join(''),
    'crlf-plain': vms.replace(/\n/g, '\r\n'),
  };
  for (const [name, text] of Object.entries(variants)) {
    const dir = workspace('seed', { 'hosts/hv/vms.nix': text });
    const r = await checkUnchanged(dir);
    const diags = r.snapshot.diagnostics.get(join(dir, 'hosts/hv/vms.nix')) ?? [];
    assert.deepEqual(diags.map((d) => d.code), ['tap-without-bridge'], name);
    const range = diags[0].location.range;
    const expected =
      name === 'crlf-plain'
        ? { start: { line: 11, character: 17 }, end: { line: 11, character: 29 } }
        : name === 'cr'
        ? { start: { line: 12, character: 14 }, end: { line: 12, character: 26 } }
        : // one line more; `/* 😀 */ ` is 9 UTF-16 code units
          { start: { line: 12, character: 26 }, end: { line: 12, character: 38 } };
    assert.deepEqual(range, expected, name);
    assert.equal(cover(text, range), '"my-microvm"', name);
    // The CLI prints 1-based, UTF-16 columns.
    const json = await cli(['check', dir, '--format', 'json', '--fail-on', 'never', '--verbose']);
    const d = JSON.parse(json.stdout).diagnostics[0];
    assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [expected.start.line + 1, expected.start.character + 1, expected.end.line + 1, expected.end.character + 1], name);
  }
});

test('a # comment ended by a lone CR ends there, as in Nix\'s lexer', async () => {
  const vms = readFileSync(join(FIXTURES, 'seed/hosts/hv/vms.nix'), 'utf8');
  const text = vms.replace('        interfaces = [', '        # 日本語 😀\r        interfaces = [');
  const dir = workspace('seed', { 'hosts/hv/vms.nix': text });
  const r = await checkUnchanged(dir, {}, { json: false });
  const diags = r.snapshot.diagnostics.get(join(dir, 'hosts/hv/vms.nix')) ?? [];
  assert.deepEqual(diags.map((d) => d.code), ['tap-without-bridge'], 'the tap after the comment is still seen');
  assert.deepEqual(diags[0].location.range, { start: { line: 12, character: 17 }, end: { line: 12, character: 29 } });
});

test('CRLF and CJK in a unit file: key and value ranges exact', async () => {
  const dir = workspace('networkd-syntax-quoted-name');
  const unitDir = join(dir, 'etc/systemd/network');
  const unitRel = readdirSync(unitDir).find((n) => n.endsWith('.network'))!;
  const lf = readFileSync(join(unitDir, unitRel), 'utf8');
  const plain = await analyse(dir);
  const before = [...plain.snapshot.diagnostics.values()].flat().filter((d) => d.location.file === join(unitDir, unitRel));
  plain.service.dispose();
  assert.ok(before.length > 0);
  const crlf = ('# 網橋 😀 コメント\n' + lf).replace(/\n/g, '\r\n');
  writeFileSync(join(unitDir, unitRel), crlf);
  const r = await checkUnchanged(dir);
  const now = (r.snapshot.diagnostics.get(join(unitDir, unitRel)) ?? []).filter((d) => d.location.file === join(unitDir, unitRel));
  assert.equal(now.length, before.length);
  for (const [i, d] of now.entries()) {
    const b = before[i].location.range;
    assert.deepEqual(d.location.range, { start: { line: b.start.line + 1, character: b.start.character }, end: { line: b.end.line + 1, character: b.end.character } });
    assert.equal(cover(crlf, d.location.range), cover(lf, b));
  }
});

test('a .network (and a drop-in .conf) that is a directory: skipped with a message', async () => {
  const dir = workspace('seed-files');
  mkdirSync(join(dir, 'etc/systemd/network/15-dir.network'));
  writeFileSync(join(dir, 'etc/systemd/network/15-dir.network/inner.txt'), 'x');
  mkdirSync(join(dir, 'etc/systemd/network/16-dir.netdev'));
  mkdirSync(join(dir, 'etc/systemd/network/20-brprim4.network.d/10-x.conf'), { recursive: true });
  const r = await checkUnchanged(dir);
  const skipped = new Map(r.scan.skipped.map((s) => [relative(dir, s.file), s.message]));
  assert.equal(skipped.get('etc/systemd/network/15-dir.network'), 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)');
  assert.equal(skipped.get('etc/systemd/network/16-dir.netdev'), 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)');
  assert.equal(skipped.get('etc/systemd/network/20-brprim4.network.d/10-x.conf'), 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)');
  assert.match(r.text, /etc\/systemd\/network\/15-dir\.network: is a directory, not a unit file/);
  // Told by a watcher instead of found by the scan: the reader says the same.
  const s = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  s.fileChanged(join(dir, 'etc/systemd/network/15-dir.network'));
  const snap = s.analyze();
  assert.deepEqual(problemsOf(snap, join(dir, 'etc/systemd/network/15-dir.network')), ['is a directory, not a file: skipped']);
  s.dispose();
});

test('a .network symlinked to /dev/null masks; to another device: skipped', async () => {
  const dir = workspace('seed-files');
  symlinkSync('/dev/zero', join(dir, 'etc/systemd/network/01-zero.network'));
  const r = await checkUnchanged(dir);
  assert.ok(!r.snapshot.facts.units.some((u) => u.name === '01-zero.network'));
});
