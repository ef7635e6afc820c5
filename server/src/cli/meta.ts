/** Name, version and home of the tool, from package.json (bundled by esbuild). */
import * as pkg from '../../../package.json';
import { PROJECT_HOME } from '../protocol/docs';

interface PackageJson {
  name?: string;
  version?: string;
}

const info = pkg as PackageJson;

export const TOOL_NAME = 'microvm-net';
export const TOOL_VERSION: string = info.version ?? '0.0.0';

/** Where users read about the tool (SARIF `informationUri`). */
export const TOOL_HOME: string = PROJECT_HOME;
