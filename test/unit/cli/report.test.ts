import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { NOTICE_KINDS } from '../../../server/src/engine/notices';
import { buildReport, exitCodeFor, relativePath, summarize } from '../../../server/src/cli/report';
import { formatJson, toJsonObject } from '../../../server/src/cli/json';
import { formatText } from '../../../server/src/cli/text';
import { assertGolden } from './golden';
import { diag, loc, outcome, snapshot } from './helpers';
import { EMOJI_ID_CHAR, EMOJI_LINE, sampleSnapshot } from './sample';

const BASE = '/ws';
const sample = () => buildReport(sampleSnapshot(BASE), { base: BASE });

test('json output matches the golden file', () => {
  assertGolden('sample.report.json', formatJson(sample()));
});

test('json keys are exactly the contract, in contract order', () => {
  const json = JSON.parse(formatJson(sample()));
  assert.deepEqual(Object.keys(json), ['version', 'interfaces', 'diagnostics', 'notices', 'stats']);
  assert.equal(json.version, 2);
  for (const i of json.interfaces) {
    const keys = ['host', 'vm', 'id', 'idKnown', 'type', 'mac', 'file', 'line', 'column', 'status', 'bridge'];
    assert.deepEqual(Object.keys(i), 'via' in i ? [...keys, 'via', 'reasons'] : [...keys, 'reasons']);
    if (i.via) assert.deepEqual(Object.keys(i.via), ['kind', 'unit', 'file', 'line']);
  }
  for (const d of json.diagnostics) {
    assert.deepEqual(Object.keys(d), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
  }
  for (const n of json.notices) assert.deepEqual(Object.keys(n), ['kind', 'count', 'message', 'files']);
  assert.deepEqual(json.stats, { files: 41, nixFiles: 37, networkdFiles: 4, configurations: 2, ms: 212 });
});

test('interface fields: 1-based position of the id, pattern ids, nulls, via', () => {
  const { interfaces } = toJsonObject(sample());
  const web = interfaces.find((i) => i.id === 'vm-web')!;
  assert.deepEqual(web, {
    host: 'h1',
    vm: 'web',
    id: 'vm-web',
    idKnown: true,
    type: 'tap',
    mac: '02:00:00:00:00:01',
    file: 'hosts/h1/vms.nix',
    line: 12,
    column: 15,
    status: 'bridged',
    bridge: 'br0',
    via: { kind: 'networkd-nix', unit: '20-vms.network', file: 'hosts/h1/net.nix', line: 30 },
    reasons: [
      '`20-vms.network` matches `vm-web` first (Name=vm-web) and sets Bridge=br0, defined by `10-br0.netdev` (Kind=bridge) (hosts/h1/net.nix:30)',
    ],
  });
  const pattern = interfaces.find((i) => i.idKnown === false)!;
  assert.equal(pattern.id, 'vm-*');
  assert.equal(pattern.host, null);
  assert.equal(pattern.vm, null);
  assert.equal(pattern.mac, null, 'a MAC with unknown parts is null');
  assert.equal(pattern.bridge, null);
  assert.ok(!('via' in pattern), 'via is absent when nothing attaches the tap');
  const helper = interfaces.find((i) => i.id === 'br-tap')!;
  assert.deepEqual(helper.via, { kind: 'qemu-bridge-helper', unit: null, file: null, line: null });
});

test('columns are UTF-16 code units + 1 on a CJK/emoji line', () => {
  const { interfaces, diagnostics } = toJsonObject(sample());
  const emoji = interfaces.find((i) => i.vm === 'emoji' && i.type === 'tap')!;
  // '网络' are one unit each, '🚀' two: the id's opening quote is at UTF-16 index 35.
  const quote = EMOJI_LINE.indexOf('"vm-émoji"');
  assert.equal(quote, 35);
  assert.equal(Buffer.byteLength(EMOJI_LINE.slice(0, quote)), 41, 'bytes would give a different column');
  assert.equal([...EMOJI_LINE.slice(0, quote)].length, 34, 'code points would give a different column');
  assert.equal(emoji.line, 4);
  assert.equal(emoji.column, EMOJI_ID_CHAR + 1);
  assert.equal(emoji.column, 37);
  const d = diagnostics.find((x) => x.code === 'interface-name-invalid')!;
  assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [4, 37, 4, 45]);
});

test('paths are relative to the base with / separators, outside files get ../', () => {
  assert.equal(relativePath('/ws', '/ws/hosts/h1/vms.nix'), 'hosts/h1/vms.nix');
  assert.equal(relativePath('/ws/sub', '/ws/other/x.network'), '../other/x.network');
  assert.equal(relativePath('/ws/a.nix', '/ws/a.nix'), 'a.nix');
  const win = path.win32.relative('C:\\ws', 'C:\\ws\\hosts\\a.nix').split(path.win32.sep).join('/');
  assert.equal(win, 'hosts/a.nix');
});

test('diagnostics sort by file, line, column, code; interfaces by file, line, column', () => {
  const { diagnostics, interfaces } = toJsonObject(sample());
  const keys = diagnostics.map((d) => `${d.file}:${d.line}:${d.column}:${d.code}`);
  assert.deepEqual(keys, [
    'etc/systemd/network/30-vm.network:2:6:networkd-syntax-quoted-name',
    'hosts/h1/vms.nix:20:15:duplicate-interface-id',
    'hosts/h1/vms.nix:20:15:tap-without-bridge',
    'hosts/h3/guest.nix:4:37:interface-name-invalid',
    'hosts/h3/guest.nix:4:61:mac-not-local',
  ]);
  assert.deepEqual(
    interfaces.map((i) => i.id),
    ['vm-web', 'vm-db', 'vm-*', 'vm-émoji', 'mv0', 'br-tap'],
  );
  // Independent of the engine's map and array order.
  const reversed = sampleSnapshot(BASE);
  reversed.outcomes.reverse();
  reversed.diagnostics = new Map([...reversed.diagnostics].reverse().map(([k, v]) => [k, [...v].reverse()]));
  assert.equal(formatJson(buildReport(reversed, { base: BASE })), formatJson(sample()));
});

test('reasons: each ends with the file:line it rests on; a bare one rests on the interface itself', () => {
  const db = toJsonObject(sample()).interfaces.find((i) => i.id === 'vm-db')!;
  assert.deepEqual(db.reasons, [
    'no loaded .network unit matches `vm-db`, so systemd-networkd leaves it unmanaged (hosts/h1/vms.nix:20)',
    '`20-vms.network` bridges Name=vm-web to `br0` but does not match it (hosts/h1/net.nix:30)',
  ]);
  const unplaced = toJsonObject(sample()).interfaces.find((i) => i.host === null)!;
  assert.equal(unplaced.status, 'unknown');
  assert.deepEqual(unplaced.reasons, ['no configuration imports hosts/h2/vms.nix (hosts/h2/vms.nix:5)']);
});

test('notices: grouped by kind with counts and files; each kind is one entry', () => {
  assert.deepEqual(toJsonObject(sample()).notices, [
    { kind: 'syntax-error', count: 1, message: '2 syntax errors; analysed as far as the parse tree allows', files: ['hosts/broken.nix'] },
    { kind: 'interfaces-not-evaluated', count: 2, message: 'microvm.interfaces could not be fully evaluated', files: ['hosts/h2/more.nix', 'hosts/h2/vms.nix'] },
    { kind: 'file-too-large', count: 1, message: 'larger than 2097152 bytes: skipped', files: ['vendor/huge.nix'] },
  ]);
});

test('notices name broken and skipped files, deduplicated with the scan report', () => {
  const report = buildReport(sampleSnapshot(BASE), {
    base: BASE,
    scan: {
      files: 41,
      truncated: 7,
      skipped: [
        { file: '/ws/vendor/huge.nix', kind: 'file-too-large', message: 'larger than 2097152 bytes: skipped' },
        { file: '/ws/loop', kind: 'symlink-not-followed', message: 'broken or looping symlink: not followed' },
      ],
    },
  });
  const once = (kind: string, file: string | null, message: string) => ({ kind, count: 1, message, files: file === null ? [] : [file] });
  assert.deepEqual(report.data.notices, [
    once('syntax-error', 'hosts/broken.nix', '2 syntax errors; analysed as far as the parse tree allows'),
    { kind: 'interfaces-not-evaluated', count: 2, message: 'microvm.interfaces could not be fully evaluated', files: ['hosts/h2/more.nix', 'hosts/h2/vms.nix'] },
    once('symlink-not-followed', 'loop', 'broken or looping symlink: not followed'),
    once('file-too-large', 'vendor/huge.nix', 'larger than 2097152 bytes: skipped'),
    once('scan-truncated', null, 'scan stopped at 41 files (--max-files); 7 files not analysed'),
  ]);
  assert.equal(report.notices.filter((n) => n.file === 'vendor/huge.nix').length, 1, 'the scan and the engine name the same skipped file once');
});

test('a syntax error in one file does not hide other files', () => {
  const broken = '/ws/hosts/a.nix';
  const report = buildReport(
    snapshot({
      outcomes: [outcome({ id: 'vm-b', at: loc('/ws/hosts/b.nix', 2, 10, 2, 14), status: 'unmanaged' })],
      diagnostics: [diag('tap-without-bridge', 'warning', 'tap vm-b has no bridge', loc('/ws/hosts/b.nix', 2, 10, 2, 14))],
      files: [{ file: broken, kind: 'nix', syntaxErrors: 1, problems: [] }],
    }),
    { base: BASE },
  );
  assert.equal(report.data.diagnostics.length, 1);
  const text = formatText(report, { color: false, quiet: false });
  assert.match(text, /^hosts\/b\.nix:3:11: warning tap-without-bridge tap vm-b has no bridge$/m);
  assert.match(text, /^hosts\/a\.nix: 1 syntax error; analysed as far as the parse tree allows$/m);
});

test('summary counts', () => {
  assert.deepEqual(summarize(sample().data), {
    taps: 5,
    bridged: 2,
    routed: 1,
    withoutBridge: 1,
    unknown: 1,
    notApplicable: 1,
    errors: 2,
    warnings: 1,
    infos: 1,
    hints: 1,
    files: 41,
  });
});

test('exit code per --fail-on', () => {
  const data = sample().data;
  assert.equal(exitCodeFor(data, 'error'), 1);
  assert.equal(exitCodeFor(data, 'warning'), 1);
  assert.equal(exitCodeFor(data, 'info'), 1);
  assert.equal(exitCodeFor(data, 'never'), 0);
  const only = (severity: 'warning' | 'info' | 'hint') => ({
    ...data,
    diagnostics: data.diagnostics.filter((d) => d.severity === severity),
  });
  assert.equal(exitCodeFor(only('warning'), 'error'), 0);
  assert.equal(exitCodeFor(only('warning'), 'warning'), 1);
  assert.equal(exitCodeFor(only('info'), 'warning'), 0);
  assert.equal(exitCodeFor(only('info'), 'info'), 1);
  assert.equal(exitCodeFor(only('hint'), 'info'), 0, 'hints never fail a check');
  assert.equal(exitCodeFor({ ...data, diagnostics: [] }, 'info'), 0);
});

test('stats.ms can be overridden with the wall time, rounded', () => {
  assert.equal(buildReport(sampleSnapshot(BASE), { base: BASE, ms: 12.6 }).data.stats.ms, 13);
});

test('docs/cli.md names every notice kind the engine can report', () => {
  const docs = readFileSync(path.join(__dirname, '../../../docs/cli.md'), 'utf8');
  for (const kind of NOTICE_KINDS) assert.ok(docs.includes(`\`${kind}\``), `docs/cli.md does not name notice kind ${kind}`);
});
