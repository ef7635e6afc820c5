/**
 * The `.nix` files the differential test reads besides generated ones: test/fixtures, examples/
 * and the shared corpus, copied under one deep, unique directory so that every absolute path Nix
 * prints from a relative literal starts with it.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../../..');

/** `shared/corpus` beside the repository or any parent, `/work/shared/corpus`, or MICROVM_NET_CORPUS. */
export function findCorpus(): string | undefined {
  if (process.env.MICROVM_NET_CORPUS) return process.env.MICROVM_NET_CORPUS;
  for (let dir = REPO; ; dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'corpus');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return existsSync('/work/shared/corpus') ? '/work/shared/corpus' : undefined;
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
