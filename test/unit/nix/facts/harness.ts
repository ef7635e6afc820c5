/** In-memory workspaces for fact-extraction tests. */
import { posix } from 'node:path';
import { parseNixFile } from '../../../../server/src/engine/nix/ast';
import { Evaluator, type NixFileSystem } from '../../../../server/src/engine/nix/eval';
import { extractNixFacts, type NixFacts } from '../../../../server/src/engine/nix/facts';
import { NixParser } from '../../../../server/src/engine/nix/parser';
import { displayPattern, type StrPattern } from '../../../../server/src/engine/pattern';
import type { UnitDefinition } from '../../../../server/src/engine/model';

let parserPromise: Promise<NixParser> | undefined;

export const ROOT = '/ws';

export function memoryFs(files: Record<string, string>): NixFileSystem {
  const abs = new Map(Object.entries(files).map(([k, v]) => [posix.join(ROOT, k), v]));
  const dirs = new Set<string>([ROOT]);
  for (const f of abs.keys()) for (let d = posix.dirname(f); d !== '/' && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  return {
    readFile: (p) => abs.get(p),
    isDirectory: (p) => dirs.has(p.replace(/\/+$/, '') || '/'),
    readDir: (p) => {
      const d = p.replace(/\/+$/, '');
      if (!dirs.has(d)) return undefined;
      const out = new Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'>();
      for (const f of abs.keys()) if (posix.dirname(f) === d) out.set(posix.basename(f), 'regular');
      for (const x of dirs) if (x !== d && posix.dirname(x) === d) out.set(posix.basename(x), 'directory');
      return out;
    },
  };
}

export async function facts(files: Record<string, string>): Promise<NixFacts> {
  const parser = await (parserPromise ??= NixParser.create());
  const fs = memoryFs(files);
  const evaluator = new Evaluator({ fs, parse: (file, text) => parseNixFile(parser, file, text) });
  const nixFiles = Object.keys(files).filter((f) => f.endsWith('.nix')).map((f) => posix.join(ROOT, f));
  return extractNixFacts({ evaluator, nixFiles, roots: [ROOT] });
}

export const show = (p: StrPattern | null | undefined): string | null => (p ? displayPattern(p) : null);

/** Interfaces some configuration reaches, as compact rows. */
export function taps(f: NixFacts): string[] {
  return f.interfaces
    .filter((i) => i.unplaced === undefined)
    .map((i) => `${i.host ?? '-'}/${i.vm ?? '-'}:${i.type ?? '?'}:${show(i.id.value)}${i.bridge ? `>${show(i.bridge.value)}` : ''}${i.conditional ? '?' : ''}`)
    .sort();
}

/** Ids of interface definitions no configuration reaches (reported with a reason, never dropped). */
export function unplaced(f: NixFacts): string[] {
  return f.interfaces.filter((i) => i.unplaced !== undefined).map((i) => show(i.id.value)!).sort();
}

/** A unit's settings as `Section.Key=value` lines. */
export function lines(u: UnitDefinition | undefined): string[] {
  return u ? u.settings.map((s) => `${s.section}.${s.key}=${displayPattern(s.value)}`) : [];
}

export function unit(f: NixFacts, host: string, name: string): UnitDefinition | undefined {
  return f.units.find((u) => u.host === host && u.name === name);
}

/** The source text a location covers (single line). */
export function textAt(files: Record<string, string>, loc: { file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }): string {
  const text = files[loc.file.slice(ROOT.length + 1)];
  const ls = text.split('\n');
  if (loc.range.start.line === loc.range.end.line) return ls[loc.range.start.line].slice(loc.range.start.character, loc.range.end.character);
  return [ls[loc.range.start.line].slice(loc.range.start.character), ...ls.slice(loc.range.start.line + 1, loc.range.end.line), ls[loc.range.end.line].slice(0, loc.range.end.character)].join('\n');
}
