/**
 * Fix #1: add the tap id (or a glob covering several uncovered taps of the host) to the
 * `[Match] Name=` of the unit that already sets the intended bridge — in the `.network` file
 * (a new `Name=` line after the last one) or in Nix (`matchConfig.Name` string → list, list →
 * one more element, `name = "..."` → one more word). Offered only when the engine, re-run on
 * the changed unit, says the tap then lands on that bridge and no other interface of the host
 * changes for the worse; never when the unit's Name= list is only negative (adding a positive
 * word would narrow what it matches) or the unit is not fully known.
 */
import type { UnitDefinition, UnitSetting } from '../model';
import { known, knownText, literalPrefix } from '../pattern';
import { bridgesTap, fakeSetting, harmless, lastSetting, makeFix, nameWords, tapId, unitBridge, type Candidate, type FileEdits, type FixTarget } from './common';
import { eolOf, lineEndOf, lineIndentAt, nixString, type OffsetEdit } from './edits';
import { appendToList, chainAt } from './nixEdit';

const GLOB_CHARS = /[*?[\]\\!\s"'=]/;

export function addNameFixes(t: FixTarget): Candidate[] {
  const bridge = t.bridge.name;
  if (bridge === null) return [];
  const units = candidateUnits(t, bridge);
  if (units.length === 0) return [];
  const out: Candidate[] = [];
  const words = wordsFor(t);
  for (const w of words) {
    for (const unit of units) {
      const fix = tryUnit(t, unit, w, bridge);
      if (fix) {
        out.push({ kind: 'add-name', fix });
        break;
      }
    }
  }
  return out;
}

interface WordChoice {
  word: string;
  /** Ids of the uncovered taps the word covers (for the title). */
  covers: string[];
  glob: boolean;
}

/** The exact id first, then covering globs (shortest prefix first) when other uncovered taps share a prefix. */
function wordsFor(t: FixTarget): WordChoice[] {
  const out: WordChoice[] = [];
  const id = tapId(t.iface);
  if (id !== undefined) {
    if (!GLOB_CHARS.test(id) && id !== '') out.push({ word: id, covers: [id], glob: false });
  } else {
    // A pattern id (`vm-${name}`): its own shape as a glob, when the literal part is specific enough.
    const glob = t.iface.id.value.parts.map((p) => (typeof p === 'string' ? p : '*')).join('');
    const literal = t.iface.id.value.parts.filter((p): p is string => typeof p === 'string').join('');
    if (literal.length >= 3 && !GLOB_CHARS.test(literal)) out.push({ word: glob, covers: [glob], glob: true });
    return out;
  }
  const uncovered = t.snapshot.outcomes
    .filter((o) => o !== t.outcome && o.interface.host === t.iface.host && o.interface.type === 'tap')
    .filter((o) => o.status === 'unmanaged' || o.status === 'shadowed')
    .map((o) => knownText(o.interface.id.value))
    .filter((x): x is string => x !== undefined && x !== id);
  if (uncovered.length === 0) return out;
  const prefixes = new Set<string>();
  for (const other of uncovered) {
    let n = 0;
    while (n < id.length && n < other.length && id[n] === other[n]) n++;
    const prefix = id.slice(0, n);
    if (prefix.length >= 2 && !GLOB_CHARS.test(prefix)) prefixes.add(prefix);
  }
  const taken = knownNames(t);
  for (const prefix of [...prefixes].sort((a, b) => a.length - b.length)) {
    // Never a glob that also names a physical link, a bridge, or anything a unit names literally.
    if ([...taken].some((n) => n.startsWith(prefix))) continue;
    const covers = [id, ...uncovered.filter((u) => u.startsWith(prefix))];
    out.unshift({ word: prefix + '*', covers, glob: true });
    break;
  }
  return out;
}

/** Literal interface names the workspace mentions besides taps: Name= words, netdev names, bridges. */
function knownNames(t: FixTarget): Set<string> {
  const names = new Set<string>();
  for (const u of t.snapshot.facts.units) {
    for (const s of u.settings) {
      if (!((s.section === 'Match' && s.key === 'Name') || (s.section === 'NetDev' && s.key === 'Name') || (s.section === 'Network' && s.key === 'Bridge'))) continue;
      const text = knownText(s.value);
      if (text === undefined) continue;
      for (const w of text.replace(/^!/, '').split(/\s+/)) if (w && !/[*?[]/.test(w)) names.add(w);
    }
  }
  for (const b of t.snapshot.facts.bridges) names.add(b.name);
  for (const o of t.snapshot.outcomes) {
    if (o.interface.host !== t.iface.host) continue;
    if (o.status === 'unmanaged' || o.status === 'shadowed') continue;
    const id = knownText(o.interface.id.value) ?? literalPrefix(o.interface.id.value);
    if (id) names.add(id);
  }
  return names;
}

function candidateUnits(t: FixTarget, bridge: string): UnitDefinition[] {
  const units = t.world.units.filter(
    (u) => u.kind === 'network' && !u.masked && u.complete && (u.source === 'file' || u.source === 'nix') && unitBridge(u) === bridge,
  );
  const first = t.outcome.shadowedUnit;
  return units.sort((a, b) => (a === first ? -1 : b === first ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function tryUnit(t: FixTarget, unit: UnitDefinition, w: WordChoice, bridge: string): ReturnType<typeof makeFix> {
  const words = nameWords(unit);
  if (!words || !words.some((x) => !x.negative)) return null;
  if (words.some((x) => !x.negative && x.word === w.word)) return null;
  const last = lastSetting(unit, 'Match', 'Name');
  if (!last) return null;
  const index = unit.settings.lastIndexOf(last);
  const added = fakeSetting('Match', 'Name', known(w.word), last.valueLocation);
  const changed: UnitDefinition = { ...unit, settings: [...unit.settings.slice(0, index + 1), added, ...unit.settings.slice(index + 1)] };
  const change = { units: (all: UnitDefinition[]) => all.map((u) => (u === unit ? changed : u)) };
  if (!bridgesTap(t.snapshot.facts, change, t.iface, bridge, unit.name)) return null;
  if (!harmless(t.snapshot, change, t.iface, bridge)) return null;

  const edits = unit.source === 'file' ? fileEdit(t, last, w.word) : nixEdit(t, last, w.word);
  if (!edits) return null;
  const what = w.glob && (w.covers.length > 1 || w.covers[0] !== w.word) ? `\`${w.word}\` (covers ${w.covers.map((c) => `\`${c}\``).join(', ')})` : `\`${w.word}\``;
  return makeFix(t, `Add ${what} to Name= of ${unit.name} (bridge ${bridge})`, [edits]);
}

/** A new `Name=<word>` line right after the unit's last Name= line (its own line: no inherited `!`). */
function fileEdit(t: FixTarget, last: UnitSetting, word: string): FileEdits | null {
  const file = last.valueLocation.file;
  if (last.keyLocation.file !== file) return null;
  const text = t.env.textOf(file);
  if (text === null) return null;
  const offset = offsetIn(text, last.valueLocation.range.end);
  const keyOffset = offsetIn(text, last.keyLocation.range.start);
  if (text.slice(keyOffset, keyOffset + 5) !== 'Name=' && !/^Name\s*=/.test(text.slice(keyOffset))) return null;
  const at = lineEndOf(text, offset);
  const edit: OffsetEdit = { start: at, end: at, newText: eolOf(text) + lineIndentAt(text, keyOffset) + 'Name=' + word };
  return { file, text, edits: [edit], nix: false };
}

function nixEdit(t: FixTarget, last: UnitSetting, word: string): FileEdits | null {
  const file = last.valueLocation.file;
  const text = t.env.textOf(file);
  if (text === null) return null;
  const parsed = t.env.parseNix(file, text);
  const start = parsed.lines.offsetAt(last.valueLocation.range.start);
  const end = parsed.lines.offsetAt(last.valueLocation.range.end);
  const steps = chainAt(parsed.root, start, end);
  let i = steps.length - 1;
  while (i > 0 && !steps[i].via) i--;
  const binding = steps[i]?.via;
  if (!binding) return null;
  const value = steps[i].node;
  const key = binding.path[binding.path.length - 1]?.name;
  const underMatch =
    (binding.path.length >= 2 && binding.path[binding.path.length - 2].name === 'matchConfig') ||
    (binding.path.length === 1 && steps[i - 1]?.via?.path[steps[i - 1].via!.path.length - 1]?.name === 'matchConfig');
  // The value we edit must be exactly the one the setting came from.
  const deepest = steps[steps.length - 1].node;
  if (deepest.start !== start || deepest.end !== end) return null;
  if (value.kind === 'str' && text[value.start] === '"') {
    if (key === 'name' && !underMatch) {
      const current = knownText(last.value);
      if (current === undefined || current.trim().startsWith('!')) return null;
      // Inside the existing string literal: the word is escaped as that string's content.
      return { file, text, edits: [{ start: value.end - 1, end: value.end - 1, newText: ' ' + nixString(word).slice(1, -1) }], nix: true };
    }
    if (key === 'Name' && underMatch) {
      return {
        file,
        text,
        edits: [
          { start: value.start, end: value.start, newText: '[ ' },
          { start: value.end, end: value.end, newText: ' ' + nixString(word) + ' ]' },
        ],
        nix: true,
      };
    }
    return null;
  }
  if (value.kind === 'list' && key === 'Name' && underMatch && value.items.includes(deepest)) {
    const edit = appendToList(parsed, value, nixString(word));
    return edit ? { file, text, edits: [edit], nix: true } : null;
  }
  return null;
}

function offsetIn(text: string, pos: { line: number; character: number }): number {
  let line = 0;
  let i = 0;
  while (line < pos.line && i < text.length) {
    const c = text[i++];
    if (c === '\n') line++;
    else if (c === '\r') {
      if (text[i] === '\n') i++;
      line++;
    }
  }
  return Math.min(i + pos.character, text.length);
}
