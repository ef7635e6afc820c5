/**
 * An abstract interpreter of the shell subset in parser.ts: it runs a script with what is known
 * of its arguments and variables and reports what the script does to links — `ip link set <dev>
 * master <br>` / `brctl addif`, bridges it creates, addresses and routes it puts on a device, and
 * commands it cannot see into. Values are string patterns: whatever is not known is a hole, never
 * a guess.
 *
 * Every command is taken to run (a script's author means the commands that wire a tap), but
 * variables assigned in branches that may or may not run are joined: a variable two branches set
 * differently is unknown afterwards. Positional parameters, `shift`, `set --`, `"$@"` loops,
 * functions, `case` on known words, `sh -c`, `source` and scripts a resolver can find (a path in
 * /etc, a script written by Nix) are followed, within a budget.
 */
import { HOLE, knownText, pattern, patternsEqual, UNKNOWN_STRING, type StrPart, type StrPattern } from '../../pattern';
import { EACH_TAP_MARK, type Segment, type Word } from './lexer';
import { parseShell, type ShellNode } from './parser';

/** Where an effect was written: the script it comes from and its 0-based line there. */
export interface At<O> {
  origin: O;
  line: number;
}

export type ShellEffect<O> =
  | { kind: 'attach'; device: StrPattern; master: StrPattern; at: At<O> }
  | { kind: 'create'; name: StrPattern; linkKind: string | null; at: At<O> }
  | { kind: 'configure'; device: StrPattern; what: 'address' | 'route'; at: At<O> }
  /** A command we cannot see into (an unknown executable), with its arguments. */
  | { kind: 'opaque'; command: StrPattern; args: StrPattern[]; at: At<O> }
  /** `systemctl start <unit>`: a unit (a template's instance, often) started by the script. */
  | { kind: 'start'; unit: StrPattern; at: At<O> };

export interface ScriptText<O> {
  text: StrPattern;
  origin: O;
}

export interface RunOptions<O> {
  /** The script a command word names (`/etc/x.sh`, a script written by Nix), when known. */
  resolve?: (command: StrPattern) => ScriptText<O> | undefined;
  /** Positional parameters; null when not known. */
  args?: StrPattern[] | null;
  vars?: Record<string, StrPattern>;
  /**
   * Variables the script does not assign are unset rather than unknown (a systemd service's
   * environment is what its unit says).
   */
  closedEnvironment?: boolean;
}

interface State {
  /** null: known to be unset. */
  vars: Map<string, StrPattern | null>;
  args: StrPattern[] | null;
}

const MAX_COMMANDS = 20_000;
const MAX_DEPTH = 8;
const MAX_ITERATIONS = 64;

export function interpretScript<O>(script: ScriptText<O>, opts: RunOptions<O> = {}): ShellEffect<O>[] {
  const run = new Interpreter(opts);
  const state: State = {
    vars: new Map(Object.entries(opts.vars ?? {})),
    args: opts.args === undefined ? [] : opts.args,
  };
  run.script(script, state, 0);
  return run.effects;
}

/** The text a pattern denotes when fully known. */
const text = (p: StrPattern | undefined): string | undefined => (p ? knownText(p) : undefined);

const empty = (): StrPattern => pattern([]);

/** Does `for x in <words>` iterate microvm.nix's list of taps (microvm.md §3)? */
function iteratesTaps(items: Word[]): boolean {
  return items.some((w) => w.segments.some((s) => (s.kind === 'unknown' && /tap[-_]interfaces/.test(s.source)) || (s.kind === 'param' && /^tap[-_]?interfaces$|^taps$/i.test(s.name))));
}

class Interpreter<O> {
  readonly effects: ShellEffect<O>[] = [];
  private readonly functions = new Map<string, ShellNode>();
  /** What child processes inherit: the environment the script was given, plus what it exports. */
  private readonly environment: Map<string, StrPattern | null>;
  private commands = 0;
  private origin!: O;
  private lineOffset = 0;

  constructor(private readonly opts: RunOptions<O>) {
    this.environment = new Map(Object.entries(opts.vars ?? {}));
  }

  private child(args: StrPattern[] | null): State {
    return { vars: new Map(this.environment), args };
  }

  script(script: ScriptText<O>, state: State, lineOffset: number, depth = 0): void {
    if (depth > MAX_DEPTH) return;
    const saved = { origin: this.origin, offset: this.lineOffset };
    this.origin = script.origin;
    this.lineOffset = lineOffset;
    try {
      this.node(parseShell(script.text), state, depth);
    } finally {
      this.origin = saved.origin;
      this.lineOffset = saved.offset;
    }
  }

  private at(line: number): At<O> {
    return { origin: this.origin, line: this.lineOffset + line };
  }

  private node(n: ShellNode, state: State, depth: number): void {
    if (this.commands > MAX_COMMANDS) return;
    switch (n.kind) {
      case 'list':
        for (const item of n.items) this.node(item, state, depth);
        return;
      case 'simple':
        this.commands++;
        this.simple(n, state, depth);
        return;
      case 'function':
        this.functions.set(n.name, n.body);
        return;
      case 'if': {
        const outcomes: State[] = [];
        for (const b of n.branches) {
          this.node(b.condition, state, depth);
          const branch = clone(state);
          this.node(b.body, branch, depth);
          outcomes.push(branch);
        }
        const otherwise = clone(state);
        if (n.otherwise) this.node(n.otherwise, otherwise, depth);
        outcomes.push(otherwise);
        assign(state, join(outcomes));
        return;
      }
      case 'for':
        this.forLoop(n, state, depth);
        return;
      case 'loop':
        this.whileLoop(n, state, depth);
        return;
      case 'case':
        this.caseCommand(n, state, depth);
        return;
    }
  }

  private forLoop(n: Extract<ShellNode, { kind: 'for' }>, state: State, depth: number): void {
    let values: StrPattern[] | null;
    if (n.items === null) values = state.args;
    else if (iteratesTaps(n.items)) values = [pattern([EACH_TAP_MARK])];
    else {
      values = [];
      for (const w of n.items) {
        const fields = this.expand(w, state);
        if (fields === null) {
          values = null;
          break;
        }
        values.push(...fields);
      }
    }
    const run = (value: StrPattern, s: State) => {
      if (n.variable !== null) s.vars.set(n.variable, value);
      this.node(n.body, s, depth);
    };
    if (values === null || values.length > MAX_ITERATIONS) {
      // Items not known: the body runs for some unknown value, or not at all.
      const body = clone(state);
      run(UNKNOWN_STRING, body);
      assign(state, join([state, body]));
      return;
    }
    if (values.length === 0) return;
    for (const v of values) run(v, state);
  }

  private whileLoop(n: Extract<ShellNode, { kind: 'loop' }>, state: State, depth: number): void {
    // `while [ $# -gt 0 ]; do ... "$1" ...; shift; done` walks the known arguments.
    if (state.args !== null && shifts(n.body)) {
      for (let k = 0; k < MAX_ITERATIONS && state.args !== null && state.args.length > 0; k++) {
        const before = state.args.length;
        this.node(n.condition, state, depth);
        this.node(n.body, state, depth);
        if (state.args !== null && state.args.length >= before) break;
      }
      return;
    }
    const body = clone(state);
    this.node(n.condition, body, depth);
    this.node(n.body, body, depth);
    assign(state, join([state, body]));
  }

  private caseCommand(n: Extract<ShellNode, { kind: 'case' }>, state: State, depth: number): void {
    const subject = this.single(n.subject, state);
    const subjectText = text(subject);
    const outcomes: State[] = [];
    for (const arm of n.arms) {
      let matches: 'yes' | 'no' | 'maybe' = 'no';
      for (const p of arm.patterns) {
        const glob = text(this.single(p, state));
        const m = subjectText === undefined || glob === undefined ? 'maybe' : caseGlob(glob).test(subjectText) ? 'yes' : 'no';
        if (m === 'yes') matches = 'yes';
        else if (m === 'maybe' && matches === 'no') matches = 'maybe';
      }
      if (matches === 'no') continue;
      const branch = clone(state);
      this.node(arm.body, branch, depth);
      outcomes.push(branch);
      if (matches === 'yes') {
        assign(state, join(outcomes));
        return;
      }
    }
    outcomes.push(clone(state));
    assign(state, join(outcomes));
  }

  // -- expansion ---------------------------------------------------------------------------

  /** A word's fields after parameter expansion and field splitting; null when not known. */
  private expand(w: Word, state: State): StrPattern[] | null {
    // `"$@"` is read with an empty quoted text before the parameter: it is still the parameter alone.
    const meaningful = w.segments.filter((s) => s.kind !== 'text' || s.text !== '');
    if (meaningful.length === 1 && meaningful[0].kind === 'param') {
      const seg = meaningful[0];
      if (seg.name === '@' || seg.name === '*') {
        if (state.args === null) return null;
        return seg.quoted && seg.name === '@' ? state.args : state.args.flatMap(split);
      }
      const v = this.param(seg, state);
      return seg.quoted ? [v] : split(v);
    }
    return [this.single(w, state)];
  }

  /** A word as one string (no field splitting). */
  private single(w: Word, state: State): StrPattern {
    const parts: StrPart[] = [];
    for (const seg of w.segments) {
      if (seg.kind === 'text') parts.push(seg.text);
      else if (seg.kind === 'unknown') parts.push(HOLE);
      else if (seg.name === '@' || seg.name === '*') {
        if (state.args === null) parts.push(HOLE);
        else state.args.forEach((a, i) => parts.push(...(i ? [' '] : []), ...a.parts));
      } else parts.push(...this.param(seg, state).parts);
    }
    return pattern(parts);
  }

  private param(seg: Extract<Segment, { kind: 'param' }>, state: State): StrPattern {
    let value: StrPattern | null | undefined; // undefined: not known whether set
    const name = seg.name;
    if (/^[0-9]+$/.test(name)) {
      const n = Number(name);
      value = n === 0 || state.args === null ? undefined : state.args[n - 1] ?? null;
    } else if (name === '#') {
      value = state.args === null ? undefined : pattern([String(state.args.length)]);
    } else if (/^[A-Za-z_]/.test(name)) {
      value = state.vars.has(name) ? state.vars.get(name)! : this.opts.closedEnvironment ? null : undefined;
    }
    if (seg.fallback) {
      if (value === undefined) return UNKNOWN_STRING;
      const unset = value === null || (seg.fallbackIfEmpty === true && text(value) === '');
      if (unset) return this.single({ segments: seg.fallback, line: 0 }, state);
      if (seg.fallbackIfEmpty && value !== null && value.parts.every((p) => typeof p !== 'string')) return UNKNOWN_STRING;
    }
    if (value === undefined) return UNKNOWN_STRING;
    return value ?? empty();
  }

  // -- commands ----------------------------------------------------------------------------

  private simple(n: Extract<ShellNode, { kind: 'simple' }>, state: State, depth: number): void {
    const fields: StrPattern[] = [];
    for (const w of n.words) {
      const f = this.expand(w, state);
      fields.push(...(f ?? [UNKNOWN_STRING]));
    }
    if (fields.length === 0) {
      for (const a of n.assigns) state.vars.set(a.name, a.value ? this.single(a.value, state) : UNKNOWN_STRING);
      return;
    }
    this.command(unwrap(fields), state, n.line, depth);
  }

  private command(argv: StrPattern[], state: State, line: number, depth: number): void {
    if (argv.length === 0) return;
    const name = commandName(argv[0]);
    const args = argv.slice(1);
    const fn = name !== undefined ? this.functions.get(name) : undefined;
    if (fn) {
      if (depth >= MAX_DEPTH) return;
      const saved = state.args;
      state.args = args;
      this.node(fn, state, depth + 1);
      state.args = saved;
      return;
    }
    switch (name) {
      case 'ip':
        this.ip(args, line);
        return;
      case 'brctl':
        this.brctl(args, line);
        return;
      case 'systemctl': {
        const words = args.filter((a) => !text(a)?.startsWith('-'));
        if (['start', 'restart', 'try-restart', 'reload-or-restart'].includes(text(words[0]) ?? '')) {
          for (const unit of words.slice(1)) this.effects.push({ kind: 'start', unit, at: this.at(line) });
        }
        return;
      }
      case 'shift': {
        const n = args.length ? Number(text(args[0])) : 1;
        if (state.args !== null) state.args = Number.isInteger(n) ? state.args.slice(n) : null;
        return;
      }
      case 'set': {
        const dashes = args.findIndex((a) => text(a) === '--');
        if (dashes >= 0) state.args = args.slice(dashes + 1);
        return;
      }
      case 'local':
      case 'declare':
      case 'typeset':
      case 'readonly':
        for (const a of args) declare(a, state);
        return;
      case 'export':
        for (const a of args) {
          const name = declare(a, state);
          if (name !== undefined) this.environment.set(name, state.vars.get(name) ?? UNKNOWN_STRING);
        }
        return;
      case 'unset':
        for (const a of args) {
          const t = text(a);
          if (t !== undefined && !t.startsWith('-')) state.vars.set(t, null);
        }
        return;
      case 'read':
      case 'mapfile':
      case 'readarray':
        for (const a of args) {
          const t = text(a);
          if (t !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) state.vars.set(t, UNKNOWN_STRING);
        }
        return;
      case 'source':
      case '.':
        if (args.length) this.external(args[0], args.length > 1 ? args.slice(1) : state.args, state, depth, true);
        return;
    }
    // An executable we cannot name run with `-c '<script>'` is a shell (`${pkgs.stdenv.shell} -c ...`).
    if ((name !== undefined && SHELLS.has(name)) || (name === undefined && /^-[A-Za-z]*c$/.test(text(args[0]) ?? ''))) {
      this.shell(args, state, line, depth);
      return;
    }
    if (name === undefined && looksLikeIp(args)) {
      this.ip(args, line);
      return;
    }
    if (this.external(argv[0], args, state, depth, false)) return;
    if (name === undefined || !HARMLESS.has(name)) this.effects.push({ kind: 'opaque', command: argv[0], args, at: this.at(line) });
  }

  /** Runs a script a command names, if the resolver finds it; false when it does not. */
  private external(command: StrPattern, args: StrPattern[] | null, state: State, depth: number, sourced: boolean): boolean {
    const script = this.opts.resolve?.(command);
    if (!script) return false;
    if (sourced) {
      const saved = state.args;
      state.args = args;
      this.script(script, state, 0, depth + 1);
      state.args = saved;
    } else {
      this.script(script, this.child(args), 0, depth + 1);
    }
    return true;
  }

  /** `bash [-e...] -c '<text>' [$0 args...]` or `bash <file> args...`. */
  private shell(args: StrPattern[], state: State, line: number, depth: number): void {
    let k = 0;
    let commandMode = false;
    for (; k < args.length; k++) {
      const t = text(args[k]);
      if (t === undefined || !/^[-+]/.test(t) || t === '-' || t === '--') {
        if (t === '--') k++;
        break;
      }
      if (/^-[A-Za-z]*c[A-Za-z]*$/.test(t)) commandMode = true;
      if (t === '-o' || t === '+o' || t === '-O' || t === '+O') k++;
    }
    if (k >= args.length) return;
    if (commandMode) {
      const scriptArgs = args.slice(k + 2);
      this.script({ text: args[k], origin: this.origin }, this.child(scriptArgs), this.lineOffset + line, depth + 1);
      return;
    }
    this.external(args[k], args.slice(k + 1), state, depth, false);
  }

  private ip(args: StrPattern[], line: number): void {
    let k = 0;
    for (; k < args.length; k++) {
      const t = text(args[k]);
      if (t === undefined || !t.startsWith('-')) break;
      if (IP_OPTIONS_WITH_ARGUMENT.has(t)) k++;
    }
    const object = text(args[k]);
    const verb = text(args[k + 1]);
    const rest = args.slice(k + 2);
    if (object === undefined || verb === undefined) return;
    if (LINK.has(object) && SET.has(verb)) this.linkSet(rest, line);
    else if (LINK.has(object) && ADD.has(verb)) this.linkAdd(rest, line);
    else if (ADDRESS.has(object) && ADDRESS_ADD.has(verb)) this.configure(rest, 'address', line);
    else if (ROUTE.has(object) && ROUTE_ADD.has(verb)) this.configure(rest, 'route', line);
  }

  private linkSet(args: StrPattern[], line: number): void {
    let dev: StrPattern | undefined;
    let master: StrPattern | undefined;
    for (let m = 0; m < args.length; m++) {
      const a = text(args[m]);
      if (a === 'dev' && m + 1 < args.length) dev = args[++m];
      else if (a === 'master' && m + 1 < args.length) master = args[++m];
      else if (a === 'nomaster') master = undefined;
      else if (a !== undefined && LINK_FLAGS.has(a)) continue;
      else if (a !== undefined && LINK_OPTIONS_WITH_ARGUMENT.has(a)) m++;
      else if (!dev) dev = args[m];
    }
    if (dev && master) this.effects.push({ kind: 'attach', device: dev, master, at: this.at(line) });
  }

  private linkAdd(args: StrPattern[], line: number): void {
    let name: StrPattern | undefined;
    let linkKind: string | null = null;
    for (let m = 0; m < args.length; m++) {
      const a = text(args[m]);
      if ((a === 'name' || a === 'dev') && m + 1 < args.length) name = args[++m];
      else if (a === 'link' || (a !== undefined && LINK_OPTIONS_WITH_ARGUMENT.has(a))) m++;
      else if (a === 'type') {
        linkKind = text(args[m + 1]) ?? null;
        break;
      } else if (!name) name = args[m];
    }
    if (name) this.effects.push({ kind: 'create', name, linkKind, at: this.at(line) });
  }

  private configure(args: StrPattern[], what: 'address' | 'route', line: number): void {
    for (let m = 0; m + 1 < args.length; m++) {
      const a = text(args[m]);
      if (a === 'dev' || a === 'oif') {
        this.effects.push({ kind: 'configure', device: args[m + 1], what, at: this.at(line) });
        return;
      }
    }
  }

  private brctl(args: StrPattern[], line: number): void {
    const verb = text(args[0]);
    if (verb === 'addif' && args.length >= 3) {
      for (const dev of args.slice(2)) this.effects.push({ kind: 'attach', device: dev, master: args[1], at: this.at(line) });
    } else if (verb === 'addbr' && args.length >= 2) {
      this.effects.push({ kind: 'create', name: args[1], linkKind: 'bridge', at: this.at(line) });
    }
  }
}

// -- helpers ---------------------------------------------------------------------------------

function clone(s: State): State {
  return { vars: new Map(s.vars), args: s.args && [...s.args] };
}

function assign(target: State, source: State): void {
  target.vars = source.vars;
  target.args = source.args;
}

/** What is known after one of `states` happened: what they agree on. */
function join(states: State[]): State {
  const vars = new Map<string, StrPattern | null>();
  const names = new Set(states.flatMap((s) => [...s.vars.keys()]));
  for (const name of names) {
    const values = states.map((s) => (s.vars.has(name) ? s.vars.get(name)! : undefined));
    const first = values[0];
    const agree = values.every((v) => v === first || (v && first && patternsEqual(v, first)));
    vars.set(name, agree && first !== undefined ? first : UNKNOWN_STRING);
  }
  const args0 = states[0].args;
  const argsAgree = states.every((s) => s.args !== null && args0 !== null && s.args.length === args0.length && s.args.every((a, i) => patternsEqual(a, args0[i])));
  return { vars, args: argsAgree ? args0 : null };
}

/** Field splitting of an unquoted expansion at known whitespace. */
function split(p: StrPattern): StrPattern[] {
  const fields: StrPart[][] = [[]];
  for (const part of p.parts) {
    if (typeof part !== 'string') {
      fields[fields.length - 1].push(part);
      continue;
    }
    const pieces = part.split(/[ \t\n]+/);
    pieces.forEach((piece, i) => {
      if (i > 0) fields.push([]);
      if (piece) fields[fields.length - 1].push(piece);
    });
  }
  return fields.filter((f) => f.length > 0).map((f) => pattern(f));
}

/** `NAME=value` or `NAME` of `local`/`export`/...: sets the variable; returns its name. */
function declare(a: StrPattern, state: State): string | undefined {
  const t = a.parts[0];
  if (typeof t !== 'string' || t.startsWith('-')) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(=?)/.exec(t);
  if (!m) return undefined;
  if (m[2] === '=') state.vars.set(m[1], pattern([t.slice(m[0].length), ...a.parts.slice(1)]));
  else if (!state.vars.has(m[1])) state.vars.set(m[1], UNKNOWN_STRING);
  return m[1];
}

/** Does a loop body `shift` the positional parameters (at its top level)? */
function shifts(n: ShellNode): boolean {
  if (n.kind === 'simple') return n.words.length > 0 && n.words[0].segments.length === 1 && n.words[0].segments[0].kind === 'text' && n.words[0].segments[0].text === 'shift';
  if (n.kind === 'list') return n.items.some(shifts);
  if (n.kind === 'if') return n.branches.some((b) => shifts(b.body)) || (n.otherwise !== null && shifts(n.otherwise));
  if (n.kind === 'case') return n.arms.some((a) => shifts(a.body));
  return false;
}

/** `ip`, `/run/current-system/sw/bin/ip`, `${pkgs.iproute2}/bin/ip`; undefined when not known. */
export function commandName(p: StrPattern): string | undefined {
  const last = p.parts[p.parts.length - 1];
  if (typeof last !== 'string') return undefined;
  if (p.parts.length > 1 && !last.includes('/')) return undefined;
  return last.slice(last.lastIndexOf('/') + 1);
}

/** Drops command wrappers: `sudo`, `exec`, `env VAR=x`, `command`, `nohup`, `nice -n 5`, ... */
function unwrap(argv: StrPattern[]): StrPattern[] {
  let k = 0;
  for (let guard = 0; guard < 8 && k < argv.length; guard++) {
    const name = commandName(argv[k]);
    if (name === undefined || !WRAPPERS.has(name)) break;
    k++;
    while (k < argv.length) {
      const t = text(argv[k]);
      if (t === undefined) break;
      if (t.startsWith('-')) k += WRAPPER_OPTIONS_WITH_ARGUMENT.has(t) ? 2 : 1;
      else if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) k++;
      else if (name === 'timeout' && /^[0-9.]+[smhd]?$/.test(t)) k++;
      else break;
    }
  }
  return argv.slice(k);
}

/** An unknown executable called with `ip`'s syntax (`${lib.getExe' pkgs.iproute2 "ip"} link set ...`). */
function looksLikeIp(args: StrPattern[]): boolean {
  let k = 0;
  while (k < args.length && text(args[k])?.startsWith('-')) k += IP_OPTIONS_WITH_ARGUMENT.has(text(args[k])!) ? 2 : 1;
  const object = text(args[k]);
  const verb = text(args[k + 1]);
  if (object === undefined || verb === undefined) return false;
  return (LINK.has(object) && (SET.has(verb) || ADD.has(verb))) || (ADDRESS.has(object) && ADDRESS_ADD.has(verb)) || (ROUTE.has(object) && ROUTE_ADD.has(verb));
}

/** A `case` pattern (`vm-*`, `tap[0-9]`, `?x`) as a regular expression. */
function caseGlob(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
const WRAPPERS = new Set(['sudo', 'doas', 'exec', 'command', 'builtin', 'nohup', 'env', 'nice', 'time', 'setsid', 'timeout', 'stdbuf']);
const WRAPPER_OPTIONS_WITH_ARGUMENT = new Set(['-u', '-g', '-n', '-C', '-k', '-s', '-o', '-e', '-i']);
const LINK = new Set(['link', 'l', 'li', 'lin']);
const SET = new Set(['set', 's', 'se']);
const ADD = new Set(['add', 'a', 'ad']);
const ADDRESS = new Set(['address', 'addr', 'a', 'ad', 'add', 'addre', 'addres']);
const ADDRESS_ADD = new Set(['add', 'a', 'ad', 'replace', 'change', 'chg']);
const ROUTE = new Set(['route', 'r', 'ro', 'rou', 'rout']);
const ROUTE_ADD = new Set(['add', 'a', 'ad', 'append', 'app', 'replace', 'change', 'prepend']);
/** Global `ip` options that take an argument. */
const IP_OPTIONS_WITH_ARGUMENT = new Set(['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-f', '-family', '-l', '-loops']);
/** `ip link set|add` keywords that take one argument (besides `dev`, `master`, `name`, `type`). */
const LINK_OPTIONS_WITH_ARGUMENT = new Set([
  'mtu', 'address', 'broadcast', 'brd', 'peer', 'netns', 'alias', 'txqueuelen', 'txqlen', 'qlen',
  'group', 'arp', 'multicast', 'allmulticast', 'promisc', 'trailers', 'dynamic', 'carrier', 'protodown',
  'protodown_reason', 'gso_max_size', 'gso_max_segs', 'gro_max_size', 'vrf', 'addrgenmode', 'link-netns',
  'link-netnsid', 'numtxqueues', 'numrxqueues', 'index', 'xdp',
]);
const LINK_FLAGS = new Set(['up', 'down']);
/** Commands that never attach, create or address a link: not worth an `opaque` effect. */
const HARMLESS = new Set([
  'echo', 'printf', 'logger', 'sleep', 'true', 'false', ':', 'test', '[', '[[', 'cat', 'grep', 'egrep', 'sed', 'awk',
  'cut', 'tr', 'head', 'tail', 'sort', 'uniq', 'wc', 'mkdir', 'rm', 'rmdir', 'cp', 'mv', 'chmod', 'chown', 'chgrp',
  'touch', 'ln', 'ls', 'find', 'xargs', 'readlink', 'realpath', 'dirname', 'basename', 'date', 'systemctl',
  'journalctl', 'systemd-cat', 'wait', 'exit', 'return', 'trap', 'cd', 'pushd', 'popd', 'kill', 'pkill', 'sysctl',
  'modprobe', 'iptables', 'ip6tables', 'nft', 'ebtables', 'tc', 'ethtool', 'bridge', 'ping', 'curl', 'wget', 'jq',
  'mount', 'umount', 'tee', 'id', 'whoami', 'hostname', 'udevadm', 'networkctl', 'resolvectl', 'ss', 'netstat',
  'ip', 'brctl', 'seq', 'let', 'eval', 'wg', 'tailscale', 'nixos-container', 'virsh', 'docker', 'podman',
]);
