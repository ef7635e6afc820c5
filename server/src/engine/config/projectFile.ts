/**
 * The project file, `microvm-net.toml`: file text → `ProjectConfig`, a pure step. What the file
 * may hold is `schemas/microvm-net.schema.json`; this validates by hand against the same rules
 * (test/unit/config/projectSchema.test.ts holds the two to agreement with ajv) because each
 * problem must land on the line that causes it, and the bundles must not compile code at run
 * time as a schema validator does. An invalid part is reported and left out; the rest applies.
 */
import { basename } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { definitionOf } from '../checks/codes';
import { globProblem } from '../glob';
import { visibleText, type Location } from '../text';
import { TomlPositions, type TomlPath } from './tomlPositions';

export const PROJECT_FILE_NAME = 'microvm-net.toml';

export type SeverityLevel = 'error' | 'warning' | 'info' | 'hint' | 'off';
const LEVELS: readonly SeverityLevel[] = ['error', 'warning', 'info', 'hint', 'off'];

interface AssumptionBase {
  /** Where the entry is written: reasons and the contradiction warning point there. */
  location: Location;
  /** `microvm-net.toml:12`, as reasons name it. */
  source: string;
}

export interface NetworkdAssumption extends AssumptionBase {
  kind: 'networkd';
  hosts: string[];
  enabled: boolean;
}

export interface BridgesAssumption extends AssumptionBase {
  kind: 'bridges';
  hosts: string[];
  names: string[];
}

export interface RunsAssumption extends AssumptionBase {
  kind: 'runs';
  host: string;
  vms: string[];
}

export type Assumption = NetworkdAssumption | BridgesAssumption | RunsAssumption;

export interface ConfigProblem {
  message: string;
  location: Location;
}

export interface ProjectConfig {
  file: string;
  exclude: string[];
  defaultBridge: string | null;
  severity: Record<string, SeverityLevel>;
  assumptions: Assumption[];
  problems: ConfigProblem[];
}

export function emptyProjectConfig(file: string): ProjectConfig {
  return { file, exclude: [], defaultBridge: null, severity: {}, assumptions: [], problems: [] };
}

export function parseProjectFile(file: string, text: string): ProjectConfig {
  const config = emptyProjectConfig(file);
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const line = Math.max(0, error.line - 1);
    const character = Math.max(0, error.column - 1);
    const message = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    config.problems.push({ message: `not valid TOML: ${message}; the file is ignored`, location: { file, range: { start: { line, character }, end: { line, character: character + 1 } } } });
    return config;
  }
  const positions = new TomlPositions(text);
  const at = (path: TomlPath, part: 'key' | 'value' = 'value'): Location => ({ file, range: positions.rangeOf(path, part) });
  const problem = (path: TomlPath, message: string, part: 'key' | 'value' = 'value') => config.problems.push({ message, location: at(path, part) });
  const source = (path: TomlPath) => `${basename(file)}:${positions.rangeOf(path, 'key').start.line + 1}`;

  for (const [key, value] of Object.entries(data)) {
    switch (key) {
      case 'exclude':
        config.exclude = stringList(value, ['exclude'], problem).filter((glob, i) => {
          const why = globProblem(glob);
          if (why !== null) problem(['exclude', i], `bad glob ${JSON.stringify(glob)}: ${why}`);
          return why === null;
        });
        break;
      case 'default-bridge':
        if (typeof value === 'string') config.defaultBridge = value;
        else problem([key], '`default-bridge` must be a string (a bridge name)');
        break;
      case 'severity':
        if (!isTable(value)) {
          problem([key], '`severity` must be a table of `code = "level"`');
          break;
        }
        for (const [code, level] of Object.entries(value)) {
          if (!definitionOf(code)) problem([key, code], `unknown diagnostic code \`${visibleText(code)}\``, 'key');
          else if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
            problem([key, code], `severity of \`${code}\` must be one of ${LEVELS.join(', ')}`);
          } else config.severity[code] = level as SeverityLevel;
        }
        break;
      case 'assume':
        readAssumptions(value, config, problem, (path) => ({ location: at(path, 'key'), source: source(path) }));
        break;
      default:
        problem([key], `unknown key \`${visibleText(key)}\` (allowed: exclude, default-bridge, severity, assume)`, 'key');
    }
  }
  return config;
}

type Report = (path: TomlPath, message: string, part?: 'key' | 'value') => void;

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function stringList(value: unknown, path: TomlPath, problem: Report, nonEmpty = false): string[] {
  if (!Array.isArray(value)) {
    problem(path, `\`${path.filter((p) => typeof p === 'string').at(-1)}\` must be an array of strings`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    if (typeof item === 'string' && item !== '') out.push(item);
    else problem([...path, i], 'must be a non-empty string');
  });
  if (nonEmpty && value.length === 0) problem(path, 'must name at least one');
  return out;
}

const ASSUMPTION_KEYS: Record<Assumption['kind'], { keys: readonly string[]; required: readonly string[] }> = {
  networkd: { keys: ['hosts', 'enabled'], required: ['hosts', 'enabled'] },
  bridges: { keys: ['hosts', 'names'], required: ['hosts', 'names'] },
  runs: { keys: ['host', 'vms'], required: ['host', 'vms'] },
};

function readAssumptions(
  value: unknown,
  config: ProjectConfig,
  problem: Report,
  origin: (path: TomlPath) => AssumptionBase,
): void {
  if (!isTable(value)) {
    problem(['assume'], '`assume` must be a table');
    return;
  }
  for (const [kind, entryOrList] of Object.entries(value)) {
    if (!(kind in ASSUMPTION_KEYS)) {
      problem(['assume', kind], `unknown assumption \`${visibleText(kind)}\` (allowed: networkd, bridges, runs)`, 'key');
      continue;
    }
    const entries: [TomlPath, unknown][] = Array.isArray(entryOrList)
      ? entryOrList.map((e, i) => [['assume', kind, i], e])
      : [[['assume', kind], entryOrList]];
    for (const [path, entry] of entries) {
      const assumption = readAssumption(kind as Assumption['kind'], entry, path, problem, origin);
      if (assumption) config.assumptions.push(assumption);
    }
  }
}

function readAssumption(kind: Assumption['kind'], entry: unknown, path: TomlPath, problem: Report, origin: (path: TomlPath) => AssumptionBase): Assumption | null {
  if (!isTable(entry)) {
    problem(path, `\`assume.${kind}\` must be a table (or an array of tables) with ${ASSUMPTION_KEYS[kind].required.join(' and ')}`);
    return null;
  }
  const { keys, required } = ASSUMPTION_KEYS[kind];
  let ok = true;
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) {
      problem([...path, key], `unknown key \`${visibleText(key)}\` in \`assume.${kind}\` (allowed: ${keys.join(', ')})`, 'key');
      ok = false;
    }
  }
  const missing = required.filter((k) => !(k in entry));
  if (missing.length) {
    problem(path, `\`assume.${kind}\` needs ${missing.join(' and ')}`, 'key');
    return null;
  }
  const base = origin(path);
  const before = { ok };
  const list = (key: string) => {
    const values = stringList(entry[key], [...path, key], (p, m, part) => {
      before.ok = false;
      problem(p, m, part);
    }, true);
    if (values.length === 0) before.ok = false;
    return values;
  };
  switch (kind) {
    case 'networkd': {
      const hosts = list('hosts');
      if (typeof entry.enabled !== 'boolean') {
        problem([...path, 'enabled'], '`enabled` must be true or false');
        return null;
      }
      return before.ok ? { kind, hosts, enabled: entry.enabled, ...base } : null;
    }
    case 'bridges': {
      const hosts = list('hosts');
      const names = list('names');
      return before.ok ? { kind, hosts, names, ...base } : null;
    }
    case 'runs': {
      if (typeof entry.host !== 'string' || entry.host === '') {
        problem([...path, 'host'], '`host` must be a non-empty string');
        return null;
      }
      const vms = list('vms');
      return before.ok ? { kind, host: entry.host, vms, ...base } : null;
    }
  }
}
