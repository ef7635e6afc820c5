/**
 * Finds `ip tuntap add … <name> … [multi_queue]` in shell text that may be only partly known,
 * read with the shell lexer (shell/lexer.ts) into commands of words. iproute2 reads `dev NAME`, `name NAME` or any
 * word that is not a keyword as the device name; `mode`, `user` and `group` take an argument.
 */
import { HOLE, pattern, type StrPattern } from '../pattern';
import { tokenize, type Word as ShellWord } from './shell/lexer';

export interface TuntapAdd {
  name: StrPattern;
  /** null: some word is not statically known, so `multi_queue` may be among them. */
  multiQueue: boolean | null;
  /** 0-based line inside the script text. */
  line: number;
}

const WITH_ARG = new Set(['mode', 'user', 'group']);
const FLAGS = new Set(['one_queue', 'pi', 'vnet_hdr', 'multi_queue']);
/** iproute2 accepts any prefix of the sub-command. */
const ADD = new Set(['a', 'ad', 'add']);

/** A word as literal text and holes (a parameter or substitution is a hole). */
interface Word {
  parts: (string | typeof HOLE)[];
  hasVar: boolean;
}

function wordOf(w: ShellWord): Word {
  const parts: (string | typeof HOLE)[] = [];
  let hasVar = false;
  for (const s of w.segments) {
    if (s.kind === 'text') parts.push(s.text);
    else {
      if (s.kind === 'param') hasVar = true;
      parts.push(HOLE);
    }
  }
  return { parts, hasVar };
}

/** The commands of a script: its words, split at separators and line ends, with their line. */
function splitCommands(script: StrPattern): { words: Word[]; line: number }[] {
  const out: { words: Word[]; line: number }[] = [];
  let words: Word[] = [];
  let line = 0;
  let skipNext = false;
  for (const t of tokenize(script)) {
    if (t.kind === 'word') {
      if (skipNext) skipNext = false;
      else {
        if (words.length === 0) line = t.word.line;
        words.push(wordOf(t.word));
      }
    } else if (t.kind === 'redirect') skipNext = true;
    else if (words.length) {
      out.push({ words, line });
      words = [];
    }
  }
  if (words.length) out.push({ words, line });
  return out;
}

const textOf = (w: Word): string | undefined => (w.parts.every((p) => typeof p === 'string') ? w.parts.join('') : undefined);

/** `ip`, `…/bin/ip`, or a Nix interpolation we could not evaluate (`${lib.getExe' pkgs.iproute2 "ip"}`). */
function isIp(w: Word): boolean {
  const last = w.parts[w.parts.length - 1];
  if (last === undefined) return false;
  if (typeof last !== 'string') return last === HOLE && !w.hasVar && w.parts.length === 1;
  return last === 'ip' || last.endsWith('/ip');
}

export function parseTuntapAdds(script: StrPattern): TuntapAdd[] {
  const out: TuntapAdd[] = [];
  for (const cmd of splitCommands(script)) {
    const ws = cmd.words;
    for (let k = 1; k + 1 < ws.length; k++) {
      if (textOf(ws[k]) !== 'tuntap' || !ADD.has(textOf(ws[k + 1]) ?? '') || !isIp(ws[k - 1])) continue;
      let name: StrPattern | null = null;
      let multiQueue: boolean | null = false;
      for (let m = k + 2; m < ws.length; m++) {
        const word = textOf(ws[m]);
        if (word === 'dev' || word === 'name') {
          if (m + 1 < ws.length) name = pattern(ws[++m].parts);
        } else if (word !== undefined && WITH_ARG.has(word)) m++;
        else if (word === 'multi_queue') multiQueue = multiQueue === null ? null : true;
        else if (word !== undefined && FLAGS.has(word)) continue;
        else {
          // A word that is not statically known may expand to several, `multi_queue` among them.
          if (word === undefined) multiQueue = null;
          if (name === null) name = pattern(ws[m].parts);
        }
      }
      if (name !== null) out.push({ name, multiQueue, line: cmd.line });
      break;
    }
  }
  return out;
}
