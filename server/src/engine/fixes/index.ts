/** Quick-fix builders (design.md §4). Filled in by the fixes family modules. */
import type { Settings } from '../../protocol/settings';
import type { AnalysisSnapshot, Fix } from '../service';
import type { ParsedNixFile } from '../nix/ast';
import type { Range } from '../text';

export interface FixContext {
  textOf: (path: string) => string | null;
  /** Parses Nix text with the workspace's parser (cached per file and text). */
  parseNix: (file: string, text: string) => ParsedNixFile;
  settings: Settings;
  /** Workspace roots: fixes never create or edit files outside them. */
  roots: readonly string[];
}

export function buildFixes(_snapshot: AnalysisSnapshot, _file: string, _range: Range, _ctx: FixContext): Fix[] {
  return [];
}
