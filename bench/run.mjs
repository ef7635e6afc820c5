// `npm run bench`: generates the synthetic workspaces (once per seed), builds dist/ and a bench
// bundle, then measures everything in one run and prints a table.
//
//   node bench/run.mjs [--sizes 1000,10000] [--seed 1] [--edits 200] [--regen] [--skip-lsp]
//                      [--skip-package] [--write-readme]
//
// Each measurement runs in a fresh process so memory and JIT state do not leak between them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generate } from './generate.mjs';
import { editSite, LspClient, stats } from './lspClient.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const wsDir = join(benchDir, 'workspaces');
const buildDir = join(wsDir, '.build');

const args = process.argv.slice(2);
const opt = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : dflt;
};
const has = (flag) => args.includes(flag);
const sizes = opt('--sizes', '1000,10000').split(',').map(Number);
const seed = Number(opt('--seed', '1'));
const editCount = Number(opt('--edits', '200'));
const BIG_LINES = 5000;
const only = opt('--only', 'raw,analyze,cli,engine,lsp,activation,package').split(',');
const want = (part) => only.includes(part);

const log = (...m) => console.error('[bench]', ...m);

// -- workspaces -------------------------------------------------------------------------------

function workspace(files) {
  const dir = join(wsDir, `ws-${files}-s${seed}`);
  const stamp = join(dir, '.generated');
  const want = JSON.stringify({ files, seed, bigLines: files >= 10000 ? BIG_LINES : 0, v: 3 });
  if (has('--regen') || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
    log(`generating ${files} files (seed ${seed}) into ${dir}`);
    generate({ files, seed, out: dir, bigLines: files >= 10000 ? BIG_LINES : 0 });
    writeFileSync(stamp, want);
  }
  return dir;
}

// -- builds -----------------------------------------------------------------------------------

async function buildAll() {
  log('building dist/');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('build failed');
  const { build } = await import('esbuild');
  mkdirSync(buildDir, { recursive: true });
  await build({
    entryPoints: [join(benchDir, 'inproc.ts')],
    outfile: join(buildDir, 'inproc.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define: { 'import.meta.url': '__bundle_url' },
    banner: { js: "const __bundle_url = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
}

// -- child processes --------------------------------------------------------------------------

function runJson(argv, extraNodeArgs = []) {
  const r = spawnSync(process.execPath, [...extraNodeArgs, join(buildDir, 'inproc.js'), ...argv], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`inproc ${argv.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Wall time and peak RSS of `node dist/cli.js check <ws>` (RSS via /usr/bin/time when present). */
function cliRun(ws) {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : null;
  const cmd = [...(time ?? []), process.execPath, join(root, 'dist/cli.js'), 'check', ws, '--format', 'json', '--fail-on', 'never'];
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`cli failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const rssKB = time ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  const json = JSON.parse(r.stdout);
  return { ms, rssMB: rssKB / 1024, interfaces: json.interfaces.length, diagnostics: json.diagnostics.length };
}

// -- LSP over stdio ---------------------------------------------------------------------------

async function lspRun(ws, file, n) {
  const client = new LspClient(ws, root);
  const uri = pathToFileURL(file).href;
  const t0 = performance.now();
  await client.start();
  const coldMs = performance.now() - t0;
  const text = readFileSync(file, 'utf8');
  const site = editSite(text);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nix', version: 1, text } });
  // Let the open settle: its analysis runs after the server's quiet period; a hover answers after it.
  await new Promise((r) => setTimeout(r, 300));
  await client.request('textDocument/hover', { textDocument: { uri }, position: site });
  await new Promise((r) => setTimeout(r, 300));
  const edits = [];
  for (let i = 0; i < n; i++) {
    const wait = client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
    const t = performance.now();
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: site, end: { line: site.line, character: site.character + 1 } }, text: i % 2 === 0 ? 'x' : 'm' }],
    });
    const { at } = await wait;
    edits.push(at - t);
  }
  await new Promise((r) => setTimeout(r, 500));
  const hovers = [];
  let answered = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: site.line, character: site.character + 2 } });
    hovers.push(performance.now() - t);
    if (res.result) answered++;
  }
  const rssMB = client.peakRssMB();
  await client.close();
  return { coldMs, edit: stats(edits), hover: stats(hovers), hoverAnswered: answered, rssMB };
}

// -- extension activation ---------------------------------------------------------------------

function activationRun() {
  const script = `
const Module = require('module');
const { performance } = require('perf_hooks');
function stub(name) {
  const cache = new Map();
  const fn = function () {};
  return new Proxy(fn, {
    get(t, p) {
      if (p === 'then') return undefined;
      if (p === Symbol.toPrimitive) return () => name;
      if (p === Symbol.iterator) return function* () {};
      if (p === 'prototype') return t.prototype;
      if (!cache.has(p)) cache.set(p, stub(name + '.' + String(p)));
      return cache.get(p);
    },
    set(t, p, v) { cache.set(p, v); return true; },
    apply() { return stub(name + '()'); },
    construct() { return stub('new ' + name); },
  });
}
let stubbedStart = false;
const vscode = stub('vscode');
const realWindow = vscode.window;
const window = new Proxy({}, { get(_, p) {
  if (p === 'registerTreeDataProvider') return (id, provider) => {
    // The tree provider holds () => client: stub the client's start() before activate awaits it.
    for (const v of Object.values(provider)) {
      if (typeof v !== 'function') continue;
      const c = v();
      if (c && typeof c.start === 'function') { c.start = async () => {}; stubbedStart = true; }
    }
    return stub('disposable');
  };
  return realWindow[p];
} });
// A real object with the API's top-level names (bundles copy the module's own keys: __toESM).
const vs = {};
const dts = require('fs').readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
for (const m of dts.matchAll(/^\t(?:export )?(?:namespace|class|enum|const|function|let) ([A-Za-z_][A-Za-z0-9_]*)/gm)) vs[m[1]] = vscode[m[1]];
vs.window = window;
vs.extensions = { all: [], onDidChange: () => stub('d') };
vs.version = '1.82.0';
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vs;
  return origLoad.apply(this, arguments);
};
(async () => {
  const t0 = performance.now();
  const ext = require(${JSON.stringify(join(root, 'dist/client/extension.js'))});
  const t1 = performance.now();
  const context = { subscriptions: [], extensionPath: ${JSON.stringify(root)}, extensionUri: stub('uri'),
    asAbsolutePath: (p) => require('path').join(${JSON.stringify(root)}, p), globalState: stub('gs'), workspaceState: stub('ws'),
    logUri: stub('logUri'), storageUri: undefined, globalStorageUri: stub('gsu'), extensionMode: 1 };
  await ext.activate(context);
  const t2 = performance.now();
  console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, stubbedStart }));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(2); });
`;
  const runs = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(0, 5).join(' ') };
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  const med = (k) => stats(runs.map((r) => r[k])).median;
  return { requireMs: med('requireMs'), activateMs: med('activateMs'), totalMs: med('totalMs'), stubbedStart: runs.every((r) => r.stubbedStart) };
}

function packageRun() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (!pkg.scripts?.package) return { error: 'no `package` script in package.json' };
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const vsix = readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => ({ f, t: statSync(join(root, f)).mtimeMs })).sort((a, b) => b.t - a.t)[0];
  if (r.status !== 0) return { error: `npm run package failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}` };
  if (!vsix) return { error: 'npm run package produced no .vsix' };
  const bytes = statSync(join(root, vsix.f)).size;
  // `package` builds dist/ minified: rebuild the normal bundles for whatever runs next.
  spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  return { file: vsix.f, bytes };
}

// -- main -------------------------------------------------------------------------------------

function machine() {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))[1];
  } catch {}
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  return { nproc, cpu, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

async function main() {
  await buildAll();
  const results = { machine: machine(), seed, sizes: {}, date: new Date().toISOString() };
  const rows = [];
  for (const size of sizes) {
    const ws = workspace(size);
    const none = { totalMs: NaN, parseMs: NaN, readMs: NaN, maxRssMB: NaN, wasmHeapMB: NaN, files: 0 };
    log(`${size}: raw parse`);
    const raw = want('raw') ? runJson(['raw', ws]) : none;
    log(`${size}: in-process analysis`);
    const an = want('analyze') ? runJson(['analyze', ws]) : none;
    log(`${size}: CLI`);
    const cli = want('cli') ? cliRun(ws) : { ms: NaN, rssMB: NaN };
    results.sizes[size] = { raw, analyze: an, cli };
    log(JSON.stringify(results.sizes[size]));
    rows.push([`${size} files: raw web-tree-sitter parse (read + parse, ${raw.files} .nix files)`, `${f0(raw.totalMs)} ms (parse ${f0(raw.parseMs)}, read ${f0(raw.readMs)})`, 'floor']);
    rows.push([`${size} files: cold analysis in-process (scan + analyze)`, `${f0(an.totalMs)} ms = ${(an.totalMs / raw.totalMs).toFixed(2)}× raw`, '≤ 1.25×']);
    rows.push([`${size} files: \`microvm-net check\` wall time`, `${f0(cli.ms)} ms = ${(cli.ms / raw.totalMs).toFixed(2)}× raw`, '']);
    rows.push([`${size} files: peak RSS (in-process analysis / CLI)`, `${f0(an.maxRssMB)} MB / ${f0(cli.rssMB)} MB`, size >= 10000 ? '≤ 400 MB' : '']);
    rows.push([`${size} files: WASM memory (tree-sitter heap, analysis / raw)`, `${f0(an.wasmHeapMB)} MB / ${f0(raw.wasmHeapMB)} MB`, '']);
    rows.push([`${size} files: taps / diagnostics found`, `${an.interfaces} / ${an.diagnostics}`, '']);
  }
  const big = Math.max(...sizes);
  if (big >= 10000) {
    const ws = workspace(big);
    const file = join(ws, 'hosts/h0000/fleet.nix');
    log(`${big}: engine edit/hover (${editCount})`);
    const eng = want('engine') ? runJson(['edit', ws, file, String(editCount)]) : { edit: {}, hover: {} };
    results.engine = eng;
    log(JSON.stringify(eng));
    rows.push([`engine: edit → analyze, ${BIG_LINES}-line file, ${big} files (median / p95)`, `${f1(eng.edit.median)} / ${f1(eng.edit.p95)} ms`, '']);
    rows.push([`engine: hover (median / p95)`, `${f1(eng.hover.median)} / ${f1(eng.hover.p95)} ms`, '']);
    if (!has('--skip-lsp') && want('lsp')) {
      log(`${big}: LSP (${editCount} edits, ${editCount} hovers)`);
      const lsp = await lspRun(ws, file, editCount);
      results.lsp = lsp;
      log(JSON.stringify(lsp));
      rows.push([`LSP: edit → publishDiagnostics, ${BIG_LINES}-line file, ${big} files (median / p95, n=${lsp.edit.n})`, `${f1(lsp.edit.median)} / ${f1(lsp.edit.p95)} ms`, '≤ 20 ms median']);
      rows.push([`LSP: hover (median / p95, n=${lsp.hover.n})`, `${f1(lsp.hover.median)} / ${f1(lsp.hover.p95)} ms`, '≤ 5 ms median']);
      rows.push([`LSP: server peak RSS / initial scan+analysis`, `${f0(lsp.rssMB)} MB / ${f0(lsp.coldMs)} ms`, '']);
    }
  }
  log('extension activation');
  const act = want('activation') ? activationRun() : { error: 'skipped' };
  results.activation = act;
  rows.push([
    'extension activation (`activate()` to return, LanguageClient.start stubbed)',
    act.error ? `error: ${act.error}` : `${f1(act.activateMs)} ms (+ ${f1(act.requireMs)} ms require)${act.stubbedStart ? '' : ' [start NOT stubbed]'}`,
    '≤ 30 ms',
  ]);
  if (!has('--skip-package') && want('package')) {
    log('npm run package');
    const pkg = packageRun();
    results.package = pkg;
    rows.push(['`.vsix` size', pkg.error ? `not measured: ${pkg.error}` : `${(pkg.bytes / 1024).toFixed(0)} KiB (${pkg.file})`, '≤ 2 MB']);
  }
  const m = results.machine;
  const table = [
    `Machine: ${m.nproc} cores (nproc), ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}; seed ${seed}; ${results.date.slice(0, 10)}`,
    '',
    '| measurement | result | target |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log(table);
  writeFileSync(join(wsDir, 'last-results.json'), JSON.stringify(results, null, 2));
  if (has('--write-readme')) {
    const readme = join(benchDir, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const begin = '<!-- bench:begin -->';
    const end = '<!-- bench:end -->';
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i >= 0 && j > i) writeFileSync(readme, text.slice(0, i + begin.length) + '\n' + table + '\n' + text.slice(j));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
