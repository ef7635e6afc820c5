// `npm run test:e2e`: the integration suite (test/e2e/suite) inside code-server's VS Code, in
// headless chromium driven by playwright-core, then the UI smoke test (ui-smoke.mjs).
//
// For each fixture (a fresh copy of examples/<name>) a workbench page is opened with
//   ?folder=<ws>&payload=[["extensionDevelopmentPath","vscode-remote://<host><repo>"],
//                         ["extensionTestsPath","vscode-remote://<host><suite>"]]
// VS Code runs the suite in its (remote, Node) extension host and reports the result by calling
// window.codeAutomationExit(code), which we expose on the page; that code is the result.
//
// Network: code-server listens on 127.0.0.1 only and its extension gallery points at a closed
// loopback port; chromium resolves no host name but 127.0.0.1 and every request to another
// origin is aborted.
//
// Usage: node scripts/e2e/run-code-server.mjs [--fixtures seed,homelab] [--no-ui] [--no-suite] [--no-coexist] [--no-map] [--keep]
// Env:   MICROVM_NET_E2E_BREAK=1 flips one expectation in the suite and in the UI test.
//        MICROVM_NET_E2E_TIMEOUT_S overall limit (default 840).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCodeServer } from './install-code-server.mjs';
import { DEFAULT_FIXTURES, OUTPUT_DIR, ProcessRegistry, ROOT, SUITE_ENTRY, buildAll, copyExample, descendants, freePort, log, sleep, withTimeout } from './lib.mjs';
import { uiMap } from './ui-map.mjs';
import { uiSmoke } from './ui-smoke.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const fixtures = (option('--fixtures') ?? DEFAULT_FIXTURES.join(',')).split(',').filter(Boolean);
const runSuite = !argv.includes('--no-suite');
const runUi = !argv.includes('--no-ui');
const runCoexist = !argv.includes('--no-coexist');
const runMap = !argv.includes('--no-map');
const keep = argv.includes('--keep');
const BREAK = process.env.MICROVM_NET_E2E_BREAK === '1';
const TOTAL_LIMIT_MS = Number(process.env.MICROVM_NET_E2E_TIMEOUT_S ?? 840) * 1000;
const SUITE_LIMIT_MS = 5 * 60_000;
const CHROMIUM = process.env.MICROVM_NET_E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Nothing but the loopback address resolves.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

const processes = new ProcessRegistry();
const started = Date.now();
let tmp;
let context;
let chromiumPids = [];

async function cleanup() {
  if (context) {
    const c = context;
    context = undefined;
    await withTimeout(c.close(), 15_000, 'closing chromium').catch((e) => log(String(e.message ?? e)));
  }
  await processes.stopAll();
  if (tmp && !keep) rmSync(tmp, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping everything`);
    void cleanup().finally(() => process.exit(130));
  });
}

const watchdog = setTimeout(() => {
  log(`the whole e2e run exceeded ${TOTAL_LIMIT_MS / 1000} s: stopping everything`);
  void cleanup().finally(() => process.exit(1));
}, TOTAL_LIMIT_MS);

async function startCodeServer(entry, { name = 'code-server', installVsix = [] } = {}) {
  const port = await freePort();
  const closedPort = await freePort();
  const home = name === 'code-server' ? tmp : join(tmp, name);
  const dirs = {
    userData: join(home, 'user-data'),
    extensions: join(home, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // Settings that keep the workbench quiet and deterministic.
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'git.enabled': false,
        'security.workspace.trust.enabled': false,
        'window.restoreWindows': 'none',
        'editor.hover.delay': 300,
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );
  const config = join(home, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = join(OUTPUT_DIR, `${name}.log`);
  for (const vsix of installVsix) {
    const installed = spawnSync(process.execPath, [entry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], {
      cwd: home,
      encoding: 'utf8',
      env: { ...process.env, XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_DATA_HOME: join(home, 'xdg-data') },
      timeout: 60_000,
    });
    if (installed.status !== 0) throw new Error(`installing ${vsix} into ${name} failed: ${installed.stderr || installed.stdout}`);
    log(`${name}: installed ${vsix}`);
  }
  const fd = openSync(logFile, 'w');
  const gallery = `http://127.0.0.1:${closedPort}`;
  const child = spawn(
    process.execPath,
    [
      entry,
      '--config', config,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
    ],
    {
      cwd: home,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        EXTENSIONS_GALLERY: JSON.stringify({
          serviceUrl: `${gallery}/extensions`,
          itemUrl: `${gallery}/items`,
          resourceUrlTemplate: `${gallery}/{publisher}/{name}/{version}/{path}`,
          controlUrl: '',
          recommendationsUrl: '',
        }),
        // code-server must not find a config or state of the user's.
        XDG_CONFIG_HOME: join(home, 'xdg-config'),
        XDG_DATA_HOME: join(home, 'xdg-data'),
        MICROVM_NET_E2E_BREAK: BREAK ? '1' : '',
      },
    },
  );
  closeSync(fd);
  processes.track(child.pid, name);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = code ?? signal;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited (${exited}) before it listened; see ${logFile}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer on ${base} within 60 s; see ${logFile}`);
    await sleep(250);
  }
  log(`${name} listening on ${base} (log: ${logFile})`);
  return { base, host: `127.0.0.1:${port}` };
}

async function startChromium() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = join(tmp, 'chromium-profile');
  const before = new Set(descendants(process.pid));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: false,
    // VS Code's webviews (the network map) load their page through a service worker.
    serviceWorkers: 'allow',
  });
  // playwright starts chromium as a process-group leader: register it by PID so that it is
  // stopped even if closing the context hangs.
  chromiumPids = descendants(process.pid).filter((pid) => !before.has(pid) && isChromiumLeader(pid, profile));
  for (const pid of chromiumPids) processes.track(pid, 'chromium');
  if (chromiumPids.length === 0) log('warning: could not find the chromium PID');
  return context;
}

function isChromiumLeader(pid, profile) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(profile)) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pid; // its own process group
  } catch {
    return false;
  }
}

const allowedBases = new Set();

/** Aborts every request that does not go to one of our code-servers (one route for all of them). */
async function confine(ctx, base) {
  const first = allowedBases.size === 0;
  allowedBases.add(base);
  if (!first) return;
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if ([...allowedBases].some((b) => url.startsWith(b)) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    log(`blocked a request to ${url}`);
    return route.abort('blockedbyclient');
  });
}

export function workbenchUrl(server, folder, payload) {
  const query = new URLSearchParams({ folder, payload: JSON.stringify(payload) });
  return `${server.base}/?${query.toString()}`;
}

/** The coexistence run: a unit-file fixture whose .network files another extension owns. */
function coexistWorkspace() {
  const ws = join(tmp, 'workspaces', 'coexist', 'coexist');
  cpSync(join(ROOT, 'test', 'fixtures', 'networkd-syntax-miscased'), ws, { recursive: true });
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'files.associations': { '*.network': 'other-systemd' } }, null, 2));
  return ws;
}

async function runFixtureSuite(ctx, server, name, ws = copyExample(name, join(tmp, 'workspaces', `suite-${name}`))) {
  const mochaLog = join(OUTPUT_DIR, `${name}.mocha.log`);
  rmSync(mochaLog, { force: true });
  const page = await ctx.newPage();
  const browserLog = join(OUTPUT_DIR, `${name}.browser.log`);
  const lines = [];
  page.on('console', (m) => lines.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  let exitCode;
  const exited = new Promise((resolve) => {
    exitCode = resolve;
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    lines.push(`[automation.${type}] ${Array.isArray(args) ? args.join(' ') : String(args)}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exitCode(Number(code)));
  const url = workbenchUrl(server, ws, [
    ['extensionDevelopmentPath', `vscode-remote://${server.host}${ROOT}`],
    ['extensionTestsPath', `vscode-remote://${server.host}${SUITE_ENTRY}`],
    ['skipWelcome', 'true'],
  ]);
  log(`suite on ${name}: ${url}`);
  const t0 = Date.now();
  let code;
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    code = await withTimeout(exited, SUITE_LIMIT_MS, `the suite on ${name} (no codeAutomationExit)`);
  } catch (e) {
    log(String(e.message ?? e));
    code = 1;
    await page.screenshot({ path: join(OUTPUT_DIR, `${name}.suite-failure.png`) }).catch(() => {});
  } finally {
    writeFileSync(browserLog, lines.join('\n') + '\n');
    await page.close({ runBeforeUnload: false }).catch(() => {});
  }
  if (existsSync(mochaLog)) process.stdout.write(`\n--- ${name}: mocha (${mochaLog})\n${readFileSync(mochaLog, 'utf8')}`);
  else process.stdout.write(`\n--- ${name}: no mocha report was written; browser log: ${browserLog}\n${lines.slice(-40).join('\n')}\n`);
  if (code !== 0) {
    const relevant = lines.filter(
      (l) => /^\[(console\.error|pageerror|automation\.error)\]|MicroVM/.test(l) && !/extensionquery|Content Security Policy|ECONNREFUSED|404/.test(l),
    );
    process.stdout.write(`--- ${name}: browser console, errors and extension messages (all of it: ${browserLog})\n${relevant.slice(-25).join('\n')}\n`);
  }
  log(`suite on ${name}: exit code ${code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return code;
}

async function main() {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'microvm-net-e2e-'));
  if (BREAK) log('MICROVM_NET_E2E_BREAK=1: one expectation is deliberately wrong, this run must fail');

  let t = Date.now();
  await buildAll();
  log(`built the extension and the suite in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  const entry = installCodeServer();
  log(`code-server ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const server = await startCodeServer(entry);
  const ctx = await startChromium();
  await confine(ctx, server.base);

  const results = [];
  if (runSuite) {
    for (const name of fixtures) results.push([`suite ${name}`, await runFixtureSuite(ctx, server, name)]);
  }
  if (runCoexist) {
    // Its own code-server, with the stand-in extension installed from a .vsix packed here (vsce,
    // offline), so the other runs never see a second claim on .network files.
    const vsix = join(tmp, 'other-systemd-language.vsix');
    const packed = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--skip-license', '--allow-missing-repository', '-o', vsix], {
      cwd: join(ROOT, 'test', 'e2e', 'coexist-extension'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let code = 1;
    if (packed.status !== 0) log(`packing the coexistence test extension failed: ${packed.stderr || packed.stdout}`);
    else {
      const other = await startCodeServer(entry, { name: 'code-server-coexist', installVsix: [vsix] });
      await confine(ctx, other.base);
      code = await runFixtureSuite(ctx, other, 'coexist', coexistWorkspace());
    }
    results.push(['suite coexist (another extension owns .network)', code]);
  }
  /** One browser-driven test on a fresh copy of the seed, under a time limit. */
  const uiTest = async (dir, name, run, minutes) => {
    const ws = copyExample('seed', join(tmp, 'workspaces', dir));
    const url = workbenchUrl(server, ws, [
      ['extensionDevelopmentPath', `vscode-remote://${server.host}${ROOT}`],
      ['skipWelcome', 'true'],
    ]);
    const t1 = Date.now();
    let code = 0;
    try {
      await withTimeout(run(ctx, url, { breakIt: BREAK }), minutes * 60_000, `the ${name}`);
    } catch (e) {
      log(`${name} FAILED: ${e.stack ?? e}`);
      code = 1;
    }
    log(`${name}: ${code === 0 ? 'passed' : 'failed'} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    return code;
  };
  if (runUi) results.push(['ui smoke', await uiTest('ui', 'UI smoke test', uiSmoke, 4)]);
  if (runMap) results.push(['ui map (tree by host, map before and after the fix)', await uiTest('map', 'map UI test', uiMap, 5)]);

  const failed = results.filter(([, code]) => code !== 0);
  process.stdout.write(`\n${results.map(([what, code]) => `${code === 0 ? 'PASS' : 'FAIL'} ${what}`).join('\n')}\n`);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed.length === 0 && results.length > 0 ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (e) {
  log(`e2e run failed: ${e.stack ?? e}`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(exitCode);
