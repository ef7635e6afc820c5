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
}

export interface SettingSpec<T> {
  key: keyof Settings | string;
  default: T;
  description: string;
  scope: 'window' | 'resource' | 'machine-overridable';
}

export const DEFAULT_SETTINGS: Settings = {
  exclude: ['**/.git/**', '**/node_modules/**', '**/result*/**', '**/.direnv/**'],
  maxFiles: 20000,
  maxFileSize: 2 * 1024 * 1024,
  defaultBridge: '',
  severity: {},
};

export function mergeSettings(partial: Partial<Settings> | undefined): Settings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}), severity: { ...(partial?.severity ?? {}) } };
}
