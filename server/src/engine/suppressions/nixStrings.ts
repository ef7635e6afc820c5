/**
 * Which lines of a Nix text start inside a string: a `#` there is string content, not a
 * comment (a shell script in `''…''` may hold any line), and a line inserted there would change
 * the string. A lexical scan is enough: strings, comments and `${…}` nesting decide it, and it
 * works on text the parser could not make sense of.
 */

/** For each line (0-based), whether its first character lies inside a string literal. */
export function linesStartingInString(text: string): boolean[] {
  const out: boolean[] = [false];
  // Each frame: a string being read ('"' or "''"), or code inside `${` with its brace depth.
  const stack: ({ kind: 'code'; depth: number } | { kind: '"' | "''" })[] = [{ kind: 'code', depth: 0 }];
  const inString = () => stack[stack.length - 1].kind !== 'code';
  let i = 0;
  const n = text.length;
  const newline = () => out.push(inString());
  while (i < n) {
    const top = stack[stack.length - 1];
    const c = text[i];
    if (c === '\n') {
      i++;
      newline();
      continue;
    }
    if (top.kind === 'code') {
      if (c === '#') {
        while (i < n && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        i += 2;
        while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
          if (text[i] === '\n') newline();
          i++;
        }
        i += 2;
      } else if (c === '"') {
        stack.push({ kind: '"' });
        i++;
      } else if (c === "'" && text[i + 1] === "'") {
        stack.push({ kind: "''" });
        i += 2;
      } else if (c === '{') {
        top.depth++;
        i++;
      } else if (c === '}') {
        if (top.depth === 0 && stack.length > 1) stack.pop();
        else top.depth = Math.max(0, top.depth - 1);
        i++;
      } else i++;
      continue;
    }
    if (top.kind === '"') {
      if (c === '\\') i += text[i + 1] === '\n' ? 1 : 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if (c === '$' && text[i + 1] === '$') i += 2;
      else if (c === '$' && text[i + 1] === '{') {
        stack.push({ kind: 'code', depth: 0 });
        i += 2;
      } else i++;
      continue;
    }
    // An indented string: `'''`, `''$` and `''\x` are escapes; `''` alone closes it.
    if (c === "'" && text[i + 1] === "'") {
      const next = text[i + 2];
      if (next === "'" || next === '$') i += 3;
      else if (next === '\\') i += text[i + 3] === '\n' ? 3 : 4;
      else {
        stack.pop();
        i += 2;
      }
    } else if (c === '$' && text[i + 1] === '$') i += 2;
    else if (c === '$' && text[i + 1] === '{') {
      stack.push({ kind: 'code', depth: 0 });
      i += 2;
    } else i++;
  }
  return out;
}
