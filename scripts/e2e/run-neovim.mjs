// `npm run test:neovim`: test/neovim/lsp_test.lua in headless Neovim (Debian's 0.7.x is enough)
// against the built `bin/microvm-net-lsp.js --stdio`, on fresh copies of examples/seed and
// examples/homelab. nvim (and the server it starts) is stopped by its PID, also on timeout.
//
// Env: MICROVM_NET_E2E_BREAK=1 flips one expectation; MICROVM_NET_NVIM (default: nvim on PATH);
//      MICROVM_NET_NVIM_TIMEOUT_S (default 180).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ProcessRegistry, ROOT, checkBuilt, copyExample, log, withTimeout } from './lib.mjs';

const NVIM = process.env.MICROVM_NET_NVIM ?? 'nvim';
const LIMIT_MS = Number(process.env.MICROVM_NET_NVIM_TIMEOUT_S ?? 180) * 1000;

const processes = new ProcessRegistry();
const tmp = mkdtempSync(join(tmpdir(), 'microvm-net-nvim-'));
const cleanup = async () => {
  await processes.stopAll();
  rmSync(tmp, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

let code = 1;
try {
  try {
    log(execFileSync(NVIM, ['--version'], { encoding: 'utf8' }).split('\n')[0]);
  } catch {
    throw new Error(`${NVIM} not found: apt-get install -y neovim`);
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  checkBuilt();
  const ws = join(tmp, 'ws');
  const binDir = join(tmp, 'bin');
  mkdirSync(binDir);
  symlinkSync(join(ROOT, 'bin', 'microvm-net-lsp.js'), join(binDir, 'microvm-net-lsp'));
  for (const name of ['seed', 'homelab']) copyExample(name, ws);

  const started = Date.now();
  const nvim = spawn(
    NVIM,
    ['--headless', '--clean', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${join(ROOT, 'test', 'neovim', 'lsp_test.lua')}`],
    {
      cwd: ws,
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        HOME: tmp, // no user config, shada or state of the user's
        XDG_CONFIG_HOME: join(tmp, 'config'),
        XDG_DATA_HOME: join(tmp, 'data'),
        XDG_STATE_HOME: join(tmp, 'state'),
        XDG_CACHE_HOME: join(tmp, 'cache'),
        // The README's snippet starts `microvm-net-lsp` from PATH, as after `npm install -g`.
        PATH: [binDir, dirname(process.execPath), process.env.PATH].join(delimiter),
        MICROVM_NET_README: join(ROOT, 'README.md'),
        MICROVM_NET_NVIM_WS: ws,
        MICROVM_NET_E2E_BREAK: process.env.MICROVM_NET_E2E_BREAK ?? '',
      },
    },
  );
  processes.track(nvim.pid, 'nvim');
  const exited = new Promise((resolve) => nvim.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  code = await withTimeout(exited, LIMIT_MS, 'nvim running test/neovim/lsp_test.lua');
  log(`nvim exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  log(`neovim test failed: ${e.message ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
