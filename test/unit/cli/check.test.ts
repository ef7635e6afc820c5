import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../server/src/cli/check';
import { USAGE } from '../../../server/src/cli/args';
import { TOOL_VERSION } from '../../../server/src/cli/meta';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { diag, FakeService, harness, loc, snapshot, tempDir, write } from './helpers';
import { sampleSnapshot } from './sample';

function sampleService(root: string, extra: Partial<ConstructorParameters<typeof FakeService>[0]> = {}): FakeService {
  return new FakeService({ analyze: () => sampleSnapshot(root), ...extra });
}

function withSeverity(root: string, severity: 'error' | 'warning' | 'info' | 'hint'): FakeService {
  return new FakeService({
    analyze: () => snapshot({ diagnostics: [diag('some-code', severity, 'm', loc(path.join(root, 'a.nix'), 0, 0, 0, 1))] }),
  });
}

test('--help, help and --version print to stdout and exit 0', async (t) => {
  const root = tempDir(t);
  for (const argv of [['--help'], ['help'], ['check', '--help']]) {
    const h = harness(sampleService(root), { cwd: root });
    assert.equal(await runCli(argv, h.io, h.deps), 0);
    assert.equal(h.io.stdout.text, USAGE);
    assert.equal(h.io.stderr.text, '');
    assert.equal(h.created.length, 0, 'no engine for help');
  }
  const h = harness(sampleService(root), { cwd: root });
  assert.equal(await runCli(['--version'], h.io, h.deps), 0);
  assert.equal(h.io.stdout.text, `microvm-net ${TOOL_VERSION}\n`);
});

test('usage errors exit 2 with one line: the message and "see --help", not the whole usage', async (t) => {
  const root = tempDir(t);
  for (const [argv, message] of [
    [[], 'missing command (try "microvm-net check")'],
    [['check', '--format', 'xml'], '--format must be one of text, json, sarif, not "xml"'],
    [['check', '--bogus'], 'unknown option: --bogus'],
    [['check', 'does-not-exist'], 'no such file or directory: does-not-exist'],
  ] as const) {
    const h = harness(sampleService(root), { cwd: root });
    assert.equal(await runCli([...argv], h.io, h.deps), 2, argv.join(' '));
    assert.equal(h.io.stdout.text, '');
    assert.equal(h.io.stderr.text, `microvm-net: ${message} (see --help)\n`);
  }
});

test('exit codes per --fail-on', async (t) => {
  const root = tempDir(t);
  const cases: [string | undefined, 'error' | 'warning' | 'info' | 'hint', number][] = [
    [undefined, 'warning', 1],
    [undefined, 'info', 0],
    [undefined, 'error', 1],
    ['error', 'warning', 0],
    ['error', 'error', 1],
    ['info', 'info', 1],
    ['info', 'hint', 0],
    ['never', 'error', 0],
  ];
  for (const [failOn, severity, expected] of cases) {
    const h = harness(withSeverity(root, severity), { cwd: root });
    const argv = failOn ? ['check', '--fail-on', failOn] : ['check'];
    assert.equal(await runCli(argv, h.io, h.deps), expected, `--fail-on ${failOn} with a ${severity}`);
  }
  const clean = harness(new FakeService({ analyze: () => snapshot({}) }), { cwd: root });
  assert.equal(await runCli(['check', '--fail-on', 'info'], clean.io, clean.deps), 0);
});

test('internal errors: message, exit 2, no stack trace unless MICROVM_NET_DEBUG=1', async (t) => {
  const root = tempDir(t);
  const failing = () => sampleService(root, { failScan: new Error('wasm exploded') });
  const h = harness(failing, { cwd: root });
  assert.equal(await runCli(['check'], h.io, h.deps), 2);
  assert.match(h.io.stderr.text, /^microvm-net: internal error: wasm exploded\n/);
  assert.doesNotMatch(h.io.stderr.text, /\n\s+at /, 'no stack trace');
  assert.equal(h.io.stdout.text, '');

  const debug = harness(failing, { cwd: root, env: { MICROVM_NET_DEBUG: '1' } });
  assert.equal(await runCli(['check'], debug.io, debug.deps), 2);
  assert.match(debug.io.stderr.text, /\n\s+at /, 'stack trace with MICROVM_NET_DEBUG=1');

  const factory = harness(sampleService(root), { cwd: root });
  factory.deps.createService = async () => {
    throw new Error('cannot load tree-sitter-nix.wasm');
  };
  assert.equal(await runCli(['check'], factory.io, factory.deps), 2);
  assert.match(factory.io.stderr.text, /internal error: cannot load tree-sitter-nix\.wasm/);
});

test('roots, base and settings: paths relative to the current directory (the first PATH when outside it), excludes added to the defaults', async (t) => {
  const cwd = tempDir(t);
  fs.mkdirSync(path.join(cwd, 'repo', 'hosts'), { recursive: true });
  fs.mkdirSync(path.join(cwd, 'other'));
  const service = sampleService(path.join(cwd, 'repo'));
  const h = harness(service, { cwd });
  const code = await runCli(
    ['check', 'repo', 'other', 'repo', '--format', 'json', '--exclude', 'vendor/**', '--max-files', '100'],
    h.io,
    h.deps,
  );
  assert.equal(code, 1);
  assert.deepEqual(h.created[0].roots, [path.join(cwd, 'repo'), path.join(cwd, 'other')]);
  assert.deepEqual(h.created[0].settings.exclude, [...DEFAULT_SETTINGS.exclude, 'vendor/**']);
  assert.equal(h.created[0].settings.maxFiles, 100);
  const json = JSON.parse(h.io.stdout.text);
  assert.equal(json.interfaces[0].file, 'repo/hosts/h1/vms.nix');
  assert.equal(json.stats.ms, 7, 'wall time from the injected clock');

  const file = write(cwd, 'single/a.nix', '{ }\n');
  const single = harness(new FakeService({ analyze: () => snapshot({ diagnostics: [diag('x', 'info', 'm', loc(file, 0, 0, 0, 1))] }) }), { cwd });
  await runCli(['check', 'single/a.nix', '--format', 'json'], single.io, single.deps);
  assert.equal(JSON.parse(single.io.stdout.text).diagnostics[0].file, 'single/a.nix', 'a file PATH: relative to the current directory');

  const elsewhere = harness(sampleService(path.join(cwd, 'repo')), { cwd: path.join(cwd, 'other') });
  await runCli(['check', '../repo', '--format', 'json'], elsewhere.io, elsewhere.deps);
  assert.equal(JSON.parse(elsewhere.io.stdout.text).interfaces[0].file, 'hosts/h1/vms.nix', 'a PATH outside the current directory: relative to it');

  const none = harness(sampleService(cwd), { cwd });
  await runCli(['check', '--format', 'json'], none.io, none.deps);
  assert.deepEqual(none.created[0].roots, [cwd]);
  assert.equal(JSON.parse(none.io.stdout.text).interfaces[0].file, 'hosts/h1/vms.nix');
});

test('json and sarif: stdout holds only the document; notices go to stderr, one line per kind (every one with --verbose, none with --quiet)', async (t) => {
  const root = tempDir(t);
  for (const format of ['json', 'sarif']) {
    const h = harness(sampleService(root), { cwd: root });
    await runCli(['check', '--format', format], h.io, h.deps);
    const parsed = JSON.parse(h.io.stdout.text);
    assert.ok(format === 'json' ? parsed.version === 2 : parsed.version === '2.1.0');
    assert.equal(
      h.io.stderr.text,
      [
        '1 interface definition could not be placed in any configuration (reported with host null, status unknown); --verbose lists them',
        'hosts/broken.nix: 2 syntax errors; analysed as far as the parse tree allows',
        'microvm.interfaces could not be fully evaluated: 2 times in 2 files (hosts/h2/more.nix, hosts/h2/vms.nix); --verbose lists each',
        'vendor/huge.nix: larger than 2097152 bytes: skipped',
        '',
      ].join('\n'),
    );
    const verbose = harness(sampleService(root), { cwd: root });
    await runCli(['check', '--format', format, '--verbose'], verbose.io, verbose.deps);
    assert.equal(
      verbose.io.stderr.text,
      [
        '1 interface definition could not be placed in any configuration (reported with host null, status unknown):',
        '  hosts/h2/vms.nix:5: `vm-*`: no configuration imports hosts/h2/vms.nix',
        'hosts/broken.nix: 2 syntax errors; analysed as far as the parse tree allows',
        'hosts/h2/more.nix: h2: a microvm.interfaces entry could not be evaluated',
        'hosts/h2/vms.nix: h2: microvm.interfaces could not be fully evaluated',
        'vendor/huge.nix: larger than 2097152 bytes: skipped',
        '',
      ].join('\n'),
    );
    const quiet = harness(sampleService(root), { cwd: root });
    await runCli(['check', '--format', format, '--quiet'], quiet.io, quiet.deps);
    assert.equal(quiet.io.stderr.text, '');
  }
});

test('text goes to stdout with notices; colour only on a TTY without NO_COLOR or --no-color', async (t) => {
  const root = tempDir(t);
  const run = async (opts: { tty: boolean; env?: Record<string, string>; args?: string[] }) => {
    const h = harness(sampleService(root), { cwd: root, stdoutTTY: opts.tty, env: opts.env });
    await runCli(['check', ...(opts.args ?? [])], h.io, h.deps);
    assert.equal(h.io.stderr.text, '');
    return h.io.stdout.text;
  };
  const plain = await run({ tty: false });
  assert.doesNotMatch(plain, /\x1b\[/);
  assert.match(plain, /^hosts\/broken\.nix: 2 syntax errors; analysed as far as the parse tree allows$/m);
  assert.match(await run({ tty: true }), /\x1b\[31merror/);
  assert.doesNotMatch(await run({ tty: true, env: { NO_COLOR: '1' } }), /\x1b\[/);
  assert.match(await run({ tty: true, env: { NO_COLOR: '' } }), /\x1b\[/, 'an empty NO_COLOR does not count');
  assert.doesNotMatch(await run({ tty: true, args: ['--no-color'] }), /\x1b\[/);
});

test('progress: only on a TTY stderr or with --progress, rate-limited, erased at the end', async (t) => {
  const root = tempDir(t);
  const progress = Array.from({ length: 50 }, (_, i) => ({ done: (i + 1) * 100, total: 5000, message: '' }));
  const quietStderr = harness(sampleService(root, { progress }), { cwd: root });
  await runCli(['check', '--format', 'json', '--quiet'], quietStderr.io, quietStderr.deps);
  assert.equal(quietStderr.io.stderr.text, '', 'nothing when stderr is not a terminal');

  const tty = harness(sampleService(root, { progress }), { cwd: root, stderrTTY: true });
  await runCli(['check', '--format', 'json', '--quiet', '--progress'], tty.io, tty.deps);
  // The harness clock advances 7 ms per call: updates at most every 100 ms.
  const shown = tty.io.stderr.text.match(/scanning \d+\/5000 files…/g) ?? [];
  assert.ok(shown.length >= 1 && shown.length < 50, `rate-limited (${shown.length})`);
  assert.ok(tty.io.stderr.text.endsWith('\r\x1b[2K'), 'line erased');

  const forced = harness(sampleService(root, { progress }), { cwd: root });
  await runCli(['check', '--format', 'json', '--quiet', '--progress'], forced.io, forced.deps);
  assert.match(forced.io.stderr.text, /^scanning 100\/5000 files…\n/);
  assert.doesNotMatch(forced.io.stderr.text, /\r/);
});

test('a syntax error in one file does not hide other files: named, results still there', async (t) => {
  const root = tempDir(t);
  const service = new FakeService({
    analyze: () =>
      snapshot({
        diagnostics: [diag('tap-without-bridge', 'warning', 'tap vm-b has no bridge', loc(path.join(root, 'hosts/b.nix'), 4, 8, 4, 14))],
        files: [
          { file: path.join(root, 'hosts/a.nix'), kind: 'nix', syntaxErrors: 2, problems: [] },
          { file: path.join(root, 'hosts/b.nix'), kind: 'nix', syntaxErrors: 0, problems: [] },
        ],
      }),
  });
  const h = harness(service, { cwd: root });
  assert.equal(await runCli(['check'], h.io, h.deps), 1);
  assert.match(h.io.stdout.text, /^hosts\/b\.nix:5:9: warning tap-without-bridge tap vm-b has no bridge$/m);
  assert.match(h.io.stdout.text, /^hosts\/a\.nix: 2 syntax errors; analysed as far as the parse tree allows$/m);
});

test('the engine is disposed after the check, also when it fails', async (t) => {
  const root = tempDir(t);
  const ok = sampleService(root);
  const h = harness(ok, { cwd: root });
  await runCli(['check'], h.io, h.deps);
  assert.ok(ok.disposed);
  const bad = sampleService(root, { failScan: new Error('boom') });
  const h2 = harness(bad, { cwd: root });
  await runCli(['check'], h2.io, h2.deps);
  assert.ok(bad.disposed);
});
