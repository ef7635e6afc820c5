/**
 * Editor views over one analysis snapshot: hover, fixes, navigation, symbols, lenses,
 * completion. Built lazily per snapshot; everything here reads, nothing re-analyses.
 */
import type { Settings } from '../protocol/settings';
import type { AnalysisSnapshot, CodeLensInfo, CompletionInfo, Fix, HoverResult, SymbolInfo } from './service';
import type { Location, Position, Range } from './text';

export class WorkspaceViews {
  constructor(
    readonly snapshot: AnalysisSnapshot,
    readonly textOf: (path: string) => string | null,
    readonly settings: Settings,
  ) {}

  hover(_file: string, _position: Position): HoverResult | null {
    return null;
  }
  fixes(_file: string, _range: Range): Fix[] {
    return [];
  }
  definition(_file: string, _position: Position): Location[] {
    return [];
  }
  references(_file: string, _position: Position): Location[] {
    return [];
  }
  documentSymbols(_file: string): SymbolInfo[] {
    return [];
  }
  workspaceSymbols(_query: string): SymbolInfo[] {
    return [];
  }
  codeLenses(_file: string): CodeLensInfo[] {
    return [];
  }
  completions(_file: string, _position: Position): CompletionInfo[] {
    return [];
  }
}
