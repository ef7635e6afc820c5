/**
 * No silent loss: interface definitions written in the workspace (literals.ts) that no emitted
 * interface comes from are reported anyway, with why no configuration reached them.
 */
import type { MicrovmInterface } from '../../model';
import { comparePositions, type Range } from '../../text';
import type { ParsedNixFile } from '../ast';
import { interfaceLiterals, mayHoldInterfaceLiteral, type InterfaceLiteral } from './literals';

export interface UnplacedInputs {
  readText: (file: string) => string | undefined;
  parse: (file: string) => ParsedNixFile | undefined;
  /** Why no configuration holds a definition in `file`. */
  why: (file: string) => string;
  /** Literals found earlier, by file, with the text they were found in (kept across updates). */
  found?: LiteralsFound;
}

/**
 * Each file's literals for the text they were found in (null: its text cannot hold one), and the
 * unplaced interfaces last made of them with what they were made from: while the literals, the
 * interfaces emitted from the file and the reason are the same, so are the objects, which is how
 * the outcome and check caches recognise them.
 */
export type LiteralsFound = Map<string, FileLiterals>;

interface FileLiterals {
  text: string;
  literals: InterfaceLiteral[] | null;
  unplaced?: { emitted: readonly MicrovmInterface[]; why: string; interfaces: MicrovmInterface[] };
}

const NONE: readonly MicrovmInterface[] = [];

export function unplacedInterfaces(emitted: readonly MicrovmInterface[], files: readonly string[], inputs: UnplacedInputs): MicrovmInterface[] {
  const byFile = new Map<string, MicrovmInterface[]>();
  for (const i of emitted) {
    const list = byFile.get(i.id.location.file) ?? [];
    list.push(i);
    byFile.set(i.id.location.file, list);
  }
  const out: MicrovmInterface[] = [];
  for (const file of files) {
    const text = inputs.readText(file);
    if (text === undefined) continue;
    const found = literalsOf(file, text, inputs);
    if (!found.literals) continue;
    const emittedHere = byFile.get(file) ?? NONE;
    const why = inputs.why(file);
    const last = found.unplaced;
    if (last && last.why === why && last.emitted.length === emittedHere.length && last.emitted.every((i, k) => i === emittedHere[k])) {
      out.push(...last.interfaces);
      continue;
    }
    const interfaces = unplacedOf(file, found.literals, emittedHere, why);
    found.unplaced = { emitted: emittedHere, why, interfaces };
    out.push(...interfaces);
  }
  return out;
}

function unplacedOf(file: string, literals: readonly InterfaceLiteral[], emitted: readonly MicrovmInterface[], why: string): MicrovmInterface[] {
  const out: MicrovmInterface[] = [];
  for (const literal of literals) {
    // An emitted interface comes from this literal when its id is written inside it (it may
    // have been merged with `//`) or it starts where the literal does.
    const covered = emitted.some(
      (i) => rangeWithin(i.id.location.range, literal.location.range) || comparePositions(i.location.range.start, literal.location.range.start) === 0,
    );
    if (covered) continue;
    out.push({
      type: literal.type,
      id: literal.id,
      mac: literal.mac,
      bridge: null,
      location: literal.location,
      vm: null,
      host: null,
      hypervisor: null,
      guest: `literal:${file}:${literal.location.range.start.line}:${literal.location.range.start.character}`,
      unplaced: why,
    });
  }
  return out;
}

/** A file's literals; the text test and the AST walk are done once per text. */
function literalsOf(file: string, text: string, inputs: UnplacedInputs): FileLiterals {
  const known = inputs.found?.get(file);
  if (known && known.text === text) return known;
  let literals: InterfaceLiteral[] | null = null;
  if (mayHoldInterfaceLiteral(text)) {
    const parsed = inputs.parse(file);
    // Not remembered: a file that could not be parsed now may be later, with the same text.
    if (!parsed) return { text, literals: null };
    literals = interfaceLiterals(parsed);
  }
  const found: FileLiterals = { text, literals };
  inputs.found?.set(file, found);
  return found;
}

function rangeWithin(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}
