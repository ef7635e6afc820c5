/**
 * Scripts that Nix writes to the store (`pkgs.writeShellScript "x" ''...''`, `writeShellScriptBin`,
 * `writeShellApplication { text = ...; }`, `writeScript`, `pkgs.writers.writeBash`,
 * `builtins.readFile ./x.sh`), recovered from source. The evaluator knows nothing of `pkgs` (its
 * writers are unknown values), so a command such as `"${attach} vm-a br-a"` evaluates to a hole
 * followed by arguments; here the hole is traced back to the expression that produced it, through
 * `let` bindings and `rec` sets of the same file, and when that expression writes a script, its
 * text is read from the call. A reference to such a script becomes `REF_OPEN n REF_CLOSE` in the
 * command text, which the shell interpreter hands back to `resolve`.
 *
 * Source recovery only reads: a variable bound outside the file, a function argument or anything
 * computed stays unknown (a hole), never a guess.
 */
import { posix } from 'node:path';
import type { AstBinding, NixNode, ParsedNixFile } from '../ast';
import { HOLE, knownText, pattern, UNKNOWN_STRING, type StrPart, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import type { Evaluator } from '../eval/evaluator';
import { REF_CLOSE, REF_OPEN, type ScriptText } from '../scripts';
import type { Value } from '../value';

/** Where a script's text is written: a literal (lines count from its first line), or a whole file. */
export interface TextOrigin {
  location: Location;
  wholeFile?: boolean;
}

interface WrittenScript {
  text: StrPattern;
  origin: TextOrigin;
  /** The program name under `bin/` (`writeShellScriptBin`, `writeShellApplication`); null for a bare file. */
  bin: string | null;
}

type Recovered =
  /** A string; `origin` when it is a file's whole text (`builtins.readFile ./x.sh`). */
  | { kind: 'text'; text: StrPattern; origin?: TextOrigin }
  /** A script; `path` is what follows the store path in the command (`/bin/x` from `getExe`). */
  | { kind: 'script'; script: WrittenScript; path: string }
  /** A path: interpolated into a command, it is the file (copied to the store) run as a script. */
  | { kind: 'file'; path: string }
  | { kind: 'attrs'; node: NodeOf<'attrs'>; scopes: Scope[] }
  | { kind: 'unknown' };

type NodeOf<K extends NixNode['kind']> = Extract<NixNode, { kind: K }>;

/** A lexical scope on the way from a file's root to a node. */
type Scope =
  | { kind: 'bindings'; bindings: AstBinding[] }
  /** Function parameters: a name found here is an argument, not known. */
  | { kind: 'opaque'; names: Set<string> };

/** Writers taking `name` then `text` (nixpkgs trivial-builders and `pkgs.writers`). */
const NAME_TEXT_WRITERS: Record<string, 'file' | 'bin'> = {
  writeShellScript: 'file',
  writeScript: 'file',
  writeText: 'file',
  writeBash: 'file',
  writeDash: 'file',
  writeShellScriptBin: 'bin',
  writeScriptBin: 'bin',
  writeBashBin: 'bin',
  writeDashBin: 'bin',
};
/** Module-system wrappers whose last argument is the value (a definition's location may be on them). */
const WRAPPERS = new Set(['mkForce', 'mkDefault', 'mkOverride', 'mkBefore', 'mkAfter', 'mkOrder', 'mkIf', 'mkOptionDefault', 'toString']);
const MAX_DEPTH = 24;

export class WrittenScripts {
  private readonly scripts: WrittenScript[] = [];

  constructor(private readonly ev: Evaluator) {}

  /**
   * The text of a command or script option: the evaluated string with references to scripts Nix
   * writes marked, or — when the value is not known at all — what its source expression writes.
   */
  textOf(value: Value, written: Location | undefined): StrPattern | undefined {
    if (value.kind === 'string') {
      const node = value.location ? this.nodeAt(value.location) : undefined;
      if (node?.node.kind !== 'str') return value.value;
      return this.markReferences(value.value, node.node, node.scopes, node.parsed);
    }
    if (value.kind === 'path') return this.asText({ kind: 'file', path: value.path });
    if (value.kind !== 'unknown' || !written) return undefined;
    const node = this.nodeAt(written);
    if (!node) return undefined;
    const r = this.recover(node.node, node.scopes, node.parsed, 0);
    return r.kind === 'unknown' || r.kind === 'attrs' ? undefined : this.asText(r);
  }

  /**
   * A script file's text and where it is written: `environment.etc."x".source = ./x.sh` or
   * `= pkgs.writeShellScript ...`, or `.text = ''...''`.
   */
  scriptOf(value: Value, written: Location | undefined): ScriptText<TextOrigin> | undefined {
    if (value.kind === 'path') {
      const text = this.ev.fs.readFile(value.path);
      return text === undefined ? undefined : { text: pattern([text]), origin: wholeFile(value.path) };
    }
    if (value.kind === 'string') {
      const text = this.textOf(value, written);
      const location = value.location ?? written;
      return text && location ? { text, origin: { location } } : undefined;
    }
    const node = value.kind === 'unknown' && written ? this.nodeAt(written) : undefined;
    if (!node) return undefined;
    const r = this.recover(node.node, node.scopes, node.parsed, 0);
    if (r.kind === 'script') return { text: r.script.text, origin: r.script.origin };
    if (r.kind === 'file') {
      const text = this.ev.fs.readFile(r.path);
      return text === undefined ? undefined : { text: pattern([text]), origin: wholeFile(r.path) };
    }
    if (r.kind === 'text') return { text: r.text, origin: r.origin ?? { location: written! } };
    return undefined;
  }

  /** A package that is a script Nix writes with a program under `bin/` (`writeShellScriptBin "x" ...`). */
  programOf(value: Value, written: Location | undefined): { name: string; script: ScriptText<TextOrigin> } | undefined {
    const node = value.kind === 'unknown' && written ? this.nodeAt(written) : undefined;
    if (!node) return undefined;
    const r = this.recover(node.node, node.scopes, node.parsed, 0);
    if (r.kind !== 'script' || r.script.bin === null || r.path !== '') return undefined;
    return { name: r.script.bin, script: { text: r.script.text, origin: r.script.origin } };
  }

  /** The script a command word names, when it is a reference this module marked. */
  resolve(command: StrPattern): ScriptText<TextOrigin> | undefined {
    const t = knownText(command);
    const m = t === undefined ? null : new RegExp(`^${REF_OPEN}([0-9]+)${REF_CLOSE}(.*)$`, 's').exec(t);
    if (!m) return undefined;
    const script = this.scripts[Number(m[1])];
    const path = m[2];
    const fits = script.bin === null ? path === '' : path === `/bin/${script.bin}`;
    return fits ? { text: script.text, origin: script.origin } : undefined;
  }

  // -- source lookup -----------------------------------------------------------------------

  private nodeAt(loc: Location): { node: NixNode; scopes: Scope[]; parsed: ParsedNixFile } | undefined {
    const parsed = this.ev.parse(loc.file);
    if (!parsed) return undefined;
    const start = parsed.lines.offsetAt(loc.range.start);
    const end = parsed.lines.offsetAt(loc.range.end);
    const scopes: Scope[] = [];
    let node: NixNode = parsed.root;
    for (let guard = 0; guard < 10_000; guard++) {
      if (node.start === start && node.end === end) return { node, scopes, parsed };
      const next = childContaining(node, start, end, scopes);
      if (!next) return undefined;
      node = next;
    }
    return undefined;
  }

  /** Replaces the holes of `value` that come from a script reference in `node` by a mark. */
  private markReferences(value: StrPattern, node: NodeOf<'str'>, scopes: Scope[], parsed: ParsedNixFile): StrPattern {
    const stream: (string | typeof HOLE)[] = [];
    for (const p of value.parts) {
      if (typeof p === 'string') for (const c of p) stream.push(c);
      else stream.push(HOLE);
    }
    const out: StrPart[] = [];
    let pos = 0;
    let changed = false;
    const parts = node.parts;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k];
      if (typeof part === 'string') {
        if (!matchesAt(stream, pos, part)) return value;
        out.push(part);
        pos += part.length;
        continue;
      }
      // An interpolation's share of the value runs to where the next literal text starts.
      const next = parts[k + 1];
      let end: number;
      if (next === undefined) end = stream.length;
      else if (typeof next !== 'string') return value;
      else end = k + 1 === parts.length - 1 ? stream.length - next.length : indexFrom(stream, next, pos);
      if (end < pos) return value;
      // Where the evaluator could not say all of it (`${attach}`, `${lib.getExe app}` = `*/bin/*`),
      // the source may: a script it writes stands for the whole share.
      const share = stream.slice(pos, end);
      const r = share.includes(HOLE) ? this.recover(part, scopes, parsed, 0) : undefined;
      if (r?.kind === 'script' || r?.kind === 'file') {
        out.push(...this.asText(r).parts);
        changed = true;
      } else out.push(...share);
      pos = end;
    }
    return changed && pos === stream.length ? pattern(out) : value;
  }

  private asText(r: Exclude<Recovered, { kind: 'unknown' } | { kind: 'attrs' }>): StrPattern {
    if (r.kind === 'text') return r.text;
    let script: WrittenScript;
    if (r.kind === 'file') {
      const text = this.ev.fs.readFile(r.path);
      if (text === undefined) return UNKNOWN_STRING;
      script = { text: pattern([text]), origin: wholeFile(r.path), bin: null };
    } else script = r.script;
    let index = this.scripts.indexOf(script);
    if (index < 0) index = this.scripts.push(script) - 1;
    return pattern([`${REF_OPEN}${index}${REF_CLOSE}${r.kind === 'script' ? r.path : ''}`]);
  }

  // -- recovery ----------------------------------------------------------------------------

  private recover(node: NixNode, scopes: Scope[], parsed: ParsedNixFile, depth: number): Recovered {
    if (depth > MAX_DEPTH) return { kind: 'unknown' };
    const again = (n: NixNode, s: Scope[] = scopes) => this.recover(n, s, parsed, depth + 1);
    switch (node.kind) {
      case 'str': {
        const parts: StrPart[] = [];
        for (const p of node.parts) {
          if (typeof p === 'string') {
            parts.push(p);
            continue;
          }
          const r = again(p);
          parts.push(...(r.kind === 'unknown' || r.kind === 'attrs' ? [HOLE] : this.asText(r).parts));
        }
        return { kind: 'text', text: pattern(parts) };
      }
      case 'path': {
        const literal = node.parts.every((p) => typeof p === 'string') ? (node.parts as string[]).join('') : undefined;
        if (literal === undefined || literal.startsWith('~') || literal.startsWith('<')) return { kind: 'unknown' };
        return { kind: 'file', path: posix.resolve(posix.dirname(parsed.file), literal) };
      }
      case 'var':
        return this.variable(node.name, scopes, parsed, depth);
      case 'let':
        return again(node.body, [...scopes, { kind: 'bindings', bindings: node.bindings }]);
      case 'attrs':
        return { kind: 'attrs', node, scopes: node.rec ? [...scopes, { kind: 'bindings', bindings: node.bindings }] : scopes };
      case 'select': {
        let r = again(node.expr);
        for (const key of node.path) {
          if (r.kind !== 'attrs' || key.name === undefined) return { kind: 'unknown' };
          const b = bindingNamed(r.node.bindings, key.name);
          if (!b || b.kind !== 'bind' || b.path.length !== 1) return { kind: 'unknown' };
          r = this.recover(b.value, r.scopes, parsed, depth + 1);
        }
        return r;
      }
      case 'binop': {
        if (node.op !== '+') return { kind: 'unknown' };
        const l = again(node.left);
        const r = again(node.right);
        if (l.kind !== 'text' || r.kind !== 'text') return { kind: 'unknown' };
        return { kind: 'text', text: pattern([...l.text.parts, ...r.text.parts]) };
      }
      case 'apply':
        return this.application(node, scopes, parsed, depth);
      default:
        return { kind: 'unknown' };
    }
  }

  private variable(name: string, scopes: Scope[], parsed: ParsedNixFile, depth: number): Recovered {
    for (let k = scopes.length - 1; k >= 0; k--) {
      const scope = scopes[k];
      if (scope.kind === 'opaque') {
        if (scope.names.has(name)) return { kind: 'unknown' };
        continue;
      }
      const b = bindingNamed(scope.bindings, name);
      if (!b) continue;
      const visible = scopes.slice(0, k + 1);
      if (b.kind === 'bind') return b.path.length === 1 ? this.recover(b.value, visible, parsed, depth + 1) : { kind: 'unknown' };
      // `inherit name;` reads the name in the scopes outside; `inherit (x) name;` selects it from x
      if (!b.from) return this.variable(name, scopes.slice(0, k), parsed, depth + 1);
      const from = this.recover(b.from, visible, parsed, depth + 1);
      if (from.kind !== 'attrs') return { kind: 'unknown' };
      const inner = bindingNamed(from.node.bindings, name);
      return inner?.kind === 'bind' && inner.path.length === 1 ? this.recover(inner.value, from.scopes, parsed, depth + 1) : { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }

  private application(node: NodeOf<'apply'>, scopes: Scope[], parsed: ParsedNixFile, depth: number): Recovered {
    const args: NixNode[] = [];
    let head: NixNode = node;
    while (head.kind === 'apply') {
      args.unshift(head.arg);
      head = head.fn;
    }
    const name = head.kind === 'var' ? head.name : head.kind === 'select' ? head.path[head.path.length - 1]?.name : undefined;
    if (name === undefined) return { kind: 'unknown' };
    const again = (n: NixNode) => this.recover(n, scopes, parsed, depth + 1);
    const textOf = (n: NixNode | undefined): StrPattern | undefined => {
      const r = n ? again(n) : undefined;
      return r?.kind === 'text' ? r.text : undefined;
    };
    const written = (textNode: NixNode | undefined, bin: string | null): Recovered => {
      const r = textNode ? again(textNode) : undefined;
      if (r?.kind !== 'text' || !textNode) return { kind: 'unknown' };
      const origin: TextOrigin = r.origin ?? { location: { file: parsed.file, range: parsed.lines.rangeAt(textNode.start, textNode.end) } };
      return { kind: 'script', script: { text: r.text, origin, bin }, path: '' };
    };
    const writer = NAME_TEXT_WRITERS[name];
    if (writer !== undefined) {
      if (args.length < 2) return { kind: 'unknown' };
      const bin = writer === 'bin' ? textOf(args[0]) : undefined;
      if (writer === 'bin' && (bin === undefined || knownText(bin) === undefined)) return { kind: 'unknown' };
      return written(args[1], writer === 'bin' ? knownText(bin!)! : null);
    }
    if (name === 'writeShellApplication' || name === 'writeTextFile') {
      const set = args[0] ? again(args[0]) : { kind: 'unknown' as const };
      if (set.kind !== 'attrs') return { kind: 'unknown' };
      const field = (f: string) => {
        const b = bindingNamed(set.node.bindings, f);
        return b?.kind === 'bind' && b.path.length === 1 ? b.value : undefined;
      };
      const binName = name === 'writeShellApplication' ? textOf(field('name')) : undefined;
      const bin = binName !== undefined ? knownText(binName) ?? null : null;
      if (name === 'writeShellApplication' && bin === null) return { kind: 'unknown' };
      return written(field('text'), bin);
    }
    if ((name === 'getExe' || name === "getExe'") && args.length >= 1) {
      const target = again(args[0]);
      if (target.kind !== 'script') return { kind: 'unknown' };
      const program = name === "getExe'" ? knownText(textOf(args[1]) ?? UNKNOWN_STRING) : target.script.bin;
      return program ? { ...target, path: `/bin/${program}` } : { kind: 'unknown' };
    }
    if (name === 'readFile' && args.length >= 1) {
      const f = again(args[0]);
      const text = f.kind === 'file' ? this.ev.fs.readFile(f.path) : undefined;
      return f.kind === 'file' && text !== undefined ? { kind: 'text', text: pattern([text]), origin: wholeFile(f.path) } : { kind: 'unknown' };
    }
    if (WRAPPERS.has(name) && args.length >= 1) return again(args[args.length - 1]);
    return { kind: 'unknown' };
  }

}

function wholeFile(file: string): TextOrigin {
  return { location: { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, wholeFile: true };
}

function bindingNamed(bindings: AstBinding[], name: string): AstBinding | undefined {
  for (let k = bindings.length - 1; k >= 0; k--) {
    const b = bindings[k];
    if (b.kind === 'bind' ? b.path[0]?.name === name : b.names.some((n) => n.name === name)) return b;
  }
  return undefined;
}

function matchesAt(stream: (string | typeof HOLE)[], pos: number, text: string): boolean {
  if (pos + text.length > stream.length) return false;
  for (let k = 0; k < text.length; k++) if (stream[pos + k] !== text[k]) return false;
  return true;
}

function indexFrom(stream: (string | typeof HOLE)[], text: string, from: number): number {
  for (let p = from; p + text.length <= stream.length; p++) if (matchesAt(stream, p, text)) return p;
  return -1;
}

/** The child of `node` whose span holds [start, end], recording the scopes entered on the way. */
function childContaining(node: NixNode, start: number, end: number, scopes: Scope[]): NixNode | undefined {
  const within = (n: NixNode | undefined): n is NixNode => n !== undefined && n.start <= start && end <= n.end;
  const pick = (...ns: (NixNode | undefined)[]) => ns.find(within);
  switch (node.kind) {
    case 'str':
    case 'path':
      return pick(...node.parts.filter((p): p is NixNode => typeof p !== 'string'));
    case 'list':
      return pick(...node.items);
    case 'attrs':
    case 'let': {
      const nodes: (NixNode | undefined)[] = [];
      for (const b of node.bindings) {
        if (b.kind === 'bind') nodes.push(...b.path.map((k) => k.expr), b.value);
        else nodes.push(b.from);
      }
      if (node.kind === 'let') nodes.push(node.body);
      const child = pick(...nodes);
      if (child && (node.kind === 'let' || node.rec)) scopes.push({ kind: 'bindings', bindings: node.bindings });
      return child;
    }
    case 'fn': {
      const names = new Set<string>(node.formals?.map((f) => f.name) ?? []);
      if (node.param) names.add(node.param);
      const child = pick(...(node.formals?.map((f) => f.default) ?? []), node.body);
      if (child) scopes.push({ kind: 'opaque', names });
      return child;
    }
    case 'apply':
      return pick(node.fn, node.arg);
    case 'select':
      return pick(node.expr, ...node.path.map((k) => k.expr), node.default);
    case 'has':
      return pick(node.expr, ...node.path.map((k) => k.expr));
    case 'binop':
      return pick(node.left, node.right);
    case 'not':
    case 'neg':
      return pick(node.expr);
    case 'if':
      return pick(node.cond, node.then, node.else);
    case 'with':
      // Names `with` brings in stay unknown: only lexical bindings are read (they come first in Nix).
      return pick(node.env, node.body);
    case 'assert':
      return pick(node.cond, node.body);
    default:
      return undefined;
  }
}
