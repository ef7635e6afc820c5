/**
 * Tokens → a small shell syntax tree: simple commands, `if`, `for`, `while`/`until`, `case`,
 * functions, `{ }` and `( )`. Pipelines and `&&`/`||` lists are kept as plain sequences: the
 * analysis assumes every command may run, which is what a script's author intends of the commands
 * that wire a tap. Tolerant: a stray keyword or operator is skipped, never an error.
 */
import { tokenize, type Operator, type Token, type Word } from './lexer';
import type { StrPattern } from '../../pattern';

export interface Assignment {
  name: string;
  /** null when the value is not a plain word (`NAME=(array)`, `NAME+=x`). */
  value: Word | null;
}

export type ShellNode =
  | { kind: 'simple'; assigns: Assignment[]; words: Word[]; line: number }
  | { kind: 'list'; items: ShellNode[] }
  | { kind: 'if'; branches: { condition: ShellNode; body: ShellNode }[]; otherwise: ShellNode | null }
  /** `items` null: `for x; do` iterates the positional parameters. */
  | { kind: 'for'; variable: string | null; items: Word[] | null; body: ShellNode; line: number }
  | { kind: 'loop'; condition: ShellNode; body: ShellNode }
  | { kind: 'case'; subject: Word; arms: { patterns: Word[]; body: ShellNode }[] }
  | { kind: 'function'; name: string; body: ShellNode };

export function parseShell(text: StrPattern): ShellNode {
  return new Parser(tokenize(text)).script();
}

/** The literal text of a word made of unquoted text only (reserved words, names). */
export function bareText(w: Word): string | undefined {
  if (w.segments.length !== 1) return undefined;
  const s = w.segments[0];
  return s.kind === 'text' && !s.quoted ? s.text : undefined;
}

const SEPARATORS = new Set<Operator>([';', '\n', '&', '&&', '||', '|']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

/** Nesting deeper than this is not read (the rest of the script is skipped, never a stack overflow). */
const MAX_NESTING = 200;

class Parser {
  private pos = 0;
  private nesting = 0;
  constructor(private readonly tokens: Token[]) {}

  script(): ShellNode {
    const items: ShellNode[] = [];
    while (this.pos < this.tokens.length) {
      items.push(this.list(new Set()));
      // whatever stopped the list at top level (a stray `fi`, `)`, `;;`) is skipped
      if (this.pos < this.tokens.length) this.pos++;
    }
    return { kind: 'list', items };
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private reserved(t: Token | undefined): string | undefined {
    return t?.kind === 'word' ? bareText(t.word) : undefined;
  }

  private isOp(t: Token | undefined, ...ops: Operator[]): boolean {
    return t?.kind === 'op' && ops.includes(t.op);
  }

  private skipSeparators(): void {
    while (this.peek()?.kind === 'op' && SEPARATORS.has((this.peek() as { op: Operator }).op)) this.pos++;
  }

  /** Commands until a reserved word in `until` (not consumed), `)`, `;;` or the end. */
  private list(until: Set<string>): ShellNode {
    const items: ShellNode[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t === undefined || this.isOp(t, ')', ';;')) break;
      const word = this.reserved(t);
      if (word !== undefined && until.has(word)) break;
      const before = this.pos;
      const node = this.command();
      if (node) items.push(node);
      if (this.pos === before) this.pos++;
    }
    return { kind: 'list', items };
  }

  private expect(word: string): void {
    if (this.reserved(this.peek()) === word) this.pos++;
  }

  private command(): ShellNode | null {
    if (this.nesting >= MAX_NESTING) {
      this.pos = this.tokens.length;
      return null;
    }
    this.nesting++;
    try {
      return this.compound();
    } finally {
      this.nesting--;
    }
  }

  private compound(): ShellNode | null {
    const t = this.peek();
    if (this.isOp(t, '(')) {
      this.pos++;
      const body = this.list(new Set());
      if (this.isOp(this.peek(), ')')) this.pos++;
      return body;
    }
    switch (this.reserved(t)) {
      case 'if':
        return this.ifCommand();
      case 'for':
      case 'select':
        return this.forCommand();
      case 'while':
      case 'until':
        return this.loop();
      case 'case':
        return this.caseCommand();
      case '{': {
        this.pos++;
        const body = this.list(new Set(['}']));
        this.expect('}');
        return body;
      }
      case 'function': {
        this.pos++;
        const name = this.reserved(this.peek());
        if (name === undefined) return null;
        this.pos++;
        if (this.isOp(this.peek(), '(') && this.isOp(this.tokens[this.pos + 1], ')')) this.pos += 2;
        return this.functionBody(name);
      }
      case '!':
        this.pos++;
        return this.command();
      case 'then':
      case 'elif':
      case 'else':
      case 'fi':
      case 'do':
      case 'done':
      case 'esac':
      case '}':
        return null;
    }
    return this.simple();
  }

  private functionBody(name: string): ShellNode {
    this.skipSeparators();
    const body = this.command();
    return { kind: 'function', name, body: body ?? { kind: 'list', items: [] } };
  }

  private simple(): ShellNode | null {
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    let line = -1;
    for (;;) {
      const t = this.peek();
      if (t === undefined) break;
      if (t.kind === 'redirect') {
        this.pos++;
        if (this.peek()?.kind === 'word') this.pos++;
        continue;
      }
      if (t.kind === 'op') {
        // `name() { ...; }`
        if (t.op === '(' && words.length === 1 && assigns.length === 0 && this.isOp(this.tokens[this.pos + 1], ')')) {
          const name = bareText(words[0]);
          this.pos += 2;
          if (name !== undefined) return this.functionBody(name);
          continue;
        }
        if (t.op === '(' && words.length === 0 && assigns.length > 0) {
          // `NAME=(a b c)`: an array; its value is not a plain word
          this.pos++;
          while (this.peek() && !this.isOp(this.peek(), ')')) this.pos++;
          this.pos++;
          assigns[assigns.length - 1].value = null;
          continue;
        }
        break;
      }
      this.pos++;
      if (line < 0) line = t.word.line;
      const assign = words.length === 0 ? assignment(t.word) : undefined;
      if (assign) assigns.push(assign);
      else words.push(t.word);
    }
    if (assigns.length === 0 && words.length === 0) return null;
    return { kind: 'simple', assigns, words, line: Math.max(line, 0) };
  }

  private ifCommand(): ShellNode {
    this.pos++;
    const branches: { condition: ShellNode; body: ShellNode }[] = [];
    let otherwise: ShellNode | null = null;
    for (;;) {
      const condition = this.list(new Set(['then']));
      this.expect('then');
      const body = this.list(new Set(['elif', 'else', 'fi']));
      branches.push({ condition, body });
      const next = this.reserved(this.peek());
      if (next === 'elif') {
        this.pos++;
        continue;
      }
      if (next === 'else') {
        this.pos++;
        otherwise = this.list(new Set(['fi']));
      }
      this.expect('fi');
      return { kind: 'if', branches, otherwise };
    }
  }

  private forCommand(): ShellNode {
    const line = (this.peek() as { word: Word }).word.line;
    this.pos++;
    const variable = this.reserved(this.peek());
    let items: Word[] | null = null;
    if (variable !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      this.pos++;
      while (this.isOp(this.peek(), '\n')) this.pos++;
      if (this.reserved(this.peek()) === 'in') {
        this.pos++;
        items = [];
        while (this.peek()?.kind === 'word') items.push((this.tokens[this.pos++] as { word: Word }).word);
      }
    } else {
      // `for ((...))` and other forms: the loop variable is not known
      while (this.peek() && this.reserved(this.peek()) !== 'do') this.pos++;
    }
    this.skipSeparators();
    this.expect('do');
    const body = this.list(new Set(['done']));
    this.expect('done');
    const known = variable !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(variable);
    return { kind: 'for', variable: known ? variable : null, items, body, line };
  }

  private loop(): ShellNode {
    this.pos++;
    const condition = this.list(new Set(['do']));
    this.expect('do');
    const body = this.list(new Set(['done']));
    this.expect('done');
    return { kind: 'loop', condition, body };
  }

  private caseCommand(): ShellNode {
    this.pos++;
    const subjectToken = this.peek();
    if (subjectToken?.kind !== 'word') return { kind: 'list', items: [] };
    this.pos++;
    while (this.isOp(this.peek(), '\n')) this.pos++;
    this.expect('in');
    const arms: { patterns: Word[]; body: ShellNode }[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t === undefined || this.reserved(t) === 'esac') break;
      if (this.isOp(t, '(')) this.pos++;
      const patterns: Word[] = [];
      while (this.peek() && !this.isOp(this.peek(), ')')) {
        const p = this.tokens[this.pos++];
        if (p.kind === 'word') patterns.push(p.word);
      }
      this.pos++;
      const body = this.list(new Set(['esac']));
      arms.push({ patterns, body });
      if (this.isOp(this.peek(), ';;')) this.pos++;
    }
    this.expect('esac');
    return { kind: 'case', subject: subjectToken.word, arms };
  }
}

function assignment(w: Word): Assignment | undefined {
  const first = w.segments[0];
  if (first?.kind !== 'text' || first.quoted) return undefined;
  const m = ASSIGNMENT.exec(first.text);
  if (!m) return undefined;
  if (m[2] === '+') return { name: m[1], value: null };
  const rest = first.text.slice(m[0].length);
  const segments = [...(rest ? [{ ...first, text: rest }] : []), ...w.segments.slice(1)];
  return { name: m[1], value: { segments, line: w.line } };
}
