/**
 * Pulls `microvmNet` settings with `workspace/configuration`, once per workspace folder (several
 * settings are resource-scoped), and folds them into the one `Settings` the engine takes.
 * Clients without the configuration capability get the defaults.
 */
import type { Connection } from 'vscode-languageserver/node';
import { globProblem } from '../engine/glob';
import {
  combineFolderSettings,
  mergeSettings,
  sanitizeSettings,
  severityProblems,
  SETTINGS_SECTION,
  type Settings,
} from '../protocol/settings';

export class SettingsSource {
  /** What the last settings read held that is ignored (unknown codes, bad levels), in words. */
  problems: string[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly supported: () => boolean,
  ) {}

  async pull(folderUris: string[]): Promise<Settings> {
    if (!this.supported()) return mergeSettings(undefined);
    const items = folderUris.length
      ? folderUris.map((scopeUri) => ({ scopeUri, section: SETTINGS_SECTION }))
      : [{ section: SETTINGS_SECTION }];
    try {
      const answers: unknown[] = await this.connection.workspace.getConfiguration(items);
      this.problems = [...new Set(answers.flatMap(severityProblems))];
      return combineFolderSettings(answers.map(sanitizeSettings));
    } catch (e) {
      this.connection.console.warn(`could not read ${SETTINGS_SECTION} settings, using defaults: ${String(e)}`);
      return mergeSettings(undefined);
    }
  }
}

/**
 * Clients without `workspace/configuration` may push settings in didChangeConfiguration
 * instead (`{ settings: { microvmNet: {...} } }`); anything else leaves the defaults.
 */
export function pushedSettings(params: { settings?: unknown }, source?: SettingsSource): Settings {
  const all = params.settings;
  const section = all && typeof all === 'object' ? (all as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
  if (source) source.problems = severityProblems(section);
  return mergeSettings(sanitizeSettings(section));
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}

/**
 * Drops the `exclude` globs the engine refuses (the setting may come from an untrusted
 * workspace's `.vscode/settings.json`), saying which and why, so one bad glob neither fails the
 * scan nor silently excludes nothing.
 */
export function withValidGlobs(settings: Settings): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const exclude = settings.exclude.filter((glob) => {
    const problem = globProblem(glob);
    if (problem !== null) problems.push(`${SETTINGS_SECTION}.exclude: bad glob ${JSON.stringify(glob)} ignored: ${problem}`);
    return problem === null;
  });
  return { settings: problems.length > 0 ? { ...settings, exclude } : settings, problems };
}
