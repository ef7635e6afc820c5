/**
 * Where a device name is written in the workspace: the last guard before calling a name
 * "defined nowhere" (docs/domain/devices.md §2). Whatever mentions the name — a `.link` rename, a script,
 * a NetworkManager profile in Nix, a comment — may be what creates it, so only a name written
 * nowhere but where it is used can be called undefined.
 */
import type { NameMentions } from './model';
import { LineIndex, type Location, type Position } from './text';

/** Characters that continue a name: `br0` is not mentioned by `br01` or `xbr0`, but is by `40-br0.netdev`. */
const NAME_CHAR = /[A-Za-z0-9_]/;

export interface MentionSource {
  file: string;
  text: string;
}

/** Whether `name`, found at `start` of `text`, is written there as a name of its own (not inside a longer one). */
export function isWholeName(text: string, start: number, name: string): boolean {
  return !NAME_CHAR.test(text[start - 1] ?? '') && !NAME_CHAR.test(text[start + name.length] ?? '');
}

/** Where `name` is written in `text` as a name of its own. */
export function nameOffsets(text: string, name: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) if (isWholeName(text, i, name)) out.push(i);
  return out;
}

export function nameMentions(sources: readonly MentionSource[]): NameMentions {
  const found = new Map<string, { file: string; at: Position }[]>();
  const lineIndexes = new Map<string, LineIndex>();
  const occurrences = (name: string) => {
    let list = found.get(name);
    if (list) return list;
    list = [];
    for (const { file, text } of sources) {
      for (const i of nameOffsets(text, name)) {
        let lines = lineIndexes.get(file);
        if (!lines) lineIndexes.set(file, (lines = new LineIndex(text)));
        list.push({ file, at: lines.positionAt(i) });
      }
    }
    found.set(name, list);
    return list;
  };
  return {
    elsewhere(name, except) {
      if (name === '') return true;
      return occurrences(name).some((o) => !except.some((l) => l.file === o.file && within(o.at, l)));
    },
  };
}

function within(p: Position, l: Location): boolean {
  const { start, end } = l.range;
  const afterStart = p.line > start.line || (p.line === start.line && p.character >= start.character);
  const beforeEnd = p.line < end.line || (p.line === end.line && p.character < end.character);
  return afterStart && beforeEnd;
}
