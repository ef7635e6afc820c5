/**
 * Command-line parsing for `microvm-net`. Strict: an unknown flag, a missing or bad value, or a
 * single-value flag given twice is a UsageError, which the entry point turns into the message,
 * the usage text on stderr and exit code 2 (docs/cli.md §2).
 */
import { definitionOf } from '../engine/checks/codes';
import { globProblem } from '../engine/glob';
import { SEVERITY_OVERRIDES, type SeverityOverride } from '../protocol/settings';

export type OutputFormat = 'text' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'info' | 'never';

export const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

export interface CheckOptions {
  /** As given on the command line; empty means the current directory. */
  paths: string[];
  format: OutputFormat;
  failOn: FailOn;
  fix: boolean;
  exclude: string[];
  /** Undefined: the settings default. */
  maxFiles?: number;
  noColor: boolean;
  quiet: boolean;
  /** Every notice and every unplaced interface definition, not one line per kind. */
  verbose: boolean;
  /** Force progress lines on stderr even when it is not a terminal. */
  progress: boolean;
  /** With `fix`: print the diff of what would be written, write nothing. */
  dryRun: boolean;
  /** A project file used instead of each PATH's nearest `microvm-net.toml`. */
  config?: string;
  /** `--severity code=level`, over the project file's. */
  severity: Record<string, SeverityOverride>;
  /** `--default-bridge`, over the project file's `default-bridge`. */
  defaultBridge?: string;
  /** `--cache DIR`: reuse the report of an unchanged workspace (cache.ts). */
  cache?: string;
}

export type GraphFormat = 'mermaid' | 'dot' | 'json';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'json'];

export interface GraphOptions {
  paths: string[];
  format: GraphFormat;
  exclude: string[];
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'check'; options: CheckOptions }
  | { kind: 'parse'; files: string[] }
  | { kind: 'graph'; options: GraphOptions }
  | { kind: 'init'; directory: string }
  | { kind: 'explain'; tap: string; paths: string[] };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: microvm-net check [PATH...] [options]
       microvm-net parse FILE...
       microvm-net graph [PATH...] [--format mermaid|dot|json] [--exclude GLOB]
       microvm-net init [DIRECTORY]
       microvm-net explain TAP-ID [PATH...]
       microvm-net help | --help | --version

Tells, for every microvm.nix tap interface under PATH (default: the current
directory), which bridge it ends up on, and reports misconfigurations.

Options for check:
  --format text|json|sarif   output format (default: text)
  --fail-on error|warning|info|never
                             exit 1 when a diagnostic at or above this severity
                             is reported (default: warning)
  --fix                      apply the preferred quick fix of each diagnostic,
                             then check again (up to 3 passes)
  --dry-run                  with --fix: print what it would change as a
                             unified diff, write nothing
  --config FILE              use FILE as the project file instead of the nearest
                             microvm-net.toml above each PATH
  --severity CODE=LEVEL      report CODE at LEVEL (error, warning, info, hint,
                             off); repeatable; overrides the project file
  --default-bridge NAME      bridge fixes use when none can be inferred
                             (overrides default-bridge in the project file)
  --exclude GLOB             skip files matching GLOB, relative to each PATH
                             (repeatable; added to the default excludes)
  --max-files N              stop scanning after N files
  --no-color                 no ANSI colours (also: NO_COLOR environment variable)
  --quiet                    text: print only diagnostics (no summary, notices,
                             fix log or progress); json/sarif: no stderr notices
  --verbose                  list every notice and every interface definition
                             no configuration reaches (default: one line per
                             kind of notice)
  --progress                 show scan progress on stderr even when it is not a
                             terminal
  --cache DIR                keep the report in DIR and reuse it while no file
                             it rests on changed (not with --fix)
  -h, --help                 show this help
  --version                  print the version

Exit status: 0 nothing at or above --fail-on, 1 something is, 2 usage or
internal error. Paths are relative to the current directory (to the first
PATH when it lies outside it); lines and columns are 1-based, columns count
UTF-16 code units.

init writes a commented starter microvm-net.toml into DIRECTORY (default: the
current directory); it never overwrites an existing one.

parse (a diagnostic aid, like rust-analyzer parse): prints each FILE's
expression as this tool's parser reads it, one line per file, in the form
\`nix-instantiate --parse\` (Nix 2.8) prints: attributes sorted, inherit
expanded, operators parenthesised, paths made absolute. (Nix orders let
bindings and formals by memory address; parse keeps their source order.)
Exit status 1 if a FILE does not parse.

graph: the network map (hosts, bridges and their uplinks, taps, VMs; taps on
no bridge grouped apart) as a Mermaid flowchart (default), Graphviz DOT or
JSON, from the same analysis as check. Exit status 0 whatever it shows.

explain: prints the decision chain behind the tap whose id is TAP-ID (as
written; a generated part prints as *): the host that runs it, every .network
unit in the order systemd-networkd reads them and whether it matches, the
bridge's netdev, scripts and networking.bridges, and what the analysis could
not see, each step with its file:line. Exit status 1 if no interface has it.
`;

const VALUE_FLAGS = new Set(['--format', '--fail-on', '--exclude', '--max-files', '--config', '--severity', '--default-bridge', '--cache']);
const BOOLEAN_FLAGS = new Set(['--fix', '--no-color', '--quiet', '--verbose', '--progress', '--dry-run']);
/** Flags that may be given more than once. */
const REPEATABLE = new Set(['--exclude', '--severity']);

/** Parses `argv` without the node and script entries. Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.includes('-h') || argv.includes('--help')) {
    // Anywhere before a `--` terminator.
    const end = argv.indexOf('--');
    const head = end === -1 ? argv : argv.slice(0, end);
    if (head.includes('-h') || head.includes('--help')) return { kind: 'help' };
  }
  if (argv.length === 0) throw new UsageError('missing command (try "microvm-net check")');
  const [command, ...rest] = argv;
  switch (command) {
    case 'help':
      if (rest.length > 1 || (rest.length === 1 && !['check', 'parse', 'graph', 'explain', 'help'].includes(rest[0]))) {
        throw new UsageError(`unknown help topic: ${rest.join(' ')}`);
      }
      return { kind: 'help' };
    case '--version':
    case 'version':
      if (rest.length > 0) throw new UsageError(`unexpected argument after ${command}: ${rest[0]}`);
      return { kind: 'version' };
    case 'check':
      return { kind: 'check', options: parseCheck(rest) };
    case 'parse':
      return { kind: 'parse', files: parseFiles(rest) };
    case 'graph':
      return { kind: 'graph', options: parseGraph(rest) };
    case 'init': {
      const operands = rest[0] === '--' ? rest.slice(1) : rest;
      const option = rest[0] !== '--' ? operands.find((a) => a.startsWith('-')) : undefined;
      if (option !== undefined) throw new UsageError(`unknown option of init: ${option}`);
      if (operands.length > 1) throw new UsageError(`init takes one DIRECTORY, not ${operands.length}`);
      if (operands[0] === '') throw new UsageError('empty DIRECTORY');
      return { kind: 'init', directory: operands[0] ?? '.' };
    }
    case 'explain':
      if (rest.length === 0 || rest[0].startsWith('-')) throw new UsageError('explain needs a TAP-ID');
      if (rest.slice(1).some((a) => a.startsWith('-'))) throw new UsageError(`unknown option of explain: ${rest.slice(1).find((a) => a.startsWith('-'))}`);
      return { kind: 'explain', tap: rest[0], paths: rest.slice(1) };
    default:
      if (command.startsWith('-')) throw new UsageError(`unknown option before the command: ${command}`);
      throw new UsageError(`unknown command: ${command}`);
  }
}

/**
 * The words of a command's arguments, in order: PATH operands (every word after `--` too, and
 * `-`) and flags, each with its value (`--flag=value` or the next word) when `takesValue` says it
 * has one. `takesValue` throws for a flag the command does not know.
 */
function* commandWords(
  args: readonly string[],
  takesValue: (flag: string) => boolean,
): Generator<{ operand: string } | { flag: string; value?: string }> {
  let onlyPaths = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPaths || arg === '-' || !arg.startsWith('-')) {
      if (arg === '') throw new UsageError('empty PATH');
      yield { operand: arg };
      continue;
    }
    if (arg === '--') {
      onlyPaths = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!takesValue(flag)) {
      if (eq !== -1) throw new UsageError(`${flag} takes no value`);
      yield { flag };
    } else if (eq !== -1) {
      yield { flag, value: arg.slice(eq + 1) };
    } else {
      if (i + 1 >= args.length) throw new UsageError(`${flag} needs a value`);
      yield { flag, value: args[++i] };
    }
  }
}

function parseCheck(args: readonly string[]): CheckOptions {
  const options: CheckOptions = {
    paths: [],
    format: 'text',
    failOn: 'warning',
    fix: false,
    exclude: [],
    noColor: false,
    quiet: false,
    verbose: false,
    progress: false,
    dryRun: false,
    severity: {},
  };
  const seen = new Set<string>();
  const takesValue = (flag: string): boolean => {
    if (BOOLEAN_FLAGS.has(flag)) return false;
    if (VALUE_FLAGS.has(flag)) return true;
    if (flag === '--version') throw new UsageError('--version is not an option of check (use "microvm-net --version")');
    throw new UsageError(`unknown option: ${flag}`);
  };
  for (const word of commandWords(args, takesValue)) {
    if ('operand' in word) {
      options.paths.push(word.operand);
      continue;
    }
    const { flag } = word;
    if (word.value === undefined) {
      if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
      seen.add(flag);
      if (flag === '--fix') options.fix = true;
      else if (flag === '--no-color') options.noColor = true;
      else if (flag === '--quiet') options.quiet = true;
      else if (flag === '--verbose') options.verbose = true;
      else if (flag === '--dry-run') options.dryRun = true;
      else options.progress = true;
      continue;
    }
    const value = word.value;
    if (!REPEATABLE.has(flag)) {
      if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
      seen.add(flag);
    }
    switch (flag) {
      case '--format':
        options.format = oneOf(flag, value, FORMATS);
        break;
      case '--fail-on':
        options.failOn = oneOf(flag, value, FAIL_ON);
        break;
      case '--exclude':
        if (value.trim() === '') throw new UsageError('--exclude needs a non-empty glob');
        {
          const problem = globProblem(value);
          if (problem !== null) throw new UsageError(`--exclude: bad glob ${JSON.stringify(value)}: ${problem}`);
        }
        options.exclude.push(value);
        break;
      case '--cache':
        if (value === '') throw new UsageError('--cache needs a directory');
        options.cache = value;
        break;
      case '--max-files': {
        if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
          throw new UsageError(`--max-files needs a positive whole number, not "${value}"`);
        }
        options.maxFiles = Number(value);
        break;
      }
      case '--config':
        if (value === '') throw new UsageError('--config needs a FILE');
        options.config = value;
        break;
      case '--severity': {
        const m = /^([^=]+)=(.*)$/.exec(value);
        if (!m) throw new UsageError(`--severity needs CODE=LEVEL, not "${value}"`);
        if (!definitionOf(m[1])) throw new UsageError(`--severity: unknown diagnostic code "${m[1]}"`);
        options.severity[m[1]] = oneOf('--severity', m[2], SEVERITY_OVERRIDES);
        break;
      }
      case '--default-bridge':
        if (value === '') throw new UsageError('--default-bridge needs a NAME');
        options.defaultBridge = value;
        break;
    }
  }
  if (options.dryRun && !options.fix) throw new UsageError('--dry-run goes with --fix');
  if (options.dryRun && options.format !== 'text') throw new UsageError('--fix --dry-run prints a diff: it takes no --format json or sarif');
  return options;
}

/** The check options that make sense for a picture: paths, --format, --exclude. */
function parseGraph(args: readonly string[]): GraphOptions {
  const options: GraphOptions = { paths: [], format: 'mermaid', exclude: [] };
  let formatSeen = false;
  const takesValue = (flag: string): boolean => {
    if (flag === '--format' || flag === '--exclude') return true;
    throw new UsageError(`unknown option of graph: ${flag}`);
  };
  for (const word of commandWords(args, takesValue)) {
    if ('operand' in word) {
      options.paths.push(word.operand);
      continue;
    }
    const { flag } = word;
    const value = word.value ?? '';
    if (flag === '--format') {
      if (formatSeen) throw new UsageError('--format given twice');
      formatSeen = true;
      options.format = oneOf(flag, value, GRAPH_FORMATS);
    } else {
      const problem = value.trim() === '' ? 'empty' : globProblem(value);
      if (problem !== null) throw new UsageError(`--exclude: bad glob ${JSON.stringify(value)}: ${problem}`);
      options.exclude.push(value);
    }
  }
  return options;
}

function parseFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  let onlyFiles = false;
  for (const arg of args) {
    if (!onlyFiles && arg === '--') onlyFiles = true;
    else if (!onlyFiles && arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option of parse: ${arg}`);
    else if (arg === '') throw new UsageError('empty FILE');
    else files.push(arg);
  }
  if (files.length === 0) throw new UsageError('parse needs at least one FILE');
  return files;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${value}"`);
}
