// Runs node's test runner over test/<suite>/**/*.test.ts (TypeScript through tsx).
// Usage: node test/run.mjs [suite...]   (default: unit lsp oracle)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const testRoot = dirname(fileURLToPath(import.meta.url));
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'lsp', 'oracle'];

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// The oracle starts the real systemd-networkd in namespaces made with `unshare`, which needs
// root. A developer's `npm test` as an ordinary user runs everything else and says loudly that
// the oracle did not run; CI (.ci/run, as root) sets MICROVM_NET_ORACLE=required so a missing
// oracle there fails instead of passing quietly.
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const oracleRequired = process.env.MICROVM_NET_ORACLE === 'required';
let oracleNotRun = null;
let runSuites = suites;
if (suites.includes('oracle') && !isRoot && !oracleRequired) {
  oracleNotRun =
    `oracle suite NOT RUN: it starts the real systemd-networkd in private namespaces (unshare), which needs root, ` +
    `and this is uid ${process.getuid?.() ?? 'unknown'}. Run it as root (sudo npm run test:oracle); CI runs it as root.`;
  runSuites = suites.filter((s) => s !== 'oracle');
  console.error(`\n*** ${oracleNotRun}\n`);
}

const files = runSuites.flatMap((s) => collect(join(testRoot, s))).sort();
if (files.length === 0 && oracleNotRun) process.exit(1);
if (files.length === 0) {
  console.error(`no test files in ${suites.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
if (oracleNotRun) console.error(`\n*** ${oracleNotRun}\n`);
process.exit(result.status ?? 1);
