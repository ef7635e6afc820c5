/** Name, version and home of the tool, from package.json (bundled by esbuild). */
import * as pkg from '../../../package.json';

interface PackageJson {
  name?: string;
  version?: string;
  homepage?: string;
  repository?: string | { url?: string };
}

const info = pkg as PackageJson;

export const TOOL_NAME = 'microvm-net';
export const TOOL_VERSION: string = info.version ?? '0.0.0';

function repositoryPage(): string | undefined {
  if (info.homepage) return info.homepage;
  const repo = typeof info.repository === 'string' ? info.repository : info.repository?.url;
  if (!repo) return undefined;
  const url = repo.replace(/^git\+/, '').replace(/\.git$/, '');
  return /^https?:\/\//.test(url) ? url : undefined;
}

/** Where users read about the tool (SARIF `informationUri`); undefined until package.json says. */
export const TOOL_HOME: string | undefined = repositoryPage();
