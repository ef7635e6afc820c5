// `npm run test:vscode`: the same integration suite (test/e2e/suite) in desktop VS Code through
// the standard runner, @vscode/test-electron. It downloads VS Code into .vscode-test/ (so it needs
// update.code.visualstudio.com; this project's CI machine cannot reach it, CI runs
// `npm run test:e2e` on code-server instead). On a Linux box without a display run it under
// `xvfb-run -a npm run test:vscode`.
//
// Usage: node scripts/e2e/run-vscode.mjs [--fixtures seed,homelab]
// Env:   MICROVM_NET_VSCODE_VERSION  VS Code to download (default 1.100.3, the version code-server
//                                    4.100.3 ships; `stable` and `insiders` work too)
//        MICROVM_NET_VSCODE_PATH     use this VS Code executable instead of downloading one
//        MICROVM_NET_E2E_BREAK=1     flips one expectation: the run must fail
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { DEFAULT_FIXTURES, OUTPUT_DIR, ROOT, SUITE_ENTRY, buildAll, copyExample, log } from './lib.mjs';

const argv = process.argv.slice(2);
const i = argv.indexOf('--fixtures');
const fixtures = (i >= 0 ? argv[i + 1] : DEFAULT_FIXTURES.join(',')).split(',').filter(Boolean);
const version = process.env.MICROVM_NET_VSCODE_VERSION ?? '1.100.3';

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  log('no DISPLAY: desktop VS Code needs one (run this under `xvfb-run -a`)');
}

const tmp = mkdtempSync(join(tmpdir(), 'microvm-net-vscode-'));
let failed = 0;
try {
  await buildAll();
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const name of fixtures) {
    const ws = copyExample(name, join(tmp, 'workspaces', name));
    const userData = join(tmp, 'user-data', name);
    const started = Date.now();
    try {
      // runTests resolves with VS Code's exit code when it is 0 and rejects otherwise; it stops
      // the VS Code it started either way.
      await runTests({
        ...(process.env.MICROVM_NET_VSCODE_PATH ? { vscodeExecutablePath: process.env.MICROVM_NET_VSCODE_PATH } : { version }),
        extensionDevelopmentPath: ROOT,
        extensionTestsPath: SUITE_ENTRY,
        extensionTestsEnv: { MICROVM_NET_E2E_BREAK: process.env.MICROVM_NET_E2E_BREAK ?? '' },
        launchArgs: [
          ws,
          '--disable-extensions',
          '--disable-workspace-trust',
          '--disable-telemetry',
          '--skip-welcome',
          '--skip-release-notes',
          '--disable-gpu',
          '--user-data-dir',
          userData,
          '--extensions-dir',
          join(tmp, 'extensions'),
        ],
      });
      log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
} catch (e) {
  failed++;
  log(`test:vscode failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
