/**
 * `check --fix --dry-run`: the same fix passes as `--fix` (fix.ts), with every write going to
 * memory instead: each changed text is handed to the service as an open document, so the next
 * pass is planned against it exactly as it would be against the written file. Then the change
 * of each file is printed as a unified diff (`a/`/`b/` paths relative to the report's base, as
 * `git apply` and `patch -p1` take them); nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { readWorkspaceFile } from '../engine/files';
import type { AnalysisSnapshot, LanguageService } from '../engine/service';
import { WriteRefusal } from './fileWriter';
import { applyEdits, runFixes, type FixLogEntry, type FixWriter } from './fix';
import { relativePath } from './report';

/** Larger than any file the scan reads (its cap is settings.maxFileSize): the fix was computed on it. */
const READ_LIMIT = 256 * 1024 * 1024;

export interface DryRunOptions {
  service: Pick<LanguageService, 'fixes' | 'openDocument' | 'analyze'>;
  roots: string[];
  base: string;
  refresh(): AnalysisSnapshot;
}

export async function dryRunDiff(snapshot: AnalysisSnapshot, options: DryRunOptions): Promise<{ diff: string; log: FixLogEntry[] }> {
  const { service } = options;
  /** The text before the first fix; null for a file a fix creates. */
  const originals = new Map<string, string | null>();
  const current = new Map<string, string>();
  let version = 1;
  const textOf = (file: string): string | null => current.get(file) ?? readWorkspaceFile(file, READ_LIMIT).text;
  const put = (file: string, text: string) => {
    current.set(file, text);
    service.openDocument(file, text, version++);
  };
  const writer: FixWriter = {
    change(change, guard) {
      if (!guard.contains(change.file)) throw new WriteRefusal(`${change.file}: outside the checked paths: not written`);
      const before = textOf(change.file);
      if (before === null) throw new WriteRefusal(`${change.file}: cannot be read`);
      if (!originals.has(change.file)) originals.set(change.file, before);
      put(change.file, applyEdits(before, change.edits));
    },
    create(file, text, guard) {
      if (!guard.contains(file)) throw new WriteRefusal(`${file}: outside the checked paths: not created`);
      if (writer.exists(file)) throw new WriteRefusal(`${file} already exists: not overwritten`);
      originals.set(file, null);
      put(file, text);
    },
    exists: (file) => current.has(file) || fs.existsSync(file),
  };
  const run = await runFixes(snapshot, {
    service,
    roots: options.roots,
    base: options.base,
    writer,
    refresh: async () => options.refresh(),
  });
  const files = [...originals.keys()].sort((a, b) => compare(relativePath(options.base, a), relativePath(options.base, b)));
  const diff = files
    .map((file) => {
      const rel = relativePath(options.base, path.resolve(file));
      const before = originals.get(file) ?? null;
      return createTwoFilesPatch(before === null ? '/dev/null' : `a/${rel}`, `b/${rel}`, before ?? '', current.get(file) ?? '', undefined, undefined, {
        context: 3,
        headerOptions: FILE_HEADERS_ONLY,
      });
    })
    .join('');
  return { diff, log: run.log };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
