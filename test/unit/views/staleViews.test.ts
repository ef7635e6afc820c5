/**
 * Hover and quick fixes answered from the last complete snapshot while editor edits are pending
 * (workspace/staleViews.ts): after an edit that does not change what the file means (a comment
 * line above the tap), the quick answer equals the fresh answer after analysis, positions mapped
 * through the edit; inside the edited region there is no answer; a fix whose edit would touch the
 * edited region is not offered; a change that cannot be mapped (a file on disk) makes it analyse.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLanguageService, type WorkspaceService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { LineIndex, type Position } from '../../../server/src/engine/text';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'bridge-not-defined');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Counts the calls of `target[method]` from now on. */
function countCalls(target: object, method: string): () => number {
  const t = target as Record<string, (...a: unknown[]) => unknown>;
  const original = t[method].bind(target);
  let count = 0;
  t[method] = (...a: unknown[]) => {
    count++;
    return original(...a);
  };
  return () => count;
}

/** Counts the analyses the service runs from now on. */
function countAnalyses(service: WorkspaceService): () => number {
  return countCalls((service as unknown as { analysis: object }).analysis, 'run');
}

async function opened(): Promise<{ service: WorkspaceService; file: string; text: string; id: Position }> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'microvm-net-stale-')));
  dirs.push(root);
  cpSync(FIXTURE, root, { recursive: true });
  const service = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
  await service.scan();
  const file = join(root, 'hosts', 'lab', 'vms.nix');
  const text = readFileSync(file, 'utf8');
  service.openDocument(file, text, 1);
  service.analyze();
  const id = new LineIndex(text).positionAt(text.indexOf('vm-grafana') + 2);
  return { service, file, text, id };
}

const COMMENT = '# a comment line\n';
const below = (p: Position, lines = 1): Position => ({ line: p.line + lines, character: p.character });

test('after an edit above the tap, the quick hover is the fresh hover, mapped', async () => {
  const { service, file, id } = await opened();
  const before = service.hover(file, id);
  assert.ok(before);
  service.changeDocument(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: COMMENT }]);
  const analyses = countAnalyses(service);
  const quick = service.quickHover(file, below(id));
  // Nothing was analysed for it: the snapshot is still the one before the edit.
  assert.equal(analyses(), 0);
  const fresh = service.hover(file, below(id));
  assert.ok(quick && fresh);
  assert.deepEqual(quick, fresh);
  assert.deepEqual(quick.range, { start: below(before.range.start), end: below(before.range.end) });
  service.dispose();
});

test('inside the region edited since the snapshot there is no quick answer', async () => {
  const { service, file, id } = await opened();
  // Replace the id's first letters: a hover there would describe text that is gone.
  service.changeDocument(file, 2, [{ range: { start: { line: id.line, character: id.character - 2 }, end: { line: id.line, character: id.character + 1 } }, text: 'xyz' }]);
  assert.equal(service.quickHover(file, { line: id.line, character: id.character - 1 }), null);
  service.dispose();
});

test('quick fixes are the fresh fixes, their edits and diagnostic moved through the edit', async () => {
  const { service, file, text } = await opened();
  const whole = { start: { line: 0, character: 0 }, end: new LineIndex(text).positionAt(text.length) };
  const original = service.fixes(file, whole);
  assert.ok(original.length > 0, 'the fixture offers fixes');
  service.changeDocument(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: COMMENT }]);
  const movedWhole = { start: whole.start, end: below(whole.end) };
  const quick = service.quickFixes(file, movedWhole);
  const fresh = service.fixes(file, movedWhole);
  assert.deepEqual(quick, fresh);
  service.dispose();
});

test('quick fixes asked again while edits are pending are built once: no parse on the second request, the same answer', async () => {
  const { service, file, text } = await opened();
  const whole = { start: { line: 0, character: 0 }, end: new LineIndex(text).positionAt(text.length) };
  service.changeDocument(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: COMMENT }]);
  const movedWhole = { start: whole.start, end: below(whole.end) };
  const first = service.quickFixes(file, movedWhole);
  assert.ok(first.length > 0, 'the fixture offers fixes');
  // Building a fix parses the file with the fix applied (it must not add syntax errors).
  const parses = countCalls((service as unknown as { parser: object }).parser, 'parse');
  const second = service.quickFixes(file, movedWhole);
  assert.equal(parses(), 0);
  assert.deepEqual(second, first);
  service.dispose();
});

test('quick suppression fixes ("Ignore … here") are the fresh ones, moved, and run no analysis', async () => {
  const { service, file, text } = await opened();
  const whole = { start: { line: 0, character: 0 }, end: new LineIndex(text).positionAt(text.length) };
  assert.ok(service.suppressionFixes(file, whole).length > 0, 'the fixture offers suppression fixes');
  service.changeDocument(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: COMMENT }]);
  const movedWhole = { start: whole.start, end: below(whole.end) };
  const analyses = countAnalyses(service);
  const quick = service.quickSuppressionFixes(file, movedWhole);
  assert.equal(analyses(), 0);
  const fresh = service.suppressionFixes(file, movedWhole);
  assert.deepEqual(quick, fresh);
  service.dispose();
});

test('quick inlay hints are the fresh hints, moved, without an analysis; none for an id being edited', async () => {
  const { service, file, id } = await opened();
  assert.ok(service.inlayHints(file).length > 0, 'the fixture has a hint');
  service.changeDocument(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: COMMENT }]);
  const analyses = countAnalyses(service);
  const quick = service.quickInlayHints(file);
  assert.equal(analyses(), 0);
  assert.deepEqual(quick, service.inlayHints(file));
  // Now type inside the id: its hint described the old id.
  const at = below(id);
  service.changeDocument(file, 3, [{ range: { start: at, end: at }, text: 'x' }]);
  assert.ok(!service.quickInlayHints(file).some((h) => h.position.line === at.line), 'no hint after an id being edited');
  service.dispose();
});

test('a fix whose edit touches the edited region is not offered from the old snapshot', async () => {
  const { service, file, text } = await opened();
  const whole = { start: { line: 0, character: 0 }, end: new LineIndex(text).positionAt(text.length) };
  const fix = service.fixes(file, whole).find((f) => f.edit.changes.length > 0);
  assert.ok(fix, 'the fixture has a fix editing a file');
  const target = fix.edit.changes[0];
  const targetText = readFileSync(target.file, 'utf8');
  service.openDocument(target.file, targetText, 1);
  service.analyze();
  assert.ok(service.quickFixes(file, whole).some((f) => f.title === fix.title), 'offered before the edit');
  // Retype the characters around where that fix writes: its edit would land in changed text.
  const lines = new LineIndex(targetText);
  const at = lines.offsetAt(target.edits[0].range.start);
  const around = { start: lines.positionAt(at - 1), end: lines.positionAt(at + 1) };
  service.changeDocument(target.file, 2, [{ range: around, text: 'qq' }]);
  const analyses = countAnalyses(service);
  const quick = service.quickFixes(file, whole);
  assert.equal(analyses(), 0);
  assert.ok(!quick.some((f) => f.title === fix.title), JSON.stringify(quick.map((f) => f.title)));
  service.dispose();
});

test('a change on disk since the snapshot is analysed before answering', async () => {
  const { service, file, id } = await opened();
  service.fileChanged(join(file, '..', 'network.nix'));
  const analyses = countAnalyses(service);
  const quick = service.quickHover(file, id);
  assert.equal(analyses(), 1);
  assert.deepEqual(quick, service.hover(file, id));
  service.dispose();
});
