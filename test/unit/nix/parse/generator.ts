/**
 * Random Nix expressions over the whole grammar, for the differential test against
 * `nix-instantiate --parse`. Seeded, so a failure can be replayed. Operands are parenthesised
 * only where the precedence table says so (and sometimes where it does not), tokens are joined by
 * random blanks, comments or nothing at all (so `a // b` also comes out as `a//b`), and every
 * case is closed by `with` so Nix's scope check never rejects it.
 */

/** A deterministic PRNG (mulberry32). */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/**
 * Binding strength, loosest first, after Nix's parser.y: functions, `let`, `with`, `assert` and
 * `if` are plain expressions; then the operators; then application, selection, and atoms.
 */
const enum Level {
  Expr = 0,
  Implication = 2,
  Or = 3,
  And = 4,
  Equality = 5,
  Comparison = 6,
  Update = 7,
  Not = 8,
  Sum = 9,
  Product = 10,
  Concat = 11,
  HasAttr = 12,
  Negation = 13,
  Application = 14,
  Select = 15,
  Atom = 16,
}

type Assoc = 'left' | 'right' | 'none';

const BINARY: { op: string; level: Level; assoc: Assoc }[] = [
  { op: '->', level: Level.Implication, assoc: 'right' },
  { op: '||', level: Level.Or, assoc: 'left' },
  { op: '&&', level: Level.And, assoc: 'left' },
  { op: '==', level: Level.Equality, assoc: 'none' },
  { op: '!=', level: Level.Equality, assoc: 'none' },
  { op: '<', level: Level.Comparison, assoc: 'none' },
  { op: '>', level: Level.Comparison, assoc: 'none' },
  { op: '<=', level: Level.Comparison, assoc: 'none' },
  { op: '>=', level: Level.Comparison, assoc: 'none' },
  { op: '//', level: Level.Update, assoc: 'right' },
  { op: '+', level: Level.Sum, assoc: 'left' },
  { op: '-', level: Level.Sum, assoc: 'left' },
  { op: '*', level: Level.Product, assoc: 'left' },
  { op: '/', level: Level.Product, assoc: 'left' },
  { op: '++', level: Level.Concat, assoc: 'right' },
];

const NAMES = ['a', 'b', 'c', 'x', 'y', 'f', 'g', 'foo', 'a-b', "a'", '_x', 'x1', 'bar_2', 'e', 'E5'];
const VARIABLES = [...NAMES, 'true', 'false', 'null', 'builtins', '__curPos'];
const KEYWORD_KEYS = ['if', 'then', 'else', 'let', 'in', 'rec', 'with', 'assert', 'inherit', 'or'];
const PATH_SEGMENTS = ['a', 'b.nix', 'x-y', 'a_b', 'c+d', '..', '.', 'v1.2', '_'];
const SEPARATORS = ['', '', ' ', ' ', ' ', ' ', '  ', '\n', '\n  ', '\t', ' # note\n', '/* c */', ' /* c */ ', '\r\n', '#\n', '\r', ' # cr\r', '/**/'];

interface Piece {
  text: string;
  level: Level;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_']/.test(c);

export class NixGenerator {
  private depth = 0;

  constructor(private readonly random: Random) {}

  /** One closed expression as a file: `x: with x; …`, sometimes with formals around it. */
  file(): string {
    const body = this.expr(3 + this.random.int(3));
    return this.random.chance(0.8)
      ? this.join(['x', ':', 'with', 'x', ';', body])
      : this.join(['{', 'x', ',', '...', '}', '@', 'args', ':', 'with', 'x', ';', body]);
  }

  /**
   * Tokens with random separators, never merging two words into one, and keeping paths and URIs
   * from running into what follows (a block comment right after `./a` makes a path with a
   * trailing slash to Nix; `a//b` is an update, and stays in).
   */
  private join(tokens: string[], tight = false): string {
    let out = '';
    for (const t of tokens) {
      if (t === '') continue;
      let sep = out === '' || tight ? '' : this.random.pick(SEPARATORS);
      const last = out[out.length - 1];
      const run = /[^\s()[\];,"]*$/.exec(out)![0];
      const afterPathOrUri = /[:/]/.test(run) && !run.endsWith('/');
      if (afterPathOrUri && (sep === '' || sep.startsWith('/'))) sep = ` ${sep}`;
      if (sep === '' && isWordChar(last) && (isWordChar(t[0]) || t[0] === '-' || (/^[./~][^\s]*\//.test(t) && !t.startsWith('//')))) sep = ' ';
      // `/` then `*` would start a comment.
      if (sep === '' && ((last === '/' && t[0] === '*') || (last === '*' && t[0] === '/'))) sep = ' ';
      if (sep.startsWith('/') && last === '/') sep = ` ${sep}`;
      out += sep + t;
    }
    return out;
  }

  /** `piece` where at least `min` binds: parenthesised when weaker (or, sometimes, anyway). */
  private at(min: Level, piece: Piece): string {
    if (piece.level >= min && !this.random.chance(0.08)) return piece.text;
    return this.join(['(', piece.text, ')']);
  }

  expr(budget: number): string {
    return this.node(budget).text;
  }

  private node(budget: number): Piece {
    if (budget <= 0 || this.depth > 8) return this.atom(0);
    this.depth++;
    try {
      const r = this.random.int(100);
      if (r < 30) return this.binary(budget);
      if (r < 36) return this.unary(budget);
      if (r < 44) return this.application(budget);
      if (r < 52) return this.select(budget);
      if (r < 56) return this.hasAttr(budget);
      if (r < 63) return this.attrs(budget);
      if (r < 68) return this.letIn(budget);
      if (r < 74) return this.lambda(budget);
      if (r < 77) return this.withOrAssert(budget);
      if (r < 80) return this.ifThenElse(budget);
      if (r < 84) return this.list(budget);
      return this.atom(budget);
    } finally {
      this.depth--;
    }
  }

  private binary(budget: number): Piece {
    const { op, level, assoc } = this.random.pick(BINARY);
    const left = this.node(budget - 1);
    const right = this.node(budget - 1);
    const leftMin = assoc === 'left' ? level : level + 1;
    const rightMin = assoc === 'right' ? level : level + 1;
    // Written tight a third of the time: `a//b`, `x.y//z`, `1//2`, `a/b` (a path, then).
    return { text: this.join([this.at(leftMin, left), op, this.at(rightMin, right)], this.random.chance(0.3)), level };
  }

  private unary(budget: number): Piece {
    const operand = this.node(budget - 1);
    if (this.random.chance(0.5)) return { text: this.join(['!', this.at(Level.Not, operand)]), level: Level.Not };
    const text = this.at(Level.Negation, operand);
    return { text: this.random.chance(0.5) ? `-${text}` : this.join(['-', text]), level: Level.Negation };
  }

  private application(budget: number): Piece {
    const parts = [this.at(Level.Application, this.node(budget - 1))];
    const n = 1 + this.random.int(3);
    for (let i = 0; i < n; i++) {
      // `x or` applies `x` to a variable `or` (`x` a plain operand, or `a.b or d`'s default).
      if (parts[parts.length - 1] !== 'or' && this.random.chance(0.1)) parts.push('or');
      else parts.push(this.at(Level.Select, this.node(budget - 2)));
    }
    return { text: this.join(parts), level: Level.Application };
  }

  private select(budget: number): Piece {
    const parts = [this.at(Level.Atom, this.node(budget - 1)), '.', this.attrPath(budget - 1)];
    if (this.random.chance(0.4)) parts.push('or', this.at(Level.Select, this.node(budget - 2)));
    return { text: this.join(parts), level: Level.Select };
  }

  private hasAttr(budget: number): Piece {
    return { text: this.join([this.at(Level.Negation, this.node(budget - 1)), '?', this.attrPath(budget - 1)]), level: Level.HasAttr };
  }

  private attrPath(budget: number): string {
    const keys = [this.key(budget)];
    while (this.random.chance(0.35)) keys.push(this.key(budget));
    return this.join(keys.flatMap((k, i) => (i === 0 ? [k] : ['.', k])));
  }

  /** An attribute name: a word, a quoted string, or an interpolation. */
  private key(budget: number, dynamic = true): string {
    const r = this.random.int(dynamic ? 10 : 7);
    if (r < 4) return this.random.pick(NAMES);
    if (r < 5) return `"${this.random.pick([...KEYWORD_KEYS, 'a b', 'a.b', '1x', '', 'é', '$x', 'a"b'].map(escapeForDoubleQuotes))}"`;
    if (r < 6) return 'or';
    if (r < 7) return this.join(['${', this.doubleQuoted(0), '}']);
    if (r < 8) return this.join(['${', this.expr(budget - 1), '}']);
    if (r < 9) return this.doubleQuoted(budget - 1);
    return this.join(['${', this.indented(0), '}']);
  }

  private attrs(budget: number): Piece {
    const rec = this.random.chance(0.25);
    const bindings = this.bindings(budget, true);
    return { text: this.join([rec ? 'rec' : '', '{', ...bindings, '}']), level: Level.Atom };
  }

  /** Bindings with distinct first names; nested paths under a shared name merge, as Nix allows. */
  private bindings(budget: number, dynamic: boolean): string[] {
    const out: string[] = [];
    const used = new Set<string>();
    const n = this.random.int(4);
    for (let i = 0; i < n; i++) {
      const r = this.random.int(10);
      if (r < 2) {
        const names = Array.from({ length: this.random.int(3) }, () => this.fresh(used));
        const from = this.random.chance(0.5) ? ['(', this.expr(budget - 1), ')'] : [];
        out.push(this.join(['inherit', ...from, ...names, ';']));
        continue;
      }
      if (r < 4) {
        // `n.a = …; n.b = …;` or `n = { … }; n.c = …;`: Nix nests and merges them.
        const name = this.fresh(used);
        const r2 = this.random.int(3);
        const first =
          r2 === 0
            ? this.join([name, '.', 'p', '=', this.expr(budget - 1), ';'])
            : this.join([name, '=', r2 === 2 ? 'rec' : '', '{', 'p', '=', this.expr(budget - 1), ';', this.key(budget - 1), '=', this.expr(0), ';', '}', ';']);
        out.push(first, this.join([name, '.', this.random.pick(['q', 'r.s', '"t u"']), '=', this.expr(budget - 1), ';']));
        continue;
      }
      const path = dynamic && this.random.chance(0.3) ? this.attrPath(budget - 1) : this.fresh(used);
      out.push(this.join([path, '=', this.expr(budget - 1), ';']));
    }
    return out;
  }

  private fresh(used: Set<string>): string {
    for (;;) {
      const name = this.random.chance(0.8) ? this.random.pick(NAMES) : `${this.random.pick(NAMES)}${used.size}`;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  }

  private letIn(budget: number): Piece {
    if (this.random.chance(0.1)) {
      // The legacy `let { …; body = …; }`.
      return { text: this.join(['let', '{', ...this.bindings(budget, false), 'body', '=', this.expr(budget - 1), ';', '}']), level: Level.Atom };
    }
    return { text: this.join(['let', ...this.bindings(budget, false), 'in', this.expr(budget - 1)]), level: Level.Expr };
  }

  private lambda(budget: number): Piece {
    const body = this.expr(budget - 1);
    if (this.random.chance(0.3)) return { text: this.join([this.random.pick(NAMES), ':', body]), level: Level.Expr };
    const used = new Set<string>();
    const formals: string[] = [];
    const n = this.random.int(4);
    for (let i = 0; i < n; i++) {
      const name = this.fresh(used);
      formals.push(...(this.random.chance(0.4) ? [name, '?', this.expr(budget - 2)] : [name]), ',');
    }
    if (this.random.chance(0.4)) formals.push('...');
    else if (formals.length > 0 && this.random.chance(0.5)) formals.pop(); // no trailing comma
    const set = ['{', ...formals, '}'];
    const r = this.random.int(3);
    const head = r === 0 ? set : r === 1 ? [...set, '@', 'args'] : ['args', '@', ...set];
    return { text: this.join([...head, ':', body]), level: Level.Expr };
  }

  private withOrAssert(budget: number): Piece {
    const keyword = this.random.chance(0.5) ? 'with' : 'assert';
    return { text: this.join([keyword, this.expr(budget - 1), ';', this.expr(budget - 1)]), level: Level.Expr };
  }

  private ifThenElse(budget: number): Piece {
    return { text: this.join(['if', this.expr(budget - 1), 'then', this.expr(budget - 1), 'else', this.expr(budget - 1)]), level: Level.Expr };
  }

  private list(budget: number): Piece {
    const items = Array.from({ length: this.random.int(4) }, () => this.at(Level.Select, this.node(budget - 1)));
    if (items.length > 0 && this.random.chance(0.1)) items.push('or');
    return { text: this.join(['[', ...items, ']']), level: Level.Atom };
  }

  private atom(budget: number): Piece {
    const r = this.random.int(100);
    let text: string;
    if (r < 22) text = this.random.pick(VARIABLES);
    else if (r < 32) text = this.integer();
    else if (r < 40) text = this.float();
    else if (r < 58) text = this.doubleQuoted(budget);
    else if (r < 72) text = this.indented(budget);
    else if (r < 86) text = this.path(budget);
    else if (r < 90) text = this.random.pick(['<nixpkgs>', '<nixpkgs/lib>', '<a-b/c.nix>', '<x+y>']);
    else if (r < 93) text = this.random.pick(['https://example.org/a?b=c&d=%20', 'x:y', 'git+ssh://h/p', 'a.b-c:/~x']);
    else if (r < 97) text = this.join(['(', this.expr(budget), ')']);
    else text = this.join(['{', '}']);
    return { text, level: text === 'or' ? Level.Select : Level.Atom };
  }

  private integer(): string {
    return this.random.pick(['0', '1', '42', '007', '9007199254740993', '9223372036854775807', `${this.random.int(100000)}`]);
  }

  private float(): string {
    return this.random.pick([
      '1.5', '.5', '0.25', '1.', '3.14159265358979', '1.5e3', '2.5E-3', '1.0e20', '.5e2', '0.0001', '0.00001',
      '123456.7', '1234567.0', '1234565.0', '1e5', '0.1', '1.7976931348623157e308', '2.2250738585072014e-308', '1e-7',
      '100.0', '999999.5', '0.30000000000000004', '0.000123456789',
    ]);
  }

  /** `"…"`: plain text, every escape, `$` forms, raw newlines and CRs, interpolations. */
  private doubleQuoted(budget: number): string {
    let s = '"';
    const n = this.random.int(6);
    for (let i = 0; i < n; i++) {
      const r = this.random.int(20);
      if (r < 5) s += this.random.pick(['a', 'hello world', 'x-y', '日本', 'é', '😀', '{}', "it's", '#x', '/* */', '|>', '~/${']).replace('${', '\\${');
      else if (r < 9) s += this.random.pick(['\\n', '\\t', '\\r', '\\\\', '\\"', '\\$', '\\a', '\\${', '\\\n', '\\\r\n']);
      else if (r < 12) s += this.random.pick(['$$', '$a', '$$${x}', '${"$"}', '$\\{', '$ ', '$}']);
      else if (r < 14) s += this.random.pick(['\n', '\t', '\r', '\r\n', '  ']);
      else s += this.join(['${', budget > 0 ? this.expr(budget - 1) : this.random.pick(NAMES), '}']);
    }
    if (this.random.chance(0.15)) s += '$';
    return `${s}"`;
  }

  /** `''…''`: indentation to strip, blank and whitespace-only lines, escapes, interpolations. */
  private indented(budget: number): string {
    let s = "''";
    if (this.random.chance(0.6)) s += ' '.repeat(this.random.int(3)) + '\n';
    const lines = this.random.int(5);
    for (let l = 0; l < lines; l++) {
      s += this.random.pick(['', ' ', '  ', '    ', '      ', '\t', '  \t']);
      const n = this.random.int(4);
      for (let i = 0; i < n; i++) {
        const r = this.random.int(20);
        let atom: string;
        if (r < 6) atom = this.random.pick(['a', 'text here', 'x = 1;', '日本', '"q"', '\\n', '#', 'b  c']);
        else if (r < 11) atom = this.random.pick(["''$", "'''", "''\\n", "''\\t", "''\\ ", "''\\\\", "''\\'", "''\\$", "''\\r", "''\\\n", "''${"]);
        else if (r < 14) atom = this.random.pick(['$', '$$', "'a", '$a', '$$$', "'$"]);
        else if (r < 15) atom = this.random.pick(['\r', ' ']);
        else atom = this.join(['${', budget > 0 ? this.expr(budget - 1) : this.random.pick(NAMES), '}']);
        s += atom;
      }
      if (l < lines - 1 || this.random.chance(0.7)) s += this.random.chance(0.1) ? '\r\n' : '\n';
    }
    s += this.random.pick(['', ' ', '  ', '    ']);
    return `${s}''`;
  }

  private path(budget: number): string {
    const segments = Array.from({ length: 1 + this.random.int(3) }, () => this.random.pick(PATH_SEGMENTS));
    const start = this.random.pick(['./', '../', '/', '~/', '', 'a/']);
    let text = start + segments.join('/');
    if (start === '' && !text.includes('/')) text = `${text}/x`;
    if (this.random.chance(0.2)) {
      const x = budget > 0 ? this.expr(budget - 1) : this.random.pick(NAMES);
      text = this.random.chance(0.5) ? `${start === '' ? 'a/' : start}\${${x}}` : `${text}/\${${x}}${this.random.pick(['', '.nix', '/b', '-c'])}`;
    }
    return text;
  }
}

function escapeForDoubleQuotes(s: string): string {
  return s.replace(/[\\"$]/g, (c) => `\\${c}`);
}
