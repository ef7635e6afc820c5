/**
 * The path literals of a Nix text, found the way Nix's lexer finds them: outside strings and
 * comments, inside `${…}` interpolations, with flex's longest-match rule (so `a/b` is a path, the
 * `...` of a formals list and the `.` of `echo "."` are not). Cheap enough to run on every file
 * of a workspace without building an AST; used to tell which files other files name, and so which
 * files cannot be configuration roots.
 */

import { commentEnd, stepInString, type LexMode } from './lexical';

export interface PathToken {
  /** The literal as written (`./vm.nix`, `../common`, `hosts/x`); for an interpolated path, its literal prefix. */
  text: string;
  start: number;
  /** The path contains `${…}`: its full value is not known lexically. */
  interpolated: boolean;
  /** The identifier right before it (`readDir` in `builtins.readDir ./dir`), if any. */
  after?: string;
}

/** Character classes of Nix's lexer, as lookups by char code (this runs over every file). */
function charClass(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const range of chars.match(/.-.|./g) ?? []) {
    const from = range.charCodeAt(0);
    const to = range.length === 3 ? range.charCodeAt(2) : from;
    for (let c = from; c <= to; c++) table[c] = 1;
  }
  return table;
}
const PATH_CHARS = charClass('a-zA-Z0-9._+-');
const ID_STARTS = charClass('a-zA-Z_');
const ID_CHARS = charClass("a-zA-Z0-9_'-");
const PATH_CHAR = { test: (c: string | undefined) => c !== undefined && c.length === 1 && PATH_CHARS[c.charCodeAt(0)] === 1 };
const ID_START = { test: (c: string | undefined) => c !== undefined && c.length === 1 && ID_STARTS[c.charCodeAt(0)] === 1 };
const ID_CHAR = { test: (c: string | undefined) => c !== undefined && c.length === 1 && ID_CHARS[c.charCodeAt(0)] === 1 };

export function pathTokens(text: string): PathToken[] {
  const out: PathToken[] = [];
  const stack: LexMode[] = [{ kind: 'code', braces: 0 }];
  let lastIdent: string | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const mode = stack[stack.length - 1];
    if (mode.kind !== 'code') {
      // Plain string characters in one run; `stepInString` takes the ones that may end or escape.
      i = mode.kind === 'string' ? skipPlain(text, i, STRING_SPECIAL) : skipPlain(text, i, INDENTED_SPECIAL);
      if (i < n) i = stepInString(text, i, stack);
      continue;
    }
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10 || code === 9 || code === 13) {
      // Blanks: nothing to read, and `builtins.readDir ./x` keeps its identifier across them.
      i++;
      continue;
    }
    const c = text[i];
    const comment = commentEnd(text, i);
    if (comment >= 0) {
      i = comment;
      continue;
    }
    if (c === '"') {
      stack.push({ kind: 'string' });
      lastIdent = undefined;
      i++;
      continue;
    }
    if (c === "'" && text[i + 1] === "'") {
      stack.push({ kind: 'indented' });
      lastIdent = undefined;
      i += 2;
      continue;
    }
    if (c === '{') {
      mode.braces++;
      i++;
      lastIdent = undefined;
      continue;
    }
    if (c === '}') {
      if (mode.braces === 0 && stack.length > 1) stack.pop();
      else mode.braces = Math.max(0, mode.braces - 1);
      i++;
      lastIdent = undefined;
      continue;
    }
    if (c === '~' && text[i + 1] === '/') {
      // A home path: never a workspace reference.
      i = skipPath(text, i + 1).end;
      lastIdent = undefined;
      continue;
    }
    if (c === '<') {
      SEARCH_PATH.lastIndex = i;
      const m = SEARCH_PATH.exec(text);
      if (m && m[0].length <= 512) {
        i += m[0].length;
        lastIdent = undefined;
        continue;
      }
    }
    if (PATH_CHAR.test(c) || c === '/') {
      // Longest match among ID, INT/FLOAT, URI and PATH, as flex does.
      const path = skipPath(text, i);
      const uri = uriLength(text, i);
      const id = ID_START.test(c) ? identLength(text, i) : 0;
      if (path.slashes > 0 && path.end - i >= Math.max(uri, id)) {
        const literal = text.slice(i, path.end);
        const interpolated = text[path.end] === '$' && text[path.end + 1] === '{' && literal.endsWith('/');
        if (!literal.startsWith('/')) out.push({ text: literal, start: i, interpolated, after: lastIdent });
        lastIdent = undefined;
        i = path.end;
        if (interpolated) i = skipInterpolatedPathTail(text, i);
        continue;
      }
      if (uri > 0 && uri >= id) {
        i += uri;
        lastIdent = undefined;
        continue;
      }
      if (id > 0) {
        const word = text.slice(i, i + id);
        // `builtins.readDir` ends in the identifier that matters.
        lastIdent = word;
        i += id;
        continue;
      }
      // a number or a lone dot
      let j = i + 1;
      while (j < n && /[0-9.eE]/.test(text[j])) j++;
      i = j;
      lastIdent = undefined;
      continue;
    }
    if (c === '.' || c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      // `builtins.readDir`: the dot joins a select, keep the identifier in view.
      i++;
      continue;
    }
    lastIdent = undefined;
    i++;
  }
  return out;
}

/** Characters that may end or escape inside a `"…"` string, or an `''…''` string (by char code). */
const STRING_SPECIAL = charClass('"\\$');
const INDENTED_SPECIAL = charClass("'$");

/** The first index at or after `start` whose character is special (or the end). */
function skipPlain(text: string, start: number, special: Uint8Array): number {
  let i = start;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 && special[c] === 1) return i;
    i++;
  }
  return i;
}

/** `PATH_CHAR* (/ PATH_CHAR+)+ /?`, or a path segment ending in `/` (before `${`). */
function skipPath(text: string, start: number): { end: number; slashes: number } {
  let i = start;
  while (i < text.length && PATH_CHAR.test(text[i])) i++;
  let slashes = 0;
  let end = i;
  while (text[i] === '/') {
    let j = i + 1;
    while (j < text.length && PATH_CHAR.test(text[j])) j++;
    if (j === i + 1) {
      // `foo/` followed by `${` starts an interpolated path; a trailing `/` is part of a path.
      if (slashes > 0 || (text[j] === '$' && text[j + 1] === '{')) {
        if (text[j] === '$' && text[j + 1] === '{') slashes++;
        end = j;
      }
      break;
    }
    slashes++;
    i = j;
    end = j;
  }
  return { end, slashes };
}

/** Skips the rest of an interpolated path (`${…}` groups and path characters). */
function skipInterpolatedPathTail(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    if (text[i] === '$' && text[i + 1] === '{') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      i = j + 1;
      continue;
    }
    if (PATH_CHAR.test(text[i]) || text[i] === '/') {
      i++;
      continue;
    }
    break;
  }
  return i;
}

function identLength(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && ID_CHAR.test(text[i])) i++;
  return i - start;
}

/** `<nixpkgs/lib>`, matched where it starts (sticky: no copy of the text per candidate). */
const SEARCH_PATH = /<[a-zA-Z0-9._\-+]+(\/[a-zA-Z0-9._\-+]+)*>/y;
const URI = /[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/y;
const SCHEME_CHARS = charClass('a-zA-Z0-9+.-');

/** The length of a URI starting here, as far as the lexer looks (4096 characters). */
function uriLength(text: string, start: number): number {
  // Every identifier and path runs through here: most have no `:` after the scheme characters.
  let i = start + 1;
  while (i < text.length && SCHEME_CHARS[text.charCodeAt(i)] === 1) i++;
  if (text.charCodeAt(i) !== 58 /* : */) return 0;
  URI.lastIndex = start;
  const m = URI.exec(text);
  return m ? Math.min(m[0].length, 4096) : 0;
}
