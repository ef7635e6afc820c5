/**
 * The one settings schema. Defaults live here; `package.json` `contributes.configuration` is
 * kept in sync with it by test/unit/settings-sync.test.ts. Keys are under `microvmNet.`.
 */
export type SeverityOverride = 'error' | 'warning' | 'info' | 'hint' | 'off';

export interface Settings {
  /** Globs (relative to each root) never scanned. */
  exclude: string[];
  /** Stop the workspace scan after this many files. */
  maxFiles: number;
  /** Files larger than this many bytes are skipped with a message. */
  maxFileSize: number;
  /** Bridge used by quick fixes when none can be inferred. Empty: ask. */
  defaultBridge: string;
  /** Per diagnostic code. */
  severity: Record<string, SeverityOverride>;
  /** Show where each tap ends up after its id (`→ br0`). */
  inlayHints: boolean;
}

import { definitionOf, DIAGNOSTIC_DEFINITIONS } from '../engine/checks/codes';

export const SETTINGS_SECTION = 'microvmNet';

export const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['error', 'warning', 'info', 'hint', 'off'];

/** JSON-schema fragment as VS Code reads it in `contributes.configuration.properties`. */
export type JsonSchema = {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  items?: JsonSchema;
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  minimum?: number;
  additionalProperties?: JsonSchema | boolean;
  properties?: Record<string, JsonSchema & { description?: string }>;
};

export interface SettingSpec<T> {
  key: keyof Settings | string;
  default: T;
  description: string;
  /**
   * `window` settings are read once for the whole workspace; `resource` ones per workspace
   * folder (the server merges them, see `combineFolderSettings`).
   */
  scope: 'window' | 'resource' | 'machine-overridable';
  schema: JsonSchema;
  /** Read only by the VS Code client (the server never sees it in `Settings`). */
  clientOnly?: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  exclude: ['**/.git/**', '**/node_modules/**', '**/result*/**', '**/.direnv/**'],
  maxFiles: 20000,
  maxFileSize: 2 * 1024 * 1024,
  defaultBridge: '',
  severity: {},
  inlayHints: true,
};

/**
 * `severity` offers each code of the registry as a key (the settings UI completes them and flags
 * a misspelled one); the server also says which keys and values it ignores (severityProblems).
 */
const severityByCode: JsonSchema = {
  type: 'object',
  properties: Object.fromEntries(DIAGNOSTIC_DEFINITIONS.map((d) => [d.code, { type: 'string', enum: SEVERITY_OVERRIDES, description: d.shortDescription }])),
  additionalProperties: false,
};

/** Order here is the order the settings UI shows them in. */
export const SETTINGS_SCHEMA: readonly SettingSpec<unknown>[] = [
  {
    key: 'exclude',
    default: DEFAULT_SETTINGS.exclude,
    description: 'Glob patterns, relative to each workspace folder, of files and folders never scanned.',
    scope: 'resource',
    schema: { type: 'array', items: { type: 'string' } },
  },
  {
    key: 'maxFiles',
    default: DEFAULT_SETTINGS.maxFiles,
    description: 'Stop the workspace scan after this many files (a message names how many were left out).',
    scope: 'window',
    schema: { type: 'integer', minimum: 1 },
  },
  {
    key: 'maxFileSize',
    default: DEFAULT_SETTINGS.maxFileSize,
    description: 'Files larger than this many bytes are skipped.',
    scope: 'window',
    schema: { type: 'integer', minimum: 1 },
  },
  {
    key: 'defaultBridge',
    default: DEFAULT_SETTINGS.defaultBridge,
    description: 'Bridge that quick fixes use when none can be inferred. Empty: the fix leaves a placeholder to fill in.',
    scope: 'resource',
    schema: { type: 'string' },
  },
  {
    key: 'severity',
    default: DEFAULT_SETTINGS.severity,
    description: 'Severity per diagnostic code, e.g. `{ "tap-without-bridge": "error", "mac-not-local": "off" }`.',
    scope: 'resource',
    schema: severityByCode,
  },
  {
    key: 'inlayHints',
    default: DEFAULT_SETTINGS.inlayHints,
    description: 'Show after each tap `id` where it ends up: `→ br0`, `→ routed`, `→ no bridge` or `→ ?` (not known), with the reason in the tooltip.',
    scope: 'window',
    schema: { type: 'boolean' },
  },
  {
    key: 'trace.server',
    default: 'off',
    description: 'Traces the communication between VS Code and the MicroVM network language server.',
    scope: 'window',
    schema: { type: 'string', enum: ['off', 'messages', 'verbose'] },
    clientOnly: true,
  },
];

export function mergeSettings(partial: Partial<Settings> | undefined): Settings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}), severity: { ...(partial?.severity ?? {}) } };
}

/**
 * Keeps only well-typed values from what a client sent (`workspace/configuration` answers are
 * user-written JSON); anything else falls back to the default through `mergeSettings`.
 */
export function sanitizeSettings(raw: unknown): Partial<Settings> {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: Partial<Settings> = {};
  if (Array.isArray(r.exclude) && r.exclude.every((g) => typeof g === 'string')) out.exclude = [...r.exclude];
  if (isPositiveInteger(r.maxFiles)) out.maxFiles = r.maxFiles;
  if (isPositiveInteger(r.maxFileSize)) out.maxFileSize = r.maxFileSize;
  if (typeof r.defaultBridge === 'string') out.defaultBridge = r.defaultBridge;
  if (typeof r.inlayHints === 'boolean') out.inlayHints = r.inlayHints;
  if (r.severity && typeof r.severity === 'object' && !Array.isArray(r.severity)) {
    const severity: Record<string, SeverityOverride> = {};
    for (const [code, level] of Object.entries(r.severity as Record<string, unknown>)) {
      if (typeof level === 'string' && (SEVERITY_OVERRIDES as readonly string[]).includes(level)) {
        severity[code] = level as SeverityOverride;
      }
    }
    out.severity = severity;
  }
  return out;
}

/** What a `severity` setting holds that is ignored, each said so a user can fix it. */
export function severityProblems(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object') return [];
  const severity = (raw as Record<string, unknown>).severity;
  if (severity === undefined) return [];
  if (!severity || typeof severity !== 'object' || Array.isArray(severity)) return [`${SETTINGS_SECTION}.severity must be an object of code → level; ignored`];
  const problems: string[] = [];
  for (const [code, level] of Object.entries(severity as Record<string, unknown>)) {
    if (!definitionOf(code)) problems.push(`${SETTINGS_SECTION}.severity: unknown diagnostic code ${JSON.stringify(code)}${closest(code)}; ignored`);
    if (typeof level !== 'string' || !(SEVERITY_OVERRIDES as readonly string[]).includes(level)) {
      problems.push(`${SETTINGS_SECTION}.severity.${code}: ${JSON.stringify(level)} is not one of ${SEVERITY_OVERRIDES.join(', ')}; ignored`);
    }
  }
  return problems;
}

/** ` (did you mean "tap-without-bridge"?)` for a near miss, else nothing. */
function closest(code: string): string {
  let best: { code: string; distance: number } | null = null;
  for (const d of DIAGNOSTIC_DEFINITIONS) {
    const distance = editDistance(code, d.code);
    if (!best || distance < best.distance) best = { code: d.code, distance };
  }
  return best && best.distance <= 3 ? ` (did you mean ${JSON.stringify(best.code)}?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * One engine serves every workspace folder, so per-folder answers become one `Settings`:
 * `exclude` globs are relative to each root, so the union is safe; everything else comes
 * from the first folder that sets it (window-scoped values are equal in every folder anyway).
 */
export function combineFolderSettings(perFolder: Partial<Settings>[]): Settings {
  if (perFolder.length === 0) return mergeSettings(undefined);
  const combined: Partial<Settings> = {};
  for (const folder of perFolder) {
    for (const key of Object.keys(folder) as (keyof Settings)[]) {
      if (key === 'exclude' || combined[key] !== undefined) continue;
      (combined as Record<string, unknown>)[key] = folder[key];
    }
  }
  const excludes = perFolder.map((f) => f.exclude).filter((e): e is string[] => e !== undefined);
  if (excludes.length) combined.exclude = [...new Set(excludes.flat())];
  return mergeSettings(combined);
}

/** The `contributes.configuration` object package.json must hold, generated from the schema. */
export function configurationContribution(): {
  title: string;
  properties: Record<string, Record<string, unknown>>;
} {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const spec of SETTINGS_SCHEMA) {
    properties[`${SETTINGS_SECTION}.${spec.key}`] = {
      ...spec.schema,
      default: spec.default,
      markdownDescription: spec.description,
      scope: spec.scope,
    };
  }
  return { title: 'MicroVM Network', properties };
}
