// Shared helpers for the evaluator tests: an in-memory NixFileSystem and value → plain JS.
import { posix } from 'node:path';
import { parseNixFile, type ParsedNixFile } from '../../../../server/src/engine/nix/ast';
import { NixParser } from '../../../../server/src/engine/nix/parser';
import { Evaluator, type EvalBudget, type NixFileSystem } from '../../../../server/src/engine/nix/eval/evaluator';
import { force } from '../../../../server/src/engine/nix/eval/helpers';
import type { Value } from '../../../../server/src/engine/nix/value';
import { displayPattern } from '../../../../server/src/engine/pattern';

let parserPromise: Promise<NixParser> | undefined;
export function getParser(): Promise<NixParser> {
  return (parserPromise ??= NixParser.create());
}

export function memFs(files: Record<string, string>): NixFileSystem {
  const dirs = new Map<string, Map<string, 'regular' | 'directory'>>();
  for (const file of Object.keys(files)) {
    let child = file;
    let dir = posix.dirname(file);
    let kind: 'regular' | 'directory' = 'regular';
    for (;;) {
      let entries = dirs.get(dir);
      if (!entries) dirs.set(dir, (entries = new Map()));
      entries.set(posix.basename(child), kind);
      if (dir === '/') break;
      child = dir;
      dir = posix.dirname(dir);
      kind = 'directory';
    }
  }
  return {
    readFile: (p) => files[p],
    readDir: (p) => dirs.get(p),
    isDirectory: (p) => dirs.has(p),
  };
}

export async function makeEvaluator(files: Record<string, string> = {}, budget?: Partial<EvalBudget>): Promise<Evaluator> {
  const parser = await getParser();
  return new Evaluator({ fs: memFs(files), parse: (f, t): ParsedNixFile => parseNixFile(parser, f, t), budget });
}

/** Evaluates `text` as /ws/main.nix (with optional other files) and converts deeply to JS. */
export async function evalJs(text: string, files: Record<string, string> = {}, depth = 8): Promise<unknown> {
  const ev = await makeEvaluator(files);
  return toJs(ev.evalSource('/ws/main.nix', text), depth);
}

export const UNKNOWN = '<unknown>';

/** Plain JS view: strings (holes as `*`), numbers, booleans, null, arrays, objects; unknown → '<unknown>'. */
export function toJs(v: Value, depth = 8): unknown {
  if (depth < 0) return '…';
  switch (v.kind) {
    case 'string':
      return displayPattern(v.value);
    case 'int':
    case 'float':
    case 'bool':
      return v.value;
    case 'null':
      return null;
    case 'path':
      return `path:${v.path}`;
    case 'list': {
      const items = v.items.map((t) => toJs(force(t), depth - 1));
      return v.complete ? items : [...items, '…'];
    }
    case 'attrs': {
      const o: Record<string, unknown> = {};
      for (const [k, b] of v.attrs) o[k] = toJs(force(b.thunk), depth - 1);
      if (!v.complete) o['…'] = true;
      return o;
    }
    case 'function':
      return '<function>';
    case 'unknown':
      return UNKNOWN;
  }
}
