/**
 * The one quoting layer for everything a fix writes. Names in a workspace are attacker-controlled
 * (a VM named `"x\n[Match]\nName=*"` once became directives of a created unit), so no builder
 * concatenates a name into text itself: it validates the name here, then quotes it for the exact
 * place it goes — a unit-file value or comment, a shell word, a systemd command-line word, a Nix
 * `"…"` string or a line of a Nix `''…''` string. Each function is total: whatever the input,
 * the output is read back by that format's parser as the input, or (for comments) as inert text.
 */
import { interfaceNameProblem } from '../networkd';
import { visibleText } from '../text';

/**
 * Why `name` must not be written as an interface name, or null. First the kernel's own rule
 * (dev_valid_name: 1–15 bytes, no `/`, `:`, whitespace or NUL, not `.` or `..`), then the stricter
 * one systemd-networkd applies (no `%`, printable ASCII, not all digits, not `all`/`default`),
 * since every fix writes the name where networkd or `ip` reads it.
 */
export function interfaceNameRefusal(name: string): string | null {
  const shown = displayName(name);
  if (name === '') return 'an interface name cannot be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 15) return `${shown} is ${bytes} bytes long; Linux interface names are 1–15 bytes`;
  if (name === '.' || name === '..') return `${shown} is not allowed as a Linux interface name`;
  const bad = /[/:\s\u0000]/u.exec(name);
  if (bad) return `${shown} contains ${describeChar(bad[0])}, which a Linux interface name cannot contain`;
  const systemd = interfaceNameProblem(name);
  return systemd === null ? null : `${shown} is refused by systemd-networkd: ${systemd.replace(/`[^`]*`/, 'the name')}`;
}

/** A name shown in a message or title: quoted, control and invisible characters escaped, bounded. */
export function displayName(name: string, max = 40): string {
  const cut = [...name].length > max ? [...name].slice(0, max).join('') + '…' : name;
  return '`' + visibleText(cut).replace(/`/g, '\\`') + '`';
}

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '/' || c === ':') return `\`${c}\``;
  return `control or space character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}


// ---------------------------------------------------------------------------------------------
// systemd unit files

/**
 * Text for a `#` comment line of a unit file: one line whatever the input (every line break and
 * control character escaped, backslashes doubled so none can end the line as a continuation),
 * bounded in length.
 */
export function unitComment(text: string, max = 80): string {
  const cut = [...text].length > max ? [...text].slice(0, max).join('') + '…' : text;
  return visibleText(cut.replace(/\\/g, '\\\\'));
}

/**
 * Why `word` cannot be written as a unit-file value read back exactly, or null. `[Match] Name=`
 * unquotes and unescapes its words and treats `*?[` as a glob, and a trailing backslash would join
 * the next line; `literalGlob` asks for a word that also matches only itself.
 */
export function unitValueRefusal(word: string, options: { literalGlob?: boolean } = {}): string | null {
  if (/[\\'"]/.test(word)) return `${displayName(word)} contains a quote or a backslash, which a unit file would read differently`;
  if (options.literalGlob && /[*?[\]]/.test(word)) return `${displayName(word)} contains a glob character, so Name= would match other interfaces too`;
  if (options.literalGlob && word.startsWith('!')) return `${displayName(word)} starts with \`!\`, which Name= reads as a negation`;
  if (/[\p{Cc}\s]/u.test(word)) return `${displayName(word)} contains a space or a control character`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Command lines

const PLAIN_WORD = /^[A-Za-z0-9_.@+=,-]+$/;

/**
 * A word every quoting context reads as itself: unquoted, inside `'…'` or `"…"` in a shell, in a
 * systemd command line, inside a Nix `"…"` or `''…''` string. Only such a word may replace
 * another inside text whose quoting we did not write.
 */
export function isPlainWord(word: string): boolean {
  return PLAIN_WORD.test(word);
}

/** One word for a POSIX shell: single-quoted, each `'` written as `'\''`. */
export function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * One word of a systemd command line (ExecStart= and friends): those are not shell, but systemd
 * splits on whitespace, unquotes, C-unescapes, substitutes `$VAR` and expands `%` specifiers.
 */
export function systemdExecWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%');
  return `"${escaped.replace(/[\p{Cc}]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

// ---------------------------------------------------------------------------------------------
// Nix

/** A Nix double-quoted string literal: `\`, `"` and `${` escaped, line breaks and tabs as escapes. */
export function nixString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

/**
 * Text for one line inside a Nix `''…''` string (a line break follows it), read back literally;
 * `lineStart: false` for text that follows something else on its line.
 * The lexer ends the string at `''`, starts an antiquotation at `${`, and reads `'''`, `''$` and
 * `''\x` as escapes, so: `${` becomes `''${`; line breaks and tabs become `''\n`, `''\r`,
 * `''\t`; a leading space (which would count as indentation) becomes `''\ `; a space right
 * after a line break becomes `${" "}`; and a `'` whose next piece starts with `'` or `$`
 * becomes `''\'`.
 */
const SPACE_AFTER_BREAK = '${" "}';

export function nixIndentedLine(s: string, options: { lineStart?: boolean } = {}): string {
  const pieces: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '$') pieces.push(s[i + 1] === '{' ? "''$" : '$');
    else if (c === '\n') pieces.push("''\\n");
    // Nix strips indentation after every line break, escaped ones included, and an escaped
    // space with it (nix-instantiate 2.8: `''\n''\ b` reads "\nb"); only an antiquotation ends
    // that, so a space right after a line break is a constant one.
    else if (c === ' ' && pieces.length > 0 && (pieces[pieces.length - 1] === "''\\n" || pieces[pieces.length - 1] === SPACE_AFTER_BREAK)) pieces.push(SPACE_AFTER_BREAK);
    else if (c === '\r') pieces.push("''\\r");
    else if (c === '\t') pieces.push("''\\t");
    else pieces.push(c);
  }
  // A leading space would count as indentation, which the string strips.
  if (options.lineStart !== false && pieces[0] === ' ') pieces[0] = "''\\ ";
  // A quote before a piece that starts with a quote or a dollar would form an escape (or end the string).
  for (let i = pieces.length - 2; i >= 0; i--) {
    if (pieces[i] === "'" && (pieces[i + 1].startsWith("'") || pieces[i + 1].startsWith('$'))) pieces[i] = "''\\'";
  }
  return pieces.join('');
}

/** A Nix attribute name: bare when it is an identifier, else a quoted string. */
export function nixKey(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(s) && !NIX_KEYWORDS.has(s) ? s : nixString(s);
}

const NIX_KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);
