/**
 * Renaming a bridge across the workspace: `.netdev` `Name=`, `Bridge=` and `[Match] Name=` words,
 * Nix `netdevConfig.Name`, `networkConfig.Bridge`, `networking.bridges.<name>` and
 * `networking.interfaces.<name>` keys, and scripts' `master <bridge>`. Every whole-word mention of
 * the old name in a workspace file is classified; the rename happens only when each one is either
 * edited (a literal string, an attribute name, a unit-file word, a script word) or certainly not a
 * reference (a comment, part of a longer name such as `20-br0.netdev`). Anything else — a
 * variable named like the bridge, a value the analysis knows only through evaluation — refuses
 * the rename, naming where: a half-renamed bridge takes every tap off it.
 *
 * The new name is validated as an interface name and written only through the quoting layer.
 */
import type { UnitDefinition, UnitSetting, WorkspaceFacts } from './model';
import type { NixNode, ParsedNixFile } from './nix/ast';
import { knownText, samePattern, known } from './pattern';
import { displayName, interfaceNameRefusal, isPlainWord, nixKey, nixString, unitValueRefusal } from './fixes/quote';
import type { TextEdit, WorkspaceEdit } from './service';
import { isWholeName, nameOffsets } from './mentions';
import { LineIndex, rangeContains, type Location, type Position, type Range } from './text';

export interface RenameEnv {
  textOf: (path: string) => string | null;
  parseNix: (file: string, text: string) => ParsedNixFile;
  sha256Of: (path: string) => string | undefined;
}

export interface RenameTarget {
  /** The bridge name under the cursor, without quotes. */
  name: string;
  range: Range;
}

export type RenameResult = { edit: WorkspaceEdit } | { refused: string };

/** The bridge name at `position`, when the cursor is on one the rename can start from. */
export function bridgeNameAt(facts: WorkspaceFacts, env: RenameEnv, file: string, position: Position): RenameTarget | null {
  const candidates: Location[] = [];
  for (const unit of facts.units) {
    for (const s of bridgeSettings(unit)) candidates.push(s.valueLocation);
  }
  for (const b of facts.bridges) candidates.push(b.location);
  for (const s of facts.scripts) candidates.push(s.location);
  if (!candidates.some((at) => at.file === file && rangeContains(at.range, position))) return null;
  const text = env.textOf(file);
  if (text === null) return null;
  const lines = new LineIndex(text);
  const offset = lines.offsetAt(position);
  // The longest bridge name written across the cursor (`br0.100` over `br0`).
  let best: RenameTarget | null = null;
  for (const name of bridgeNames(facts)) {
    for (let i = text.lastIndexOf(name, offset); i >= 0 && i + name.length >= offset; i = text.lastIndexOf(name, i - 1)) {
      if (!isWholeName(text, i, name)) continue;
      if (!best || name.length > best.name.length) best = { name, range: { start: lines.positionAt(i), end: lines.positionAt(i + name.length) } };
      break;
    }
  }
  return best;
}

/** `NetDev Name=` of a bridge netdev, `Network Bridge=`: the settings that name a bridge. */
function bridgeSettings(unit: UnitDefinition): UnitSetting[] {
  const isBridge = unit.kind === 'netdev' && unit.settings.some((s) => s.section === 'NetDev' && s.key === 'Kind' && knownText(s.value)?.trim() === 'bridge');
  return unit.settings.filter((s) => (isBridge && s.section === 'NetDev' && s.key === 'Name') || (s.section === 'Network' && s.key === 'Bridge'));
}

function bridgeNames(facts: WorkspaceFacts): Set<string> {
  const names = new Set<string>(facts.bridges.map((b) => b.name));
  for (const s of facts.scripts) {
    const name = knownText(s.bridge);
    if (name) names.add(name);
  }
  for (const u of facts.units) {
    for (const s of bridgeSettings(u)) {
      const name = knownText(s.value)?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

/** The rename of bridge `from` to `to` over every file the analysis read, or why not. */
export function renameBridge(facts: WorkspaceFacts, env: RenameEnv, from: string, to: string): RenameResult {
  if (to === from) return { refused: `the new name is the old one` };
  const refusal = interfaceNameRefusal(to) ?? unitValueRefusal(to, { literalGlob: true });
  if (refusal) return { refused: `cannot rename to ${displayName(to)}: ${refusal}` };
  const changes: WorkspaceEdit['changes'] = [];
  const edited: Location[] = [];
  for (const report of facts.files) {
    const text = env.textOf(report.file);
    if (text === null) continue;
    const existing = nameOffsets(text, to);
    if (existing.length) {
      const at = new LineIndex(text).positionAt(existing[0]);
      return { refused: `${displayName(to)} is already written in ${where(report.file, at)}; renaming onto an existing name would merge two devices` };
    }
    const offsets = nameOffsets(text, from);
    if (offsets.length === 0) continue;
    const kind = fileKind(report.file);
    const result = kind === 'nix' ? nixEdits(env.parseNix(report.file, text), offsets, from, to) : kind === 'unit' ? unitEdits(text, offsets, from, to) : { edits: [] };
    const lines = new LineIndex(text);
    if ('refused' in result) return { refused: `${result.refused} in ${where(report.file, lines.positionAt(result.at))}` };
    if (result.edits.length === 0) continue;
    const edits: TextEdit[] = result.edits.map((e) => ({ range: { start: lines.positionAt(e.start), end: lines.positionAt(e.end) }, newText: e.text }));
    for (const e of edits) edited.push({ file: report.file, range: e.range });
    const sha256 = env.sha256Of(report.file);
    changes.push(sha256 ? { file: report.file, edits, sha256 } : { file: report.file, edits });
  }
  const missed = unreachedOccurrence(facts, from, edited);
  if (missed) return { refused: missed };
  if (changes.length === 0) return { refused: `${displayName(from)} is not written literally anywhere in the workspace` };
  return { edit: { changes, creates: [] } };
}

/**
 * A place the analysis reads the bridge name from that no edit covers: its value comes from an
 * expression (`"br${n}"`, a function's result), so renaming the literals would leave it behind.
 */
function unreachedOccurrence(facts: WorkspaceFacts, from: string, edited: Location[]): string | null {
  const covered = (at: Location) => edited.some((e) => e.file === at.file && overlaps(e.range, at.range));
  const target = known(from);
  for (const unit of facts.units) {
    for (const s of unit.settings) {
      const names = s.section === 'Network' && s.key === 'Bridge' ? true : s.key === 'Name' && (s.section === 'NetDev' || s.section === 'Match');
      if (!names) continue;
      const value = knownText(s.value);
      const words = value === undefined ? null : value.trim().split(/\s+/);
      if (words !== null && !words.includes(from)) continue;
      if (words === null && samePattern(s.value, target) === 'no') continue;
      if (words === null && s.section === 'Match') continue;
      if (!covered(s.valueLocation)) {
        const what = words === null ? 'is not statically known' : 'is computed, not written as a literal';
        return `${s.key}= of ${unit.name} (${where(s.valueLocation.file, s.valueLocation.range.start)}) ${what}; rename it by hand or make it a literal`;
      }
    }
  }
  for (const s of facts.scripts) {
    const same = samePattern(s.bridge, target);
    if (same === 'no' || covered(s.location)) continue;
    return `the script at ${where(s.location.file, s.location.range.start)} joins a bridge whose name ${same === 'yes' ? 'is computed there' : 'is not statically known'}`;
  }
  for (const b of facts.bridges) {
    if (b.name === from && !covered(b.location)) return `networking.bridges.${from} (${where(b.location.file, b.location.range.start)}) is not written as a plain attribute name`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

type Edits = { edits: { start: number; end: number; text: string }[] } | { refused: string; at: number };

function fileKind(file: string): 'nix' | 'unit' | 'other' {
  if (file.endsWith('.nix')) return 'nix';
  if (/\.(network|netdev|link)$/.test(file) || /\.(network|netdev|link)\.d\/[^/]*\.conf$/.test(file)) return 'unit';
  return 'other';
}

/** A word of a longer text is a reference when spaces, quotes or separators surround it. */
function standsAlone(text: string, start: number, end: number): boolean {
  const edge = /[\s'";,()[\]{}=]/;
  const before = start === 0 ? ' ' : text[start - 1];
  const after = end >= text.length ? ' ' : text[end];
  return edge.test(before) && edge.test(after);
}

function unitEdits(text: string, offsets: number[], from: string, to: string): Edits {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const at of offsets) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const line = text.slice(lineStart, at);
    if (/^\s*[#;]/.test(line)) continue;
    const key = /^\s*([A-Za-z0-9]+)\s*=/.exec(line);
    if (!key) return { refused: `${displayName(from)} is written outside a Key=value line`, at };
    if (!standsAlone(text, at, at + from.length) || /^(Description|Documentation)$/.test(key[1])) continue;
    edits.push({ start: at, end: at + from.length, text: to });
  }
  return { edits };
}

function nixEdits(parsed: ParsedNixFile, offsets: number[], from: string, to: string): Edits {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const at of offsets) {
    const span = innermost(parsed.root, at, at + from.length);
    if (!span) continue; // a comment, or between tokens
    if (isAttrKey(span)) {
      if (span.name !== from) continue; // `"20-br0"`: another name that contains it
      edits.push({ start: span.start, end: span.end, text: nixKey(to) });
      continue;
    }
    const node = span as NixNode;
    if (node.kind === 'str') {
      if (node.parts.length === 1 && node.parts[0] === from) {
        edits.push({ start: node.start, end: node.end, text: nixString(to) });
        continue;
      }
      if (!standsAlone(parsed.text, at, at + from.length)) continue;
      // A word of a script or a longer value: written in place, so only a name no quoting changes.
      if (!isPlainWord(to)) return { refused: `${displayName(from)} is a word of a longer string, where only letters, digits and _ . @ + = , - can be written`, at };
      edits.push({ start: at, end: at + from.length, text: to });
      continue;
    }
    // Inside a container node but in none of its children: a comment or the space between them.
    if (node.kind === 'var' || node.kind === 'error') return { refused: `${displayName(from)} is ${node.kind === 'var' ? 'a variable' : 'in text Nix cannot parse'}, not a literal name`, at };
  }
  return { edits: dedupe(edits) };
}

interface KeySpan {
  start: number;
  end: number;
  name?: string;
}

function isAttrKey(x: object): x is KeySpan {
  return !('kind' in x);
}

/** The smallest node or attribute key whose span holds [start, end). */
function innermost(root: NixNode, start: number, end: number): NixNode | KeySpan | null {
  let best: NixNode | KeySpan | null = null;
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      stack.push(...x);
      continue;
    }
    if (typeof x !== 'object' || x === null) continue;
    const o = x as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number') {
      if (o.start > start || o.end < end) continue;
      const isKey = !('kind' in o) && ('name' in o || 'expr' in o);
      if (('kind' in o || isKey) && o.kind !== 'bind' && o.kind !== 'inherit') {
        if (!best || o.end - o.start <= best.end - best.start) best = o as unknown as NixNode | KeySpan;
      }
    }
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
  return best;
}

function dedupe(edits: { start: number; end: number; text: string }[]) {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.start}:${e.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function overlaps(a: Range, b: Range): boolean {
  return rangeContains(a, b.start) || rangeContains(a, b.end) || rangeContains(b, a.start);
}

function where(file: string, at: Position): string {
  return `${file.split('/').slice(-2).join('/')}:${at.line + 1}`;
}
