/**
 * The part of Nix's lexer that tells code from strings and comments, shared by the scanners that
 * read Nix text without building an AST (nix/pathTokens.ts, suppressions/nixStrings.ts): which
 * characters are inside a `"…"` or `''…''` string, where `${…}` returns to code, where a comment
 * ends. Callers keep a stack of modes and handle code characters themselves.
 */

/** Code (top level or inside `${…}`, with its `{` depth), a `"…"` string, or an `''…''` string. */
export type LexMode = { kind: 'code'; braces: number } | { kind: 'string' } | { kind: 'indented' };

/**
 * One step inside a string (the top of `stack` is a string mode): the index after it. `${` pushes
 * code, the closing quote pops. An escaped line break advances onto the line break, so a caller
 * that counts lines sees it.
 */
export function stepInString(text: string, i: number, stack: LexMode[]): number {
  const c = text[i];
  if (stack[stack.length - 1].kind === 'string') {
    if (c === '\\') return text[i + 1] === '\n' ? i + 1 : i + 2;
    if (c === '"') {
      stack.pop();
      return i + 1;
    }
  } else if (c === "'" && text[i + 1] === "'") {
    // `'''`, `''$` and `''\x` are escapes; `''` alone closes the string.
    const next = text[i + 2];
    if (next === "'" || next === '$') return i + 3;
    if (next === '\\') return text[i + 3] === '\n' ? i + 3 : i + 4;
    stack.pop();
    return i + 2;
  }
  if (c === '$' && text[i + 1] === '$') return i + 2;
  if (c === '$' && text[i + 1] === '{') {
    stack.push({ kind: 'code', braces: 0 });
    return i + 2;
  }
  return i + 1;
}

/**
 * At a comment in code, the index where it ends: a `#` comment before the LF or lone CR that ends
 * it (as Nix's lexer), a block comment just after its closing star and slash (or at the end of the
 * text). -1 when no comment starts at `i`.
 */
export function commentEnd(text: string, i: number): number {
  if (text[i] === '#') {
    let j = i;
    while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
    return j;
  }
  if (text[i] === '/' && text[i + 1] === '*') {
    const close = text.indexOf('*/', i + 2);
    return close < 0 ? text.length : close + 2;
  }
  return -1;
}
