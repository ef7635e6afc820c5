/**
 * Test helper for quick fixes on real workspaces: temp dirs, a language service over them,
 * applying a WorkspaceEdit (back-to-front edits, snippet placeholders at their defaults) and
 * re-analysing, and the soundness checks every fix must pass.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { applyWorkspaceEdit, expandSnippet, PLACEHOLDER_DEFAULT } from '../../../server/src/engine/fixes/edits';
import { FIXABLE_CODES, GUEST_FIX_CODES } from '../../../server/src/engine/fixes';
import type { Diagnostic, Outcome } from '../../../server/src/engine/model';
import { knownText } from '../../../server/src/engine/pattern';
import { reasonTexts } from '../../../server/src/engine/reasons';
import type { AnalysisSnapshot, Fix } from '../../../server/src/engine/service';
import { toOffsetEdits } from '../../../server/src/engine/fixes/edits';
import { createLanguageService, type WorkspaceService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS, type Settings } from '../../../server/src/protocol/settings';

const made: string[] = [];

/** A fresh temp workspace holding `files` (relative path → text), or a copy of `from`. */
export function workspace(files: Record<string, string>, from?: string): string {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-fix-'));
  made.push(base);
  const dir = join(base, 'ws');
  mkdirSync(dir);
  if (from) cpSync(from, dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function open(dir: string, settings: Partial<Settings> = {}): Promise<{ service: WorkspaceService; snapshot: AnalysisSnapshot }> {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS, ...settings } });
  await service.scan();
  return { service, snapshot: service.analyze() };
}

export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export function fixableDiagnostics(snapshot: AnalysisSnapshot): Diagnostic[] {
  return [...snapshot.diagnostics.values()].flat().filter((d) => FIXABLE_CODES.has(d.code));
}

export function outcomeAt(snapshot: AnalysisSnapshot, d: Diagnostic): Outcome | undefined {
  return snapshot.outcomes.find(
    (o) =>
      o.interface.id.location.file === d.location.file &&
      o.interface.id.location.range.start.line === d.location.range.start.line &&
      o.interface.id.location.range.start.character === d.location.range.start.character,
  );
}

/** Same tap after re-analysis: same VM and id (positions may move when its own file was edited). */
function sameTap(snapshot: AnalysisSnapshot, before: Outcome): Outcome[] {
  return snapshot.outcomes.filter(
    (o) =>
      o.interface.vm === before.interface.vm &&
      o.interface.host === before.interface.host &&
      knownText(o.interface.id.value) === knownText(before.interface.id.value) &&
      o.interface.id.location.file === before.interface.id.location.file,
  );
}

export interface SoundnessReport {
  title: string;
  status: string;
  bridge: string | null;
}

/** The fix as the user completes it: every placeholder filled with `bridge`. */
export function filledSnippet(fix: Fix, bridge: string): Fix {
  // Any placeholder (a bridge's, a macvtap link's) filled with the name given.
  const fill = (text: string) => expandSnippet(text.replace(/\$\{1:[^}]*\}/g, bridge));
  return {
    ...fix,
    isSnippet: undefined,
    edit: {
      changes: fix.edit.changes.map((c) => ({ ...c, edits: c.edits.map((e) => ({ ...e, newText: fill(e.newText) })) })),
      creates: fix.edit.creates.map((c) => ({ ...c, text: fill(c.text) })),
    },
  };
}

/**
 * Applies `fix` to the workspace in `dir` and checks: edits and creates stay inside `dir`;
 * text outside the edit ranges is byte-identical; edited Nix files have no more syntax errors;
 * after re-analysis the tap is bridged to `bridge` (when given: else to the bridge the title
 * names) and no fixable diagnostic or fix remains for it. A snippet fix is applied twice: with
 * its placeholder accepted as it is, the tap must stay flagged (a placeholder is never a fix);
 * with the placeholder filled with a bridge the workspace defines (`bridge`, default `br0`), it
 * must then pass every check above.
 */
export async function applyAndCheck(
  dir: string,
  before: AnalysisSnapshot,
  d: Diagnostic,
  fix: Fix,
  opts: { settings?: Partial<Settings>; bridge?: string; also?: (after: AnalysisSnapshot) => void; filledWithMissingBridge?: boolean } = {},
): Promise<SoundnessReport> {
  if (fix.isSnippet) {
    const tree = readTree(dir);
    const outcome = outcomeAt(before, d);
    assert.ok(outcome, 'diagnostic has an outcome');
    for (const [file, text] of applyWorkspaceEdit(fix.edit, (f) => tree.get(f) ?? null, { expand: true })) writeFileSync(file, text);
    const left = await open(dir, opts.settings ?? {});
    try {
      const [tap] = sameTap(left.snapshot, outcome);
      assert.ok(tap, 'the tap is found again');
      assert.notEqual(tap.status, 'bridged', `${fix.title}: the placeholder left as it is counted as a fix (${tap.reasons.join('; ')})`);
      const flagged = (left.snapshot.diagnostics.get(tap.interface.id.location.file) ?? []).filter(
        (x) => FIXABLE_CODES.has(x.code) && x.location.range.start.line === tap.interface.id.location.range.start.line,
      );
      assert.ok(flagged.length > 0, `${fix.title}: the tap is no longer flagged with the placeholder left in`);
    } finally {
      left.service.dispose();
    }
    restore(dir, tree);
    const fillWith = opts.bridge ?? 'br0';
    return applyAndCheck(dir, before, d, filledSnippet(fix, fillWith), { ...opts, bridge: fillWith, filledWithMissingBridge: !bridgeDefined(before, outcome.interface.host, fillWith) });
  }
  const { settings = {}, bridge } = opts;
  if (GUEST_FIX_CODES.has(d.code)) return applyAndCheckGuest(dir, before, d, fix, settings);
  const outcome = outcomeAt(before, d);
  assert.ok(outcome, 'diagnostic has an outcome');
  const tree = readTree(dir);
  for (const c of fix.edit.changes) assert.ok(!relative(dir, c.file).startsWith('..'), `edit outside the workspace: ${c.file}`);
  for (const c of fix.edit.creates) {
    assert.ok(!relative(dir, c.file).startsWith('..'), `create outside the workspace: ${c.file}`);
    assert.ok(!tree.has(c.file), `create over an existing file: ${c.file}`);
  }
  const texts = applyWorkspaceEdit(fix.edit, (f) => tree.get(f) ?? null, { expand: true });

  // Outside the edited ranges nothing changes: the differing middle of old/new lies within the edits.
  for (const c of fix.edit.changes) {
    const old = tree.get(c.file)!;
    const next = texts.get(c.file)!;
    const offsets = toOffsetEdits(old, c.edits);
    const lo = Math.min(...offsets.map((e) => e.start));
    const hi = Math.max(...offsets.map((e) => e.end));
    assert.equal(next.slice(0, lo), old.slice(0, lo), `${c.file}: text before the first edit changed`);
    assert.equal(next.slice(next.length - (old.length - hi)), old.slice(hi), `${c.file}: text after the last edit changed`);
    for (const e of offsets) assert.ok(e.end - e.start <= 24, `${c.file}: an edit replaces ${e.end - e.start} characters (not minimal)`);
    if (old.includes('\r\n')) {
      for (const e of c.edits) assert.ok(!/(^|[^\r])\n/.test(e.newText), `${c.file}: LF inserted into a CRLF file`);
    }
  }

  for (const [file, text] of texts) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const after = await open(dir, settings);
  try {
    for (const c of fix.edit.changes) {
      if (!c.file.endsWith('.nix')) continue;
      const was = before.facts.files.find((f) => f.file === c.file)?.syntaxErrors ?? 0;
      const now = after.snapshot.facts.files.find((f) => f.file === c.file)?.syntaxErrors ?? 0;
      assert.ok(now <= was, `${c.file}: ${now} syntax errors after the fix, ${was} before`);
    }
    const taps = sameTap(after.snapshot, outcome);
    assert.equal(taps.length, 1, `the tap ${knownText(outcome.interface.id.value)} is found again`);
    const tap = taps[0];
    if (SETTING_CODES.has(d.code)) {
      settingFixed(after, tap, fix);
      opts.also?.(after.snapshot);
      return { title: fix.title, status: tap.status, bridge: tap.bridge };
    }
    const wanted = bridge ?? bridgeFromTitle(fix.title);
    if (opts.filledWithMissingBridge && tap.status === 'bridge-undefined' && tap.bridge === wanted) {
      // A placeholder filled with a name no bridge has: attached, but flagged until the bridge exists.
      opts.also?.(after.snapshot);
      return { title: fix.title, status: tap.status, bridge: tap.bridge };
    }
    assert.equal(tap.status, 'bridged', `${fix.title}: tap is ${tap.status} after the fix (${reasonTexts(tap.reasons).join('; ')})`);
    if (wanted) assert.equal(tap.bridge, wanted, fix.title);
    const file = tap.interface.id.location.file;
    const remaining = (after.snapshot.diagnostics.get(file) ?? []).filter(
      (x) => FIXABLE_CODES.has(x.code) && x.location.range.start.line === tap.interface.id.location.range.start.line,
    );
    assert.deepEqual(remaining.map((x) => x.code), [], `${fix.title}: diagnostic still there`);
    const again = after.service.fixes(file, tap.interface.id.location.range);
    assert.deepEqual(again.map((f) => f.title), [], `${fix.title}: fixes offered again after applying`);
    opts.also?.(after.snapshot);
    return { title: fix.title, status: tap.status, bridge: tap.bridge };
  } finally {
    after.service.dispose();
  }
}

/** Whether the tap's host defines a bridge of that name (a netdev or networking.bridges). */
function bridgeDefined(snapshot: AnalysisSnapshot, host: string | null, name: string): boolean {
  const own = (owner: string | null) => owner === null || owner === host;
  // A .netdev creates nothing on a host whose networkd is off.
  const networkdOff = snapshot.facts.hosts.some((h) => h.name === host && h.networkdEnabled === false);
  const netdev = !networkdOff && snapshot.facts.units.some(
    (u) => own(u.host) && u.kind === 'netdev' && u.settings.some((x) => x.section === 'NetDev' && x.key === 'Name' && knownText(x.value) === name),
  );
  return netdev || snapshot.facts.bridges.some((b) => own(b.host) && b.name === name);
}

/** Codes whose fixes complete an interface's settings instead of bridging a tap. */
const SETTING_CODES = new Set(['macvtap-link-missing', 'macvtap-mode-missing']);

/** After a settings fix: no settings diagnostic and no fix left on the interface. */
function settingFixed(after: { service: WorkspaceService; snapshot: AnalysisSnapshot }, tap: Outcome, fix: Fix): void {
  const file = tap.interface.id.location.file;
  const remaining = (after.snapshot.diagnostics.get(file) ?? []).filter(
    (x) => SETTING_CODES.has(x.code) && x.location.range.start.line === tap.interface.id.location.range.start.line,
  );
  assert.deepEqual(remaining.map((x) => x.code), [], `${fix.title}: diagnostic still there`);
  assert.deepEqual(after.service.fixes(file, tap.interface.id.location.range).map((f) => f.title), [], `${fix.title}: fixes offered again after applying`);
}

/**
 * A guest-side fix (a unit in the guest's own module): the same checks on the edit, then after
 * re-analysis exactly that one diagnostic is gone, nothing new is reported, and the tap keeps
 * the outcome it had.
 */
async function applyAndCheckGuest(dir: string, before: AnalysisSnapshot, d: Diagnostic, fix: Fix, settings: Partial<Settings>): Promise<SoundnessReport> {
  assert.ok(d.outcome, 'a fixable diagnostic carries its outcome');
  const tree = readTree(dir);
  for (const c of fix.edit.changes) assert.ok(!relative(dir, c.file).startsWith('..'), `edit outside the workspace: ${c.file}`);
  assert.deepEqual(fix.edit.creates, [], 'a guest-side fix edits the guest module');
  const texts = applyWorkspaceEdit(fix.edit, (f) => tree.get(f) ?? null, { expand: true });
  for (const c of fix.edit.changes) {
    const old = tree.get(c.file)!;
    const next = texts.get(c.file)!;
    const offsets = toOffsetEdits(old, c.edits);
    const lo = Math.min(...offsets.map((e) => e.start));
    const hi = Math.max(...offsets.map((e) => e.end));
    assert.equal(next.slice(0, lo), old.slice(0, lo), `${c.file}: text before the first edit changed`);
    assert.equal(next.slice(next.length - (old.length - hi)), old.slice(hi), `${c.file}: text after the last edit changed`);
  }
  for (const [file, text] of texts) writeFileSync(file, text);
  const after = await open(dir, settings);
  try {
    for (const c of fix.edit.changes) {
      const was = before.facts.files.find((f) => f.file === c.file)?.syntaxErrors ?? 0;
      const now = after.snapshot.facts.files.find((f) => f.file === c.file)?.syntaxErrors ?? 0;
      assert.ok(now <= was, `${c.file}: ${now} syntax errors after the fix, ${was} before`);
    }
    const codes = (s: AnalysisSnapshot) => [...s.diagnostics.values()].flat().map((x) => `${x.code} ${relative(dir, x.location.file)}`).sort();
    const expected = codes(before);
    expected.splice(expected.indexOf(`${d.code} ${relative(dir, d.location.file)}`), 1);
    assert.deepEqual(codes(after.snapshot), expected, `${fix.title}: exactly the fixed diagnostic is gone`);
    const tap = after.snapshot.outcomes.find((o) => o.interface.vm === d.outcome!.interface.vm && o.interface.host === d.outcome!.interface.host);
    assert.ok(tap, 'the interface is found again');
    assert.equal(tap.status, d.outcome.status, `${fix.title}: the tap keeps its outcome`);
    return { title: fix.title, status: tap.status, bridge: tap.bridge };
  } finally {
    after.service.dispose();
  }
}

/** Restores a workspace dir to the given tree (files written by a fix are removed). */
export function restore(dir: string, tree: Map<string, string>): void {
  for (const file of readTree(dir).keys()) if (!tree.has(file)) rmSync(file);
  for (const [file, text] of tree) writeFileSync(file, text);
}

/** The bridge a fix title names: `(bridge X)`, `bridge = "X"`, or the last `to X`. */
export function bridgeFromTitle(title: string): string | undefined {
  const a = /\(bridge ([^)\s]+)\)/.exec(title) ?? /bridge = "([^"]+)"/.exec(title);
  if (a) return a[1];
  const all = [...title.matchAll(/\bto (\S+)/g)];
  return all.length ? all[all.length - 1][1] : undefined;
}
