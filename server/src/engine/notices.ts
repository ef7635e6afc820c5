/**
 * What the analysis could not do, gathered from a snapshot's file reports (read, decode and parse
 * problems, syntax errors, the Nix problems extraction put on them) and the paths the scan
 * skipped, then grouped by kind: a repository with the same gap in seventy places reads as one
 * line with a count, not seventy lines. The CLI and the language server both print these groups.
 */
import type { SkippedFile } from './files';
import type { NoticeKind, WorkspaceFacts } from './model';

export interface Notice {
  kind: NoticeKind;
  /** The file it is about, in whatever form the caller names files; null for the whole workspace. */
  file: string | null;
  message: string;
}

export interface NoticeGroup {
  kind: NoticeKind;
  count: number;
  /** The one notice's own message, or what the kind means when there are several. */
  message: string;
  /** Distinct files, sorted. */
  files: string[];
  /** Every notice of the kind, sorted by file. */
  notices: Notice[];
}

/**
 * One line per kind only works when each kind reads as a sentence on its own; a new kind without
 * a summary here is a compile error, not a silent blank.
 */
const KIND_SUMMARY: Record<NoticeKind, string> = {
  'syntax-error': 'files have syntax errors; analysed as far as the parse tree allows',
  'parse-incomplete': 'files could not be parsed within the parse budget: not analysed',
  'file-too-large': 'files are larger than the maximum file size: skipped',
  'file-skipped': 'files were skipped (binary, or a directory where a file was expected)',
  'file-unreadable': 'files or directories could not be read',
  'file-not-utf8': 'files are not valid UTF-8: decoded with replacement characters',
  'symlink-not-followed': 'symlinks were not followed (broken, looping, or pointing outside the workspace)',
  'scan-truncated': 'the scan stopped at the file cap',
  'flake-not-evaluated': 'flake outputs could not be evaluated',
  'configuration-not-evaluated': 'configurations could not be evaluated',
  'module-unreadable': 'modules could not be read',
  'module-not-evaluated': 'modules could not be evaluated',
  'imports-not-evaluated': 'imports could not be evaluated',
  'external-module': 'modules come from outside the workspace and were not evaluated',
  'interfaces-not-evaluated': 'microvm.interfaces could not be fully evaluated',
  'budget-exhausted': 'the evaluation budget was exhausted: some Nix facts may be missing',
};

export const NOTICE_KINDS = Object.keys(KIND_SUMMARY) as NoticeKind[];

export function kindSummary(kind: NoticeKind): string {
  return KIND_SUMMARY[kind];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function syntaxErrorMessage(count: number): string {
  return `${plural(count, 'syntax error')}; analysed as far as the parse tree allows`;
}

/**
 * Every notice of a snapshot's file reports plus the scan's skipped paths, one per file and
 * message (the engine also lists skipped paths among its file reports).
 */
export function collectNotices(facts: Pick<WorkspaceFacts, 'files'>, skipped: readonly SkippedFile[] = []): Notice[] {
  const seen = new Set<string>();
  const out: Notice[] = [];
  const add = (notice: Notice) => {
    const key = `${notice.file}\0${notice.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(notice);
  };
  for (const report of facts.files) {
    if (report.syntaxErrors > 0) add({ kind: 'syntax-error', file: report.file, message: syntaxErrorMessage(report.syntaxErrors) });
    for (const problem of report.problems) add({ kind: problem.kind, file: report.file, message: problem.message });
  }
  for (const skip of skipped) add({ kind: skip.kind, file: skip.file, message: skip.message });
  return out;
}

function compareFiles(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function compareNotices(a: Notice, b: Notice): number {
  return compareFiles(a.file, b.file) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** Groups by kind, ordered by each group's first file (whole-workspace notices last), then kind. */
export function groupNotices(notices: readonly Notice[]): NoticeGroup[] {
  const byKind = new Map<NoticeKind, Notice[]>();
  for (const notice of [...notices].sort(compareNotices)) {
    const list = byKind.get(notice.kind) ?? [];
    list.push(notice);
    byKind.set(notice.kind, list);
  }
  const groups = [...byKind].map(([kind, list]): NoticeGroup => {
    const files = [...new Set(list.map((n) => n.file).filter((f): f is string => f !== null))];
    return { kind, count: list.length, message: list.length === 1 ? list[0].message : KIND_SUMMARY[kind], files, notices: list };
  });
  return groups.sort((a, b) => compareNotices(a.notices[0], b.notices[0]) || (a.kind < b.kind ? -1 : 1));
}
