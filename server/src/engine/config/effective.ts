/**
 * What the analysis uses: the project files' values under the user's own settings (the editor's
 * `microvmNet.*`, the CLI's flags). `exclude` adds up (each glob only ever leaves files out);
 * a user's `defaultBridge` wins over the project's; severities are per code, and per file in
 * the analysis (each root's own project file, `ProjectConfigs.severity`) with the user's on top.
 */
import { mergeSettings, type Settings } from '../../protocol/settings';
import type { ProjectConfigs } from './discover';

export function effectiveSettings(user: Settings, project: ProjectConfigs): Settings {
  if (project.files.length === 0) return user;
  const exclude = [...new Set([...user.exclude, ...project.exclude])];
  const defaultBridge = user.defaultBridge !== '' ? user.defaultBridge : project.defaultBridge ?? '';
  return mergeSettings({ ...user, exclude, defaultBridge, severity: user.severity });
}
