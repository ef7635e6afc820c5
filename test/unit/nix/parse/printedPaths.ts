/**
 * The pathTokens lexer against Nix: the absolute paths `nix-instantiate --parse` prints for a file
 * (outside printed strings) that lie under `prefix`, and the ones pathTokens predicts from the
 * file's relative path literals. Both are sets: Nix prints an expression once per use, and
 * `inherit (import ./a.nix) x y;` uses `./a.nix` twice.
 */
import { dirname, resolve } from 'node:path';
import { pathTokens } from '../../../../server/src/engine/nix/pathTokens';

/** Paths under `prefix` in Nix's printed expression, skipping the content of strings. */
export function printedPathsUnder(printed: string, prefix: string): string[] {
  const out: string[] = [];
  let inString = false;
  for (let i = 0; i < printed.length; i++) {
    const c = printed[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if (printed.startsWith(prefix, i)) {
      let end = i;
      while (end < printed.length && !/[\s);,\]}]/.test(printed[end])) end++;
      out.push(printed.slice(i, end));
      i = end - 1;
    }
  }
  return [...new Set(out)].sort();
}

/**
 * What Nix prints for each relative path literal pathTokens finds in `text`: the literal resolved
 * against the file's directory; for an interpolated path, its literal part with Nix's trailing
 * `/` kept (`./a/${x}` prints as `/dir/a/ + x`).
 */
export function predictedPathsUnder(text: string, file: string, prefix: string): string[] {
  const out: string[] = [];
  for (const token of pathTokens(text)) {
    const resolved = resolve(dirname(file), token.text);
    const printed = token.interpolated && token.text.endsWith('/') ? `${resolved}/` : resolved;
    if (printed.startsWith(prefix)) out.push(printed);
  }
  return [...new Set(out)].sort();
}
