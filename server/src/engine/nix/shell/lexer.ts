/**
 * Shell text → tokens, for the part of POSIX sh / bash that NixOS scripts use to wire taps. The
 * text may be only partly known: a hole (an interpolation Nix could not evaluate) is one element
 * of the character stream and becomes an `unknown` segment of the word it falls in.
 *
 * Expansions are kept unexpanded (the interpreter expands them with what it knows), quotes are
 * honoured, `$(...)` and backticks become `unknown` segments that remember their text, comments,
 * line continuations and here-documents are skipped, redirections are tokens of their own so that
 * `2>/dev/null` is never read as an argument.
 */
import { HOLE, type StrPattern } from '../../pattern';

/**
 * Private-use characters that stand for what plain text cannot say. They are ordinary characters
 * to the lexer, so they survive quoting and `sh -c '...'`: the device a udev rule runs for (`%k`),
 * every tap of a VM (the loop variable of microvm.nix's tap loop), and a reference to a script
 * recovered from Nix (`<open>n<close>`).
 */
export const DEVICE_MARK = '\uE000';
export const EACH_TAP_MARK = '\uE003';
export const REF_OPEN = '\uE001';
export const REF_CLOSE = '\uE002';

export type Segment =
  | { kind: 'text'; text: string; quoted: boolean }
  /** Not statically known: a Nix hole (`source` empty) or a command substitution (its text). */
  | { kind: 'unknown'; source: string }
  /** `$name`, `${name}`, `$1`, `$@`; `fallback` for `${name:-word}` / `${name-word}`. */
  | { kind: 'param'; name: string; quoted: boolean; fallback?: Segment[]; fallbackIfEmpty?: boolean };

export interface Word {
  segments: Segment[];
  /** 0-based line of the word in the text (holes count as no line breaks). */
  line: number;
}

export type Operator = ';' | ';;' | '&&' | '||' | '|' | '&' | '\n' | '(' | ')';

export type Token =
  | { kind: 'word'; word: Word }
  | { kind: 'op'; op: Operator; line: number }
  /** `>`, `>>`, `<`, `2>`, `&>`, `>&`, `<<<`: the next word is its target, not an argument. */
  | { kind: 'redirect'; line: number };

type Ch = string | typeof HOLE;

function chars(p: StrPattern): Ch[] {
  const out: Ch[] = [];
  for (const part of p.parts) {
    if (typeof part === 'string') for (const c of part) out.push(c);
    else out.push(HOLE);
  }
  return out;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAM = /[0-9@*#?$!-]/;

const isChar = (c: Ch | undefined, re: RegExp): c is string => typeof c === 'string' && re.test(c);

/** Reads shell text into tokens. Never fails: what it cannot read becomes `unknown`. */
export function tokenize(text: StrPattern): Token[] {
  return new Lexer(chars(text), 0).run();
}

/** `${a:-${b:-...}}` nested deeper than this is unknown. */
const MAX_FALLBACK_NESTING = 16;

class Lexer {
  private readonly tokens: Token[] = [];
  private segments: Segment[] | null = null;
  private wordLine = 0;
  private line = 0;
  private i = 0;
  /** Here-document delimiters waiting for the end of the current line. */
  private heredocs: { delimiter: string; stripTabs: boolean }[] = [];

  constructor(
    private readonly cs: Ch[],
    private readonly nesting: number,
  ) {}

  run(): Token[] {
    const cs = this.cs;
    while (this.i < cs.length) {
      const c = cs[this.i];
      if (typeof c !== 'string') {
        this.push({ kind: 'unknown', source: '' });
        this.i++;
      } else if (c === '\\' && cs[this.i + 1] === '\n') {
        this.line++;
        this.i += 2;
      } else if (c === '\n') {
        this.endWord();
        this.tokens.push({ kind: 'op', op: '\n', line: this.line });
        this.line++;
        this.i++;
        if (this.heredocs.length) this.skipHeredocs();
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.endWord();
        this.i++;
      } else if (c === '#' && this.segments === null) {
        while (this.i < cs.length && cs[this.i] !== '\n') this.i++;
      } else if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
        this.operator(c);
      } else if (c === '<' || c === '>') {
        this.redirect();
      } else if (c === "'") {
        this.singleQuoted();
      } else if (c === '"') {
        this.i = this.doubleQuoted(this.i + 1, (s) => this.push(s));
      } else if (c === '\\') {
        const e = cs[this.i + 1];
        if (e === undefined) this.i++;
        else {
          this.push(typeof e !== 'string' ? { kind: 'unknown', source: '' } : { kind: 'text', text: e, quoted: true });
          this.i += 2;
        }
      } else if (c === '$') {
        if (cs[this.i + 1] === "'") {
          this.i++;
          this.singleQuoted();
        } else this.i = this.dollar(this.i, false, (s) => this.push(s));
      } else if (c === '`') {
        this.i = this.backquoted(this.i, (s) => this.push(s));
      } else if (/[0-9]/.test(c) && this.segments === null && (cs[this.i + 1] === '>' || cs[this.i + 1] === '<')) {
        // a file descriptor number before a redirection (`2>/dev/null`)
        this.i++;
        this.redirect();
      } else {
        this.push({ kind: 'text', text: c, quoted: false });
        this.i++;
      }
    }
    this.endWord();
    return this.tokens;
  }

  private push(s: Segment): void {
    if (this.segments === null) {
      this.segments = [];
      this.wordLine = this.line;
    }
    const last = this.segments[this.segments.length - 1];
    if (s.kind === 'text' && last?.kind === 'text' && last.quoted === s.quoted) last.text += s.text;
    else this.segments.push(s);
  }

  private endWord(): void {
    if (this.segments !== null) this.tokens.push({ kind: 'word', word: { segments: this.segments, line: this.wordLine } });
    this.segments = null;
  }

  private operator(c: string): void {
    this.endWord();
    const n = this.cs[this.i + 1];
    let op: Operator = c as Operator;
    if ((c === ';' || c === '&' || c === '|') && n === c) op = (c + c) as Operator;
    else if (c === '&' && n === '>') {
      this.redirect();
      return;
    } else if (c === '|' && n === '&') this.i++; // `|&`: a pipe of stderr too
    this.i += op.length;
    this.tokens.push({ kind: 'op', op, line: this.line });
  }

  private redirect(): void {
    this.endWord();
    const cs = this.cs;
    let j = this.i;
    while (j < cs.length && (cs[j] === '<' || cs[j] === '>' || cs[j] === '&')) j++;
    const op = cs.slice(this.i, j).join('');
    if (cs[j] === '(' && (op === '<' || op === '>')) {
      // process substitution: skip it as an unknown word
      this.i = this.skipParens(j);
      this.push({ kind: 'unknown', source: '' });
      return;
    }
    if (cs[j] === '-' && op === '<<') j++;
    this.i = j;
    this.tokens.push({ kind: 'redirect', line: this.line });
    if (op === '<<' || op === '<<-') this.heredocDelimiter(op === '<<-' || cs[j - 1] === '-');
  }

  /** Reads the delimiter word of `<<EOF` / `<<'EOF'` / `<<-EOF`. */
  private heredocDelimiter(stripTabs: boolean): void {
    const cs = this.cs;
    while (cs[this.i] === ' ' || cs[this.i] === '\t') this.i++;
    let delimiter = '';
    while (this.i < cs.length) {
      const c = cs[this.i];
      if (c === HOLE || c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>') break;
      if (c !== "'" && c !== '"' && c !== '\\') delimiter += c;
      this.i++;
    }
    // The delimiter word is the redirection's target: it reaches the parser as a word it drops.
    this.tokens.push({ kind: 'word', word: { segments: [{ kind: 'text', text: delimiter, quoted: true }], line: this.line } });
    if (delimiter !== '') this.heredocs.push({ delimiter, stripTabs });
  }

  private skipHeredocs(): void {
    const cs = this.cs;
    for (const doc of this.heredocs) {
      while (this.i < cs.length) {
        let end = this.i;
        while (end < cs.length && cs[end] !== '\n') end++;
        let body = cs.slice(this.i, end).map((c) => (c === HOLE ? '\u0000' : c)).join('');
        if (doc.stripTabs) body = body.replace(/^\t+/, '');
        this.i = end < cs.length ? end + 1 : end;
        this.line++;
        if (body === doc.delimiter) break;
      }
    }
    this.heredocs = [];
  }

  private singleQuoted(): void {
    const cs = this.cs;
    let j = this.i + 1;
    let buf = '';
    const flush = () => {
      this.push({ kind: 'text', text: buf, quoted: true });
      buf = '';
    };
    for (; j < cs.length && cs[j] !== "'"; j++) {
      const d = cs[j];
      if (d === HOLE) {
        flush();
        this.push({ kind: 'unknown', source: '' });
      } else {
        if (d === '\n') this.line++;
        buf += d;
      }
    }
    flush();
    this.i = j + 1;
  }

  /** Reads a double-quoted string starting after its `"`; returns the index after the closing quote. */
  private doubleQuoted(start: number, emit: (s: Segment) => void): number {
    const cs = this.cs;
    let j = start;
    emit({ kind: 'text', text: '', quoted: true });
    while (j < cs.length && cs[j] !== '"') {
      const d = cs[j];
      if (typeof d !== 'string') {
        emit({ kind: 'unknown', source: '' });
        j++;
      } else if (d === '\\' && j + 1 < cs.length) {
        const e = cs[j + 1];
        if (typeof e !== 'string') emit({ kind: 'unknown', source: '' });
        else if (e === '\n') this.line++;
        else emit({ kind: 'text', text: e === '"' || e === '\\' || e === '$' || e === '`' ? e : '\\' + e, quoted: true });
        j += 2;
      } else if (d === '$') {
        j = this.dollar(j, true, emit);
      } else if (d === '`') {
        j = this.backquoted(j, emit);
      } else {
        if (d === '\n') this.line++;
        emit({ kind: 'text', text: d, quoted: true });
        j++;
      }
    }
    return j + 1;
  }

  private backquoted(start: number, emit: (s: Segment) => void): number {
    const cs = this.cs;
    let k = start + 1;
    while (k < cs.length && cs[k] !== '`') {
      if (cs[k] === '\n') this.line++;
      k++;
    }
    emit({ kind: 'unknown', source: textOf(cs.slice(start + 1, k)) });
    return k + 1;
  }

  /** Index after the `)` matching the `(` at `open`, counting nesting and skipping quotes. */
  private skipParens(open: number): number {
    const cs = this.cs;
    let depth = 0;
    let quote: string | null = null;
    for (let k = open; k < cs.length; k++) {
      const c = cs[k];
      if (c === '\n') this.line++;
      if (quote) {
        if (c === quote) quote = null;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return k + 1;
    }
    return cs.length;
  }

  /** Reads `$...` at `i`; returns the index after it. */
  private dollar(i: number, quoted: boolean, emit: (s: Segment) => void): number {
    const cs = this.cs;
    const n = cs[i + 1];
    if (n === '(') {
      const end = this.skipParens(i + 1);
      emit({ kind: 'unknown', source: textOf(cs.slice(i + 2, end - 1)) });
      return end;
    }
    if (n === '{') return this.braced(i, quoted, emit);
    if (isChar(n, SPECIAL_PARAM)) {
      emit({ kind: 'param', name: n, quoted });
      return i + 2;
    }
    if (isChar(n, NAME_START)) {
      let j = i + 1;
      let name = '';
      while (isChar(cs[j], NAME_CHAR)) name += cs[j++];
      emit({ kind: 'param', name, quoted });
      return j;
    }
    emit({ kind: 'text', text: '$', quoted });
    return i + 1;
  }

  /** `${name}`, `${1}`, `${name:-word}`, `${name-word}`; anything fancier is unknown. */
  private braced(i: number, quoted: boolean, emit: (s: Segment) => void): number {
    const cs = this.cs;
    let depth = 0;
    let end = i + 1;
    for (; end < cs.length; end++) {
      if (cs[end] === '{') depth++;
      else if (cs[end] === '}' && --depth === 0) break;
    }
    const inner = cs.slice(i + 2, end);
    const nameMatch = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(textOf(inner));
    const name = nameMatch?.[1];
    const rest = name === undefined ? null : inner.slice(name.length);
    if (name === undefined || rest === null || this.nesting >= MAX_FALLBACK_NESTING) {
      emit({ kind: 'unknown', source: textOf(inner) });
    } else if (rest.length === 0) {
      emit({ kind: 'param', name, quoted });
    } else if ((rest[0] === ':' && (rest[1] === '-' || rest[1] === '=')) || rest[0] === '-' || rest[0] === '=') {
      const wordStart = rest[0] === ':' ? 2 : 1;
      const fallback: Segment[] = [];
      const sub = new Lexer([...rest.slice(wordStart), '"'], this.nesting + 1);
      sub.line = this.line;
      sub.doubleQuoted(0, (s) => fallback.push(s));
      emit({ kind: 'param', name, quoted, fallback, fallbackIfEmpty: rest[0] === ':' });
    } else {
      emit({ kind: 'unknown', source: textOf(inner) });
    }
    return end + 1;
  }
}

function textOf(cs: Ch[]): string {
  return cs.map((c) => (c === HOLE ? '\u0000' : c)).join('');
}
