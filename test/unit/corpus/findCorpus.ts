/**
 * Where the regression corpus (`shared/corpus`, test input only, never part of the repository)
 * is: MICROVM_NET_CORPUS, else `shared/corpus` beside the repository or one of its parents, else
 * beside the local repository this checkout was cloned from (a clean clone made under
 * `mktemp -d` keeps its origin's path in `.git/config`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export const REPOSITORY = resolve(__dirname, '..', '..', '..');

export function findCorpus(): string | null {
  if (process.env.MICROVM_NET_CORPUS) return process.env.MICROVM_NET_CORPUS;
  for (const start of [REPOSITORY, localOrigin(REPOSITORY)]) {
    if (start === null) continue;
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, '..', 'shared', 'corpus');
      if (existsSync(join(candidate, 'expected.tsv'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

/** The `origin` remote of `repo` when it is a directory on this machine, else null. */
function localOrigin(repo: string): string | null {
  let config: string;
  try {
    config = readFileSync(join(repo, '.git', 'config'), 'utf8');
  } catch {
    return null;
  }
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1] ?? '';
  const url = /^\s*url\s*=\s*(.+?)\s*$/m.exec(section)?.[1];
  if (!url) return null;
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return isAbsolute(path) && existsSync(path) ? path : null;
}
