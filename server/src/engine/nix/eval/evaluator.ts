/**
 * The abstract Nix evaluator (stub; being filled in).
 */
import type { ParsedNixFile } from '../ast';
import { unknown, type AttrsValue, type Value } from '../value';
import { attrs } from './helpers';

export interface NixFileSystem {
  /** undefined: missing, unreadable or outside the workspace. */
  readFile(path: string): string | undefined;
  readDir(path: string): Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'> | undefined;
  isDirectory(path: string): boolean;
}

export interface EvalBudget {
  steps: number;
  depth: number;
}

export const DEFAULT_BUDGET: EvalBudget = { steps: 2_000_000, depth: 1000 };

export interface EvaluatorOptions {
  fs: NixFileSystem;
  parse: (file: string, text: string) => ParsedNixFile;
  budget?: Partial<EvalBudget>;
}

export class Evaluator {
  readonly lib: AttrsValue = attrs({});
  readonly builtins: AttrsValue = attrs({});
  readonly imports = new Map<string, Set<string>>();
  stepsUsed = 0;
  budgetExhausted = false;

  constructor(readonly opts: EvaluatorOptions) {}

  evalFile(path: string): Value {
    return unknown('not implemented: ' + path);
  }
  evalSource(file: string, text: string): Value {
    return this.evalParsed(this.opts.parse(file, text));
  }
  evalParsed(_parsed: ParsedNixFile): Value {
    return unknown('not implemented');
  }
  resetBudget(_budget?: Partial<EvalBudget>): void {}
  invalidate(_file: string): void {}
}
