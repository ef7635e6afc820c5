/**
 * Long fuzz runs: `npm run fuzz -- --runs 100000 [--seed N] [--scale K] [--minutes M]
 * [--include-known-hangs] [--only i,j,...] [--no-save] [--trace FILE]`; the hostile generators
 * (hostile.ts): `npm run fuzz -- --hostile --runs 2000 [--seed N] [--minutes M]`.
 *
 * Prints inputs, crashes (must be 0), invariant violations, the slowest file and its time.
 * Each crash is saved as a regression case under test/unit/robustness/regressions/ (replayed by
 * the unit suite); `--only` replays given input numbers of a seed. Exit code 1 on any crash or
 * violation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz, type Finding } from './harness';
import { fuzzHostile, HANG_MS } from './hostile';
import { knownCrash } from './known';

interface Args {
  runs: number;
  seed: number;
  scale: number;
  minutes?: number;
  includeKnownHangs: boolean;
  only?: number[];
  save: boolean;
  /** File the case being run is written to before it runs: what a hang was stuck on. */
  trace: string;
  /** Run the hostile generators (hostile.ts) instead of the mutations. */
  hostile: boolean;
}

function parse(argv: string[]): Args {
  const args: Args = { runs: 10_000, seed: 20251128, scale: 5, includeKnownHangs: false, save: true, trace: join(tmpdir(), `microvm-net-fuzz-current-${process.pid}.json`), hostile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') args.runs = Number(value());
    else if (a === '--seed') args.seed = Number(value());
    else if (a === '--scale') args.scale = Number(value());
    else if (a === '--minutes') args.minutes = Number(value());
    else if (a === '--only') args.only = value().split(',').map(Number);
    else if (a === '--include-known-hangs') args.includeKnownHangs = true;
    else if (a === '--no-save') args.save = false;
    else if (a === '--trace') args.trace = value();
    else if (a === '--hostile') args.hostile = true;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const [k, v] of Object.entries(args)) if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`--${k}: not a number`);
  return args;
}

const REGRESSIONS = join(__dirname, '..', 'unit', 'robustness', 'regressions');

function save(seed: number, finding: Finding): string {
  const dir = join(REGRESSIONS, `${finding.info.fixture}-s${seed}-i${finding.info.index}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'input'), finding.input.bytes ?? finding.input.text);
  writeFileSync(
    join(dir, 'case.json'),
    JSON.stringify({ ...finding.info, seed, known: finding.outcome.crash ? knownCrash(finding.outcome.crash)?.id : undefined, error: finding.outcome.crash?.error, during: finding.outcome.crash?.during, stack: finding.outcome.crash?.stack, violations: finding.outcome.violations }, null, 2) + '\n',
  );
  return dir;
}

async function hostileMain(args: Args, out: (s: string) => void): Promise<number> {
  out(`hostile fuzz: seed ${args.seed}, ${args.runs} runs${args.minutes ? `, at most ${args.minutes} min` : ''}`);
  const started = performance.now();
  let lastReport = started;
  const summary = await fuzzHostile({
    seed: args.seed,
    runs: args.runs,
    minutes: args.minutes,
    only: args.only,
    onCase: (index, kind) => {
      writeFileSync(args.trace, JSON.stringify({ hostile: true, seed: args.seed, index, kind }) + '\n');
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        out(`... ${index} cases`);
      }
    },
  });
  for (const f of [...summary.crashes, ...summary.hangs, ...summary.bytesOutsideEdits, ...summary.payloads]) out(`#${f.index} ${f.kind} ${f.what}: ${f.detail}`);
  out('');
  out(`cases:                      ${summary.cases} (${Object.entries(summary.byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  out(`fixes applied on disk:      ${summary.fixesApplied}`);
  out(`crashes:                    ${summary.crashes.length}`);
  out(`hangs (over ${HANG_MS / 1000} s):          ${summary.hangs.length}`);
  out(`bytes written outside edits: ${summary.bytesOutsideEdits.length}`);
  out(`payloads from a name:       ${summary.payloads.length}`);
  out(`slowest case:               ${Math.round(summary.slowestMs)} ms`);
  out(`total:                      ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return summary.crashes.length + summary.hangs.length + summary.bytesOutsideEdits.length + summary.payloads.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (args.hostile) return hostileMain(args, out);
  out(`(the case in progress is in ${args.trace}: replay a hang with --only <index>)`);
  out(`fuzz: seed ${args.seed}, ${args.only ? `only ${args.only.join(',')}` : `${args.runs} runs`}, scale ${args.scale}${args.minutes ? `, at most ${args.minutes} min` : ''}${args.includeKnownHangs ? ', including known hangs' : ''}`);
  let lastReport = performance.now();
  const summary = await fuzz({
    seed: args.seed,
    runs: args.runs,
    scale: args.scale,
    only: args.only,
    includeKnownHangs: args.includeKnownHangs,
    timeLimitMs: args.minutes !== undefined ? args.minutes * 60_000 : undefined,
    onStart: (info) => writeFileSync(args.trace, JSON.stringify({ seed: args.seed, scale: args.scale, ...info }) + '\n'),
    onCase: (info, outcome, done) => {
      if (outcome.crash) out(`CRASH${knownCrash(outcome.crash) ? ` (known: ${knownCrash(outcome.crash)!.id})` : ''} #${info.index} ${info.fixture}/${info.file} [${info.ops.join(' ')}] ${info.mode} during ${outcome.crash.during}:\n${outcome.crash.stack}`);
      else if (outcome.violations.length) out(`VIOLATION #${info.index} ${info.fixture}/${info.file} [${info.ops.join(' ')}] ${info.mode}:\n  ${outcome.violations.join('\n  ')}`);
      if (outcome.ms > 5000) out(`slow #${info.index} ${info.fixture}/${info.file} [${info.ops.join(' ')}] ${info.mode}: ${Math.round(outcome.ms)} ms`);
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        out(`... ${done} inputs`);
      }
    },
  });
  const saved = args.save && !args.only ? [...summary.crashes, ...summary.violations].map((f) => save(args.seed, f)) : [];
  out('');
  out(`inputs:            ${summary.inputs} (open ${summary.byMode.open}, incremental ${summary.byMode.incremental}, disk ${summary.byMode.disk})`);
  const known = summary.crashes.filter((f) => knownCrash(f.outcome.crash!)).length;
  out(`crashes:           ${summary.crashes.length}${known ? ` (${known} of them known and reported: test/fuzz/known.ts)` : ''}`);
  out(`violations:        ${summary.violations.length}`);
  if (summary.slowest) {
    const s = summary.slowest;
    out(`slowest:           ${s.info.fixture}/${s.info.file} #${s.info.index} [${s.info.ops.join(' ')}] ${s.info.mode}, ${s.info.chars} chars: ${Math.round(s.ms)} ms`);
  }
  out(`max eval steps:    ${summary.maxSteps ?? 'n/a'}`);
  out(`budget exhausted:  ${summary.budgetExhausted} inputs`);
  out(`total:             ${(summary.totalMs / 1000).toFixed(1)} s (${(summary.totalMs / Math.max(1, summary.inputs)).toFixed(1)} ms/input)`);
  for (const dir of saved) out(`saved regression:  ${dir}`);
  return summary.crashes.length + summary.violations.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
