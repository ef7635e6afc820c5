/**
 * Which lines of a Nix text start inside a string: a `#` there is string content, not a
 * comment (a shell script in `''…''` may hold any line), and a line inserted there would change
 * the string. A lexical scan is enough: strings, comments and `${…}` nesting decide it
 * (nix/lexical.ts), and it works on text the parser could not make sense of.
 */
import { commentEnd, stepInString, type LexMode } from '../nix/lexical';

/** For each line (0-based), whether its first character lies inside a string literal. */
export function linesStartingInString(text: string): boolean[] {
  const out: boolean[] = [false];
  const stack: LexMode[] = [{ kind: 'code', braces: 0 }];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const top = stack[stack.length - 1];
    const c = text[i];
    if (c === '\n') {
      i++;
      out.push(top.kind !== 'code');
      continue;
    }
    if (top.kind !== 'code') {
      i = stepInString(text, i, stack);
      continue;
    }
    const comment = commentEnd(text, i);
    if (comment >= 0) {
      // Lines a block comment spans start in a comment, not in a string.
      for (let j = i; j < comment; j++) if (text[j] === '\n') out.push(false);
      i = comment;
    } else if (c === '"') {
      stack.push({ kind: 'string' });
      i++;
    } else if (c === "'" && text[i + 1] === "'") {
      stack.push({ kind: 'indented' });
      i += 2;
    } else if (c === '{') {
      top.braces++;
      i++;
    } else if (c === '}') {
      if (top.braces === 0 && stack.length > 1) stack.pop();
      else top.braces = Math.max(0, top.braces - 1);
      i++;
    } else i++;
  }
  return out;
}
