/**
 * Which workspace files other files name by path: a syntactic over-approximation used only to
 * keep imported files from being configuration roots of their own.
 */
import { posix } from 'node:path';
import { pathTokens } from '../pathTokens';

/**
 * Files some other file names with a relative path literal (`./vm.nix`, `../common`; read by
 * Nix's lexical rules, never from strings, comments or a formals' `...`), resolved like Nix paths: a directory means its default.nix; `readDir ./dir` names every .nix file in it.
 * A syntactic over-approximation, used only to keep imported files from being configuration roots.
 */
export function referencedFiles(
  files: string[],
  readText: (file: string) => string | undefined,
  isDirectory: (p: string) => boolean,
  readDir: (p: string) => Map<string, string> | undefined,
  allFiles: string[] | ReadonlySet<string> = files,
): Set<string> {
  const out = new Set<string>();
  const fileSet = allFiles instanceof Set ? allFiles : new Set(allFiles);
  for (const file of files) {
    const text = readText(file);
    if (text === undefined) continue;
    const dir = posix.dirname(file);
    for (const token of pathTokens(text)) {
      if (token.interpolated) continue;
      const target = posix.normalize(posix.join(dir, token.text)).replace(/\/+$/, '');
      if (target === file) continue;
      if (isDirectory(target)) {
        const d = posix.join(target, 'default.nix');
        if (d !== file) out.add(d);
        if (token.after === 'readDir') {
          for (const [name, kind] of readDir(target) ?? []) {
            const p = posix.join(target, name);
            if (name.endsWith('.nix') && p !== file) out.add(p);
            if (kind === 'directory') out.add(posix.join(p, 'default.nix'));
          }
        }
      } else if (fileSet.has(target)) out.add(target);
    }
  }
  return out;
}
