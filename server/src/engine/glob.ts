/**
 * Exclude globs for the workspace scan (gitignore-like, matched against paths relative to a
 * root with `/` separators): `**` spans directories, `*` and `?` stay inside one segment,
 * `[...]` classes and `{a,b}` alternatives. A glob without a slash matches at any depth.
 */
export type PathMatcher = (relativePath: string) => boolean;

export function compileGlobs(globs: readonly string[]): PathMatcher {
  const regexes = globs.filter((g) => g.trim() !== '').map(globToRegExp);
  return (path) => regexes.some((re) => re.test(path));
}

export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/\\/g, '/');
  if (g.startsWith('./')) g = g.slice(2);
  if (!g.includes('/')) g = `**/${g}`;
  if (g.endsWith('/')) g += '**';
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atSegmentStart = i === 0 || g[i - 1] === '/';
        const atSegmentEnd = i + 2 >= g.length || g[i + 2] === '/';
        if (atSegmentStart && atSegmentEnd) {
          // `**/` matches zero or more directories; a trailing `**` matches everything below.
          if (g[i + 2] === '/') {
            out += '(?:[^/]*/)*';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
        i += 1;
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
      } else {
        let body = g.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  // A directory glob also excludes everything below the directory.
  return new RegExp(`^${out}(?:/.*)?$`);
}
