/**
 * Answers hover and quick fixes from the last complete snapshot while an analysis of newer edits
 * is pending, so an editor typing fast is never made to wait for one. Only editor edits can be
 * mapped through (each edited file's text as the snapshot saw it is kept, `TextShift` lines the
 * two up); any other change since (a file on disk, the file set, settings, a closed buffer) makes
 * the caller analyse first, as before. A position inside the region edited since has no answer,
 * and a fix whose edits touch that region is not offered: it was computed for text that is gone.
 */
import { inlayHints, type InlayHintInfo } from '../inlayHints';
import type { Outcome } from '../model';
import type { Fix, HoverResult, TextEdit } from '../service';
import type { Position, Range } from '../text';
import type { WorkspaceViews } from '../views';
import { TextShift } from './textShift';

export class EditsSinceSnapshot {
  /** Each edited file's text as of the last complete snapshot; null: not mappable. */
  private texts: Map<string, string> | null = new Map();
  private readonly shifts = new Map<string, TextShift>();

  /** A complete analysis caught up with every change. */
  reset(): void {
    this.texts = new Map();
    this.shifts.clear();
  }

  /** A change the snapshot cannot be mapped through. */
  lost(): void {
    this.texts = null;
    this.shifts.clear();
  }

  /** An editor edit of `file`, whose text before it was `before` (null: unknown). */
  edited(file: string, before: string | null): void {
    if (!this.texts) return;
    if (before === null) {
      this.lost();
      return;
    }
    if (!this.texts.has(file)) this.texts.set(file, before);
  }

  get mappable(): boolean {
    return this.texts !== null;
  }

  /** The text the snapshot saw, for files edited since; undefined for the others. */
  textAtSnapshot(file: string): string | undefined {
    return this.texts?.get(file);
  }

  /** How `file` moved since the snapshot (undefined: not edited since, or its text is unknown). */
  shift(file: string, now: string | null): TextShift | undefined {
    const before = this.texts?.get(file);
    if (before === undefined || now === null) return undefined;
    const cached = this.shifts.get(file);
    if (cached && cached.oldText === before && cached.newText === now) return cached;
    const shift = new TextShift(before, now);
    this.shifts.set(file, shift);
    return shift;
  }
}

export type CurrentText = (file: string) => string | null;

/**
 * The inlay hints of the last snapshot's outcomes, moved through the edits since; a hint whose
 * `id` lies in the edited region is left out (the id it described is gone) until the analysis.
 */
export function staleInlayHints(outcomes: readonly Outcome[], edits: EditsSinceSnapshot, textNow: CurrentText, file: string, range?: Range): InlayHintInfo[] {
  const shift = edits.shift(file, textNow(file));
  if (!shift) return inlayHints(outcomes, file, range);
  const key = (p: Position) => `${p.line}:${p.character}`;
  const idRanges = new Map<string, Range>();
  for (const o of outcomes) if (o.interface.id.location.file === file) idRanges.set(key(o.interface.id.location.range.end), o.interface.id.location.range);
  const out: InlayHintInfo[] = [];
  for (const hint of inlayHints(outcomes, file, range && shift.rangeToOld(range))) {
    const id = idRanges.get(key(hint.position));
    const moved = id && shift.rangeToNew(id);
    if (moved) out.push({ ...hint, position: moved.end });
  }
  return out;
}

export function staleHover(
  views: WorkspaceViews,
  edits: EditsSinceSnapshot,
  textNow: CurrentText,
  file: string,
  position: Position,
): HoverResult | null {
  const shift = edits.shift(file, textNow(file));
  if (!shift) return views.hover(file, position);
  const old = shift.toOld(position);
  if (!old) return null;
  const result = views.hover(file, old);
  return result && { ...result, range: shift.rangeToNewClamped(result.range) };
}

export function staleFixes(
  views: WorkspaceViews,
  edits: EditsSinceSnapshot,
  textNow: CurrentText,
  file: string,
  range: Range,
  kind: 'repairs' | 'suppressions' = 'repairs',
): Fix[] {
  const shift = edits.shift(file, textNow(file));
  const old = shift ? shift.rangeToOld(range) : range;
  const fixes = kind === 'repairs' ? views.fixes(file, old) : views.suppressionFixes(file, old);
  const out: Fix[] = [];
  for (const fix of fixes) {
    const moved = moveFix(fix, edits, textNow);
    if (moved) out.push(moved);
  }
  return out;
}

function moveFix(fix: Fix, edits: EditsSinceSnapshot, textNow: CurrentText): Fix | null {
  const at = fix.diagnosticLocation;
  const atShift = edits.shift(at.file, textNow(at.file));
  const diagnosticLocation = atShift ? { file: at.file, range: atShift.rangeToNewClamped(at.range) } : at;
  const changes: Fix['edit']['changes'] = [];
  for (const change of fix.edit.changes) {
    const shift = edits.shift(change.file, textNow(change.file));
    if (!shift) {
      changes.push(change);
      continue;
    }
    const moved: TextEdit[] = [];
    for (const edit of change.edits) {
      const range = shift.rangeToNew(edit.range);
      if (!range) return null;
      moved.push({ range, newText: edit.newText });
    }
    changes.push({ ...change, edits: moved });
  }
  return { ...fix, diagnosticLocation, edit: { ...fix.edit, changes } };
}
