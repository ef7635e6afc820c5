/**
 * Inlay hints: after each tap's `id`, where it ends up (`→ br0`, `→ routed`, `→ no bridge`,
 * `→ ?`), with the outcome's reasons as the tooltip. Reads one snapshot; no analysis here.
 */
import type { Outcome } from './model';
import { displayPattern } from './pattern';
import { reasonText } from './reasons';
import { rangeContains, type Position, type Range } from './text';

export interface InlayHintInfo {
  position: Position;
  label: string;
  /** Plain text: what decides it, one reason a line. */
  tooltip: string;
}

/** The one short word for where a tap ends up; null for interfaces that are no host tap. */
export function destinationLabel(o: Outcome): string | null {
  switch (o.status) {
    case 'bridged':
      return o.bridge ? `→ ${o.bridge}` : '→ ?';
    case 'routed':
      return '→ routed';
    case 'unmanaged':
    case 'shadowed':
    case 'bridge-undefined':
      return '→ no bridge';
    case 'unknown':
      return '→ ?';
    case 'not-applicable':
      return null;
  }
}

/**
 * One hint per written `id`: an expression generating several taps (`"vm-${name}"`) gets one
 * hint naming each distinct destination, so the line never fills with repeats.
 */
export function inlayHints(outcomes: readonly Outcome[], file: string, range?: Range): InlayHintInfo[] {
  const byId = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const at = o.interface.id.location;
    if (at.file !== file) continue;
    if (range && !overlaps(range, at.range)) continue;
    const key = `${at.range.end.line}:${at.range.end.character}`;
    byId.set(key, [...(byId.get(key) ?? []), o]);
  }
  const hints: InlayHintInfo[] = [];
  for (const group of byId.values()) {
    const shown = group.filter((o) => destinationLabel(o) !== null);
    if (shown.length === 0) continue;
    const labels = [...new Set(shown.map((o) => destinationLabel(o)!))];
    const label = labels.length === 1 ? labels[0] : `→ ${labels.map((l) => l.slice(2)).join(' | ')}`;
    hints.push({ position: group[0].interface.id.location.range.end, label, tooltip: tooltipOf(shown) });
  }
  return hints.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);
}

function tooltipOf(outcomes: Outcome[]): string {
  const story = (o: Outcome) => {
    const head = `${displayPattern(o.interface.id.value)}${o.interface.vm ? ` (VM ${o.interface.vm})` : ''}: ${destinationLabel(o)!.slice(2)}`;
    return [head, ...o.reasons.map((r) => `- ${reasonText(r)}`)].join('\n');
  };
  const shown = outcomes.slice(0, 10).map(story);
  if (outcomes.length > 10) shown.push(`… and ${outcomes.length - 10} more`);
  return shown.join('\n\n');
}

function overlaps(a: Range, b: Range): boolean {
  return rangeContains(a, b.start) || rangeContains(a, b.end) || rangeContains(b, a.start);
}
