/**
 * Issue 13, what fixes write: a workspace is attacker-controlled, so every name a fix writes is
 * validated and quoted (defects 1 and 2), `--fix` edits the bytes it analysed (defects 3 and 4),
 * and a fix that would need a bridge nobody chose is a placeholder, never a fix (the item carried
 * over from the fixes issue). Each test drives the real engine and, where it writes, the real
 * `check --fix` on a temp workspace.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../server/src/cli/check';
import { PLACEHOLDER_DEFAULT } from '../../../server/src/engine/fixes/edits';
import { nixString } from '../../../server/src/engine/fixes/quote';
import type { Diagnostic } from '../../../server/src/engine/model';
import { parseUnitText } from '../../../server/src/engine/networkd';
import type { Fix } from '../../../server/src/engine/service';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS, type Settings } from '../../../server/src/protocol/settings';
import { applyWorkspaceEdit } from '../../../server/src/engine/fixes/edits';
import { filledSnippet } from '../fixes/harness';
import { reasonTexts } from '../../../server/src/engine/reasons';
import {
  cleanupHostile,
  HAZARDOUS_VALID_BRIDGES,
  hostileWorkspace,
  hostModule,
  HOSTILE_BRIDGES,
  HOSTILE_VM_NAME,
  SHADOWING_UNITS,
  type HostOptions,
} from './hostile/workspaces';

const made: string[] = [];
after(() => cleanupHostile(made));

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd }, { createService: createLanguageService });
  return { code, out, err };
}

async function analysed(dir: string, settings: Partial<Settings> = {}) {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS, ...settings } });
  await service.scan();
  const snapshot = service.analyze();
  const diagnostics = [...snapshot.diagnostics.values()].flat().filter((d) => ['tap-without-bridge', 'tap-shadowed', 'bridge-not-defined'].includes(d.code));
  return { service, snapshot, diagnostics };
}

function fixesOf(service: { fixes(file: string, range: Diagnostic['location']['range']): Fix[] }, d: Diagnostic): Fix[] {
  return service.fixes(d.location.file, d.location.range).filter((f) => f.diagnosticCode === d.code);
}

/** Every file under `dir` with its bytes. */
function snapshotTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Defect 1: unit-file injection through a VM name.

test('defect 1: the created unit holds exactly [Match] Name=<tap> and [Network] Bridge=<br>; the VM name is one escaped comment', async () => {
  const dir = hostileWorkspace(made, { vmName: HOSTILE_VM_NAME, files: SHADOWING_UNITS });
  const unitDir = join(dir, 'etc/systemd/network');
  const before = new Set(readdirSync(unitDir));
  const run = await cli(['check', dir, '--fix', '--fail-on', 'never', '--no-color'], dir);
  assert.equal(run.code, 0, run.err);
  const created = readdirSync(unitDir).filter((n) => !before.has(n));
  assert.equal(created.length, 1, run.out);
  assert.match(run.out, /^fixed tap-shadowed at host\.nix:\d+:\d+ by creating 05-microvm-/m);
  const text = readFileSync(join(unitDir, created[0]), 'utf8');
  const unit = parseUnitText(join(unitDir, created[0]), text);
  assert.deepEqual(unit.entries.map((e) => [e.section, e.key, e.value]), [
    ['Match', 'Name', 'vm-web'],
    ['Network', 'Bridge', 'br0'],
  ]);
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(1), ['[Match]', 'Name=vm-web', '', '[Network]', 'Bridge=br0', '']);
  assert.ok(lines[0].startsWith('# Puts the tap vm-web of MicroVM x\\u{a}[Match]\\u{a}Name=*'), lines[0]);
  // Nothing the CLI printed carries the name's line breaks either (no forged lines in a CI log).
  for (const line of run.out.split('\n')) assert.ok(!/^(Name=\*|\[Match\]|DHCPServer=yes)$/.test(line), line);
  // After the fix the tap is bridged by the created unit, and the payload bridged nothing else.
  const after = await analysed(dir);
  assert.deepEqual(after.snapshot.outcomes.map((o) => [o.status, o.bridge, o.winner?.name]), [['bridged', 'br0', created[0]]]);
  after.service.dispose();
});

// ---------------------------------------------------------------------------------------------
// Defect 2: shell and Nix injection through a bridge name.

test('defect 2: a bridge that is not a valid interface name is never written (networking.bridges or microvmNet.defaultBridge): a disabled fix says why', async () => {
  for (const bridge of HOSTILE_BRIDGES) {
    const where: [string, HostOptions, Partial<Settings>][] = [['microvmNet.defaultBridge', {}, { defaultBridge: bridge }]];
    // Nix strings cannot hold NUL: that one only comes through the setting.
    if (!bridge.includes('\u0000')) where.push(['networking.bridges', { hostExtra: `  networking.bridges.${nixString(bridge)}.interfaces = [ ];` }, {}]);
    for (const [source, options, settings] of where) {
      const dir = hostileWorkspace(made, options);
      const { service, diagnostics } = await analysed(dir, settings);
      assert.equal(diagnostics.length, 1, `${source} ${JSON.stringify(bridge)}: ${diagnostics.map((d) => d.code)}`);
      const fixes = fixesOf(service, diagnostics[0]);
      assert.equal(fixes.length, 1, `${source} ${JSON.stringify(bridge)}: ${fixes.map((f) => f.title).join('; ')}`);
      assert.equal(fixes[0].preferred, false);
      assert.deepEqual(fixes[0].edit, { changes: [], creates: [] });
      assert.match(fixes[0].disabled?.reason ?? '', /is not a valid Linux interface name .*; no fix writes it/);
      assert.ok(!fixes[0].disabled!.reason.includes('\n'), 'the reason is one line');
      service.dispose();
      if (source === 'networking.bridges') {
        const before = snapshotTree(dir);
        const run = await cli(['check', dir, '--fix', '--no-color'], dir);
        assert.equal(run.code, 1, run.err);
        assert.match(run.out, /^not fixed: tap-without-bridge at host\.nix:\d+:\d+: the bridge .* is not a valid Linux interface name/m);
        assert.deepEqual(snapshotTree(dir), before, 'nothing written');
      }
    }
  }
  assert.ok(!existsSync('/tmp/microvm-net-pwned'));
});

test('defect 2: a valid bridge name full of quoting hazards is written so that Nix, the shell and systemd read it back exactly', async () => {
  let checked = 0;
  for (const bridge of HAZARDOUS_VALID_BRIDGES) {
    // qemu: the `type = "bridge"` form is offered too; no unit files: no unit form.
    const dir = hostileWorkspace(made, { hypervisor: 'qemu', hostExtra: `  networking.bridges.${nixString(bridge)}.interfaces = [ ];` });
    const { service, diagnostics } = await analysed(dir);
    assert.equal(diagnostics.length, 1);
    const fixes = fixesOf(service, diagnostics[0]).filter((f) => !f.disabled);
    const kinds = fixes.map((f) => f.title.split(' ')[0]);
    assert.ok(kinds.includes('Attach') && kinds.includes('Let'), `${JSON.stringify(bridge)}: ${fixes.map((f) => f.title).join('; ')}`);
    for (const fix of fixes) {
      const texts = applyWorkspaceEdit(fix.edit, (f) => service.textOf(f));
      let version = 100;
      for (const [file, text] of texts) service.openDocument(file, text, version++);
      const after = service.analyze();
      const [tap] = after.outcomes;
      assert.equal(after.facts.files.find((f) => f.file.endsWith('host.nix'))?.syntaxErrors, 0, `${fix.title}: syntax errors`);
      assert.deepEqual([tap.status, tap.bridge], ['bridged', bridge], `${fix.title} (${JSON.stringify(bridge)}): ${reasonTexts(tap.reasons).join('; ')}`);
      for (const file of texts.keys()) service.closeDocument(file);
      service.analyze();
      checked++;
    }
    service.dispose();
  }
  assert.ok(checked >= HAZARDOUS_VALID_BRIDGES.length * 2);
});

// ---------------------------------------------------------------------------------------------
// Defects 3 and 4: a BOM and bytes that are not UTF-8 survive --fix, and the edit lands where it should.

/** A host whose preferred fix (tap-up) edits line 1: `lib` and `pkgs` join the formals. */
const LINE_ONE_FIX: HostOptions = { formals: 'config, ...', hostExtra: '  networking.bridges.br0.interfaces = [ ];' };

async function fixedBytes(dir: string): Promise<Buffer> {
  const run = await cli(['check', dir, '--fix', '--fail-on', 'never', '--no-color'], dir);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /^fixed tap-without-bridge at host\.nix/m, run.out);
  return readFileSync(join(dir, 'host.nix'));
}

test('defect 3: a UTF-8 BOM is kept and every edit on line 1 lands exactly where it does without it', async () => {
  const plain = await fixedBytes(hostileWorkspace(made, LINE_ONE_FIX));
  assert.ok(plain.toString('utf8').startsWith('{ config, lib, pkgs, ... }:\n'), plain.toString('utf8').split('\n')[0]);
  const bommed = await fixedBytes(hostileWorkspace(made, { ...LINE_ONE_FIX, hostPrefix: '\ufeff' }));
  assert.deepEqual(bommed, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]));
});

test('defect 4: bytes that are not UTF-8 are kept byte for byte, before and after the edits', async () => {
  const bad = Buffer.from('# caf\xe9 \xff\xfe \xc3\x28 \xed\xa0\x80 \xf0\x9f\x98\n', 'latin1');
  const plainDir = hostileWorkspace(made, LINE_ONE_FIX);
  const plain = await fixedBytes(plainDir);
  const dir = hostileWorkspace(made, LINE_ONE_FIX);
  const text = hostModule(LINE_ONE_FIX);
  const cut = text.indexOf('  microvm.vms');
  // Invalid bytes before the first edit (line 1 moves down) and between the two edits.
  writeFileSync(join(dir, 'host.nix'), Buffer.concat([bad, Buffer.from(text.slice(0, cut)), bad, Buffer.from(text.slice(cut))]));
  const fixed = await fixedBytes(dir);
  const plainCut = plain.indexOf('  microvm.vms');
  assert.deepEqual(fixed, Buffer.concat([bad, plain.subarray(0, plainCut), bad, plain.subarray(plainCut)]));
});

// ---------------------------------------------------------------------------------------------
// Placeholder fixes never count as a fix.

test('no bridge can be inferred and no defaultBridge: a placeholder in the editor, nothing from --fix, the tap stays flagged until a real bridge is filled in', async () => {
  const dir = hostileWorkspace(made, {});
  const { service, diagnostics } = await analysed(dir);
  assert.equal(diagnostics.length, 1);
  const fixes = fixesOf(service, diagnostics[0]);
  const preferred = fixes.find((f) => f.preferred)!;
  assert.equal(preferred.isSnippet, true, preferred.title);
  const inserted = preferred.edit.changes.flatMap((c) => c.edits.map((e) => e.newText)).join('');
  assert.ok(inserted.includes(`'\${1:${PLACEHOLDER_DEFAULT}}'`), inserted);
  assert.ok(!/\bbr0\b/.test(inserted), 'no plausible literal bridge is inserted');

  // Accepted as it is (or inserted by an editor without snippets): still flagged, never "bridged".
  const asIs = applyWorkspaceEdit(preferred.edit, (f) => service.textOf(f), { expand: true });
  for (const [file, text] of asIs) service.openDocument(file, text, 10);
  let after = service.analyze();
  assert.equal(after.outcomes[0].status, 'bridge-undefined', reasonTexts(after.outcomes[0].reasons).join('; '));
  assert.match(reasonTexts(after.outcomes[0].reasons).join('; '), /no bridge can exist by that name/);
  assert.deepEqual([...after.diagnostics.values()].flat().map((d) => d.code), ['bridge-not-defined']);
  for (const file of asIs.keys()) service.closeDocument(file);

  // Filled in with a name: attached to it; the workspace defines no bridge of that name, so the
  // flag moves from "no bridge" to "bridge not defined" (docs/domain/networkd.md: `ip` refuses a
  // master that does not exist).
  const filled = applyWorkspaceEdit(filledSnippet(preferred, 'br-lan').edit, (f) => service.textOf(f));
  for (const [file, text] of filled) service.openDocument(file, text, 11);
  after = service.analyze();
  assert.deepEqual([after.outcomes[0].status, after.outcomes[0].bridge], ['bridge-undefined', 'br-lan'], reasonTexts(after.outcomes[0].reasons).join('; '));
  assert.deepEqual([...after.diagnostics.values()].flat().map((d) => d.code), ['bridge-not-defined']);
  // Once the bridge exists, the filled-in placeholder is the fix.
  const netdev = join(dir, 'etc/systemd/network/10-br-lan.netdev');
  service.openDocument(netdev, '[NetDev]\nName=br-lan\nKind=bridge\n', 1);
  after = service.analyze();
  assert.deepEqual([after.outcomes[0].status, after.outcomes[0].bridge], ['bridged', 'br-lan'], reasonTexts(after.outcomes[0].reasons).join('; '));
  service.closeDocument(netdev);
  service.dispose();

  // --fix leaves it alone, says why, and the exit code still reports the warning.
  const before = snapshotTree(dir);
  const run = await cli(['check', dir, '--fix', '--no-color'], dir);
  assert.equal(run.code, 1);
  assert.match(run.out, /^not fixed: tap-without-bridge at host\.nix:\d+:\d+: ".*" needs a bridge name, and none could be inferred/m);
  assert.match(run.out, /1 tap: 0 bridged, 0 routed, 1 without bridge/);
  assert.deepEqual(snapshotTree(dir), before);
});
