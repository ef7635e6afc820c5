/**
 * Where users read about the tool and about each diagnostic code: the one place the project's
 * address is decided. package.json `homepage` (or `repository`) wins; until it says, the address
 * below. Diagnostics link to their code's row of the README's "Diagnostics" table (each row has
 * an anchor named after the code, generated from checks/codes.ts).
 */
import * as pkg from '../../../package.json';
import { definitionOf } from '../engine/checks/codes';

interface PackageJson {
  homepage?: string;
  repository?: string | { url?: string };
}

const FALLBACK_HOME = 'https://github.com/microvm-net/microvm-net';

function packageHome(info: PackageJson): string | undefined {
  if (info.homepage && /^https?:\/\//.test(info.homepage)) return info.homepage.replace(/#.*$/, '').replace(/\/$/, '');
  const repo = typeof info.repository === 'string' ? info.repository : info.repository?.url;
  if (!repo) return undefined;
  const url = repo.replace(/^git\+/, '').replace(/\.git$/, '');
  return /^https?:\/\//.test(url) ? url : undefined;
}

export const PROJECT_HOME: string = packageHome(pkg as PackageJson) ?? FALLBACK_HOME;

/** The README as a page: on GitHub the file view, where the table's anchors resolve. */
const README_PAGE = /^https:\/\/github\.com\/[^/]+\/[^/]+$/.test(PROJECT_HOME) ? `${PROJECT_HOME}/blob/main/README.md` : PROJECT_HOME;

/** The README section of a diagnostic code; undefined for a code the registry does not know. */
export function codeDocsUrl(code: string): string | undefined {
  const definition = definitionOf(code);
  return definition ? `${README_PAGE}#${definition.docsAnchor}` : undefined;
}
