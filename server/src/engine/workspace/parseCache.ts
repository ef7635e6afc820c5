/**
 * Nix ASTs by path, each valid for the text it was parsed from. Open buffers keep their
 * tree-sitter tree so the next edit re-parses incrementally, and the values converted from it so
 * the next conversion takes what tree-sitter reused (astReuse.ts). Files the evaluator never
 * converts only need a syntax error count, which a bare parse gives without building an AST.
 */
import { parseNixFile, toAst, toAstIncremental, withParseProblem, type ParsedNixFile } from '../nix/ast';
import type { ReuseTable } from '../nix/astReuse';
import { editFromUtf16, type NixParser, type Tree } from '../nix/parser';
import { LineIndex, type Position } from '../text';
import type { OffsetEdit } from '../textEdits';
import type { OpenBuffer } from './documentStore';

export class ParseCache {
  private readonly asts = new Map<string, ParsedNixFile>();
  /** Syntax error counts of files not kept as ASTs, with the text they were counted on. */
  private readonly syntaxCounts = new Map<string, { text: string; count: number }>();
  /** Per open buffer: the tree its last AST was converted from, and that conversion's values. */
  private readonly converted = new Map<string, { tree: Tree; table: ReuseTable }>();
  /** How many subtrees the last conversion of an open buffer took from the one before. */
  lastReused = 0;

  constructor(
    private readonly parser: NixParser,
    private readonly openBuffer: (path: string) => OpenBuffer | undefined,
  ) {}

  parse(path: string, text: string): ParsedNixFile {
    const cached = this.asts.get(path);
    if (cached && cached.text === text) return cached;
    const open = this.openBuffer(path);
    let parsed: ParsedNixFile;
    if (open && open.text === text) {
      const previous = open.tree && open.pendingEdits ? { tree: open.tree, edits: open.pendingEdits } : undefined;
      const kept = this.converted.get(path);
      // Addresses in the table are only meaningful while its tree lives: the old tree is deleted
      // after the new parse, so an address met again is a subtree tree-sitter kept.
      const table = previous && kept?.tree === previous.tree ? kept.table : undefined;
      this.converted.delete(path);
      const tree = this.parser.parse(text, previous);
      const aborted = this.parser.lastParseAborted;
      open.tree?.delete();
      open.tree = tree;
      open.pendingEdits = [];
      const result = toAstIncremental(this.parser, path, text, tree, aborted ? undefined : table);
      this.parser.lastParseAborted = aborted;
      if (result.table && !aborted) this.converted.set(path, { tree, table: result.table });
      this.lastReused = result.reused;
      parsed = withParseProblem(result.parsed, this.parser);
    } else {
      this.converted.delete(path);
      parsed = parseNixFile(this.parser, path, text);
    }
    this.asts.set(path, parsed);
    return parsed;
  }

  /** The parse problem (aborted or over budget) of the AST cached for `path`, if any. */
  problemOf(path: string): string | undefined {
    return this.asts.get(path)?.problem;
  }

  /** Syntax errors of a Nix file: from its cached AST, else from a parse (AST only when it has errors). */
  syntaxErrorsOf(path: string, text: string): number {
    const cached = this.asts.get(path);
    if (cached && cached.text === text) return cached.syntaxErrors;
    if (this.openBuffer(path)) return this.parse(path, text).syntaxErrors;
    const counted = this.syntaxCounts.get(path);
    if (counted && counted.text === text) return counted.count;
    const tree = this.parser.parse(text);
    try {
      if (this.parser.lastParseAborted) {
        this.asts.set(path, withParseProblem(toAst(this.parser, path, text, tree), this.parser));
        return 0;
      }
      // `|>` and `<|` mixed is an error the AST conversion finds, not tree-sitter (astRepairs.ts).
      if (!tree.rootNode.hasError && !(text.includes('|>') && text.includes('<|'))) {
        this.syntaxCounts.set(path, { text, count: 0 });
        return 0;
      }
      const parsed = toAst(this.parser, path, text, tree);
      this.asts.set(path, parsed);
      return parsed.syntaxErrors;
    } finally {
      tree.delete();
    }
  }

  /**
   * The AST of `path` is stale. What its tree's conversion recorded stays while the buffer still
   * holds that tree (an edit: the next parse is incremental on it), and goes with the tree.
   */
  forget(path: string): void {
    this.asts.delete(path);
    const kept = this.converted.get(path);
    if (kept && this.openBuffer(path)?.tree !== kept.tree) this.converted.delete(path);
  }

  /** Trees of texts fixes are checked against (a few files), for incremental re-parses. */
  private readonly previewBases = new Map<string, { text: string; tree: Tree; lines: LineIndex }>();

  /**
   * `false` when `after` — `before` with `edits` applied — parses without error (so a fix adds
   * none); undefined when it does not, and the errors must be counted. `before`'s tree is kept
   * and re-parsed incrementally for each fix: a full parse of a large file per fix candidate was
   * most of the cost of a code action.
   */
  previewAddsErrors(path: string, before: string, edits: readonly OffsetEdit[], after: string): false | undefined {
    const base = this.previewBase(path, before);
    const copy = base.tree.copy();
    try {
      const treeEdits = [...edits]
        .sort((a, b) => b.start - a.start)
        .map((e) => {
          const start = base.lines.positionAt(e.start);
          return editFromUtf16({
            startOffset: e.start,
            oldEndOffset: e.end,
            newEndOffset: e.start + e.newText.length,
            start,
            oldEnd: base.lines.positionAt(e.end),
            newEnd: endAfterInsert(start, e.newText),
          });
        });
      const tree = this.parser.parse(after, { tree: copy, edits: treeEdits });
      try {
        const clean = !this.parser.lastParseAborted && !tree.rootNode.hasError && !(after.includes('|>') && after.includes('<|'));
        return clean ? false : undefined;
      } finally {
        tree.delete();
      }
    } finally {
      copy.delete();
    }
  }

  private previewBase(path: string, text: string): { text: string; tree: Tree; lines: LineIndex } {
    const cached = this.previewBases.get(path);
    if (cached && cached.text === text) return cached;
    cached?.tree.delete();
    this.previewBases.delete(path);
    for (const [key, old] of this.previewBases) {
      if (this.previewBases.size < 4) break;
      old.tree.delete();
      this.previewBases.delete(key);
    }
    const base = { text, tree: this.parser.parse(text), lines: new LineIndex(text) };
    this.previewBases.set(path, base);
    return base;
  }

  clear(): void {
    this.asts.clear();
    this.syntaxCounts.clear();
    this.converted.clear();
    for (const base of this.previewBases.values()) base.tree.delete();
    this.previewBases.clear();
  }
}

/** Where text inserted at `start` ends (UTF-16 columns, as the parser's edits count them). */
function endAfterInsert(start: Position, text: string): Position {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length === 1) return { line: start.line, character: start.character + text.length };
  return { line: start.line + lines.length - 1, character: lines[lines.length - 1].length };
}
