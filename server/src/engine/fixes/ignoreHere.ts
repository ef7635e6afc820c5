/**
 * "Ignore this here": a suppression comment (suppressions/comments.ts) on its own line above the
 * diagnostic's line, with the line's indentation and a placeholder for the reason, in the
 * comment syntax of the file (`#`, which Nix and unit files share). And "ignore in this file":
 * `ignore-file` on the file's first line, which is always a safe place.
 *
 * A line is only inserted where it is a comment and changes nothing else: not on a line that
 * starts inside a Nix string (the comment would become part of the string, a `''…''` script
 * say), not after a unit-file line that continues onto the next (`\`). There the fix is
 * declined with why, and the file-wide one is what remains. These fixes are never preferred,
 * and `--fix` never applies them: silencing a finding is a decision, not a repair.
 */
import { classifyFile } from '../files';
import { DIAGNOSTICS } from '../checks/codes';
import type { AnalysisSnapshot, Fix } from '../service';
import { linesStartingInString } from '../suppressions/nixStrings';
import { comparePositions, type Range } from '../text';
import { eolOf } from '../textEdits';
import type { FixContext } from './index';

/** Findings about the suppressions or the project file themselves are not silenced by one. */
const NOT_SUPPRESSIBLE = new Set<string>([DIAGNOSTICS.suppressionUnused.code, DIAGNOSTICS.configInvalid.code, DIAGNOSTICS.assumptionContradicted.code]);

export function ignoreFixes(snapshot: AnalysisSnapshot, file: string, range: Range, ctx: FixContext): Fix[] {
  const kind = classifyFile(file);
  if (kind === null || kind === 'flake-lock') return [];
  const diagnostics = (snapshot.diagnostics.get(file) ?? []).filter((d) => !NOT_SUPPRESSIBLE.has(d.code) && touches(d.location.range, range));
  if (diagnostics.length === 0) return [];
  const text = ctx.textOf(file);
  if (text === null) return [];
  const lines = text.split(/\r\n|\n|\r/);
  const eol = eolOf(text);
  const inString = kind === 'nix' ? linesStartingInString(text) : null;
  const sha256 = ctx.sha256Of(file);
  const insertAt = (line: number, newText: string): Fix['edit'] => ({
    changes: [{ file, edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText }], ...(sha256 ? { sha256 } : {}) }],
    creates: [],
  });
  const out: Fix[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const line = d.location.range.start.line;
    const key = `${d.code}\0${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const base = { diagnosticCode: d.code, diagnosticLocation: d.location, preferred: false, suppression: true as const };
    const refusal = lineRefusal(lines, line, inString);
    if (refusal) out.push({ ...base, title: `Ignore \`${d.code}\` here`, edit: { changes: [], creates: [] }, disabled: { reason: refusal } });
    else {
      const indent = /^[ \t]*/.exec(lines[line] ?? '')![0];
      out.push({ ...base, title: `Ignore \`${d.code}\` here`, isSnippet: true, edit: insertAt(line, `${indent}# microvm-net: ignore ${d.code} — \${1:reason}${eol}`) });
    }
    out.push({ ...base, title: `Ignore \`${d.code}\` in this file`, isSnippet: true, edit: insertAt(0, `# microvm-net: ignore-file ${d.code} — \${1:reason}${eol}`) });
  }
  return out;
}

function lineRefusal(lines: readonly string[], line: number, inString: boolean[] | null): string | null {
  if (inString?.[line]) return 'the line lies inside a Nix string: a comment inserted above it would become part of the string (ignore it in this file instead)';
  if (inString === null && line > 0 && /\\$/.test(lines[line - 1] ?? '')) {
    return 'the line continues the one before it (a trailing `\\`): a line inserted between them would split the setting (ignore it in this file instead)';
  }
  return null;
}

function touches(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}
