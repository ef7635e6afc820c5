/**
 * The project file as a pure step (config/projectFile.ts): problems on the exact line and
 * column they are written at; the hand validator and the published JSON schema
 * (schemas/microvm-net.schema.json, checked by ajv) accept and refuse the same documents; and
 * which file serves a root (config/discover.ts): the nearest upwards, never past the project
 * boundary, never a link out of it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'smol-toml';
import { findProjectFile, ProjectConfigs, searchedDirectories } from '../../../server/src/engine/config/discover';
import { parseProjectFile } from '../../../server/src/engine/config/projectFile';
import { STARTER_PROJECT_FILE } from '../../../server/src/cli/init';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { PROJECT_SCHEMA_PATH } from '../../../scripts/project-schema';
import { tempDir } from '../cli/helpers';

const FILE = '/ws/microvm-net.toml';

function problemsAt(text: string): string[] {
  return parseProjectFile(FILE, text).problems.map((p) => `${p.location.range.start.line + 1}:${p.location.range.start.character + 1} ${p.message}`);
}

test('a valid file: every part read, assumptions with their source line', () => {
  const config = parseProjectFile(
    FILE,
    [
      'exclude = ["vendor/**"]',
      'default-bridge = "br-lan"',
      '',
      '[severity]',
      'mac-not-local = "off"',
      '',
      '[assume]',
      'networkd = { hosts = ["web"], enabled = true }',
      '',
      '[[assume.runs]]',
      'host = "hv1"',
      'vms = ["a", "b"]',
      '',
    ].join('\n'),
  );
  assert.deepEqual(config.problems, []);
  assert.deepEqual(config.exclude, ['vendor/**']);
  assert.equal(config.defaultBridge, 'br-lan');
  assert.deepEqual(config.severity, { 'mac-not-local': 'off' });
  assert.deepEqual(
    config.assumptions.map((a) => [a.kind, a.source, a.location.range.start.line]),
    [
      ['networkd', 'microvm-net.toml:8', 7],
      ['runs', 'microvm-net.toml:10', 9],
    ],
  );
});

test('problems sit where they are written: key for unknown names, value for wrong values, inside inline tables and arrays', () => {
  assert.deepEqual(
    problemsAt(
      [
        'exclude = ["ok/**", 3]',
        '[severity]',
        '"tap-without-bridg" = "off"',
        'mac-not-local = "loud"',
        '[assume]',
        'bridges = [{ hosts = ["hv"], names = ["br0"] }, { hosts = [], names = ["br1"], colour = 1 }]',
      ].join('\n'),
    ),
    [
      '1:21 must be a non-empty string',
      '3:1 unknown diagnostic code `tap-without-bridg`',
      '4:17 severity of `mac-not-local` must be one of error, warning, info, hint, off',
      '6:80 unknown key `colour` in `assume.bridges` (allowed: hosts, names)',
      '6:59 must name at least one',
    ],
  );
});

test('a TOML syntax error is one problem at its line and column, and nothing of the file applies', () => {
  const config = parseProjectFile(FILE, 'exclude = ["a"]\n[severity]\nmac-not-local = \n');
  assert.equal(config.problems.length, 1);
  assert.equal(config.problems[0].location.range.start.line, 2);
  assert.match(config.problems[0].message, /^not valid TOML: .*; the file is ignored$/);
  assert.deepEqual(config.exclude, []);
});

test('the starter file `init` writes is valid and sets nothing', () => {
  const config = parseProjectFile(FILE, STARTER_PROJECT_FILE);
  assert.deepEqual(config.problems, []);
  assert.deepEqual([config.exclude, config.defaultBridge, config.severity, config.assumptions], [[], null, {}, []]);
});

/** Documents both must judge alike. Dates are left out: JSON has none, so ajv would see strings. */
const SAMPLES = [
  '',
  'exclude = []',
  'exclude = ["a/**", "b"]',
  'exclude = "a"',
  'exclude = [""]',
  'default-bridge = "br0"',
  'default-bridge = 1',
  'colour = "blue"',
  '[severity]\nmac-not-local = "off"\ntap-without-bridge = "error"',
  '[severity]\nmac-not-local = "loud"',
  '[severity]\nnot-a-code = "off"',
  'severity = 3',
  '[assume]\nnetworkd = { hosts = ["a"], enabled = true }',
  '[assume]\nnetworkd = { hosts = ["a"], enabled = "yes" }',
  '[assume]\nnetworkd = { hosts = [], enabled = true }',
  '[assume]\nnetworkd = { hosts = ["a"] }',
  '[assume]\nnetworkd = [{ hosts = ["a"], enabled = false }, { hosts = ["b"], enabled = true }]',
  '[assume]\nnetworkd = [1]',
  '[assume]\nbridges = { hosts = ["a"], names = ["br0"] }',
  '[assume]\nbridges = { hosts = ["a"], names = ["br0"], extra = 1 }',
  '[[assume.runs]]\nhost = "hv"\nvms = ["a"]',
  '[[assume.runs]]\nhost = ""\nvms = ["a"]',
  '[[assume.runs]]\nhost = "hv"\nvms = [""]',
  '[assume]\nwhatever = 1',
  'assume = 1',
];

test('the hand validator and the published JSON schema (ajv) agree on every sample', () => {
  const schema = JSON.parse(readFileSync(PROJECT_SCHEMA_PATH, 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const disagreements: string[] = [];
  for (const text of SAMPLES) {
    const byAjv = validate(JSON.parse(JSON.stringify(parse(text))));
    const byHand = parseProjectFile(FILE, text).problems.length === 0;
    if (byAjv !== byHand) disagreements.push(`${JSON.stringify(text)}: ajv ${byAjv}, hand ${byHand}`);
  }
  assert.deepEqual(disagreements, []);
  // The samples are not all of one kind: both verdicts occur.
  const verdicts = new Set(SAMPLES.map((t) => parseProjectFile(FILE, t).problems.length === 0));
  assert.deepEqual([...verdicts].sort(), [false, true]);
});

test('discovery: nearest upwards, stopping at the directory holding flake.nix or .git; none above a root without one', (t) => {
  const top = tempDir(t, 'microvm-net-config-');
  const repo = join(top, 'repo');
  mkdirSync(join(repo, 'hosts', 'hv1'), { recursive: true });
  writeFileSync(join(repo, 'flake.nix'), '{ }\n');
  writeFileSync(join(top, 'microvm-net.toml'), 'exclude = ["outside/**"]\n');
  assert.deepEqual(searchedDirectories(join(repo, 'hosts', 'hv1')), [join(repo, 'hosts', 'hv1'), join(repo, 'hosts'), repo]);
  assert.equal(findProjectFile(join(repo, 'hosts')), null, 'the file above the flake is not the project\'s');
  writeFileSync(join(repo, 'microvm-net.toml'), 'exclude = ["repo/**"]\n');
  assert.deepEqual(findProjectFile(join(repo, 'hosts', 'hv1')), { file: join(repo, 'microvm-net.toml'), boundary: repo });
  writeFileSync(join(repo, 'hosts', 'microvm-net.toml'), '');
  assert.equal(findProjectFile(join(repo, 'hosts', 'hv1'))?.file, join(repo, 'hosts', 'microvm-net.toml'), 'the nearest wins');

  const loose = join(top, 'loose', 'dir');
  mkdirSync(loose, { recursive: true });
  assert.deepEqual(searchedDirectories(loose), [loose], 'no boundary above: only the root itself');
  assert.equal(findProjectFile(loose), null, `${top}/microvm-net.toml is not picked up`);
});

test('a project file that is a link out of the project is not read, and says so', (t) => {
  const top = tempDir(t, 'microvm-net-config-');
  const repo = join(top, 'repo');
  mkdirSync(repo);
  writeFileSync(join(repo, 'flake.nix'), '{ }\n');
  writeFileSync(join(top, 'secret.toml'), '[severity]\nmac-not-local = "off"\n');
  symlinkSync(join(top, 'secret.toml'), join(repo, 'microvm-net.toml'));
  const [config] = ProjectConfigs.load([repo], { maxFileSize: 1 << 20 }).files;
  assert.deepEqual(config.severity, {});
  assert.match(config.problems[0].message, /not read: symlink points outside the workspace/);
});

test('per root: each root is served by its own file; --config serves every root', (t) => {
  const top = tempDir(t, 'microvm-net-config-');
  for (const name of ['a', 'b']) {
    mkdirSync(join(top, name));
    writeFileSync(join(top, name, 'flake.nix'), '{ }\n');
  }
  writeFileSync(join(top, 'a', 'microvm-net.toml'), '[severity]\nmac-not-local = "off"\n');
  const configs = ProjectConfigs.load([join(top, 'a'), join(top, 'b')], { maxFileSize: 1 << 20 });
  assert.equal(configs.severity(join(top, 'a', 'x.nix'), 'mac-not-local'), 'off');
  assert.equal(configs.severity(join(top, 'b', 'x.nix'), 'mac-not-local'), undefined);
  writeFileSync(join(top, 'ci.toml'), '[severity]\nmac-not-local = "error"\n');
  const explicit = ProjectConfigs.load([join(top, 'a'), join(top, 'b')], { maxFileSize: 1 << 20, explicit: join(top, 'ci.toml') });
  assert.equal(explicit.severity(join(top, 'a', 'x.nix'), 'mac-not-local'), 'error');
  assert.equal(explicit.severity(join(top, 'b', 'x.nix'), 'mac-not-local'), 'error');
});

test('an unchanged project file keeps the assumed facts, and so the cached outcomes, from one analysis to the next', async () => {
  const root = join(__dirname, '..', '..', 'fixtures', 'assume-networkd');
  const service = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
  try {
    await service.scan();
    const first = service.analyze();
    service.fileChanged(join(root, 'microvm-net.toml'));
    const second = service.analyze();
    assert.notEqual(second, first, 'analysed again');
    assert.equal(second.outcomes[0], first.outcomes[0]);
    assert.equal(second.outcomes[0].status, 'bridged');
  } finally {
    service.dispose();
  }
});
