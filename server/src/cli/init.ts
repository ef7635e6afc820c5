/**
 * `microvm-net init [DIRECTORY]`: writes a commented starter `microvm-net.toml`. It never
 * overwrites (the file is created exclusively, so a file appearing meanwhile is not clobbered),
 * and every line it writes is commented out but the schema reference: the tool behaves exactly
 * as before until the user uncomments something.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_FILE_NAME } from '../engine/config/projectFile';
import type { CliIo } from './check';
import { TOOL_NAME } from './meta';

export const STARTER_PROJECT_FILE = `# microvm-net project file: read by \`microvm-net check\` and by the editor extension.
# The nearest microvm-net.toml above a checked directory wins (up to the directory holding
# flake.nix or .git). Editor settings and command-line flags override what is set here.
# Schema: schemas/microvm-net.schema.json in the microvm-net repository.

# Files and folders never scanned (globs relative to each checked directory), added to the
# defaults (.git, node_modules, result*, .direnv).
# exclude = ["vendor/**", "**/old/**"]

# The bridge quick fixes and \`check --fix\` use when none can be inferred.
# default-bridge = "br0"

# Severity per diagnostic code: "error", "warning", "info", "hint" or "off".
# [severity]
# mac-not-local = "off"
# tap-without-bridge = "error"

# Facts the workspace cannot show. Each is named in the reasons it decides, and one the
# workspace contradicts is reported as assumption-contradicted.
# [assume]
# systemd-networkd is enabled on these hosts by a module from another flake input:
# networkd = { hosts = ["web"], enabled = true }
# These bridges exist on these hosts, created outside this repository:
# bridges = { hosts = ["hv1"], names = ["br-lan"] }
# This host runs these VMs although its configuration does not list them:
# runs = { host = "hv1", vms = ["a", "b"] }
`;

export function runInit(directory: string, io: CliIo): number {
  const dir = path.resolve(io.cwd, directory);
  const file = path.join(dir, PROJECT_FILE_NAME);
  const shown = path.relative(io.cwd, file) || PROJECT_FILE_NAME;
  try {
    if (!fs.statSync(dir).isDirectory()) {
      io.stderr.write(`${TOOL_NAME}: not a directory: ${directory} (see --help)\n`);
      return 2;
    }
  } catch {
    io.stderr.write(`${TOOL_NAME}: no such directory: ${directory} (see --help)\n`);
    return 2;
  }
  try {
    fs.writeFileSync(file, STARTER_PROJECT_FILE, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'already exists; not overwritten' : `cannot be written (${code ?? String(error)})`;
    io.stderr.write(`${TOOL_NAME}: ${shown} ${why}\n`);
    return code === 'EEXIST' ? 1 : 2;
  }
  io.stdout.write(`wrote ${shown}\n`);
  return 0;
}
