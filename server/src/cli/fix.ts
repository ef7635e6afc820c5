/**
 * `check --fix`: applies, for each diagnostic, its preferred quick fix (the same Fix objects the
 * editor's code actions use), then re-analyses; up to three passes.
 *
 * Safety rules:
 * - fixes that need user input (a snippet placeholder: no bridge could be inferred) and fixes the
 *   engine declined (a name that is not a valid interface name) are not applied; the log says why;
 * - a fix writing anywhere outside the checked paths (after resolving symlinks) is refused and
 *   reported, as is one creating a file that already exists;
 * - within one pass no two fixes with overlapping (or touching) edits are applied; the later one
 *   waits for the next pass, where it is recomputed against the new text;
 * - every file is written by fileWriter.ts: only if it still holds the bytes the analysis read,
 *   is writable by the invoking user and has one link, atomically (a temporary file in the same
 *   directory, then a rename), keeping mode, owner and every byte outside the edits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../engine/model';
import type { AnalysisSnapshot, Fix, LanguageService, TextEdit } from '../engine/service';
import { RootGuard } from '../engine/roots';
import { comparePositions, type Range } from '../engine/text';
import { applyTextEdits, eolOf } from '../engine/textEdits';
import { createFile, WriteRefusal, writeChange, type FileChange } from './fileWriter';
import { relativePath } from './report';

export { writeFileAtomic } from './fileWriter';

export const MAX_FIX_PASSES = 3;

export type FixLogEntry =
  | { kind: 'fixed'; code: string; at: string; title: string; files: string[] }
  | { kind: 'remains'; code: string; at: string; title: string }
  | { kind: 'refused'; code: string; at: string; title: string; reason: string }
  | { kind: 'failed'; code: string; at: string; title: string; reason: string };

export function formatFixLog(entry: FixLogEntry, options: { dryRun?: boolean } = {}): string {
  switch (entry.kind) {
    case 'fixed': {
      // Name the edited files unless the title already does.
      const unnamed = entry.files.filter((f) => !entry.title.includes(f));
      const where = unnamed.length > 0 && unnamed.length === entry.files.length ? ` in ${entry.files.join(', ')}` : '';
      return `${options.dryRun ? 'would fix' : 'fixed'} ${entry.code} at ${entry.at} by ${describeFix(entry.title)}${where}`;
    }
    case 'remains':
      return `applied "${entry.title}" for ${entry.code} at ${entry.at}, but the diagnostic remains`;
    case 'refused':
      return `not fixed: ${entry.code} at ${entry.at}: ${entry.reason}`;
    case 'failed':
      return `could not fix ${entry.code} at ${entry.at}: ${entry.reason}`;
  }
}

const GERUNDS: Record<string, string> = {
  add: 'adding',
  append: 'appending',
  attach: 'attaching',
  change: 'changing',
  create: 'creating',
  declare: 'declaring',
  define: 'defining',
  enable: 'enabling',
  extend: 'extending',
  insert: 'inserting',
  make: 'making',
  move: 'moving',
  override: 'overriding',
  remove: 'removing',
  rename: 'renaming',
  replace: 'replacing',
  set: 'setting',
  switch: 'switching',
  unquote: 'unquoting',
  use: 'using',
};

/** "Add vm-web to Name= in x" -> "adding vm-web to Name= in x"; otherwise `applying "<title>"`. */
export function describeFix(title: string): string {
  const match = /^(\S+)(\s[\s\S]*)?$/.exec(title.trim());
  const gerund = match ? GERUNDS[match[1].toLowerCase()] : undefined;
  return gerund ? `${gerund}${match![2] ?? ''}` : `applying "${title}"`;
}

export interface FixOptions {
  service: Pick<LanguageService, 'fixes'>;
  /** Absolute checked paths: nothing outside them is written. */
  roots: string[];
  /** Directory messages are relative to. */
  base: string;
  /** Tells the engine which files changed or appeared and returns a fresh snapshot. */
  refresh(touched: string[]): Promise<AnalysisSnapshot>;
  maxPasses?: number;
  /** Where fixes go: the files (default), or memory for `--dry-run`. */
  writer?: FixWriter;
}

export interface FixWriter {
  change(change: FileChange & { edits: TextEdit[] }, guard: RootGuard): void;
  create(file: string, text: string, guard: RootGuard): void;
  exists(file: string): boolean;
}

const FILE_WRITER: FixWriter = { change: writeChange, create: createFile, exists: (file) => fs.existsSync(file) };

export interface FixRun {
  snapshot: AnalysisSnapshot;
  log: FixLogEntry[];
  /** Absolute paths of files written or created. */
  touched: string[];
  passes: number;
}

/** A fix needs user input when the engine says so or its text holds a `${1:...}` placeholder. */
export function needsInput(fix: Fix): boolean {
  if (fix.isSnippet) return true;
  const placeholder = /\$\{\d+[:|}]/;
  return (
    fix.edit.changes.some((c) => c.edits.some((e) => placeholder.test(e.newText))) ||
    fix.edit.creates.some((c) => placeholder.test(c.text))
  );
}

/** Why `--fix` leaves a fix that needs a bridge name to the editor. */
function placeholderReason(fix: Fix): string {
  return `"${fix.title}" needs a bridge name, and none could be inferred (no other tap of the host is bridged and no single bridge is defined); give one with --default-bridge or default-bridge in microvm-net.toml, or in an editor fill in the quick fix's placeholder`;
}

function rangesTouch(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

function diagnosticKey(d: Diagnostic): string {
  const { start, end } = d.location.range;
  return `${d.code}\0${d.location.file}\0${start.line}:${start.character}-${end.line}:${end.character}\0${d.message}`;
}

/** Same diagnostic after re-analysis, even if edits moved it. */
function identityKey(d: Diagnostic): string {
  return `${d.code}\0${d.location.file}\0${d.message}`;
}

function editKey(fix: Fix): string {
  const norm = (file: string) => path.resolve(file);
  return JSON.stringify({
    c: fix.edit.changes
      .map((c) => ({ f: norm(c.file), e: c.edits.map((e) => [e.range, e.newText]) }))
      .sort((x, y) => (x.f < y.f ? -1 : x.f > y.f ? 1 : 0)),
    n: fix.edit.creates.map((c) => [norm(c.file), c.text]).sort(),
  });
}

/** Inside a checked path once symlinks are resolved, so a link cannot lead a write outside. */
export function isInsideRoots(file: string, roots: readonly string[]): boolean {
  return new RootGuard(roots.map((r) => path.resolve(r))).contains(path.resolve(file));
}

function sortedDiagnostics(snapshot: AnalysisSnapshot): Diagnostic[] {
  const all = [...snapshot.diagnostics.values()].flat();
  return all.sort(
    (a, b) =>
      (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : 0) ||
      comparePositions(a.location.range.start, b.location.range.start) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

interface Planned {
  fix: Fix;
  key: string;
  diagnostics: Diagnostic[];
  /** Absolute file -> ranges it edits. */
  ranges: Map<string, Range[]>;
  creates: string[];
}

function plannedRanges(fix: Fix): Map<string, Range[]> {
  const out = new Map<string, Range[]>();
  for (const change of fix.edit.changes) {
    const file = path.resolve(change.file);
    out.set(file, [...(out.get(file) ?? []), ...change.edits.map((e) => e.range)]);
  }
  return out;
}

function conflicts(a: Planned, b: Planned): boolean {
  for (const [file, ranges] of a.ranges) {
    if (b.creates.includes(file)) return true;
    const other = b.ranges.get(file);
    if (other && ranges.some((r) => other.some((o) => rangesTouch(r, o)))) return true;
  }
  for (const file of a.creates) if (b.creates.includes(file) || b.ranges.has(file)) return true;
  return false;
}

/** Edits within one fix must not overlap each other (insertions at one point are fine). */
function selfOverlapping(ranges: Map<string, Range[]>): boolean {
  for (const list of ranges.values()) {
    const sorted = [...list].sort((a, b) => comparePositions(a.start, b.start));
    for (let i = 1; i < sorted.length; i++) {
      if (comparePositions(sorted[i].start, sorted[i - 1].end) < 0) return true;
    }
  }
  return false;
}

export function usesCrlf(text: string): boolean {
  return eolOf(text) === '\r\n';
}

/** Edits against a file's text; inserted line breaks follow the file's own. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return applyTextEdits(text, edits, { followLineEndings: true });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Failure {
  /** refused: a safety rule said no; failed: the system did. */
  kind: 'refused' | 'failed';
  reason: string;
}

/** Writes all planned fixes, one safe write per file; returns the fixes that were refused or failed, with why. */
function applyPlanned(planned: Planned[], touched: Set<string>, guard: RootGuard, writer: FixWriter): Map<Planned, Failure> {
  const failures = new Map<Planned, Failure>();
  const failure = (error: unknown): Failure => ({ kind: error instanceof WriteRefusal ? 'refused' : 'failed', reason: errorText(error) });
  const byFile = new Map<string, { change: FileChange & { edits: TextEdit[] }; owners: Planned[]; sameBase: boolean }>();
  for (const p of planned) {
    for (const change of p.fix.edit.changes) {
      // Keyed by the engine's path (what fileChanged expects); written through symlinks below.
      const file = path.resolve(change.file);
      const entry = byFile.get(file) ?? { change: { file, edits: [], sha256: change.sha256 }, owners: [], sameBase: true };
      entry.change.edits.push(...change.edits);
      // Fixes computed against different bytes of one file cannot be combined.
      if (entry.change.sha256 !== change.sha256) entry.sameBase = false;
      if (!entry.owners.includes(p)) entry.owners.push(p);
      byFile.set(file, entry);
    }
  }
  for (const [file, { change, owners, sameBase }] of byFile) {
    try {
      if (!sameBase) throw new WriteRefusal(`${file}: fixes were computed against different contents: not written`);
      writer.change(change, guard);
      touched.add(file);
    } catch (error) {
      for (const owner of owners) failures.set(owner, failure(error));
    }
  }
  for (const p of planned) {
    for (const create of p.fix.edit.creates) {
      const file = path.resolve(create.file);
      try {
        writer.create(file, create.text, guard);
        touched.add(file);
      } catch (error) {
        failures.set(p, failure(error));
      }
    }
  }
  return failures;
}

export async function runFixes(initial: AnalysisSnapshot, options: FixOptions): Promise<FixRun> {
  const { service, roots, base } = options;
  const guard = new RootGuard(roots.map((r) => path.resolve(r)));
  const maxPasses = options.maxPasses ?? MAX_FIX_PASSES;
  const log: FixLogEntry[] = [];
  const attempted = new Set<string>();
  const touchedAll = new Set<string>();
  const at = (d: Diagnostic) =>
    `${relativePath(base, d.location.file)}:${d.location.range.start.line + 1}:${d.location.range.start.character + 1}`;
  let snapshot = initial;
  let passes = 0;
  const writer = options.writer ?? FILE_WRITER;
  /** Fixes left for a later pass because they edit where another fix of the pass does. */
  let deferred: { d: Diagnostic; title: string }[] = [];

  for (let pass = 0; pass < maxPasses; pass++) {
    const planned: Planned[] = [];
    deferred = [];
    for (const d of sortedDiagnostics(snapshot)) {
      const key = diagnosticKey(d);
      if (attempted.has(key)) continue;
      const own = service
        .fixes(d.location.file, d.location.range)
        .filter(
          (f) =>
            !f.suppression &&
            f.diagnosticCode === d.code &&
            path.resolve(f.diagnosticLocation.file) === path.resolve(d.location.file) &&
            rangesTouch(f.diagnosticLocation.range, d.location.range),
        );
      const fix = own.find((f) => f.preferred && !f.disabled);
      const notApplied = fix ? (needsInput(fix) ? placeholderReason(fix) : null) : own.find((f) => f.disabled)?.disabled?.reason ?? null;
      if (!fix || notApplied !== null) {
        if (notApplied !== null) {
          attempted.add(key);
          log.push({ kind: 'refused', code: d.code, at: at(d), title: fix?.title ?? own[0].title, reason: notApplied });
        }
        continue;
      }
      attempted.add(key);

      const files = [...fix.edit.changes.map((c) => c.file), ...fix.edit.creates.map((c) => c.file)];
      const outside = files.filter((f) => !guard.contains(path.resolve(f)));
      if (outside.length > 0) {
        log.push({
          kind: 'refused',
          code: d.code,
          at: at(d),
          title: fix.title,
          reason: `"${fix.title}" would write outside the checked paths (${outside.join(', ')}); refused`,
        });
        continue;
      }
      const existing = fix.edit.creates.filter((c) => writer.exists(path.resolve(c.file))).map((c) => relativePath(base, path.resolve(c.file)));
      if (existing.length > 0) {
        log.push({
          kind: 'refused',
          code: d.code,
          at: at(d),
          title: fix.title,
          reason: `"${fix.title}" would overwrite ${existing.join(', ')}; refused`,
        });
        continue;
      }
      const candidate: Planned = {
        fix,
        key: editKey(fix),
        diagnostics: [d],
        ranges: plannedRanges(fix),
        creates: fix.edit.creates.map((c) => path.resolve(c.file)),
      };
      if (selfOverlapping(candidate.ranges)) {
        log.push({ kind: 'refused', code: d.code, at: at(d), title: fix.title, reason: `"${fix.title}" has overlapping edits; refused` });
        continue;
      }
      const same = planned.find((p) => p.key === candidate.key);
      if (same) {
        same.diagnostics.push(d);
        continue;
      }
      if (planned.some((p) => conflicts(p, candidate))) {
        // Recomputed against the new text next pass.
        attempted.delete(key);
        deferred.push({ d, title: fix.title });
        continue;
      }
      planned.push(candidate);
    }
    if (planned.length === 0) break;
    passes++;

    const touched = new Set<string>();
    const failures = applyPlanned(planned, touched, guard, writer);
    for (const file of touched) touchedAll.add(file);
    snapshot = await options.refresh([...touched]);

    const remaining = new Set(sortedDiagnostics(snapshot).map(identityKey));
    for (const p of planned) {
      const failure = failures.get(p);
      for (const d of p.diagnostics) {
        if (failure) log.push({ kind: failure.kind, code: d.code, at: at(d), title: p.fix.title, reason: failure.reason });
        else if (remaining.has(identityKey(d))) log.push({ kind: 'remains', code: d.code, at: at(d), title: p.fix.title });
        else {
          const files = [...new Set([...p.ranges.keys(), ...p.creates])].map((f) => relativePath(base, f));
          log.push({ kind: 'fixed', code: d.code, at: at(d), title: p.fix.title, files });
        }
      }
    }
  }
  // Still waiting when the passes ran out: said, not dropped silently.
  if (passes === maxPasses) {
    for (const { d, title } of deferred) {
      log.push({ kind: 'refused', code: d.code, at: at(d), title, reason: `"${title}" edits where another fix did, and the ${maxPasses} passes ran out; run --fix again` });
    }
  }
  return { snapshot, log, touched: [...touchedAll], passes };
}
