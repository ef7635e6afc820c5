import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../../server/src/cli/report';
import { formatText, summaryLine } from '../../../server/src/cli/text';
import { assertGolden } from './golden';
import { sampleSnapshot } from './sample';

const BASE = '/ws';
const sample = () => buildReport(sampleSnapshot(BASE), { base: BASE });

test('text output matches the golden file', () => {
  assertGolden('sample.text.txt', formatText(sample(), { color: false, quiet: false }));
});

test('one line per diagnostic: file:line:col: severity code message', () => {
  const lines = formatText(sample(), { color: false, quiet: false }).split('\n');
  assert.equal(
    lines[2],
    'hosts/h1/vms.nix:20:15: warning tap-without-bridge tap vm-db (VM db on h1) matches no network unit and nothing attaches it to a bridge',
  );
});

test('summary line', () => {
  const text = formatText(sample(), { color: false, quiet: false });
  assert.match(text, /^5 taps: 2 bridged, 1 routed, 1 without bridge, 1 unknown; 2 errors, 1 warning, 1 info, 1 hint in 41 files$/m);
  assert.equal(
    summaryLine({ taps: 1, bridged: 1, routed: 0, withoutBridge: 0, unknown: 0, notApplicable: 0, errors: 0, warnings: 0, infos: 2, hints: 0, files: 1 }),
    '1 tap: 1 bridged, 0 routed, 0 without bridge, 0 unknown; 0 errors, 0 warnings, 2 infos in 1 file',
  );
});

test('quiet prints only the diagnostics', () => {
  const text = formatText(sample(), { color: false, quiet: true });
  assert.equal(text.trimEnd().split('\n').length, 5);
  assert.doesNotMatch(text, /taps:|syntax error/);
});

test('colour only when asked', () => {
  assert.doesNotMatch(formatText(sample(), { color: false, quiet: false }), /\x1b\[/);
  const coloured = formatText(sample(), { color: true, quiet: false });
  assert.match(coloured, /\x1b\[31merror\x1b\[0m/);
  assert.match(coloured, /\x1b\[33mwarning\x1b\[0m/);
});

test('multi-line messages are indented', () => {
  const snap = sampleSnapshot(BASE);
  const first = [...snap.diagnostics.values()][0][0];
  first.message = 'first\nsecond';
  const text = formatText(buildReport(snap, { base: BASE }), { color: false, quiet: true });
  assert.match(text, /first\n    second\n/);
});
