import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../server/src/cli/check';
import { applyEdits, describeFix, formatFixLog, isInsideRoots, needsInput, runFixes, usesCrlf, writeFileAtomic } from '../../../server/src/cli/fix';
import type { Diagnostic } from '../../../server/src/engine/model';
import type { AnalysisSnapshot, Fix, WorkspaceEdit } from '../../../server/src/engine/service';
import { LineIndex, type Range } from '../../../server/src/engine/text';
import { sha256Of } from '../../../server/src/engine/files';
import { diag, FakeService, harness, loc, range, snapshot, tempDir, write } from './helpers';

/** What the engine records for a file it read: the fake fixes below were "computed" against these bytes. */
function diskSha256(file: string): string {
  return sha256Of(fs.readFileSync(file));
}

const NET = 'hosts/h1/net.nix';
const VMS = 'hosts/h1/vms.nix';
const NET_TEXT = [
  '{ ... }:',
  '{',
  '  systemd.network.networks."20-vms" = {',
  '    matchConfig.Name = [ "vm-web" ];',
  '    networkConfig.Bridge = "br0";',
  '  };',
  '}',
  '',
].join('\n');
const VMS_TEXT = ['{', '  microvm.vms.db.config.microvm.interfaces = [', '    { type = "tap"; id = "vm-db"; mac = "02:00:00:00:00:02"; }', '  ];', '}', ''].join('\n');

/** The tap diagnostic for `id`, on its id in vms.nix, unless net.nix already names it. */
function tapDiagnostic(root: string, id: string): Diagnostic | null {
  const net = fs.readFileSync(path.join(root, NET), 'utf8');
  if (net.includes(`"${id}"`)) return null;
  const vms = fs.readFileSync(path.join(root, VMS), 'utf8');
  const index = new LineIndex(vms);
  const at = vms.indexOf(`"${id}"`) + 1;
  return diag('tap-without-bridge', 'warning', `tap ${id} is on no bridge`, {
    file: path.join(root, VMS),
    range: index.rangeAt(at, at + id.length),
  });
}

/** Inserts ` "<id>"` after the last Name= element in net.nix (recomputed from the current text). */
function addToName(root: string, id: string, d: Diagnostic, extra: Partial<Fix> = {}): Fix {
  const file = path.join(root, NET);
  const text = fs.readFileSync(file, 'utf8');
  const index = new LineIndex(text);
  const at = text.indexOf(' ];');
  return {
    title: `Add ${id} to Name= in ${NET}`,
    diagnosticCode: d.code,
    diagnosticLocation: d.location,
    preferred: true,
    edit: { changes: [{ file, edits: [{ range: index.rangeAt(at, at), newText: ` "${id}"` }], sha256: diskSha256(file) }], creates: [] },
    ...extra,
  };
}

function workspace(t: { after(fn: () => void): void }, netText = NET_TEXT): string {
  const root = tempDir(t);
  write(root, NET, netText);
  write(root, VMS, VMS_TEXT.replace('];', '  { type = "tap"; id = "vm-api"; mac = "02:00:00:00:00:03"; }\n  ];'));
  return root;
}

function tapService(root: string, ids: string[], makeFix = addToName): FakeService {
  return new FakeService({
    analyze: () => snapshot({ diagnostics: ids.map((id) => tapDiagnostic(root, id)).filter((d): d is Diagnostic => d !== null) }),
    fixes: (file, r) => {
      for (const id of ids) {
        const d = tapDiagnostic(root, id);
        if (d && d.location.file === file && JSON.stringify(d.location.range) === JSON.stringify(r)) return [makeFix(root, id, d)];
      }
      return [];
    },
  });
}

test('--fix applies the preferred fix, re-checks, reports and exits per the new result', async (t) => {
  const root = workspace(t);
  const service = tapService(root, ['vm-db']);
  const h = harness(service, { cwd: root });
  const code = await runCli(['check', '--fix'], h.io, h.deps);
  assert.equal(code, 0, h.io.stdout.text + h.io.stderr.text);
  assert.match(fs.readFileSync(path.join(root, NET), 'utf8'), /matchConfig\.Name = \[ "vm-web" "vm-db" \];/);
  assert.match(h.io.stdout.text, /^fixed tap-without-bridge at hosts\/h1\/vms\.nix:3:27 by adding vm-db to Name= in hosts\/h1\/net\.nix$/m);
  assert.match(h.io.stdout.text, /0 warnings/);
  assert.ok(service.calls.includes(`changed ${path.join(root, NET)}`), 'the engine is told about the change');
  assert.ok(service.calls.filter((c) => c === 'scan').length >= 2, 're-scanned after fixing');
  assert.ok(service.disposed);
});

test('without --fix nothing is written and the warning fails the check', async (t) => {
  const root = workspace(t);
  const h = harness(tapService(root, ['vm-db']), { cwd: root });
  assert.equal(await runCli(['check'], h.io, h.deps), 1);
  assert.equal(fs.readFileSync(path.join(root, NET), 'utf8'), NET_TEXT);
});

test('json --fix: stdout stays pure JSON, the fix log goes to stderr', async (t) => {
  const root = workspace(t);
  const h = harness(tapService(root, ['vm-db']), { cwd: root });
  assert.equal(await runCli(['check', '--fix', '--format', 'json'], h.io, h.deps), 0);
  assert.deepEqual(JSON.parse(h.io.stdout.text).diagnostics, []);
  assert.match(h.io.stderr.text, /^fixed tap-without-bridge at hosts\/h1\/vms\.nix:3:27/m);
});

test('writes are atomic (new inode, no temp files left) and keep the file mode', async (t) => {
  const root = workspace(t);
  const net = path.join(root, NET);
  fs.chmodSync(net, 0o640);
  const before = fs.statSync(net);
  const h = harness(tapService(root, ['vm-db']), { cwd: root });
  assert.equal(await runCli(['check', '--fix'], h.io, h.deps), 0);
  const after = fs.statSync(net);
  assert.equal(after.mode & 0o7777, 0o640);
  assert.notEqual(after.ino, before.ino, 'replaced by rename, not rewritten in place');
  assert.deepEqual(fs.readdirSync(path.dirname(net)).sort(), ['net.nix', 'vms.nix']);
});

test('CRLF files keep CRLF for inserted line breaks', async (t) => {
  const root = workspace(t, NET_TEXT.replace(/\n/g, '\r\n'));
  const multiLine = (r: string, id: string, d: Diagnostic): Fix => {
    const fix = addToName(r, id, d);
    fix.edit.changes[0].edits[0].newText = `\n      "${id}"\n   `;
    return fix;
  };
  const h = harness(tapService(root, ['vm-db'], multiLine), { cwd: root });
  assert.equal(await runCli(['check', '--fix'], h.io, h.deps), 0);
  const text = fs.readFileSync(path.join(root, NET), 'utf8');
  assert.match(text, /"vm-web"\r\n      "vm-db"\r\n    \];\r\n/);
  assert.doesNotMatch(text, /[^\r]\n/, 'no bare LF');
});

test('a fix writing outside the checked paths is refused and reported', async (t) => {
  const root = workspace(t);
  const elsewhere = tempDir(t);
  const outsideFile = write(elsewhere, 'net.nix', NET_TEXT);
  const outside = (r: string, id: string, d: Diagnostic): Fix => {
    const fix = addToName(r, id, d);
    fix.edit.changes[0].file = outsideFile;
    return fix;
  };
  const h = harness(tapService(root, ['vm-db'], outside), { cwd: root });
  assert.equal(await runCli(['check', '--fix'], h.io, h.deps), 1);
  assert.equal(fs.readFileSync(outsideFile, 'utf8'), NET_TEXT);
  assert.match(h.io.stdout.text, /^not fixed: tap-without-bridge at hosts\/h1\/vms\.nix:3:27: .*would write outside the checked paths \(.*net\.nix\); refused$/m);
});

test('a symlink inside the root pointing outside counts as outside', (t) => {
  const root = tempDir(t);
  const elsewhere = tempDir(t);
  fs.symlinkSync(elsewhere, path.join(root, 'link'));
  assert.equal(isInsideRoots(path.join(root, 'link', 'x.nix'), [root]), false);
  assert.equal(isInsideRoots(path.join(root, 'sub', 'new', 'x.network'), [root]), true);
  assert.equal(isInsideRoots(path.join(root, '..', 'x.nix'), [root]), false);
  assert.equal(isInsideRoots(root, [root]), true);
});

test('snippet and non-preferred fixes are skipped', async (t) => {
  for (const extra of [{ isSnippet: true }, { preferred: false }]) {
    const root = workspace(t);
    const h = harness(tapService(root, ['vm-db'], (r, id, d) => addToName(r, id, d, extra)), { cwd: root });
    assert.equal(await runCli(['check', '--fix'], h.io, h.deps), 1);
    assert.equal(fs.readFileSync(path.join(root, NET), 'utf8'), NET_TEXT);
  }
  const placeholder: Fix = {
    title: 'x',
    diagnosticCode: 'c',
    diagnosticLocation: loc('/a', 0, 0),
    preferred: true,
    edit: { changes: [{ file: '/a', edits: [{ range: range(0, 0, 0, 0), newText: 'Bridge=${1:bridge}' }] }], creates: [] },
  };
  assert.equal(needsInput(placeholder), true);
  placeholder.edit.changes[0].edits[0].newText = '${lib.getExe pkgs.iproute2} link set';
  assert.equal(needsInput(placeholder), false, 'Nix interpolation is not a snippet');
});

test('overlapping fixes wait for the next pass; at most three passes', async (t) => {
  const root = workspace(t);
  // Both fixes insert at the same point of net.nix: one per pass.
  const service = tapService(root, ['vm-db', 'vm-api']);
  let refreshes = 0;
  const run = await runFixes(service.analyze(), {
    service,
    roots: [root],
    base: root,
    refresh: async () => {
      refreshes++;
      return service.analyze();
    },
  });
  assert.equal(run.passes, 2);
  assert.equal(refreshes, 2);
  assert.match(fs.readFileSync(path.join(root, NET), 'utf8'), /\[ "vm-web" "vm-db" "vm-api" \]/);
  assert.deepEqual(
    run.log.map((e) => `${e.kind} ${e.at}`),
    ['fixed hosts/h1/vms.nix:3:27', 'fixed hosts/h1/vms.nix:4:27'],
  );

  // A fix that never clears its diagnostic (a new one appears each time) stops after 3 passes.
  const endless = tempDir(t);
  const file = write(endless, 'a.nix', 'x\n');
  let n = 0;
  const current = (): AnalysisSnapshot =>
    snapshot({ diagnostics: [diag('c', 'warning', `round ${n}`, loc(file, 0, 0, 0, 1))] });
  const loop = new FakeService({
    analyze: current,
    fixes: (f, r: Range) => [
      {
        title: 'Bump',
        diagnosticCode: 'c',
        diagnosticLocation: { file: f, range: r },
        preferred: true,
        edit: { changes: [{ file, edits: [{ range: range(0, 0, 0, 0), newText: 'y' }], sha256: diskSha256(file) }], creates: [] },
      },
    ],
  });
  const endlessRun = await runFixes(loop.analyze(), {
    service: loop,
    roots: [endless],
    base: endless,
    refresh: async () => {
      n++;
      return current();
    },
  });
  assert.equal(endlessRun.passes, 3);
  assert.equal(fs.readFileSync(file, 'utf8'), 'yyyx\n');
});

test('identical fixes for two diagnostics are applied once', async (t) => {
  const root = workspace(t);
  const file = path.join(root, NET);
  const shared: WorkspaceEdit = { changes: [], creates: [{ file: path.join(root, 'hosts/h1/10-taps.network'), text: '[Match]\nName=vm-*\n' }] };
  const diagnostics = () =>
    fs.existsSync(path.join(root, 'hosts/h1/10-taps.network'))
      ? []
      : [diag('tap-without-bridge', 'warning', 'a', loc(file, 1, 0, 1, 1)), diag('tap-without-bridge', 'warning', 'b', loc(file, 3, 0, 3, 1))];
  const service = new FakeService({
    analyze: () => snapshot({ diagnostics: diagnostics() }),
    fixes: (f, r) => [
      { title: 'Create 10-taps.network', diagnosticCode: 'tap-without-bridge', diagnosticLocation: { file: f, range: r }, preferred: true, edit: shared },
    ],
  });
  const run = await runFixes(service.analyze(), { service, roots: [root], base: root, refresh: async () => service.analyze() });
  assert.equal(run.passes, 1);
  assert.deepEqual(run.log.map((e) => e.kind), ['fixed', 'fixed']);
  assert.equal(fs.readFileSync(path.join(root, 'hosts/h1/10-taps.network'), 'utf8'), '[Match]\nName=vm-*\n');
});

test('creating a file that exists is refused', async (t) => {
  const root = workspace(t);
  const target = write(root, 'hosts/h1/10-taps.network', 'mine\n');
  const file = path.join(root, NET);
  const service = new FakeService({
    analyze: () => snapshot({ diagnostics: [diag('tap-without-bridge', 'warning', 'a', loc(file, 1, 0, 1, 1))] }),
    fixes: (f, r) => [
      {
        title: 'Create 10-taps.network',
        diagnosticCode: 'tap-without-bridge',
        diagnosticLocation: { file: f, range: r },
        preferred: true,
        edit: { changes: [], creates: [{ file: target, text: 'theirs\n' }] },
      },
    ],
  });
  const run = await runFixes(service.analyze(), { service, roots: [root], base: root, refresh: async () => service.analyze() });
  assert.equal(run.passes, 0);
  assert.equal(run.log[0].kind, 'refused');
  assert.equal(fs.readFileSync(target, 'utf8'), 'mine\n');
  assert.throws(() => writeFileAtomic(target, 'x', { exclusive: true }), /EEXIST/);
  assert.deepEqual(fs.readdirSync(path.dirname(target)).sort(), ['10-taps.network', 'net.nix', 'vms.nix']);
});

test('a fix that does not clear its diagnostic is reported as such', async (t) => {
  const root = workspace(t);
  const file = path.join(root, NET);
  const stubborn = diag('tap-shadowed', 'warning', 'shadowed', loc(file, 3, 4, 3, 10));
  const service = new FakeService({
    analyze: () => snapshot({ diagnostics: [stubborn] }),
    fixes: (f, r) => [
      {
        title: 'Rename the unit',
        diagnosticCode: 'tap-shadowed',
        diagnosticLocation: { file: f, range: r },
        preferred: true,
        edit: { changes: [{ file, edits: [{ range: range(0, 0, 0, 0), newText: '# x\n' }], sha256: diskSha256(file) }], creates: [] },
      },
    ],
  });
  const run = await runFixes(service.analyze(), { service, roots: [root], base: root, refresh: async () => service.analyze() });
  assert.equal(run.passes, 1, 'the same diagnostic is not retried');
  assert.equal(run.log[0].kind, 'remains');
});

test('applyEdits: UTF-16 positions, back to front, same-point inserts in order', () => {
  const text = 'a 🚀 b\nsecond';
  const index = new LineIndex(text);
  const afterRocket = text.indexOf(' b');
  assert.equal(afterRocket, 4, 'the rocket is two UTF-16 units');
  const out = applyEdits(text, [
    { range: index.rangeAt(afterRocket, afterRocket), newText: '1' },
    { range: index.rangeAt(afterRocket, afterRocket), newText: '2' },
    { range: range(1, 0, 1, 6), newText: 'SECOND' },
    { range: range(0, 0, 0, 1), newText: 'A' },
  ]);
  assert.equal(out, 'A 🚀12 b\nSECOND');
  assert.equal(usesCrlf('a\r\nb\n'), true);
  assert.equal(usesCrlf('a\nb\r\n'), false);
  assert.equal(applyEdits('x\r\ny\r\n', [{ range: range(1, 1, 1, 1), newText: '\nz' }]), 'x\r\ny\r\nz\r\n');
});

test('fix titles read as what was done', () => {
  assert.equal(describeFix('Add vm-web to Name= in hosts/h1/net.nix'), 'adding vm-web to Name= in hosts/h1/net.nix');
  assert.equal(describeFix('Create 05-vm-web.network bridging vm-web to br0'), 'creating 05-vm-web.network bridging vm-web to br0');
  assert.equal(describeFix('Bridge helper: switch to type = "bridge"'), 'applying "Bridge helper: switch to type = "bridge""');
});

test('a symlinked file inside the root is edited through the link, which stays a link', async (t) => {
  const root = workspace(t);
  const real = path.join(root, NET);
  const shared = path.join(root, 'shared-net.nix');
  fs.renameSync(real, shared);
  fs.symlinkSync('../../shared-net.nix', real);
  const h = harness(tapService(root, ['vm-db']), { cwd: root });
  assert.equal(await runCli(['check', '--fix'], h.io, h.deps), 0);
  assert.ok(fs.lstatSync(real).isSymbolicLink());
  assert.match(fs.readFileSync(shared, 'utf8'), /"vm-web" "vm-db"/);
});

test('the fix log names the edited files when the title does not', () => {
  const entry = { kind: 'fixed' as const, code: 'tap-without-bridge', at: 'hosts/h1/vms.nix:12:15', files: ['hosts/h1/net.nix'] };
  assert.equal(
    formatFixLog({ ...entry, title: 'Add vm-web to Name= of 20-vms.network' }),
    'fixed tap-without-bridge at hosts/h1/vms.nix:12:15 by adding vm-web to Name= of 20-vms.network in hosts/h1/net.nix',
  );
  assert.equal(
    formatFixLog({ ...entry, title: 'Add vm-web to Name= in hosts/h1/net.nix' }),
    'fixed tap-without-bridge at hosts/h1/vms.nix:12:15 by adding vm-web to Name= in hosts/h1/net.nix',
  );
});
