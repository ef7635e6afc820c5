/**
 * Pulls `microvmNet` settings with `workspace/configuration`, once per workspace folder (several
 * settings are resource-scoped), and folds them into the one `Settings` the engine takes.
 * Clients without the configuration capability get the defaults.
 */
import type { Connection } from 'vscode-languageserver/node';
import {
  combineFolderSettings,
  mergeSettings,
  sanitizeSettings,
  SETTINGS_SECTION,
  type Settings,
} from '../protocol/settings';

export class SettingsSource {
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
export function pushedSettings(params: { settings?: unknown }): Settings {
  const all = params.settings;
  const section = all && typeof all === 'object' ? (all as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
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
