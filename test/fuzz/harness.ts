/**
 * The fuzz harness: a corpus of fixture files, one language service per fixture (over a temp
 * copy, so disk-mode inputs never touch the repository), and `runCase`, which feeds one mutated
 * file to the engine in one of three ways and exercises every view on the result:
 *
 *   open         the mutated text as an editor buffer (openDocument)
 *   incremental  the original buffer, then one ranged change to the mutated text (tree reuse),
 *                compared against a from-scratch parse of the same text
 *   disk         the mutated bytes written to the file, then fileChanged (reader, decoder)
 *
 * Crashes are exceptions out of the service. Invariant violations are wrong-but-not-thrown:
 * diagnostic or fix ranges outside the text, a step count over the budget, an incremental
 * parse that disagrees with a fresh one.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { classifyFile } from '../../server/src/engine/files';
import { DEFAULT_BUDGET } from '../../server/src/engine/nix/eval/evaluator';
import type { AnalysisSnapshot } from '../../server/src/engine/service';
import { LineIndex, type Position, type Range } from '../../server/src/engine/text';
import { createLanguageService, type WorkspaceService } from '../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/protocol/settings';
import { mutate, type FileKind, type FuzzInput } from './mutate';
import { Rng } from './rng';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export interface CorpusFile {
  rel: string;
  kind: FileKind;
  text: string;
}

export interface CorpusFixture {
  name: string;
  dir: string;
  files: CorpusFile[];
}

export function loadCorpus(fixturesDir = FIXTURES_DIR): CorpusFixture[] {
  const out: CorpusFixture[] = [];
  for (const name of readdirSync(fixturesDir).sort()) {
    const dir = join(fixturesDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const files: CorpusFile[] = [];
    const walk = (d: string) => {
      for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.isFile()) {
          const k = classifyFile(p);
          if (k === 'nix') files.push({ rel: relative(dir, p), kind: 'nix', text: readFileSync(p, 'utf8') });
          else if (k === 'network' || k === 'netdev' || k === 'dropin') files.push({ rel: relative(dir, p), kind: 'unit', text: readFileSync(p, 'utf8') });
        }
      }
    };
    walk(dir);
    if (files.length > 0) out.push({ name, dir, files });
  }
  return out;
}

export type Mode = 'open' | 'incremental' | 'disk';

export interface CaseInfo {
  index: number;
  fixture: string;
  file: string;
  ops: string[];
  mode: Mode;
  chars: number;
}

export interface CaseOutcome {
  ms: number;
  steps: number | null;
  crash?: { error: string; stack: string; during: string };
  violations: string[];
  budgetExhausted: boolean;
}

/** One service per fixture, over a temp copy. */
export class Session {
  private constructor(
    readonly fixture: CorpusFixture,
    readonly root: string,
    private readonly base: string,
    readonly service: WorkspaceService,
  ) {}

  private version = 1;

  static async create(fixture: CorpusFixture): Promise<Session> {
    const base = mkdtempSync(join(tmpdir(), 'microvm-net-fuzz-'));
    const root = join(base, 'ws');
    cpSync(fixture.dir, root, { recursive: true });
    const service = await createLanguageService({ roots: [root], settings: { ...DEFAULT_SETTINGS } });
    await service.scan();
    service.analyze();
    return new Session(fixture, root, base, service);
  }

  nextVersion(): number {
    return ++this.version;
  }

  dispose(): void {
    this.service.dispose();
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** The evaluator's step counter, when the service exposes one (private: read defensively). */
function stepsOf(service: WorkspaceService): number | null {
  const ev = (service as unknown as { evaluator?: { stepsUsed?: unknown } }).evaluator;
  return typeof ev?.stepsUsed === 'number' ? ev.stepsUsed : null;
}

// One index per text: a file can have tens of thousands of ranges to check.
let lastIndex: LineIndex | null = null;

function rangeProblem(text: string, range: Range): string | null {
  const index = lastIndex?.text === text ? lastIndex : (lastIndex = new LineIndex(text));
  const bad = (p: Position) => {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return true;
    if (p.line >= index.lineCount) return true;
    const start = index.lineStart(p.line);
    const next = p.line + 1 < index.lineCount ? index.lineStart(p.line + 1) : text.length;
    return start + p.character > next;
  };
  if (bad(range.start) || bad(range.end)) return `range ${JSON.stringify(range)} outside the text (${index.lineCount} lines)`;
  if (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character)) {
    return `range ${JSON.stringify(range)} ends before it starts`;
  }
  return null;
}

function diagKey(s: AnalysisSnapshot, file: string): string {
  const ds = (s.diagnostics.get(file) ?? []).map((d) => `${d.code}@${JSON.stringify(d.location.range)}:${d.message}`).sort();
  const errs = s.facts.files.find((f) => f.file === file)?.syntaxErrors ?? 0;
  return `${errs}|${ds.join('\n')}`;
}

/** Every view the editor and the CLI ask for, on the current state. */
export function exerciseViews(service: WorkspaceService, snapshot: AnalysisSnapshot, file: string, text: string | null, rng: Rng, violations: string[], step: (s: string) => void): void {
  const diags = snapshot.diagnostics.get(file) ?? [];
  if (text !== null) {
    for (const d of diags) {
      const p = rangeProblem(text, d.location.range);
      if (p) violations.push(`diagnostic ${d.code}: ${p}`);
    }
  }
  const positions: Position[] = [{ line: 0, character: 0 }];
  if (text !== null && text.length > 0) {
    const index = new LineIndex(text);
    for (let i = 0; i < 3; i++) positions.push(index.positionAt(rng.int(text.length + 1)));
  }
  for (const d of diags.slice(0, 3)) positions.push(d.location.range.start);
  step('documentSymbols');
  service.documentSymbols(file);
  step('codeLenses');
  service.codeLenses(file);
  for (const p of positions) {
    step(`hover ${p.line}:${p.character}`);
    service.hover(file, p);
    step(`definition ${p.line}:${p.character}`);
    service.definition(file, p);
    step(`references ${p.line}:${p.character}`);
    service.references(file, p);
  }
  step('completions');
  service.completions(file, positions[positions.length - 1]);
  step('workspaceSymbols');
  service.workspaceSymbols('vm');
  // Fixes for a few diagnostics anywhere (a unit-file mutation changes taps in Nix files).
  const all = [...snapshot.diagnostics.values()].flat();
  const picked = [...diags.slice(0, 2), ...all.filter((d) => d.location.file !== file).slice(0, 2)];
  for (const d of picked) {
    step(`fixes ${d.code}`);
    for (const fix of service.fixes(d.location.file, d.location.range)) {
      for (const change of fix.edit.changes) {
        const target = service.textOf(change.file);
        if (target === null) {
          violations.push(`fix "${fix.title}" edits unreadable ${change.file}`);
          continue;
        }
        for (const e of change.edits) {
          const p = rangeProblem(target, e.range);
          if (p) violations.push(`fix "${fix.title}": ${p}`);
        }
      }
    }
  }
}

function diffRange(a: string, b: string): { start: number; endA: number; endB: number } {
  let start = 0;
  const max = Math.min(a.length, b.length);
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  return { start, endA, endB };
}

/** Feeds one input to a session; restores the file afterwards. Never throws. */
export function runCase(session: Session, rel: string, original: string, input: FuzzInput, mode: Mode, rng: Rng): CaseOutcome {
  const { service } = session;
  const file = join(session.root, rel);
  const violations: string[] = [];
  let during = 'start';
  const step = (s: string) => {
    during = s;
  };
  const started = performance.now();
  let snapshot: AnalysisSnapshot | undefined;
  let crash: CaseOutcome['crash'];
  let steps: number | null = null;
  try {
    if (mode === 'open') {
      step('openDocument');
      service.openDocument(file, input.text, session.nextVersion());
      step('analyze');
      snapshot = service.analyze();
    } else if (mode === 'incremental') {
      step('openDocument (original)');
      service.openDocument(file, original, session.nextVersion());
      step('analyze (original)');
      service.analyze();
      const d = diffRange(original, input.text);
      const lines = new LineIndex(original);
      step('changeDocument');
      service.changeDocument(file, session.nextVersion(), [
        { range: lines.rangeAt(d.start, d.endA), text: input.text.slice(d.start, d.endB) },
      ]);
      step('analyze (incremental)');
      snapshot = service.analyze();
      if (service.textOf(file) !== input.text) violations.push('changeDocument produced a different text than the mutation');
      const incremental = diagKey(snapshot, file);
      step('openDocument (fresh)');
      service.openDocument(file, input.text, session.nextVersion());
      step('analyze (fresh)');
      snapshot = service.analyze();
      const fresh = diagKey(snapshot, file);
      if (incremental !== fresh) violations.push(`incremental re-parse disagrees with a fresh parse:\n  incremental: ${incremental}\n  fresh:       ${fresh}`);
    } else {
      step('write');
      writeFileSync(file, input.bytes ?? input.text);
      step('fileChanged');
      service.fileChanged(file);
      step('analyze');
      snapshot = service.analyze();
    }
    steps = stepsOf(service);
    if (steps !== null && steps > DEFAULT_BUDGET.steps * 2) violations.push(`evaluation used ${steps} steps (budget ${DEFAULT_BUDGET.steps})`);
    exerciseViews(service, snapshot, file, service.textOf(file), rng, violations, step);
  } catch (error) {
    const e = error as Error;
    crash = { error: e?.message ?? String(error), stack: e?.stack ?? String(error), during };
  }
  const ms = performance.now() - started;
  const budgetExhausted = !!snapshot?.facts.files.some((f) => f.problems.some((p) => p.kind === 'budget-exhausted'));
  // Restore, whatever happened.
  try {
    if (mode === 'disk') {
      writeFileSync(file, original);
      service.fileChanged(file);
    } else {
      service.closeDocument(file);
    }
  } catch (error) {
    crash ??= { error: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack ?? String(error), during: 'restore' };
  }
  return { ms, steps, crash, violations, budgetExhausted };
}

export interface Generated {
  info: CaseInfo;
  input: FuzzInput;
  original: string;
  rng: Rng;
}

/** Input number `index` of a run with `seed`: a pure function of (seed, index, corpus). */
export function generate(corpus: CorpusFixture[], donors: Record<FileKind, string[]>, seed: number, index: number, scale: number, includeKnownHangs = false): Generated {
  const rng = new Rng(seed, index);
  const fixture = rng.pick(corpus);
  const file = rng.pick(fixture.files);
  const { input, ops } = mutate(rng, file.text, { kind: file.kind, donors: donors[file.kind], scale, includeKnownHangs });
  const r = rng.int(100);
  const mode: Mode = r < 60 ? 'open' : r < 80 ? 'incremental' : 'disk';
  return { info: { index, fixture: fixture.name, file: file.rel, ops, mode, chars: input.text.length }, input, original: file.text, rng };
}

export function donorsOf(corpus: CorpusFixture[]): Record<FileKind, string[]> {
  const out: Record<FileKind, string[]> = { nix: [], unit: [] };
  for (const f of corpus) for (const file of f.files) out[file.kind].push(file.text);
  return out;
}

export interface Finding {
  info: CaseInfo;
  outcome: CaseOutcome;
  input: FuzzInput;
}

export interface FuzzSummary {
  inputs: number;
  crashes: Finding[];
  violations: Finding[];
  slowest: { info: CaseInfo; ms: number } | null;
  maxSteps: number | null;
  budgetExhausted: number;
  totalMs: number;
  byMode: Record<Mode, number>;
}

export interface FuzzOptions {
  seed: number;
  runs: number;
  scale?: number;
  /** Stop after this long even if fewer inputs ran. */
  timeLimitMs?: number;
  /** Replay only these indices. */
  only?: number[];
  onStart?: (info: CaseInfo) => void;
  onCase?: (info: CaseInfo, outcome: CaseOutcome, done: number) => void;
  corpus?: CorpusFixture[];
  includeKnownHangs?: boolean;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const corpus = options.corpus ?? loadCorpus();
  const donors = donorsOf(corpus);
  const sessions = new Map<string, Session>();
  const scale = options.scale ?? 1;
  const summary: FuzzSummary = {
    inputs: 0,
    crashes: [],
    violations: [],
    slowest: null,
    maxSteps: null,
    budgetExhausted: 0,
    totalMs: 0,
    byMode: { open: 0, incremental: 0, disk: 0 },
  };
  const started = performance.now();
  const indices = options.only ?? Array.from({ length: options.runs }, (_, i) => i);
  try {
    for (const index of indices) {
      if (options.timeLimitMs !== undefined && performance.now() - started > options.timeLimitMs) break;
      const g = generate(corpus, donors, options.seed, index, scale, options.includeKnownHangs);
      options.onStart?.(g.info);
      let session = sessions.get(g.info.fixture);
      if (!session) {
        session = await Session.create(corpus.find((f) => f.name === g.info.fixture)!);
        sessions.set(g.info.fixture, session);
      }
      const outcome = runCase(session, g.info.file, g.original, g.input, g.info.mode, g.rng);
      summary.inputs++;
      summary.byMode[g.info.mode]++;
      if (outcome.budgetExhausted) summary.budgetExhausted++;
      if (outcome.steps !== null) summary.maxSteps = Math.max(summary.maxSteps ?? 0, outcome.steps);
      if (!summary.slowest || outcome.ms > summary.slowest.ms) summary.slowest = { info: g.info, ms: outcome.ms };
      if (outcome.crash) {
        summary.crashes.push({ info: g.info, outcome, input: g.input });
        // A crashed session may hold half-updated state: start the fixture afresh.
        session.dispose();
        sessions.delete(g.info.fixture);
      } else if (outcome.violations.length > 0) {
        summary.violations.push({ info: g.info, outcome, input: g.input });
      }
      options.onCase?.(g.info, outcome, summary.inputs);
    }
  } finally {
    for (const s of sessions.values()) s.dispose();
  }
  summary.totalMs = performance.now() - started;
  return summary;
}
