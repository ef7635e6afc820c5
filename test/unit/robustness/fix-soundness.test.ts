/**
 * Fix soundness as a property over every fixture: for each diagnostic the engine offers fixes
 * for (`service.fixes(file, diagnostic.location.range)`), and for each of those fixes,
 *
 *   in memory   the edit stays inside the workspace, creates no existing file, has in-bounds,
 *               non-overlapping ranges; applied to editor buffers and re-analysed, the
 *               diagnostic is gone, no edited Nix file has more syntax errors, the same fix is not
 *               offered again, and every byte outside the edited ranges is unchanged;
 *   on disk     the same fix through the CLI's `--fix` machinery (runFixes, with a service that
 *               offers only this fix, as preferred) on a temp copy: the files on disk equal the
 *               in-memory result (modulo the file's line endings), modes are kept, no temp file
 *               is left, and the refreshed analysis agrees.
 *
 * Written generically over whatever fixes exist, so it grows with the fix builders. Then the
 * `--fix` contract itself: atomic writes (temp + rename), mode and line endings kept, paths
 * outside the roots (directly or through a symlink) refused, a second `--fix` run a no-op.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createLanguageService, type WorkspaceService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import type { Diagnostic } from '../../../server/src/engine/model';
import type { AnalysisSnapshot, Fix, LanguageService, TextEdit } from '../../../server/src/engine/service';
import { comparePositions, LineIndex, type Range } from '../../../server/src/engine/text';
import { runFixes, writeFileAtomic } from '../../../server/src/cli/fix';
import { FIXABLE_CODES } from '../../../server/src/engine/fixes';
import { filledSnippet } from '../fixes/harness';
import { runCli } from '../../../server/src/cli/check';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function copyOf(fixture: string, transform?: (text: string, file: string) => string): string {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-fixprop-'));
  made.push(base);
  const dir = join(base, 'ws');
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  rmSync(join(dir, 'expected.json'), { force: true });
  if (transform) for (const [file, text] of readTree(dir)) writeFileSync(file, transform(text, file));
  return dir;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

async function open(dir: string): Promise<WorkspaceService> {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS } });
  await service.scan();
  return service;
}

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}

/** Offsets of LSP edits; asserts in-bounds and non-overlapping. */
function offsets(text: string, edits: readonly TextEdit[], what: string): { start: number; end: number; text: string }[] {
  const index = new LineIndex(text);
  const out = edits.map((e) => {
    for (const p of [e.range.start, e.range.end]) {
      assert.ok(p.line >= 0 && p.line < index.lineCount, `${what}: edit line ${p.line} outside the file`);
      const lineEnd = p.line + 1 < index.lineCount ? index.lineStart(p.line + 1) : text.length;
      assert.ok(p.character >= 0 && index.lineStart(p.line) + p.character <= lineEnd, `${what}: edit column outside line ${p.line}`);
    }
    assert.ok(comparePositions(e.range.start, e.range.end) <= 0, `${what}: edit range reversed`);
    return { start: index.offsetAt(e.range.start), end: index.offsetAt(e.range.end), text: e.newText };
  });
  const sorted = [...out].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].start >= sorted[i - 1].end, `${what}: overlapping edits`);
  return out;
}

/** What an editor inserts for a snippet: each placeholder's default, escapes resolved. */
function expandSnippet(text: string): string {
  return text.replace(/\\([$}\\])|\$\{\d+:((?:[^}\\]|\\.)*)\}|\$\{\d+\}|\$\d+/g, (_m, esc: string | undefined, def: string | undefined) =>
    esc !== undefined ? esc : def !== undefined ? def.replace(/\\(.)/g, '$1') : '',
  );
}

/** Applies edits back to front (stable for insertions at one point). */
function apply(text: string, edits: { start: number; end: number; text: string }[]): string {
  const order = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const e of order) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Text outside the edits is byte-identical: remove each inserted text and compare the gaps. */
function assertOnlyEditedRanges(old: string, next: string, edits: { start: number; end: number; text: string }[], what: string): void {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let oldPos = 0;
  let newPos = 0;
  for (const e of sorted) {
    const gap = old.slice(oldPos, e.start);
    assert.equal(next.slice(newPos, newPos + gap.length), gap, `${what}: text before offset ${e.start} changed`);
    newPos += gap.length + e.text.length;
    oldPos = e.end;
  }
  assert.equal(next.slice(newPos), old.slice(oldPos), `${what}: text after the last edit changed`);
}

function covered(text: string, range: Range): string {
  const index = new LineIndex(text);
  return text.slice(index.offsetAt(range.start), index.offsetAt(range.end));
}

/** How many diagnostics with this code sit on the same source text (the tap id) in this file. */
function sameDiagnostics(snapshot: AnalysisSnapshot, d: Diagnostic, text: string, idText: string): Diagnostic[] {
  return (snapshot.diagnostics.get(d.location.file) ?? []).filter((x) => x.code === d.code && covered(text, x.location.range) === idText);
}

function syntaxErrors(snapshot: AnalysisSnapshot, file: string): number {
  return snapshot.facts.files.find((f) => f.file === file)?.syntaxErrors ?? 0;
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

interface Tally {
  fixtures: number;
  diagnostics: number;
  fixes: number;
  byKind: Map<string, number>;
}
const tally: Tally = { fixtures: 0, diagnostics: 0, fixes: 0, byKind: new Map() };

const fixtures = readdirSync(FIXTURES).filter((n) => existsSync(join(FIXTURES, n, 'expected.json'))).sort();

for (const fixture of fixtures) {
  test(`fix soundness: ${fixture}`, { timeout: 120_000 }, async (t) => {
    const dir = copyOf(fixture);
    const original = readTree(dir);
    const service = await open(dir);
    try {
      const snapshot = service.analyze();
      const diagnostics = [...snapshot.diagnostics.values()].flat();
      let offered = 0;
      for (const d of diagnostics) {
        const all = service.fixes(d.location.file, d.location.range).filter((f) => f.diagnosticCode === d.code && comparePositions(f.diagnosticLocation.range.start, d.location.range.start) === 0);
        for (const declined of all.filter((f) => f.disabled)) {
          assert.ok(!declined.preferred && declined.edit.changes.length === 0 && declined.edit.creates.length === 0, `${declined.title}: a declined fix carries an edit`);
        }
        const fixes = all.filter((f) => !f.disabled);
        if (fixes.length === 0) continue;
        tally.diagnostics++;
        assert.equal(fixes.filter((f) => f.preferred).length, 1, `${d.code}: exactly one preferred fix`);
        const dText = original.get(d.location.file)!;
        const idText = covered(dText, d.location.range);
        const countBefore = sameDiagnostics(snapshot, d, dText, idText).length;
        for (const fix of fixes) {
          offered++;
          tally.fixes++;
          const kind = fix.title.split(' ')[0].toLowerCase();
          tally.byKind.set(kind, (tally.byKind.get(kind) ?? 0) + 1);
          const what = `${relative(dir, d.location.file)} ${d.code}: "${fix.title}"`;
          if (fix.isSnippet) {
            // A placeholder is never a fix: accepted as it is, the tap stays flagged.
            await checkPlaceholderLeavesItFlagged(service, original, d, idText, fix, what);
            await checkInMemory(service, dir, original, snapshot, d, idText, countBefore, filledSnippet(fix, 'br0'), `${what} (filled with br0)`);
          } else await checkInMemory(service, dir, original, snapshot, d, idText, countBefore, fix, what);
          await checkOnDisk(fixture, d, idText, countBefore, fix, what);
        }
      }
      tally.fixtures++;
      t.diagnostic(`${offered} fixes checked`);
      assert.deepEqual(readTree(dir), original, 'the workspace on disk is untouched by the in-memory checks');
    } finally {
      service.dispose();
    }
  });
}

async function checkInMemory(
  service: WorkspaceService,
  dir: string,
  original: Map<string, string>,
  before: AnalysisSnapshot,
  d: Diagnostic,
  idText: string,
  countBefore: number,
  fix: Fix,
  what: string,
): Promise<void> {
  const texts = new Map<string, string>();
  for (const change of fix.edit.changes) {
    assert.ok(inside(dir, change.file), `${what}: edits outside the workspace: ${change.file}`);
    const old = original.get(change.file);
    assert.ok(old !== undefined, `${what}: edits a file that does not exist: ${change.file}`);
    const edits = fix.isSnippet ? change.edits.map((e) => ({ ...e, newText: expandSnippet(e.newText) })) : change.edits;
    const offs = offsets(old, edits, what);
    const next = apply(old, offs);
    assertOnlyEditedRanges(old, next, offs, what);
    texts.set(change.file, next);
  }
  for (const create of fix.edit.creates) {
    assert.ok(inside(dir, create.file), `${what}: creates outside the workspace: ${create.file}`);
    assert.ok(!original.has(create.file) && !existsSync(create.file), `${what}: creates an existing file: ${create.file}`);
    texts.set(create.file, fix.isSnippet ? expandSnippet(create.text) : create.text);
  }
  let v = 1000;
  for (const [file, text] of texts) service.openDocument(file, text, v++);
  try {
    const after = service.analyze();
    const newText = texts.get(d.location.file) ?? original.get(d.location.file)!;
    assert.ok(
      sameDiagnostics(after, d, newText, idText).length < countBefore,
      `${what}: the diagnostic remains: ${(after.diagnostics.get(d.location.file) ?? []).map((x) => `${x.code} ${x.message}`).join('; ')}`,
    );
    for (const file of texts.keys()) {
      if (file.endsWith('.nix')) {
        assert.ok(syntaxErrors(after, file) <= syntaxErrors(before, file), `${what}: ${relative(dir, file)} has new syntax errors`);
      } else {
        // Unit files: no new networkd-syntax-* finding (invalid lines, quoting, casing...).
        const count = (s: AnalysisSnapshot) => (s.diagnostics.get(file) ?? []).filter((x) => x.code.startsWith('networkd-syntax')).length;
        assert.ok(count(after) <= count(before), `${what}: ${relative(dir, file)} has new unit syntax findings`);
      }
    }
    // Not offered again: no fix with the same title anywhere on that file's diagnostics.
    for (const x of after.diagnostics.get(d.location.file) ?? []) {
      const again = service.fixes(x.location.file, x.location.range).map((f) => f.title);
      assert.ok(!again.includes(fix.title), `${what}: offered again after being applied`);
    }
  } finally {
    for (const file of texts.keys()) {
      service.closeDocument(file);
      if (!original.has(file)) service.fileDeleted(file);
    }
    service.analyze();
  }
}

async function checkPlaceholderLeavesItFlagged(service: WorkspaceService, original: Map<string, string>, d: Diagnostic, idText: string, fix: Fix, what: string): Promise<void> {
  const texts = new Map<string, string>();
  for (const change of fix.edit.changes) {
    const old = original.get(change.file)!;
    texts.set(change.file, apply(old, offsets(old, change.edits.map((e) => ({ ...e, newText: expandSnippet(e.newText) })), what)));
  }
  let v = 2000;
  for (const [file, text] of texts) service.openDocument(file, text, v++);
  try {
    const after = service.analyze();
    const newText = texts.get(d.location.file) ?? original.get(d.location.file)!;
    const flagged = (after.diagnostics.get(d.location.file) ?? []).filter((x) => FIXABLE_CODES.has(x.code) && covered(newText, x.location.range) === idText);
    assert.ok(flagged.length > 0, `${what}: with the placeholder left in, the tap is no longer flagged`);
  } finally {
    for (const file of texts.keys()) service.closeDocument(file);
    service.analyze();
  }
}

/** A service that offers exactly one fix (as preferred) for one diagnostic: the CLI path for it alone. */
function onlyFix(real: LanguageService, d: Diagnostic, title: string): Pick<LanguageService, 'fixes'> {
  return {
    fixes: (file, range) =>
      real
        .fixes(file, range)
        .filter((f) => f.title === title && f.diagnosticCode === d.code)
        .map((f) => ({ ...f, preferred: true })),
  };
}

async function checkOnDisk(fixture: string, d0: Diagnostic, idText: string, countBefore: number, fix0: Fix, what: string): Promise<void> {
  // A fresh copy: the fix's paths are mapped from the in-memory copy to this one by relative path.
  const srcRoot = d0.location.file.slice(0, d0.location.file.indexOf('/ws/') + 4);
  const dir = copyOf(fixture);
  const map = (f: string) => join(dir, relative(srcRoot, f));
  const modes = new Map<string, number>();
  for (const file of readTree(dir).keys()) {
    chmodSync(file, 0o640);
    modes.set(file, statSync(file).mode & 0o7777);
  }
  const service = await open(dir);
  try {
    const snapshot = service.analyze();
    const d = [...snapshot.diagnostics.values()].flat().find((x) => x.code === d0.code && x.location.file === map(d0.location.file) && comparePositions(x.location.range.start, d0.location.range.start) === 0);
    assert.ok(d, `${what}: diagnostic found again in the copy`);
    const before = readTree(dir);
    const run = await runFixes(snapshot, {
      service: onlyFix(service, d, fix0.title),
      roots: [dir],
      base: dir,
      maxPasses: 1,
      refresh: async (touched) => {
        for (const f of touched) service.fileChanged(f);
        await service.scan();
        return service.analyze();
      },
    });
    if (fix0.isSnippet) {
      // Needs user input: --fix leaves it alone, and says why.
      assert.deepEqual(run.log.map((e) => e.kind), ['refused'], `${what}: --fix applied a snippet fix`);
      assert.match((run.log[0] as { reason: string }).reason, /needs a bridge name, and none could be inferred/);
      assert.deepEqual(readTree(dir), before, `${what}: --fix changed files for a snippet fix`);
      return;
    }
    const entry = run.log.find((e) => e.code === d.code && e.title === fix0.title);
    assert.ok(entry, `${what}: the CLI applied nothing (log: ${JSON.stringify(run.log)})`);
    assert.equal(entry.kind, 'fixed', `${what}: CLI log says ${JSON.stringify(entry)}`);
    const afterTree = readTree(dir);
    for (const change of fix0.edit.changes) {
      const file = map(change.file);
      const expected = apply(before.get(file)!, offsets(before.get(file)!, change.edits, what));
      assert.equal(afterTree.get(file), expected, `${what}: ${relative(dir, file)} on disk differs from the in-memory result`);
      assert.equal(statSync(file).mode & 0o7777, modes.get(file), `${what}: mode changed`);
    }
    for (const create of fix0.edit.creates) assert.equal(afterTree.get(map(create.file)), create.text, `${what}: created file differs`);
    const changed = [...afterTree.keys()].filter((f) => afterTree.get(f) !== before.get(f)).map((f) => relative(dir, f)).sort();
    const expectedChanged = [...fix0.edit.changes.map((c) => c.file), ...fix0.edit.creates.map((c) => c.file)].map((f) => relative(srcRoot, f)).sort();
    assert.deepEqual(changed, [...new Set(expectedChanged)], `${what}: exactly the fix's files changed`);
    assert.deepEqual(
      [...afterTree.keys()].filter((f) => f.endsWith('.tmp')).map((f) => relative(dir, f)),
      [],
      `${what}: a temp file was left behind`,
    );
    const newText = afterTree.get(d.location.file)!;
    assert.ok(sameDiagnostics(run.snapshot, d, newText, idText).length < countBefore, `${what}: the diagnostic remains after --fix`);
  } finally {
    service.dispose();
  }
}

test('fix soundness covered something', () => {
  // Runs after the per-fixture tests (node:test runs top-level tests in order).
  assert.ok(tally.fixes > 0, 'no fixture offered any fix');
  const kinds = [...tally.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
  process.stdout.write(`# fix soundness: ${tally.fixes} fixes for ${tally.diagnostics} diagnostics in ${tally.fixtures}/${fixtures.length} passing fixtures (${kinds})\n`);
});

// ---------------------------------------------------------------------------------------------
// The --fix writer contract.

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {}, cwd }, { createService: createLanguageService });
  return { code, out };
}

const FIXABLE = fixtures.filter((f) => /tap-without-bridge|tap-shadowed|bridge-not-defined/.test(readFileSync(join(FIXTURES, f, 'expected.json'), 'utf8')));

test('check --fix on CRLF copies keeps CRLF, modes and inodes are replaced atomically, a second run changes nothing', { timeout: 300_000 }, async () => {
  let fixedSomething = 0;
  for (const fixture of FIXABLE) {
    const dir = copyOf(fixture, crlf);
    const files = readTree(dir);
    for (const f of files.keys()) chmodSync(f, 0o600);
    const inodes = new Map([...files.keys()].map((f) => [f, statSync(f).ino]));
    const first = await cli(['check', dir, '--fix', '--fail-on', 'never', '--no-color'], dir);
    assert.equal(first.code, 0, `${fixture}: ${first.out}`);
    const after1 = readTree(dir);
    for (const [file, text] of after1) {
      assert.ok(!/(^|[^\r])\n/.test(text), `${fixture}: ${relative(dir, file)} has a bare LF after --fix`);
      if (files.has(file)) {
        assert.equal(statSync(file).mode & 0o777, 0o600, `${fixture}: ${relative(dir, file)} mode`);
        if (files.get(file) !== text) {
          fixedSomething++;
          assert.notEqual(statSync(file).ino, inodes.get(file), `${fixture}: ${relative(dir, file)} rewritten in place, not renamed over`);
        }
      }
      assert.ok(!file.endsWith('.tmp'), `${fixture}: temp file left: ${file}`);
    }
    const second = await cli(['check', dir, '--fix', '--fail-on', 'never', '--no-color'], dir);
    assert.equal(second.code, 0, second.out);
    assert.deepEqual(readTree(dir), after1, `${fixture}: a second --fix run changed files:\n${second.out}`);
    assert.doesNotMatch(second.out, /^fixed /m, `${fixture}: a second --fix run fixed again`);
  }
  assert.ok(fixedSomething > 0, '--fix changed no file in any fixture');
});

test('--fix refuses fixes that write outside the checked paths (directly, through a symlink, or creating there)', async () => {
  const dir = copyOf('seed');
  const outsideBase = mkdtempSync(join(tmpdir(), 'microvm-net-outside-'));
  made.push(outsideBase);
  const outsideFile = join(outsideBase, 'victim.nix');
  writeFileSync(outsideFile, '{ }\n');
  symlinkSync(outsideBase, join(dir, 'linked'));
  const service = await open(dir);
  try {
    const snapshot = service.analyze();
    const d = [...snapshot.diagnostics.values()].flat()[0];
    assert.ok(d);
    const evil = (edit: Fix['edit']): Pick<LanguageService, 'fixes'> => ({
      fixes: () => [{ title: 'Evil fix', diagnosticCode: d.code, diagnosticLocation: d.location, preferred: true, edit }],
    });
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    for (const edit of [
      { changes: [{ file: outsideFile, edits: [{ range, newText: 'pwned ' }] }], creates: [] },
      { changes: [{ file: join(dir, 'linked', 'victim.nix'), edits: [{ range, newText: 'pwned ' }] }], creates: [] },
      { changes: [], creates: [{ file: join(outsideBase, 'new.network'), text: '[Match]\n' }] },
      { changes: [], creates: [{ file: join(dir, 'linked', 'new.network'), text: '[Match]\n' }] },
      { changes: [], creates: [{ file: join(dir, '..', 'escape.network'), text: '[Match]\n' }] },
    ]) {
      const run = await runFixes(snapshot, { service: evil(edit), roots: [dir], base: dir, refresh: async () => service.analyze() });
      assert.equal(run.log.length, 1);
      assert.equal(run.log[0].kind, 'refused', JSON.stringify(run.log));
      assert.match((run.log[0] as { reason: string }).reason, /outside the checked paths/);
      assert.deepEqual(run.touched, []);
    }
    assert.equal(readFileSync(outsideFile, 'utf8'), '{ }\n');
    assert.deepEqual(readdirSync(outsideBase).sort(), ['victim.nix']);
    assert.ok(!existsSync(join(dir, '..', 'escape.network')));
  } finally {
    service.dispose();
  }
});

test('writeFileAtomic: new inode via rename, mode kept, exclusive create refuses an existing file, no temp left on failure', () => {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-atomic-'));
  made.push(base);
  const file = join(base, 'a.nix');
  writeFileSync(file, 'old\r\n');
  chmodSync(file, 0o604);
  const ino = statSync(file).ino;
  writeFileAtomic(file, 'new\r\n', { mode: statSync(file).mode & 0o7777 });
  assert.equal(readFileSync(file, 'utf8'), 'new\r\n');
  assert.equal(statSync(file).mode & 0o777, 0o604);
  assert.notEqual(statSync(file).ino, ino);
  assert.throws(() => writeFileAtomic(file, 'x', { exclusive: true }), /EEXIST/);
  assert.equal(readFileSync(file, 'utf8'), 'new\r\n');
  // Failing rename (target is a directory): the temp file is removed.
  mkdirSync(join(base, 'dir.nix'));
  writeFileSync(join(base, 'dir.nix', 'keep'), 'x');
  assert.throws(() => writeFileAtomic(join(base, 'dir.nix'), 'x'));
  assert.deepEqual(readdirSync(base).sort(), ['a.nix', 'dir.nix']);
  void dirname;
});
