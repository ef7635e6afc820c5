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
 * Interface literals found by file, kept across analyses by their owner (the analysis), which
 * says whose texts changed since: a walk then reads only those files again, and visits only the
 * files holding literals, instead of every text of the workspace on every edit.
 *
 * Each file's literals are kept for the text they were found in (null: its text cannot hold
 * one), with the unplaced interfaces last made of them and what they were made from: while the
 * literals, the interfaces emitted from the file and the reason are the same, so are the objects,
 * which is how the outcome and check caches recognise them.
 */
export class LiteralsFound {
  readonly byFile = new Map<string, FileLiterals>();
  /** The file list of the last walk and its files holding literals (or not parsed yet), in its order. */
  private walked: { files: readonly string[]; position: Map<string, number>; candidates: Candidate[] } | null = null;
  /** Files whose text may differ from the last walk's; null: any file's may. */
  private changed: Set<string> | null = null;

  /** The texts of `files` may have changed since the last walk. */
  textsChanged(files: Iterable<string>): void {
    if (this.changed) for (const f of files) this.changed.add(f);
  }

  /** Any text may have changed (files appeared or went, settings changed). */
  anyChanged(): void {
    this.changed = null;
  }

  /** The files of `files` whose literals the walk must look at, with them, in `files` order; `look` (re)reads one. */
  candidates(files: readonly string[], look: (file: string) => FileLiterals): Candidate[] {
    const walked = this.walked;
    const changed = this.changed;
    let candidates: Candidate[];
    if (walked && walked.files === files && changed) {
      const kept = new Map<string, FileLiterals>();
      // The others' texts are as in the last walk; a file that could not be parsed is tried again.
      for (const c of walked.candidates) if (!changed.has(c.file)) kept.set(c.file, c.found.unparsed ? look(c.file) : c.found);
      for (const file of changed) if (walked.position.has(file)) kept.set(file, look(file));
      candidates = [...kept]
        .filter(([, found]) => holds(found))
        .map(([file, found]) => ({ file, found }))
        .sort((x, y) => walked.position.get(x.file)! - walked.position.get(y.file)!);
      this.walked = { ...walked, candidates };
    } else {
      candidates = [];
      for (const file of files) {
        const found = look(file);
        if (holds(found)) candidates.push({ file, found });
      }
      this.walked = { files, position: new Map(files.map((f, i) => [f, i])), candidates };
    }
    this.changed = new Set();
    return candidates;
  }
}

interface Candidate {
  file: string;
  found: FileLiterals;
}

/** Literals, or a text that may hold some but could not be parsed (looked at again next time). */
function holds(found: FileLiterals): boolean {
  return found.literals !== null || found.unparsed === true;
}

interface FileLiterals {
  text: string;
  literals: InterfaceLiteral[] | null;
  /** The text may hold literals but could not be parsed (not remembered: it may parse later). */
  unparsed?: boolean;
  unplaced?: { emitted: readonly MicrovmInterface[]; why: string; interfaces: MicrovmInterface[] };
}

const UNREAD: FileLiterals = { text: '', literals: null };

export function unplacedInterfaces(emitted: readonly MicrovmInterface[], files: readonly string[], inputs: UnplacedInputs): MicrovmInterface[] {
  const look = (file: string): FileLiterals => {
    const text = inputs.readText(file);
    return text === undefined ? UNREAD : literalsOf(file, text, inputs);
  };
  const candidates = inputs.found ? inputs.found.candidates(files, look) : files.map((file) => ({ file, found: look(file) }));
  // The emitted interfaces of the files holding literals (the others' are not asked for).
  const byFile = new Map<string, MicrovmInterface[]>();
  for (const c of candidates) if (c.found.literals) byFile.set(c.file, []);
  for (const i of emitted) byFile.get(i.id.location.file)?.push(i);
  const out: MicrovmInterface[] = [];
  for (const { file, found } of candidates) {
    if (!found.literals) continue;
    const emittedHere = byFile.get(file)!;
    const last = found.unplaced;
    const sameEmitted = !!last && last.emitted.length === emittedHere.length && last.emitted.every((i, k) => i === emittedHere[k]);
    // Literals all covered by emitted interfaces make nothing, whatever the reason would say.
    if (sameEmitted && last!.interfaces.length === 0) continue;
    const why = inputs.why(file);
    if (sameEmitted && last!.why === why) {
      out.push(...last!.interfaces);
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
  const known = inputs.found?.byFile.get(file);
  if (known && known.text === text) return known;
  let literals: InterfaceLiteral[] | null = null;
  if (mayHoldInterfaceLiteral(text)) {
    const parsed = inputs.parse(file);
    // Not remembered: a file that could not be parsed now may be later, with the same text.
    if (!parsed) return { text, literals: null, unparsed: true };
    literals = interfaceLiterals(parsed);
  }
  const found: FileLiterals = { text, literals };
  inputs.found?.byFile.set(file, found);
  return found;
}

function rangeWithin(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}
