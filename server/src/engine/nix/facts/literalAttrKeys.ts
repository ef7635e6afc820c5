/**
 * The names of a file that is plain data: one literal attribute set (`{ a = …; b.c = …; }`, or
 * `rec { … }`) of strings, numbers, names, lists and attribute sets, read from the text without
 * parsing it. Root-module detection needs only those names of the data files nothing imports,
 * which it would otherwise parse, convert and evaluate.
 *
 * The reader accepts a strict subset of Nix and gives undefined for anything else (the caller
 * then evaluates the file as before): interpolations and `$` in strings, indented strings, paths,
 * operators, functions, `let`/`with`/`inherit`, quoted or dynamic top-level names, tokens that run
 * into each other. Text it accepts is valid Nix with no syntax error, so no error recovery can
 * move names about: the file evaluates to an attribute set with exactly these names.
 * test/unit/nix/facts/literalAttrKeys.test.ts holds it to the evaluator on every fixture, example,
 * corpus and bench-fleet file, generated ones, and all of them mutated at random.
 */

const IDENT = /[A-Za-z_][A-Za-z0-9_'-]*/y;
const NUMBER = /(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/y;
const KEYWORDS = new Set(['let', 'in', 'with', 'assert', 'rec', 'inherit', 'if', 'then', 'else', 'or']);
/** What may follow a name or a number directly (anything else could make another token of both). */
const DELIMITER = /[\s;\]}=.#]/;

class Reader {
  i = 0;
  constructor(readonly text: string) {}

  /** Skips blanks and comments; false on an unterminated comment. */
  blanks(): boolean {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 35 /* # */) {
        while (this.i < t.length && t.charCodeAt(this.i) !== 10 && t.charCodeAt(this.i) !== 13) this.i++;
      } else if (c === 47 /* / */ && t.charCodeAt(this.i + 1) === 42 /* * */) {
        const end = t.indexOf('*/', this.i + 2);
        if (end < 0) return false;
        this.i = end + 2;
      } else return true;
    }
  }

  private token(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) return undefined;
    const after = this.text[this.i + m[0].length];
    if (after !== undefined && !DELIMITER.test(after)) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  /** A name that is not a keyword (nor `__curPos` and the like). */
  name(): string | undefined {
    const w = this.token(IDENT);
    return w === undefined || KEYWORDS.has(w) || w.startsWith('__') ? undefined : w;
  }

  /** `"…"` without `$` (no interpolation, no `$$` to read right). */
  string(): boolean {
    const t = this.text;
    if (t[this.i] !== '"') return false;
    for (let i = this.i + 1; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 34 /* " */) {
        this.i = i + 1;
        return true;
      }
      if (c === 36 /* $ */) return false;
      if (c === 92 /* \ */) i++;
    }
    return false;
  }

  value(depth: number): boolean {
    if (depth > 100 || !this.blanks()) return false;
    const c = this.text[this.i];
    if (c === '"') return this.string();
    if (c === '{') return this.bindings(depth + 1) !== undefined;
    if (c === '[') {
      this.i++;
      for (;;) {
        if (!this.blanks()) return false;
        if (this.text[this.i] === ']') {
          this.i++;
          return true;
        }
        if (!this.value(depth + 1)) return false;
      }
    }
    if (c !== undefined && c >= '0' && c <= '9') return this.token(NUMBER) !== undefined;
    return this.name() !== undefined;
  }

  /** `{ a = v; b.c = v; }` (names of nested sets may be strings): the first names. */
  bindings(depth: number): string[] | undefined {
    this.i++; // `{`
    const keys: string[] = [];
    for (;;) {
      if (!this.blanks()) return undefined;
      if (this.text[this.i] === '}') {
        this.i++;
        return keys;
      }
      const key = this.key(depth);
      if (key === undefined) return undefined;
      if (!this.blanks()) return undefined;
      while (this.text[this.i] === '.') {
        this.i++;
        if (!this.blanks() || this.key(depth) === undefined || !this.blanks()) return undefined;
      }
      if (this.text[this.i] !== '=') return undefined;
      this.i++;
      if (!this.value(depth) || !this.blanks() || this.text[this.i] !== ';') return undefined;
      this.i++;
      keys.push(key);
    }
  }

  private key(depth: number): string | undefined {
    if (this.text[this.i] !== '"') return this.name();
    // A quoted name only below the top: the top-level names must be plain to be known here.
    const from = this.i;
    return depth > 1 && this.string() ? this.text.slice(from + 1, this.i - 1) : undefined;
  }
}

export function literalAttrKeys(text: string): string[] | undefined {
  const r = new Reader(text);
  if (!r.blanks()) return undefined;
  if (text.startsWith('rec', r.i) && /\s/.test(text[r.i + 3] ?? '')) {
    r.i += 3;
    if (!r.blanks()) return undefined;
  }
  if (text[r.i] !== '{') return undefined;
  const keys = r.bindings(1);
  if (!keys || !r.blanks() || r.i !== text.length) return undefined;
  return keys;
}
