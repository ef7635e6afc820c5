/**
 * The first and third stages of an analysis: which files there are (one report per file,
 * sorted by path, plus the Nix files, unit inputs and flake.lock facts), and the syntax errors
 * and Nix problems that go on those reports. A listing is rebuilt only when the file set, the
 * settings or a non-Nix text changed; otherwise only the changed Nix files' reports are redone.
 */
import type { FileReport } from '../model';
import type { NixFacts } from '../nix/facts';
import type { UnitFileInput } from '../networkd';
import { readFlakeLock } from '../flakeLock';
import type { DocumentStore } from './documentStore';
import type { ParseCache } from './parseCache';
import type { PendingChanges } from './pendingChanges';

export interface FileListing {
  /** Reports without Nix problems (those differ per analysis and go on copies). */
  reports: readonly FileReport[];
  /** Index of each file's report. */
  byPath: Map<string, number>;
  nixFiles: string[];
  unitInputs: UnitFileInput[];
  microvmLastModified: number | null;
}

/** A listing whose Nix reports still lack their syntax error counts. */
export interface UncountedListing {
  listing: FileListing;
  uncounted: { at: number; path: string; text: string }[];
}

/** The listing for this analysis: `previous` brought up to date, or rebuilt when it cannot be. */
export function listFiles(store: DocumentStore, changes: PendingChanges, previous: FileListing | null): UncountedListing {
  if (!previous || changes.structural || changes.otherChanged) return buildListing(store);
  const reports = previous.reports.slice();
  const uncounted: UncountedListing['uncounted'] = [];
  for (const path of changes.changedNix) {
    const at = previous.byPath.get(path);
    const entry = store.get(path);
    if (at === undefined || !entry) continue;
    const text = store.textOf(path);
    reports[at] = { file: path, kind: 'nix', syntaxErrors: 0, problems: entry.problem && !entry.open ? [entry.problem] : [] };
    if (text !== null) uncounted.push({ at, path, text });
  }
  return { listing: { ...previous, reports }, uncounted };
}

function buildListing(store: DocumentStore): UncountedListing {
  const nixFiles: string[] = [];
  const unitInputs: UnitFileInput[] = [];
  const reports: FileReport[] = [];
  const uncounted: UncountedListing['uncounted'] = [];
  let microvmLastModified: number | null = null;
  for (const [path, entry] of store.sorted()) {
    const text = store.textOf(path);
    const problems = entry.problem && !entry.open ? [entry.problem] : [];
    if (entry.kind === 'nix') {
      nixFiles.push(path);
      if (text !== null) uncounted.push({ at: reports.length, path, text });
      reports.push({ file: path, kind: 'nix', syntaxErrors: 0, problems });
    } else if (entry.kind === 'flake-lock') {
      if (text !== null) microvmLastModified = readFlakeLock(text) ?? microvmLastModified;
    } else {
      if (text === null && !entry.devNull) {
        reports.push({ file: path, kind: 'networkd', syntaxErrors: 0, problems });
        continue;
      }
      unitInputs.push({ path, text: entry.devNull ? null : text });
      reports.push({ file: path, kind: 'networkd', syntaxErrors: 0, problems });
    }
  }
  for (const skip of store.skipped) reports.push({ file: skip.file, kind: 'other', syntaxErrors: 0, problems: [{ kind: skip.kind, message: skip.message }] });
  const byPath = new Map<string, number>();
  reports.forEach((r, i) => {
    if (!byPath.has(r.file)) byPath.set(r.file, i);
  });
  return { listing: { reports, byPath, nixFiles, unitInputs, microvmLastModified }, uncounted };
}

/**
 * Counts syntax errors. Run after fact extraction: the files the evaluator converted have their
 * ASTs cached by then, and the others need only a parse (no AST) unless they have errors.
 */
export function countSyntaxErrors({ listing, uncounted }: UncountedListing, parses: ParseCache): FileListing {
  const reports = listing.reports.slice();
  for (const p of uncounted) {
    const syntaxErrors = parses.syntaxErrorsOf(p.path, p.text);
    const parseProblem = parses.problemOf(p.path);
    const report = reports[p.at];
    const problems = parseProblem ? [...report.problems, { kind: 'parse-incomplete' as const, message: parseProblem }] : report.problems;
    reports[p.at] = { ...report, syntaxErrors, problems };
  }
  return { ...listing, reports };
}

/** The listing's reports with the Nix problems added (on copies), plus reports for files outside it. */
export function reportsWithProblems(listing: FileListing, problems: NixFacts['problems']): FileReport[] {
  const reports = listing.reports.slice();
  const extra = new Map<string, FileReport>();
  for (const { file, kind, message } of problems) {
    const problem = { kind, message };
    const at = listing.byPath.get(file);
    if (at !== undefined) {
      const copy = reports[at] === listing.reports[at] ? { ...reports[at], problems: [...reports[at].problems] } : reports[at];
      copy.problems.push(problem);
      reports[at] = copy;
      continue;
    }
    const report = extra.get(file);
    if (report) report.problems.push(problem);
    else {
      const added: FileReport = { file, kind: 'nix', syntaxErrors: 0, problems: [problem] };
      extra.set(file, added);
      reports.push(added);
    }
  }
  return reports;
}
