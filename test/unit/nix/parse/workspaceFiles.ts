/**
 * The `.nix` files the differential test reads besides generated ones: test/fixtures, examples/
 * and the shared corpus, copied under one deep, unique directory so that every absolute path Nix
 * prints from a relative literal starts with it.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findCorpus as findSharedCorpus } from '../../corpus/findCorpus';

export const REPO = resolve(__dirname, '../../../..');

/** The shared corpus, found as every corpus test finds it (test/unit/corpus/findCorpus.ts). */
export function findCorpus(): string | undefined {
  return findSharedCorpus() ?? undefined;
}

/** Every `.nix` regular file under `dir` (symlinked directories are not followed). */
export function nixFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name === '.git') continue;
      const path = join(d, name);
      const link = lstatSync(path);
      if (link.isDirectory()) walk(path);
      else if (name.endsWith('.nix') && (link.isFile() || (link.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile()))) {
        out.push(path);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Copies `files` (under `from`) to the same relative places under `to`; returns the copies. */
export function copyTree(files: string[], from: string, to: string): string[] {
  return files.map((file) => {
    const copy = join(to, relative(from, file));
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(file, copy);
    return copy;
  });
}
