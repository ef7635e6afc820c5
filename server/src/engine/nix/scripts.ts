/**
 * Finds `ip link set [dev] <tap> ... master <br>` (and `brctl addif <br> <tap>`) in shell text
 * that may be only partly known (a StrPattern whose holes are Nix interpolations we could not
 * evaluate, such as `${lib.getExe' pkgs.iproute2 "ip"}`).
 *
 * This is a tolerant word splitter, not a shell: quotes are honoured, `$var` / `${var}` / `$1`
 * become variables, `$(...)` and backticks become holes, commands split at newlines, `;`, `|`,
 * `&&`, `||`, `&`. A word made only of a variable listed in `allTapVars` means "every tap of the
 * VM" (the old `microvm-tap-interfaces@` loop `for id in ...; do ... $id ...`); any other variable
 * is an unknown hole in the word.
 */
import { HOLE, pattern, type StrPart, type StrPattern } from '../pattern';

export interface MasterCommand {
  /** The device named by the command; null when `allTaps`. */
  tap: StrPattern | null;
  /** The device is the loop variable over the VM's taps (`$id`, `${id}`, `$1`). */
  allTaps: boolean;
  bridge: StrPattern;
  /** 0-based line of the command inside the script text (holes count as no line breaks). */
  line: number;
  /** The command as read, for messages (holes as `*`). */
  text: string;
}

export interface ParseOptions {
  /** Variables that stand for each of the VM's taps. Default: `id`, `1`, plus `for` loop
   *  variables iterating over something mentioning `tap-interfaces`. */
  allTapVars?: Iterable<string>;
  /** What `%i` (systemd template instance) expands to; default a hole. */
  instance?: StrPattern | null;
  /** Shell variables with a known value (`$1` = the VM in the tap unit's old script). */
  vars?: Record<string, StrPattern>;
}

// A character stream over a pattern: a hole is one element.
type Ch = string | typeof HOLE;

interface Word {
  parts: StrPart[];
  /** The word is exactly one variable expansion (`$id`, `"${id}"`). */
  pureVar?: string;
  /** Holes came from shell variables/substitutions (not from Nix). */
  hasVar: boolean;
  quoted: boolean;
}

interface Command {
  words: Word[];
  line: number;
}

function toChars(p: StrPattern): Ch[] {
  const out: Ch[] = [];
  for (const part of p.parts) {
    if (typeof part === 'string') for (const c of part) out.push(c);
    else out.push(HOLE);
  }
  return out;
}

const isNameStart = (c: Ch): boolean => typeof c === 'string' && /[A-Za-z_]/.test(c);
const isNameChar = (c: Ch): boolean => typeof c === 'string' && /[A-Za-z0-9_]/.test(c);

/** Splits shell text into commands of words. */
export function splitCommands(text: StrPattern, instance: StrPattern | null = null, vars: Record<string, StrPattern> = {}): Command[] {
  const cs = toChars(text);
  const commands: Command[] = [];
  let words: Word[] = [];
  let cur: Word | null = null;
  let line = 0;
  let cmdLine = 0;
  let varCount = 0; // number of variable expansions in the current word
  let otherCount = 0; // number of other elements in the current word

  const start = (): Word => {
    if (!cur) {
      cur = { parts: [], hasVar: false, quoted: false };
      varCount = 0;
      otherCount = 0;
    }
    return cur;
  };
  const lit = (s: string): void => {
    const w = start();
    w.parts.push(s);
    otherCount++;
  };
  const hole = (fromVar: boolean): void => {
    const w = start();
    w.parts.push(HOLE);
    if (fromVar) w.hasVar = true;
    otherCount++;
  };
  const variable = (name: string): void => {
    const w = start();
    if (name === '') {
      w.parts.push('$');
      otherCount++;
      return;
    }
    const known = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    if (known) {
      w.parts.push(...known.parts);
      otherCount++;
      return;
    }
    w.parts.push(HOLE);
    w.hasVar = true;
    varCount++;
    (w as Word & { lastVar?: string }).lastVar = name;
  };
  const endWord = (): void => {
    if (cur) {
      const w = cur as Word & { lastVar?: string };
      if (varCount === 1 && otherCount === 0) w.pureVar = w.lastVar;
      delete w.lastVar;
      w.parts = pattern(w.parts).parts.slice();
      words.push(w);
    }
    cur = null;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push({ words, line: cmdLine });
    words = [];
  };

  // Reads `$...` at index i (cs[i] === '$'); returns the new index.
  const dollar = (i: number): number => {
    const n = cs[i + 1];
    if (n === '{') {
      let j = i + 2;
      let name = '';
      while (j < cs.length && cs[j] !== '}') {
        const c = cs[j];
        name += typeof c === 'string' ? c : '\u0000';
        j++;
      }
      const simple = /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$/.test(name);
      if (simple) variable(name);
      else hole(true);
      return j + 1;
    }
    if (n === '(') {
      // command substitution (or arithmetic): skip to the matching paren
      let depth = 0;
      let j = i + 1;
      for (; j < cs.length; j++) {
        if (cs[j] === '(') depth++;
        else if (cs[j] === ')') {
          depth--;
          if (depth === 0) break;
        } else if (cs[j] === '\n') line++;
      }
      hole(true);
      return j + 1;
    }
    if (typeof n === 'string' && /[0-9@*#?$!-]/.test(n)) {
      variable(n);
      return i + 2;
    }
    if (isNameStart(n)) {
      let j = i + 1;
      let name = '';
      while (j < cs.length && isNameChar(cs[j])) name += cs[j++] as string;
      variable(name);
      return j;
    }
    lit('$');
    return i + 1;
  };
  const percent = (i: number): number => {
    const n = cs[i + 1];
    if (n === 'i' || n === 'I') {
      if (instance) {
        const w = start();
        w.parts.push(...instance.parts);
        otherCount++;
      } else hole(true);
      return i + 2;
    }
    if (n === '%') {
      lit('%');
      return i + 2;
    }
    lit('%');
    return i + 1;
  };

  let i = 0;
  while (i < cs.length) {
    const c = cs[i];
    if (c === HOLE) {
      hole(false);
      i++;
      continue;
    }
    if (c === '\\' && cs[i + 1] === '\n') {
      // line continuation
      line++;
      i += 2;
      continue;
    }
    if (c === '\n') {
      endCommand();
      line++;
      cmdLine = line;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !cur) {
      while (i < cs.length && cs[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')' || c === '{' && !cur || c === '}' && !cur) {
      endCommand();
      cmdLine = line;
      i++;
      continue;
    }
    if (c === "'") {
      start().quoted = true;
      let j = i + 1;
      let buf = '';
      for (; j < cs.length && cs[j] !== "'"; j++) {
        const d = cs[j];
        if (d === HOLE) {
          if (buf) lit(buf);
          buf = '';
          hole(false);
        } else {
          if (d === '\n') line++;
          buf += d;
        }
      }
      if (buf) lit(buf);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      start().quoted = true;
      let j = i + 1;
      while (j < cs.length && cs[j] !== '"') {
        const d = cs[j];
        if (d === HOLE) {
          hole(false);
          j++;
        } else if (d === '\\' && j + 1 < cs.length) {
          const e = cs[j + 1];
          if (e === HOLE) hole(false);
          else if (e === '\n') line++;
          else lit(e === '"' || e === '\\' || e === '$' || e === '`' ? e : '\\' + e);
          j += 2;
        } else if (d === '$') {
          j = dollar(j);
        } else if (d === '%') {
          j = percent(j);
        } else if (d === '`') {
          let k = j + 1;
          while (k < cs.length && cs[k] !== '`') k++;
          hole(true);
          j = k + 1;
        } else {
          if (d === '\n') line++;
          lit(d as string);
          j++;
        }
      }
      i = j + 1;
      continue;
    }
    if (c === '\\' && i + 1 < cs.length) {
      const e = cs[i + 1];
      if (typeof e !== 'string') hole(false);
      else lit(e);
      i += 2;
      continue;
    }
    if (c === '$') {
      i = dollar(i);
      continue;
    }
    if (c === '%') {
      i = percent(i);
      continue;
    }
    if (c === '`') {
      let k = i + 1;
      while (k < cs.length && cs[k] !== '`') k++;
      hole(true);
      i = k + 1;
      continue;
    }
    lit(c as string);
    i++;
  }
  endCommand();
  return commands;
}

function wordText(w: Word): string | undefined {
  return w.parts.every((p) => typeof p === 'string') ? w.parts.join('') : undefined;
}

function display(w: Word): string {
  return w.parts.map((p) => (typeof p === 'string' ? p : '*')).join('');
}

/** `ip`, `/run/current-system/sw/bin/ip`, `${pkgs.iproute2}/bin/ip`, `${getExe' iproute2 "ip"}`. */
function looksLikeIp(w: Word): boolean {
  const last = w.parts[w.parts.length - 1];
  if (last === undefined) return false;
  if (typeof last !== 'string') return !w.hasVar || w.parts.length === 1; // an unknown Nix hole
  return last === 'ip' || last.endsWith('/ip');
}

const LINK = new Set(['link', 'l', 'li', 'lin']);
const SET = new Set(['set', 's', 'se']);
/** `ip link set` keywords that take one argument (besides `dev` and `master`). */
const WITH_ARG = new Set([
  'name', 'mtu', 'address', 'broadcast', 'brd', 'peer', 'netns', 'alias', 'txqueuelen', 'txqlen',
  'qlen', 'group', 'type', 'link', 'arp', 'multicast', 'allmulticast', 'promisc', 'trailers',
  'dynamic', 'carrier', 'protodown', 'protodown_reason', 'gso_max_size', 'gso_max_segs',
  'gro_max_size', 'vrf', 'addrgenmode', 'link-netns', 'link-netnsid', 'numtxqueues', 'numrxqueues',
]);
const NO_ARG = new Set(['up', 'down', 'nomaster']);
/** Global `ip` options that take an argument. */
const IP_OPT_ARG = new Set(['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-f', '-family', '-l', '-loops']);

function isOption(w: Word): boolean {
  const t = w.parts[0];
  return typeof t === 'string' && t.startsWith('-');
}

/** Index just after the `ip` word for a `link set` at index k, or -1 when none precedes it. */
function ipBefore(words: Word[], k: number): boolean {
  let j = k - 1;
  while (j >= 0) {
    const w = words[j];
    if (isOption(w)) {
      j--;
      continue;
    }
    // an argument of a global option (`-n ns`)
    if (j - 1 >= 0 && IP_OPT_ARG.has(wordText(words[j - 1]) ?? '')) {
      j -= 2;
      continue;
    }
    return looksLikeIp(w);
  }
  return false;
}

function wordPattern(w: Word): StrPattern {
  return pattern(w.parts);
}

function defaultAllTapVars(script: StrPattern): Set<string> {
  const vars = new Set(['id', '1']);
  const text = script.parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
  for (const m of text.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([^;\n]*)/g)) {
    if (/tap-interfaces|tap_interfaces|taps/i.test(m[2])) vars.add(m[1]);
  }
  return vars;
}

/** Every `ip link set <dev> master <br>` / `brctl addif <br> <dev...>` in a script. */
export function parseMasterCommands(script: StrPattern, opts: ParseOptions = {}): MasterCommand[] {
  const commands = splitCommands(script, opts.instance ?? null, opts.vars);
  const allTapVars = opts.allTapVars ? new Set(opts.allTapVars) : defaultAllTapVars(script);
  const out: MasterCommand[] = [];
  const device = (w: Word): { tap: StrPattern | null; allTaps: boolean } =>
    w.pureVar !== undefined && allTapVars.has(w.pureVar) ? { tap: null, allTaps: true } : { tap: wordPattern(w), allTaps: false };

  for (const cmd of commands) {
    const ws = cmd.words;
    const text = ws.map(display).join(' ');
    for (let k = 0; k + 1 < ws.length; k++) {
      const t = wordText(ws[k]);
      if (t === 'addif' && k >= 1 && /(^|\/)brctl$/.test(wordText(ws[k - 1]) ?? '') && k + 2 < ws.length) {
        const bridge = wordPattern(ws[k + 1]);
        for (const d of ws.slice(k + 2)) out.push({ ...device(d), bridge, line: cmd.line, text });
        break;
      }
      if (!t || !LINK.has(t) || !SET.has(wordText(ws[k + 1]) ?? '') || !ipBefore(ws, k)) continue;
      let dev: Word | undefined;
      let master: Word | undefined;
      let noMaster = false;
      for (let m = k + 2; m < ws.length; m++) {
        const a = wordText(ws[m]);
        if (a === 'dev' && m + 1 < ws.length) {
          dev = ws[++m];
        } else if (a === 'master' && m + 1 < ws.length) {
          master = ws[++m];
          noMaster = false;
        } else if (a === 'nomaster') {
          master = undefined;
          noMaster = true;
        } else if (a !== undefined && NO_ARG.has(a)) {
          // nothing
        } else if (a !== undefined && WITH_ARG.has(a)) {
          m++;
        } else if (!dev) {
          dev = ws[m];
        }
      }
      if (dev && master && !noMaster) out.push({ ...device(dev), bridge: wordPattern(master), line: cmd.line, text });
      break;
    }
  }
  return out;
}
