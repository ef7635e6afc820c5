import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type CheckOptions } from '../../../server/src/cli/args';

function check(argv: string[]): CheckOptions {
  const command = parseArgs(['check', ...argv]);
  assert.equal(command.kind, 'check');
  return (command as { kind: 'check'; options: CheckOptions }).options;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
}

test('check defaults', () => {
  assert.deepEqual(check([]), {
    paths: [],
    format: 'text',
    failOn: 'warning',
    fix: false,
    exclude: [],
    noColor: false,
    quiet: false,
    verbose: false,
    progress: false,
    dryRun: false,
    severity: {},
  });
});

test('check with every option, both value spellings', () => {
  const options = check([
    'a', '--format', 'text', '--fail-on=error', '--fix', '--exclude', 'vendor/**', '--exclude=examples/**',
    '--max-files', '500', '--no-color', '--quiet', '--verbose', '--progress', 'b', '--dry-run',
    '--config', 'ci/microvm-net.toml', '--severity', 'mac-not-local=off', '--severity=tap-without-bridge=error', '--default-bridge=br-lan',
  ]);
  assert.deepEqual(options, {
    paths: ['a', 'b'],
    format: 'text',
    failOn: 'error',
    fix: true,
    exclude: ['vendor/**', 'examples/**'],
    maxFiles: 500,
    noColor: true,
    quiet: true,
    verbose: true,
    progress: true,
    dryRun: true,
    config: 'ci/microvm-net.toml',
    severity: { 'mac-not-local': 'off', 'tap-without-bridge': 'error' },
    defaultBridge: 'br-lan',
  });
});

test('init takes at most one DIRECTORY', () => {
  assert.deepEqual(parseArgs(['init']), { kind: 'init', directory: '.' });
  assert.deepEqual(parseArgs(['init', 'repo']), { kind: 'init', directory: 'repo' });
  assert.deepEqual(parseArgs(['init', '--', '-odd']), { kind: 'init', directory: '-odd' });
  usageError(['init', 'a', 'b'], /one DIRECTORY/);
  usageError(['init', '--force'], /unknown option of init: --force/);
});

test('-- ends options; later dashes are paths', () => {
  assert.deepEqual(check(['--', '--weird-dir', '-x']).paths, ['--weird-dir', '-x']);
});

test('help and version', () => {
  assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
  assert.deepEqual(parseArgs(['-h']), { kind: 'help' });
  assert.deepEqual(parseArgs(['help']), { kind: 'help' });
  assert.deepEqual(parseArgs(['help', 'check']), { kind: 'help' });
  assert.deepEqual(parseArgs(['check', '--format', 'json', '--help']), { kind: 'help' });
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
});

test('usage errors', () => {
  usageError([], /missing command/);
  usageError(['lint'], /unknown command: lint/);
  usageError(['--frobnicate'], /unknown option before the command/);
  usageError(['check', '--frobnicate'], /unknown option: --frobnicate/);
  usageError(['check', '--format'], /--format needs a value/);
  usageError(['check', '--format', 'xml'], /--format must be one of text, json, sarif, not "xml"/);
  usageError(['check', '--fail-on', 'hint'], /--fail-on must be one of error, warning, info, never/);
  usageError(['check', '--format', 'json', '--format', 'text'], /--format given twice/);
  usageError(['check', '--fix', '--fix'], /--fix given twice/);
  usageError(['check', '--fix=yes'], /--fix takes no value/);
  usageError(['check', '--max-files', '0'], /positive whole number/);
  usageError(['check', '--max-files', '1e3'], /positive whole number/);
  usageError(['check', '--max-files', '-5'], /positive whole number/);
  usageError(['check', '--exclude', ''], /non-empty glob/);
  usageError(['check', ''], /empty PATH/);
  usageError(['check', '--version'], /not an option of check/);
  usageError(['help', 'nope'], /unknown help topic/);
  usageError(['check', '--dry-run'], /--dry-run goes with --fix/);
  usageError(['check', '--fix', '--dry-run', '--format', 'json'], /takes no --format json or sarif/);
  usageError(['check', '--severity', 'mac-not-local'], /CODE=LEVEL/);
  usageError(['check', '--severity', 'mac-not-locl=off'], /unknown diagnostic code "mac-not-locl"/);
  usageError(['check', '--severity', 'mac-not-local=loud'], /--severity must be one of error, warning, info, hint, off/);
  usageError(['check', '--default-bridge', 'a', '--default-bridge', 'b'], /--default-bridge given twice/);
  usageError(['check', '--config='], /--config needs a FILE/);
  usageError(['--version', 'x'], /unexpected argument/);
});
