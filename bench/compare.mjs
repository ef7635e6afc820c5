// Before/after on one machine in one session: for each workspace and repetition, the raw
// web-tree-sitter parse (the floor), the in-process cold analysis and the CLI (cold, and warm
// with --cache where the checkout has it) of each checkout, interleaved so load hits both alike.
// Wall and CPU time (user + sys) and peak RSS come from /usr/bin/time; ratios are against the raw
// parse of the same repetition. Each checkout needs dist/ and bench/workspaces/.build/inproc.js
// (built by `node bench/run.mjs --only none`).
//
//   node bench/compare.mjs --checkout before=/path --checkout after=/path --ws DIR [--ws DIR]
//                          [--reps 3] [--cache after] [--only warm] [--warm-runs 1] [--out results.json]
//
// `--only warm`: the raw parse and, for each `--cache` checkout, the CLI with --cache twice (the
// first run analyses and writes the entry, the second is timed against it); no in-process
// analysis and no plain cold run, whose minutes at 2,000 files a warm comparison does not need.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';

const args = process.argv.slice(2);
const all = (flag) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
const opt = (flag, dflt) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : dflt);
const checkouts = all('--checkout').map((s) => {
  const [name, dir] = s.split('=');
  return { name, dir: resolve(dir) };
});
const workspaces = all('--ws').map((w) => resolve(w));
const reps = Number(opt('--reps', '3'));
const cacheFor = new Set(all('--cache'));
const outFile = opt('--out', null);
const onlyWarm = opt('--only', null) === 'warm';
// /usr/bin/time counts CPU in 10 ms steps: several warm runs per repetition give a steadier median.
const warmRuns = Number(opt('--warm-runs', '1'));
const log = (...m) => console.error('[compare]', ...m);

/** Runs a command under /usr/bin/time; wall, cpu (ms), peak RSS (MB) and stdout. */
function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-1500)}`);
  const [e, u, s, m] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wallMs: e * 1000, cpuMs: (u + s) * 1000, rssMB: m / 1024, stdout: r.stdout };
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

const rows = [];
for (let rep = 0; rep < reps; rep++) {
  for (const ws of workspaces) {
    const load = loadavg()[0];
    const floor = checkouts[checkouts.length - 1];
    const raw = timed([process.execPath, join(floor.dir, 'bench/workspaces/.build/inproc.js'), 'raw', ws]);
    const rawJson = JSON.parse(raw.stdout.trim().split('\n').pop());
    rows.push({ rep, ws: basename(ws), checkout: 'raw', what: 'raw parse', load, ...raw, stdout: undefined, inner: rawJson.totalMs });
    for (const c of checkouts) {
      let cli = null;
      if (!onlyWarm) {
        const an = timed([process.execPath, join(c.dir, 'bench/workspaces/.build/inproc.js'), 'analyze', ws]);
        const anJson = JSON.parse(an.stdout.trim().split('\n').pop());
        rows.push({ rep, ws: basename(ws), checkout: c.name, what: 'analysis in-process', load, ...an, stdout: undefined, inner: anJson.totalMs, taps: anJson.interfaces, diagnostics: anJson.diagnostics });
        cli = timed([process.execPath, join(c.dir, 'dist/cli.js'), 'check', ws, '--format', 'json', '--fail-on', 'never']);
        rows.push({ rep, ws: basename(ws), checkout: c.name, what: 'CLI cold', load, ...cli, stdout: undefined });
      }
      if (cacheFor.has(c.name)) {
        const dir = mkdtempSync(join(tmpdir(), 'microvm-net-bench-cache-'));
        try {
          const first = timed([process.execPath, join(c.dir, 'dist/cli.js'), 'check', ws, '--format', 'json', '--fail-on', 'never', '--cache', dir]);
          rows.push({ rep, ws: basename(ws), checkout: c.name, what: 'CLI --cache, cold (writes)', load, ...first, stdout: undefined });
          for (let k = 0; k < warmRuns; k++) {
            const warm = timed([process.execPath, join(c.dir, 'dist/cli.js'), 'check', ws, '--format', 'json', '--fail-on', 'never', '--cache', dir]);
            // Against the plain cold run, or (--only warm) the run that wrote the entry.
            const same = warm.stdout.replace(/"ms": ?\d+/, '') === (cli ?? first).stdout.replace(/"ms": ?\d+/, '');
            rows.push({ rep, ws: basename(ws), checkout: c.name, what: 'CLI --cache, warm', load, ...warm, stdout: undefined, same });
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    log(`rep ${rep} ${basename(ws)} done (load ${load.toFixed(1)})`);
  }
}

// Medians per (workspace, checkout, measurement), ratios against the raw parse of the same rep.
const groups = new Map();
for (const r of rows) {
  const key = `${r.ws}|${r.checkout}|${r.what}`;
  const raw = rows.find((x) => x.rep === r.rep && x.ws === r.ws && x.checkout === 'raw');
  const g = groups.get(key) ?? { ws: r.ws, checkout: r.checkout, what: r.what, wall: [], cpu: [], rss: [], wallRatio: [], cpuRatio: [], innerRatio: [], loads: [], extra: r };
  g.wall.push(r.wallMs);
  g.cpu.push(r.cpuMs);
  g.rss.push(r.rssMB);
  g.wallRatio.push(r.wallMs / raw.wallMs);
  g.cpuRatio.push(r.cpuMs / raw.cpuMs);
  g.loads.push(r.load);
  if (r.same === false) g.differs = true;
  if (r.inner !== undefined) g.innerRatio.push(r.inner / raw.inner);
  groups.set(key, g);
}
const lines = ['| workspace | checkout | measurement | wall (median) | × raw wall | in-process × raw | CPU (median) | × raw CPU | peak RSS | load 1-min |', '|---|---|---|---|---|---|---|---|---|---|'];
for (const g of groups.values()) {
  lines.push(
    `| ${g.ws} | ${g.checkout} | ${g.what}${g.extra.taps !== undefined ? ` (${g.extra.taps} taps, ${g.extra.diagnostics} diagnostics)` : ''}${g.differs ? ' **output differs**' : ''} | ${median(g.wall).toFixed(0)} ms | ${g.checkout === 'raw' ? '1' : median(g.wallRatio).toFixed(2)} | ${g.innerRatio.length && g.checkout !== 'raw' ? median(g.innerRatio).toFixed(2) : ''} | ${median(g.cpu).toFixed(0)} ms | ${g.checkout === 'raw' ? '1' : median(g.cpuRatio).toFixed(2)} | ${median(g.rss).toFixed(0)} MB | ${Math.min(...g.loads).toFixed(1)}–${Math.max(...g.loads).toFixed(1)} |`,
  );
}
console.log(lines.join('\n'));
if (outFile) writeFileSync(outFile, JSON.stringify(rows, null, 2));
