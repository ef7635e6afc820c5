/**
 * "Ignore this here" (fixes/ignoreHere.ts): the inserted comment has the line's indentation and
 * a reason placeholder, and once applied it silences exactly that finding (suppressed, not
 * unused); it is declined, with why, where a line cannot go (inside a Nix string, after a unit
 * line continued with `\`); and `--fix` never picks it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyWorkspaceEdit } from '../../../server/src/engine/fixes/edits';
import { ignoreFixes } from '../../../server/src/engine/fixes/ignoreHere';
import type { Diagnostic } from '../../../server/src/engine/model';
import type { AnalysisSnapshot, Fix } from '../../../server/src/engine/service';
import { cleanup, open, workspace } from './harness';

after(cleanup);

const repo = join(__dirname, '..', '..', '..');

async function applyIgnore(dir: string, file: string, code: string, title: RegExp) {
  const { service, snapshot } = await open(dir);
  try {
    const d = (snapshot.diagnostics.get(join(dir, file)) ?? []).find((x) => x.code === code)!;
    assert.ok(d, `${code} is reported in ${file}`);
    assert.ok(!service.fixes(d.location.file, d.location.range).some((f) => f.suppression), 'kept apart from the repairs');
    const fix = service.suppressionFixes(d.location.file, d.location.range).find((f) => f.suppression && title.test(f.title))!;
    assert.ok(fix && !fix.disabled && !fix.preferred, 'offered, never preferred');
    const [[path, text]] = [...applyWorkspaceEdit(fix.edit, (f) => service.textOf(f), { expand: true })];
    writeFileSync(path, text);
    return { text, line: d.location.range.start.line };
  } finally {
    service.dispose();
  }
}

test('Nix: the comment goes above the line with its indentation; re-analysed, the finding is suppressed and the comment used', async () => {
  const dir = workspace({}, join(repo, 'examples', 'homelab'));
  const { text, line } = await applyIgnore(dir, 'hosts/hypervisor/vms.nix', 'tap-without-bridge', /here/);
  const lines = text.split('\n');
  assert.equal(lines[line], `${/^\s*/.exec(lines[line + 1])![0]}# microvm-net: ignore tap-without-bridge — reason`);
  const { service, snapshot } = await open(dir);
  try {
    const all = [...snapshot.diagnostics.values()].flat().map((d) => d.code);
    assert.ok(!all.includes('tap-without-bridge'));
    assert.ok(!all.includes('suppression-unused'));
    assert.deepEqual(snapshot.suppressed?.map((d) => [d.code, d.suppression.justification]), [['tap-without-bridge', 'reason']]);
  } finally {
    service.dispose();
  }
});

test('unit file: `#` comment above the key; "in this file" puts ignore-file on the first line', async () => {
  const dir = workspace({}, join(repo, 'test', 'fixtures', 'networkd-syntax-miscased'));
  const unit = 'etc/systemd/network/20-vms.network';
  const here = await applyIgnore(dir, unit, 'networkd-syntax-miscased', /here/);
  assert.equal(here.text.split('\n')[here.line], '# microvm-net: ignore networkd-syntax-miscased — reason');
  const other = workspace({}, join(repo, 'test', 'fixtures', 'networkd-syntax-miscased'));
  const file = await applyIgnore(other, unit, 'networkd-syntax-miscased', /in this file/);
  assert.equal(file.text.split('\n')[0], '# microvm-net: ignore-file networkd-syntax-miscased — reason');
  for (const d of [dir, other]) {
    const { service, snapshot } = await open(d);
    assert.deepEqual([...snapshot.diagnostics.values()].flat().map((x) => x.code), []);
    assert.equal(snapshot.suppressed?.length, 1);
    service.dispose();
  }
});

function synthetic(file: string, text: string, line: number, code = 'tap-without-bridge'): Fix[] {
  const d: Diagnostic = { code, severity: 'warning', message: 'm', location: { file, range: { start: { line, character: 4 }, end: { line, character: 8 } } }, related: [] };
  const snapshot = { diagnostics: new Map([[file, [d]]]) } as unknown as AnalysisSnapshot;
  return ignoreFixes(snapshot, file, d.location.range, { textOf: () => text, sha256Of: () => undefined } as never);
}

test('declined inside a Nix string (indented or double-quoted), offered right after it; the file-wide form always remains', () => {
  const text = ['{', "  script = ''", '    ip link set x', "  '';", '  s = "a', '    b";', '  y = 1;', '}'].join('\n');
  const at = (line: number) => synthetic('/ws/a.nix', text, line);
  for (const line of [2, 3, 5]) {
    const [here, file] = at(line);
    assert.match(here.disabled?.reason ?? '', /inside a Nix string/, `line ${line + 1}`);
    assert.equal(file.disabled, undefined);
    assert.equal(file.edit.changes[0].edits[0].range.start.line, 0);
  }
  for (const line of [1, 4, 6]) assert.equal(at(line)[0].disabled, undefined, `line ${line + 1}`);
});

test('declined after a unit line continued with a backslash', () => {
  const text = '[Network]\nAddress=10.0.0.1/24 \\\n  10.0.0.2/24\nBridge=br0\n';
  assert.match(synthetic('/ws/10-x.network', text, 2)[0].disabled?.reason ?? '', /continues the one before it/);
  assert.equal(synthetic('/ws/10-x.network', text, 3)[0].disabled, undefined);
});

test('not offered for the project file or for the suppression findings themselves', () => {
  assert.deepEqual(synthetic('/ws/microvm-net.toml', 'x = 1\n', 0), []);
  assert.deepEqual(synthetic('/ws/a.nix', '{\n  # microvm-net: ignore x\n  y = 1;\n}\n', 1, 'suppression-unused'), []);
  assert.equal(synthetic('/ws/a.nix', '{\n  y = 1;\n}\n', 1).length, 2);
});
