/**
 * The language service: everything an editor asks, answered from the engine in engine types.
 * The LSP layer (server/src/lsp) only translates these to and from protocol messages, and the
 * CLI uses the same service for `check` and `--fix`. Positions are 0-based, UTF-16.
 */
import type { SkippedFile } from './files';
import type { Diagnostic, Outcome, WorkspaceFacts } from './model';
import type { Location, Position, Range } from './text';
import type { InputsRead } from './workspace/nixFileSystem';
import type { InlayHintInfo } from './inlayHints';
import type { TapExplanation } from './explain';
import type { RenameResult, RenameTarget } from './rename';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** Edits to existing files and files to create (always inside a workspace root). */
export interface WorkspaceEdit {
  /**
   * `sha256`: of the disk bytes the edits were computed against (absent when the text was an
   * editor buffer); `--fix` writes only when the file still has exactly those bytes.
   */
  changes: { file: string; edits: TextEdit[]; sha256?: string }[];
  creates: { file: string; text: string }[];
}

export interface Fix {
  title: string;
  /** It inserts a `# microvm-net: ignore` comment: offered to editors, never applied by `--fix`. */
  suppression?: true;
  /** The diagnostic code this fix answers, and where that diagnostic is. */
  diagnosticCode: string;
  diagnosticLocation: Location;
  preferred: boolean;
  edit: WorkspaceEdit;
  /** The edit contains a snippet placeholder (`${1:bridge}`) for the user to fill. */
  isSnippet?: boolean;
  /**
   * Set when no fix can be offered for the diagnostic, with why (a name a fix would have to write
   * is not a valid interface name...). Such a Fix has no edit and is never preferred; editors show
   * it greyed out with the reason, `--fix` logs the reason.
   */
  disabled?: { reason: string };
}

export interface HoverResult {
  range: Range;
  /** Markdown. Links to files use `file://` URIs with `#L<line>`. */
  markdown: string;
}

export interface SymbolInfo {
  name: string;
  detail?: string;
  kind: 'vm' | 'tap' | 'interface' | 'bridge' | 'unit' | 'netdev' | 'section' | 'key';
  location: Location;
  selectionRange: Range;
  children?: SymbolInfo[];
}

export interface CodeLensInfo {
  range: Range;
  title: string;
  /** Where the lens points: the taps it attaches or shadows. */
  targets: Location[];
}

/** Completions come best first: the bridges of the file's own hosts before any other. */
export interface CompletionInfo {
  label: string;
  detail?: string;
  range: Range;
}

export interface AnalysisSnapshot {
  facts: WorkspaceFacts;
  outcomes: Outcome[];
  /** Diagnostics by absolute file path. Files with no diagnostics are absent. */
  diagnostics: Map<string, Diagnostic[]>;
  /** Diagnostics a `# microvm-net: ignore` comment silences: only SARIF shows them, as suppressed. */
  suppressed?: SuppressedDiagnostic[];
  stats: { files: number; nixFiles: number; networkdFiles: number; ms: number };
}

export interface SuppressedDiagnostic extends Diagnostic {
  suppression: { justification: string; location: Location };
}

export interface ScanProgress {
  done: number;
  /** 0 while the total is not known (a walk does not know it in advance). */
  total: number;
  message: string;
}

export interface ScanReport {
  files: number;
  /** The file cap stopped the scan: how many were left out. */
  truncated: number;
  skipped: SkippedFile[];
}

export interface LanguageService {
  /** Walks the roots (bounded, excludes, size cap, symlinks kept inside the roots). */
  scan(onProgress?: (p: ScanProgress) => void, isCancelled?: () => boolean): Promise<ScanReport>;

  /** Editor buffers override disk. `changes` enables incremental re-parse. */
  openDocument(file: string, text: string, version: number): void;
  changeDocument(file: string, version: number, changes: { range?: Range; text: string }[]): void;
  closeDocument(file: string): void;
  /** Disk changes reported by watchers. */
  fileChanged(file: string): void;
  fileDeleted(file: string): void;

  /** Recomputes from cached facts; only changed files are re-read. */
  analyze(): AnalysisSnapshot;

  hover(file: string, position: Position): HoverResult | null;
  fixes(file: string, range: Range): Fix[];
  /** "Ignore this here" / "in this file": suppression comments, kept apart from the repairs `fixes` offers. */
  suppressionFixes?(file: string, range: Range): Fix[];
  /**
   * `hover` and `fixes` without waiting for pending edits: answered from the last complete
   * analysis, mapped through the editor edits since (none inside the edited region), when it can be.
   */
  quickHover?(file: string, position: Position): HoverResult | null;
  quickFixes?(file: string, range: Range): Fix[];
  quickSuppressionFixes?(file: string, range: Range): Fix[];
  definition(file: string, position: Position): Location[];
  references(file: string, position: Position): Location[];
  documentSymbols(file: string): SymbolInfo[];
  workspaceSymbols(query: string): SymbolInfo[];
  codeLenses(file: string): CodeLensInfo[];
  completions(file: string, position: Position): CompletionInfo[];
  /** After each tap id in `file` (within `range` when given): where it ends up. */
  inlayHints(file: string, range?: Range): InlayHintInfo[];
  /** `inlayHints` without waiting for pending edits, as `quickHover`. */
  quickInlayHints?(file: string, range?: Range): InlayHintInfo[];
  /** The bridge name a rename can start from at `position`, or null. */
  prepareRename(file: string, position: Position): RenameTarget | null;
  /** Renames the bridge at `position` everywhere it is written, or says why it cannot. */
  rename(file: string, position: Position, newName: string): RenameResult | null;
  /** The decision chain of the taps named `tap` (as written), or of the tap id at a position. */
  explain(query: { tap: string } | { file: string; position: Position }): TapExplanation[];

  /** What the last analysis read from disk, for the CLI's `--cache` (workspace/nixFileSystem.ts). */
  inputsRead?(): InputsRead;

  /** Frees tree-sitter trees and caches. */
  dispose(): void;
}
