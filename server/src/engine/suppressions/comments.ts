/**
 * Inline suppression: `# microvm-net: ignore <code>[, <code>] — <reason>` on its own line
 * silences those codes on the next line that is not a comment; `# microvm-net: ignore-file
 * <code>` silences them in the whole file. The separator before the reason may be `—`, `--` or
 * `-` (with a space before it: codes hold hyphens); the reason is optional but is what a
 * reviewer reads, and SARIF carries it as the suppression's justification. Nix and unit files
 * both comment with `#`; unit files also with `;`. In Nix, a `#` inside a string is not a
 * comment, so such a line suppresses nothing.
 */
import type { Diagnostic, SuppressionComment } from '../model';
import { linesStartingInString } from './nixStrings';

const DIRECTIVE = /^(\s*)([#;])\s*microvm-net:\s*(ignore-file|ignore)\b(.*)$/;
const SEPARATOR = /\s(?:—|--|-)(?:\s|$)/;
const COMMENT_LINE = /^\s*[#;]/;

export type CommentSyntax = 'nix' | 'unit';

export function parseSuppressions(file: string, text: string, syntax: CommentSyntax): SuppressionComment[] {
  if (!text.includes('microvm-net:')) return [];
  const lines = text.split(/\r\n|\n|\r/);
  const inString = syntax === 'nix' ? linesStartingInString(text) : null;
  const out: SuppressionComment[] = [];
  lines.forEach((line, index) => {
    const m = DIRECTIVE.exec(line);
    if (!m || (m[2] === ';' && syntax === 'nix') || inString?.[index]) return;
    const [, indent, , directive, rest] = m;
    const restStart = line.length - rest.length;
    const sep = SEPARATOR.exec(rest);
    const codesText = sep ? rest.slice(0, sep.index) : rest;
    const reason = sep ? rest.slice(sep.index + sep[0].length).trim() : '';
    const scope = directive === 'ignore-file' ? 'file' : 'line';
    let target = index + 1;
    while (scope === 'line' && target < lines.length && COMMENT_LINE.test(lines[target]) && !inString?.[target]) target++;
    for (const code of codesText.matchAll(/[A-Za-z0-9][A-Za-z0-9-]*/g)) {
      const start = restStart + code.index!;
      out.push({
        file,
        code: code[0],
        location: { file, range: { start: { line: index, character: start }, end: { line: index, character: start + code[0].length } } },
        scope,
        appliesToLine: target,
        reason,
      });
    }
    void indent;
  });
  return out;
}

/** The comment that silences `d`, if any. */
export function suppressionOf(d: Diagnostic, comments: readonly SuppressionComment[]): SuppressionComment | undefined {
  return comments.find((c) => c.file === d.location.file && c.code === d.code && (c.scope === 'file' || c.appliesToLine === d.location.range.start.line));
}

/** Parsed comments per file, kept while the file's text is the same string. */
export class SuppressionCache {
  private byFile = new Map<string, { text: string; comments: SuppressionComment[] }>();
  private all: SuppressionComment[] = [];
  private lastSources: readonly { file: string; text: string }[] | null = null;

  /**
   * The comments of every source, in source order. An edit changes one text of thousands: the
   * other files are recognised by their text (the same string) and the set by its size, so
   * nothing is allocated per file unless the set of files changed.
   */
  comments(
    sources: readonly { file: string; text: string }[],
    syntaxOf: (file: string) => CommentSyntax,
    /** `sources` is `from` with only the `replaced` entries' texts changed: only they are looked at. */
    patch?: { from: readonly { file: string; text: string }[]; replaced: readonly { file: string; text: string }[] },
  ): SuppressionComment[] {
    const fromLast = !!patch && patch.from === this.lastSources;
    this.lastSources = sources;
    const patched = fromLast ? this.patched(patch.replaced, syntaxOf) : null;
    if (patched) return patched;
    let changed = false;
    let sameFiles = sources.length === this.byFile.size;
    for (const s of sources) {
      const last = this.byFile.get(s.file);
      if (last && last.text === s.text) continue;
      if (!last) sameFiles = false;
      if (!sameFiles) continue;
      const comments = parseSuppressions(s.file, s.text, syntaxOf(s.file));
      // Replacing an existing key keeps its place: the order stays the sources' order.
      this.byFile.set(s.file, { text: s.text, comments });
      if (comments.length || last!.comments.length) changed = true;
    }
    if (!sameFiles) {
      const next = new Map<string, { text: string; comments: SuppressionComment[] }>();
      for (const s of sources) {
        const last = this.byFile.get(s.file);
        next.set(s.file, last && last.text === s.text ? last : { text: s.text, comments: parseSuppressions(s.file, s.text, syntaxOf(s.file)) });
      }
      this.byFile = next;
    }
    if (changed || !sameFiles) this.all = [...this.byFile.values()].flatMap((e) => e.comments);
    return this.all;
  }

  /** The comments after `replaced` changed, or null when one of them is not a known file (then every source is looked at). */
  private patched(replaced: readonly { file: string; text: string }[], syntaxOf: (file: string) => CommentSyntax): SuppressionComment[] | null {
    if (replaced.some((s) => !this.byFile.has(s.file))) return null;
    let changed = false;
    for (const { file, text } of replaced) {
      const last = this.byFile.get(file)!;
      if (last.text === text) continue;
      const comments = parseSuppressions(file, text, syntaxOf(file));
      this.byFile.set(file, { text, comments });
      if (comments.length || last.comments.length) changed = true;
    }
    if (changed) this.all = [...this.byFile.values()].flatMap((e) => e.comments);
    return this.all;
  }
}
