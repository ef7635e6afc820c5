/**
 * Text helpers shared by the quick-fix builders: line endings, indentation, Nix literals,
 * snippet escaping, and applying edits to in-memory texts (back to front). Nothing here
 * touches the disk.
 */
import type { TextEdit, WorkspaceEdit } from '../service';
import { LineIndex } from '../text';
import { applyTextEdits, type OffsetEdit } from '../textEdits';
import { nixIndentedLine, nixString, shellWord, systemdExecWord } from './quote';

export { applyOffsetEdits, applyTextEdits, eolOf, toOffsetEdits, type OffsetEdit } from '../textEdits';

/** The indentation unit of a file: a tab when lines are tab-indented, else the most common step (2 by default). */
export function indentUnitOf(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (lead.startsWith('\t')) tabs++;
    else if (lead.length > 0) spaces++;
    const width = lead.startsWith('\t') ? 0 : lead.length;
    if (!lead.startsWith('\t') && width > previous) steps.set(width - previous, (steps.get(width - previous) ?? 0) + 1);
    if (!lead.startsWith('\t')) previous = width;
  }
  if (tabs > spaces) return '\t';
  let best = 2;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (step > 8) continue;
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return ' '.repeat(best);
}

/** Leading whitespace of the line holding `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

export function lineStartOf(text: string, offset: number): number {
  let i = Math.min(offset, text.length);
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset of the end of the line holding `offset` (before its line break). */
export function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** Only whitespace between the start of its line and `offset`. */
export function startsLine(text: string, offset: number): boolean {
  return text.slice(lineStartOf(text, offset), offset).trim() === '';
}

export { nixKey, nixString } from './quote';

// ---------------------------------------------------------------------------------------------
// The bridge's place in a fix's text. Builders write `bridgeSlot(where)` where the bridge goes;
// `finishText` quotes the name for that place (quote.ts), or, when no bridge could be inferred,
// turns the slot into a snippet placeholder, escaping the snippet's special characters elsewhere.
// Titles use BRIDGE_MARK, replaced by the bridge's display name.

export type BridgeSlot = 'unit-value' | 'nix-string' | 'shell-word-in-indented-string' | 'exec-word-in-nix-string';

export const BRIDGE_MARK = '\u0000bridge\u0000';
const SLOT = /\u0000bridge:([a-z-]+)\u0000/g;

export function bridgeSlot(where: BridgeSlot): string {
  return `\u0000bridge:${where}\u0000`;
}

export function hasBridgeSlot(text: string): boolean {
  return text.includes('\u0000bridge:');
}

/**
 * What the placeholder holds until the user types a name, and what an editor without snippets
 * inserts. Deliberately not a valid interface name (17 bytes): a fix accepted as is must leave
 * the tap flagged, not "bridged" to a bridge nobody chose. Safe as is in every slot.
 */
export const PLACEHOLDER_DEFAULT = '<set-bridge-name>';

/** `bridge` written for its slot. */
export function quoteBridge(where: BridgeSlot, bridge: string): string {
  switch (where) {
    case 'unit-value':
      return bridge;
    case 'nix-string':
      return nixString(bridge).slice(1, -1);
    case 'shell-word-in-indented-string':
      return nixIndentedLine(shellWord(bridge));
    case 'exec-word-in-nix-string':
      return nixString(systemdExecWord(bridge)).slice(1, -1);
  }
}

export function finishText(text: string, bridge: string | null): string {
  if (bridge !== null) return text.replace(SLOT, (_m, where: BridgeSlot) => quoteBridge(where, bridge));
  const parts = text.split(SLOT);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) out += parts[i].replace(/[\\$}]/g, (c) => '\\' + c);
    else out += (parts[i] === 'shell-word-in-indented-string' ? "'${1:" + PLACEHOLDER_DEFAULT + "}'" : '${1:' + PLACEHOLDER_DEFAULT + '}');
  }
  return out;
}

/** What a snippet becomes when the user accepts every placeholder's default. */
export function expandSnippet(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && '\\$}'.includes(text[i + 1])) {
      out += text[++i];
      continue;
    }
    if (c === '$') {
      const m = /^\$\{\d+:([^}]*)\}/.exec(text.slice(i)) ?? /^\$\{\d+\}/.exec(text.slice(i)) ?? /^\$\d+/.exec(text.slice(i));
      if (m) {
        out += m[1] ?? '';
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Applying a whole fix in memory (to check it before offering it, and in tests).

/**
 * Applies a WorkspaceEdit to texts in memory: returns the new text of every changed or created
 * file. `expand` resolves snippet placeholders to their defaults.
 */
export function applyWorkspaceEdit(
  edit: WorkspaceEdit,
  textOf: (file: string) => string | null,
  opts: { expand?: boolean } = {},
): Map<string, string> {
  const out = new Map<string, string>();
  const fix = (s: string) => (opts.expand ? expandSnippet(s) : s);
  for (const change of edit.changes) {
    const before = out.get(change.file) ?? textOf(change.file);
    if (before === null) throw new Error(`no text for ${change.file}`);
    out.set(change.file, applyTextEdits(before, change.edits.map((e) => ({ range: e.range, newText: fix(e.newText) }))));
  }
  for (const create of edit.creates) {
    if (out.has(create.file) || textOf(create.file) !== null) throw new Error(`${create.file} already exists`);
    out.set(create.file, fix(create.text));
  }
  return out;
}

export function textEditAt(text: string, lines: LineIndex | null, e: OffsetEdit): TextEdit {
  const index = lines ?? new LineIndex(text);
  return { range: index.rangeAt(e.start, e.end), newText: e.newText };
}
