/**
 * String and path contents the way Nix's lexer and parser build them. tree-sitter-nix only tells
 * where interpolations are; the literal text between them is read from the source here with
 * Nix's own token rules, because the grammar splits it differently (and Nix's split matters: an
 * indented string keeps one part per token, and escapes take part in indentation stripping).
 */
import type { NixNode, StrNodePart } from './ast';

/** A literal stretch of source between interpolations, or an interpolated expression. */
export type StringSegment = { from: number; to: number } | NixNode;

/** A literal token of an indented string; `indentation` is false for escapes and a lone `$`. */
interface IndentedToken {
  text: string;
  indentation: boolean;
}

function isStretch(s: StringSegment): s is { from: number; to: number } {
  return !('kind' in s);
}

/** Nix's `unescapeStr`: `\n` `\r` `\t` map, any other escaped character is itself; CR and CR LF become LF. */
export function unescapeNixString(raw: string): string {
  if (!raw.includes('\\') && !raw.includes('\r')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const e = raw[++i];
      out += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
    } else if (c === '\r') {
      out += '\n';
      if (raw[i + 1] === '\n') i++;
    } else out += c;
  }
  return out;
}

/** `"…"`: one token per literal stretch. */
export function doubleQuotedParts(text: string, segments: StringSegment[]): StrNodePart[] {
  const parts: StrNodePart[] = [];
  for (const s of segments) {
    if (!isStretch(s)) parts.push(s);
    else if (s.to > s.from) parts.push(unescapeNixString(text.slice(s.from, s.to)));
  }
  return parts;
}

/**
 * The tokens of Nix's IND_STRING lexer state over one literal stretch: runs of ordinary text
 * (`$x` with x not `{`/`'`, `'x` with x not `'`/`$`), `''$` and a lone `$` (both `$`), `'''`
 * (`''`), `''\x` (escaped x), and a lone `'`.
 */
function indentedTokens(raw: string, out: (IndentedToken | NixNode)[]): void {
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i];
    const next = raw[i + 1];
    if (c === "'" && next === "'") {
      const third = raw[i + 2];
      if (third === "'") {
        out.push({ text: "''", indentation: false });
        i += 3;
      } else if (third === '$') {
        out.push({ text: '$', indentation: false });
        i += 3;
      } else if (third === '\\' && i + 3 < n) {
        out.push({ text: unescapeNixString(raw.slice(i + 2, i + 4)), indentation: false });
        i += 4;
      } else {
        // Only reachable in broken text (`''` closes the string); keep it as written.
        out.push({ text: "''", indentation: true });
        i += 2;
      }
      continue;
    }
    if (c === '$' && (next === undefined || next === "'" || next === '{')) {
      out.push({ text: '$', indentation: false });
      i++;
      continue;
    }
    if (c === "'" && (next === undefined || next === '$')) {
      out.push({ text: "'", indentation: true });
      i++;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = raw[j];
      const e = raw[j + 1];
      if (d === '$') {
        if (e === undefined || e === '{' || e === "'") break;
        j += 2;
      } else if (d === "'") {
        if (e === undefined || e === "'" || e === '$') break;
        j += 2;
      } else j++;
    }
    out.push({ text: raw.slice(i, j), indentation: true });
    i = j;
  }
}

/**
 * `''…''`: Nix's `stripIndentation` over its tokens. Returns the parts one per token, empty ones
 * included, exactly as Nix's parser keeps them.
 */
export function indentedParts(text: string, segments: StringSegment[]): StrNodePart[] {
  const tokens: (IndentedToken | NixNode)[] = [];
  let first = true;
  for (const s of segments) {
    if (!isStretch(s)) {
      tokens.push(s);
      first = false;
      continue;
    }
    let raw = text.slice(s.from, s.to);
    // The opening `''` swallows spaces and one newline after it.
    if (first) raw = raw.replace(/^ *\n/, '');
    first = false;
    indentedTokens(raw, tokens);
  }
  return stripIndentation(tokens);
}

function isToken(t: IndentedToken | NixNode): t is IndentedToken {
  return 'indentation' in t;
}

function stripIndentation(tokens: (IndentedToken | NixNode)[]): StrNodePart[] {
  if (tokens.length === 0) return [];
  // Whitespace-only last lines do not count; interpolations and escapes end a line's indentation.
  let atStartOfLine = true;
  let minIndent = Infinity;
  let indent = 0;
  for (const t of tokens) {
    if (!isToken(t) || !t.indentation) {
      if (atStartOfLine) {
        atStartOfLine = false;
        minIndent = Math.min(minIndent, indent);
      }
      continue;
    }
    for (const c of t.text) {
      if (atStartOfLine) {
        if (c === ' ') indent++;
        else if (c === '\n') indent = 0;
        else {
          atStartOfLine = false;
          minIndent = Math.min(minIndent, indent);
        }
      } else if (c === '\n') {
        atStartOfLine = true;
        indent = 0;
      }
    }
  }
  // Escapes are stripped like text here (Nix 2.8): an escaped space at a line start is dropped.
  const parts: StrNodePart[] = [];
  atStartOfLine = true;
  let dropped = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isToken(t)) {
      atStartOfLine = false;
      dropped = 0;
      parts.push(t);
      continue;
    }
    let s = '';
    for (const c of t.text) {
      if (atStartOfLine) {
        if (c === ' ') {
          if (dropped++ >= minIndent) s += c;
        } else {
          if (c !== '\n') atStartOfLine = false;
          dropped = 0;
          s += c;
        }
      } else {
        s += c;
        if (c === '\n') atStartOfLine = true;
      }
    }
    if (i === tokens.length - 1) {
      const nl = s.lastIndexOf('\n');
      if (nl >= 0 && /^ *$/.test(s.slice(nl + 1))) s = s.slice(0, nl + 1);
    }
    parts.push(s);
  }
  return parts;
}

/** Adjacent literal parts joined and empty ones dropped: what evaluation needs. */
export function mergedParts(pieces: StrNodePart[]): StrNodePart[] {
  const out: StrNodePart[] = [];
  for (const p of pieces) {
    if (typeof p !== 'string') out.push(p);
    else if (p !== '') {
      const last = out.length - 1;
      if (typeof out[last] === 'string') out[last] += p;
      else out.push(p);
    }
  }
  return out;
}

/** Whether merging changed anything (then Nix's own split is worth keeping beside it). */
export function sameParts(a: StrNodePart[], b: StrNodePart[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
