/**
 * Which workspace files other files name by path: a syntactic over-approximation used only to
 * keep imported files from being configuration roots of their own.
 */
import { posix } from 'node:path';

/**
 * Files some other file names with a relative path literal (`./vm.nix`, `../common`), resolved
 * like Nix paths: a directory means its default.nix; `readDir ./dir` names every .nix file in it.
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
    const code = stripComments(text);
    const dir = posix.dirname(file);
    for (const m of code.matchAll(/(readDir\s+)?(?<![\w.$}])(\.\.?(?:\/[A-Za-z0-9._+\-]+)+|\.\/?|\.\.)(?![\w/])/g)) {
      const target = posix.normalize(posix.join(dir, m[2]));
      if (target === file) continue;
      if (isDirectory(target)) {
        const d = posix.join(target, 'default.nix');
        if (d !== file) out.add(d);
        if (m[1]) {
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

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^'$"\w])#.*$/gm, '$1');
}
