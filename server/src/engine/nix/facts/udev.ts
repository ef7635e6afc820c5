/**
 * udev rules in `services.udev.extraRules` that act when a tap appears: `RUN+="... ip link set %k
 * master br0"` (kind `custom-service`, unit `udev`), and `ENV{SYSTEMD_WANTS}+="attach@%k.service"`,
 * which runs a template unit with the device as its instance. The rule's match decides which taps:
 * `KERNEL=="vm-*"` (fnmatch globs, `|` alternatives) for the device name; `ACTION` must allow
 * `add` and `SUBSYSTEM` must allow `net`; any other condition cannot be evaluated here, so what the
 * rule does to a tap is only possible (`uncertain`).
 */
import { HOLE, knownText, pattern, type StrPart, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { sortByOrder, type Configuration } from '../modules';
import { DEVICE_MARK, linkEffects } from '../scripts';
import { valueLoc } from './common';
import { addScriptFacts, noScriptFacts, scriptFacts, type ScriptFacts } from './scriptFacts';
import type { CommandScripts, TemplateInstance } from './services';
import type { TextOrigin, WrittenScripts } from './writtenScripts';

interface Rule {
  /** 0-based line in the rules text. */
  line: number;
  matches: { key: string; negated: boolean; value: StrPattern }[];
  runs: StrPattern[];
  wants: StrPattern[];
}

const HOLE_CHAR = '\u0000';
const ASSIGNMENT_OPS = new Set(['=', '+=', ':=', '-=']);
/** Conditions a tap's `add` event satisfies by name; the rest cannot be told statically. */
const EVALUATED = new Set(['ACTION', 'SUBSYSTEM', 'KERNEL', 'NAME']);

export interface UdevFacts extends ScriptFacts {
  /** Template units the rules start with the device as instance. */
  wants: TemplateInstance[];
}

export function udevFacts(cfg: Configuration, host: string, fallback: Location, written: WrittenScripts, commands: CommandScripts, readText: (file: string) => string | undefined): UdevFacts {
  const out: UdevFacts = { ...noScriptFacts(), wants: [] };
  for (const s of sortByOrder(cfg.selectAt(['services', 'udev', 'extraRules']))) {
    const v = s.def.value;
    if (v.kind !== 'string') continue;
    const text = written.textOf(v, valueLoc(s.def, fallback)) ?? v.value;
    const origin: TextOrigin = { location: v.location ?? valueLoc(s.def, fallback) };
    for (const rule of parseRules(text)) {
      const applies = ruleForTaps(rule);
      if (!applies) continue;
      const wants = (unit: StrPattern) => {
        const m = /^(.+@)(.*)\.service$/.exec(knownText(unit) ?? '');
        if (m && m[2] === DEVICE_MARK) out.wants.push({ template: m[1], instance: pattern([DEVICE_MARK]), vm: null, deviceGlobs: applies.globs, uncertain: applies.uncertain });
      };
      rule.wants.forEach(wants);
      const runner = { kind: 'custom-service' as const, host, vm: null, unit: 'udev rule', deviceGlobs: applies.globs, uncertain: applies.uncertain };
      for (const run of rule.runs) {
        // The program is read on its own: its lines count from the rule's line in the rules text.
        const ruleOrigin: TextOrigin = { ...origin };
        const effects = linkEffects(
          { text: run, origin: ruleOrigin },
          // udev passes the device's name to the program as $INTERFACE too
          { vars: { INTERFACE: pattern([DEVICE_MARK]) }, resolve: (c) => commands.resolve(c, commands.programs()) },
        ).map((e) => (e.at.origin === ruleOrigin ? { ...e, at: { origin, line: e.at.line + rule.line } } : e));
        for (const e of effects) if (e.kind === 'start') wants(e.unit);
        addScriptFacts(out, scriptFacts(effects, runner, readText));
      }
    }
  }
  return out;
}

/** Which taps a rule acts on when they are added, or null when it never does. */
function ruleForTaps(rule: Rule): { globs: string[]; uncertain?: string } | null {
  let globs: string[] | null = null;
  const unknown: string[] = [];
  for (const m of rule.matches) {
    const value = knownText(m.value);
    if (!EVALUATED.has(m.key)) {
      unknown.push(m.key);
      continue;
    }
    if (value === undefined || (m.negated && (m.key === 'KERNEL' || m.key === 'NAME'))) {
      unknown.push(m.key);
      continue;
    }
    const alternatives = value.split('|');
    if (m.key === 'ACTION' || m.key === 'SUBSYSTEM') {
      const wanted = m.key === 'ACTION' ? 'add' : 'net';
      const hit = alternatives.some((a) => globMatches(a, wanted));
      if (hit === m.negated) return null;
    } else if (globs === null) globs = alternatives;
    else unknown.push(m.key);
  }
  const uncertain = unknown.length ? `the udev rule's ${[...new Set(unknown)].join(', ')} condition cannot be evaluated statically` : undefined;
  return { globs: globs ?? ['*'], ...(uncertain ? { uncertain } : {}) };
}

/** udev's own glob (`*`, `?`, `[...]`) against a fixed word. */
function globMatches(glob: string, word: string): boolean {
  const re = glob.replace(/[.+^${}()\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(word);
}

/** Rules, one per (continued) line: `KEY=="v", KEY{attr}!="v", RUN+="..."`. */
function parseRules(text: StrPattern): Rule[] {
  const flat = text.parts.map((p) => (typeof p === 'string' ? p : HOLE_CHAR)).join('');
  const rules: Rule[] = [];
  const lines = flat.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const first = k;
    let line = lines[k];
    while (line.endsWith('\\') && k + 1 < lines.length) line = line.slice(0, -1) + lines[++k];
    if (/^\s*(#|$)/.test(line)) continue;
    const rule: Rule = { line: first, matches: [], runs: [], wants: [] };
    for (const m of line.matchAll(/([A-Za-z_]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      const [, key, attr, op, raw] = m;
      const value = toPattern(raw);
      if (op === '==' || op === '!=') rule.matches.push({ key: attr ? `${key}${attr}` : key, negated: op === '!=', value });
      else if (ASSIGNMENT_OPS.has(op) && key === 'RUN' && (!attr || attr === '{program}')) rule.runs.push(substitute(value));
      else if (ASSIGNMENT_OPS.has(op) && key === 'ENV' && attr === '{SYSTEMD_WANTS}') rule.wants.push(...splitWords(substitute(value)));
    }
    rules.push(rule);
  }
  return rules;
}

function toPattern(s: string): StrPattern {
  const parts: StrPart[] = [];
  s.split(HOLE_CHAR).forEach((piece, i) => {
    if (i > 0) parts.push(HOLE);
    parts.push(piece);
  });
  return pattern(parts);
}

/** udev's substitutions: the device's name (`%k`, `$kernel`, `$name`, `$env{INTERFACE}`), `%%`, `$$`. */
function substitute(p: StrPattern): StrPattern {
  const parts: StrPart[] = [];
  for (const part of p.parts) {
    if (typeof part !== 'string') {
      parts.push(part);
      continue;
    }
    parts.push(
      part
        .replace(/%k|\$kernel\b|\$name\b|\$env\{INTERFACE\}|%E\{INTERFACE\}/g, DEVICE_MARK)
        .replace(/%%/g, '%')
        .replace(/\$\$/g, '$'),
    );
  }
  return pattern(parts);
}

function splitWords(p: StrPattern): StrPattern[] {
  const t = knownText(p);
  return t === undefined ? [p] : t.split(/\s+/).filter(Boolean).map((w) => pattern([w]));
}
