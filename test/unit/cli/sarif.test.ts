import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../../server/src/cli/report';
import { escapeMarkdown, FINGERPRINT_KEY, formatSarif, sarifLevel, toSarif, toUri } from '../../../server/src/cli/sarif';
import { TOOL_VERSION } from '../../../server/src/cli/meta';
import { assertGolden } from './golden';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeDocsUrl, PROJECT_HOME } from '../../../server/src/protocol/docs';
import { diag, loc, snapshot } from './helpers';
import { sampleSnapshot } from './sample';

const BASE = '/ws';
const OPTIONS = { toolVersion: '0.0.0-test', informationUri: 'https://example.org/microvm-net' };
const sample = () => buildReport(sampleSnapshot(BASE), { base: BASE });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sarifOf = (report = sample(), options = OPTIONS): any => JSON.parse(formatSarif(report, options));

test('sarif output matches the golden file', () => {
  assertGolden('sample.sarif.json', formatSarif(sample(), OPTIONS));
});

test('top level and tool driver carry what GitHub code scanning requires', () => {
  const log = sarifOf();
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  assert.equal(run.columnKind, 'utf16CodeUnits');
  assert.equal(run.tool.driver.name, 'microvm-net');
  assert.equal(run.tool.driver.version, '0.0.0-test');
  assert.equal(run.tool.driver.informationUri, 'https://example.org/microvm-net');
  assert.equal(sarifOf(sample(), {} as typeof OPTIONS).runs[0].tool.driver.version, TOOL_VERSION);
  const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.deepEqual(ids, [...new Set(run.results.map((r: { ruleId: string }) => r.ruleId))].sort(), 'one rule per code used');
  for (const rule of run.tool.driver.rules) {
    assert.equal(typeof rule.id, 'string');
    assert.ok(rule.shortDescription.text.length > 0 && rule.shortDescription.text.length <= 1024);
    assert.ok(rule.fullDescription.text.length > 0);
    assert.ok(['none', 'note', 'warning', 'error'].includes(rule.defaultConfiguration.level));
  }
  assert.deepEqual(run.invocations.map((i: { executionSuccessful: boolean }) => i.executionSuccessful), [true]);
});

test('every result has rule, level, message, a relative location with a 1-based region, fingerprints', () => {
  const run = sarifOf().runs[0];
  assert.equal(run.results.length, 5);
  for (const result of run.results) {
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
    assert.ok(['note', 'warning', 'error'].includes(result.level));
    assert.ok(result.message.text.length > 0);
    assert.equal(result.locations.length, 1);
    const physical = result.locations[0].physicalLocation;
    assert.equal(physical.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.doesNotMatch(physical.artifactLocation.uri, /^(\/|[a-z]+:)/i, 'relative URI');
    const { startLine, startColumn, endLine, endColumn } = physical.region;
    assert.ok(startLine >= 1 && startColumn >= 1 && endLine >= startLine && endColumn >= 1);
    assert.match(result.partialFingerprints[FINGERPRINT_KEY], /^[0-9a-f]{32}:\d+$/);
  }
});

test('levels, regions and related locations', () => {
  const run = sarifOf().runs[0];
  const tap = run.results.find((r: { ruleId: string }) => r.ruleId === 'tap-without-bridge');
  assert.equal(tap.level, 'warning');
  assert.deepEqual(tap.locations[0].physicalLocation, {
    artifactLocation: { uri: 'hosts/h1/vms.nix', uriBaseId: '%SRCROOT%' },
    region: { startLine: 20, startColumn: 15, endLine: 20, endColumn: 20 },
  });
  assert.deepEqual(tap.relatedLocations, [
    {
      id: 1,
      physicalLocation: {
        artifactLocation: { uri: 'hosts/h1/net.nix', uriBaseId: '%SRCROOT%' },
        region: { startLine: 30, startColumn: 5, endLine: 30, endColumn: 31 },
      },
      message: { text: 'the unit bridging vm-* taps (Name=vm-web)' },
    },
  ]);
  const emoji = run.results.find((r: { ruleId: string }) => r.ruleId === 'interface-name-invalid');
  assert.equal(emoji.locations[0].physicalLocation.region.startColumn, 37, 'UTF-16 columns');
  assert.equal(sarifLevel('info'), 'note');
  assert.equal(sarifLevel('hint'), 'note');
  const rules = run.tool.driver.rules;
  assert.equal(rules.find((r: { id: string }) => r.id === 'mac-not-local').defaultConfiguration.level, 'note');
  assert.equal(rules.find((r: { id: string }) => r.id === 'duplicate-interface-id').defaultConfiguration.level, 'error');
});

test('unknown codes get a generic rule at the level of their first result', () => {
  const report = buildReport(
    snapshot({ diagnostics: [diag('brand-new-check', 'info', 'something', loc('/ws/a.nix', 0, 0, 0, 1))] }),
    { base: BASE },
  );
  const rule = sarifOf(report).runs[0].tool.driver.rules[0];
  assert.equal(rule.id, 'brand-new-check');
  assert.equal(rule.defaultConfiguration.level, 'note');
});

test('fingerprints are stable across line moves and distinguish repeats', () => {
  const at = (line: number) =>
    buildReport(
      snapshot({
        diagnostics: [
          diag('duplicate-mac', 'warning', 'MAC used twice', loc('/ws/a.nix', line, 2, line, 9)),
          diag('duplicate-mac', 'warning', 'MAC used twice', loc('/ws/a.nix', line + 5, 2, line + 5, 9)),
        ],
      }),
      { base: BASE },
    );
  const prints = (line: number) =>
    sarifOf(at(line)).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY]);
  assert.deepEqual(prints(3), prints(40));
  const [a, b] = prints(3);
  assert.equal(a.split(':')[0], b.split(':')[0]);
  assert.notEqual(a, b);
});

test('what the analysis could not do becomes tool execution notifications, one per kind', () => {
  const notes = sarifOf().runs[0].invocations[0].toolExecutionNotifications;
  assert.deepEqual(notes[0], {
    level: 'warning',
    message: { text: '2 syntax errors; analysed as far as the parse tree allows' },
    descriptor: { id: 'syntax-error' },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'hosts/broken.nix', uriBaseId: '%SRCROOT%' } } }],
  });
  const several = notes.find((n: { descriptor: { id: string } }) => n.descriptor.id === 'interfaces-not-evaluated');
  assert.equal(several.message.text, 'microvm.interfaces could not be fully evaluated (2 times)');
  assert.equal(several.locations.length, 2);
  assert.equal(notes.length, 3);
});

test('a result about a tap carries the reasons in its markdown message; others only text', () => {
  const results = sarifOf().runs[0].results;
  const tap = results.find((r: { ruleId: string }) => r.ruleId === 'tap-without-bridge');
  assert.equal(tap.message.text, 'tap vm-db (VM db on h1) matches no network unit and nothing attaches it to a bridge');
  assert.equal(
    tap.message.markdown,
    [
      tap.message.text,
      '',
      '- no loaded .network unit matches `vm-db`, so systemd-networkd leaves it unmanaged (hosts/h1/vms.nix:20)',
      '- `20-vms.network` bridges Name=vm-web to `br0` but does not match it (hosts/h1/net.nix:30)',
    ].join('\n'),
  );
  const mac = results.find((r: { ruleId: string }) => r.ruleId === 'mac-not-local');
  assert.deepEqual(Object.keys(mac.message), ['text']);
});

test('markdown escapes emphasis and links outside code spans only', () => {
  assert.equal(escapeMarkdown('Name=vm-* in `vm-*_x` [a](b)'), 'Name=vm-\\* in `vm-*_x` \\[a\\](b)');
});

test('URIs are percent-encoded per segment', () => {
  assert.equal(toUri('hosts/my host/a#1.nix'), 'hosts/my%20host/a%231.nix');
  assert.equal(toUri('../other/x.network'), '../other/x.network');
});

test('an empty report is still a valid run', () => {
  const run = toSarif(buildReport(snapshot({}), { base: BASE }), OPTIONS).runs[0];
  assert.deepEqual(run.results, []);
  assert.deepEqual((run.tool.driver as { rules: unknown[] }).rules, []);
});

test('each rule links to its code\'s row of the README, and the driver to the project', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const run = sarifOf(sample(), {} as typeof OPTIONS).runs[0];
  assert.equal(run.tool.driver.informationUri, PROJECT_HOME);
  assert.ok(run.tool.driver.rules.length > 0);
  for (const rule of run.tool.driver.rules) {
    assert.equal(rule.helpUri, codeDocsUrl(rule.id));
    assert.ok(rule.helpUri.startsWith(PROJECT_HOME) && rule.helpUri.endsWith(`#${rule.id}`), rule.helpUri);
    assert.ok(readme.includes(`<a id="${rule.id}"></a>`), `README anchor for ${rule.id}`);
  }
  assert.equal(codeDocsUrl('no-such-code'), undefined);
});
