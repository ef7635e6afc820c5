/**
 * The workspace scan against a plain reference walk (hostile/referenceScan.ts) on a tree made to
 * trip shortcuts: symlinks in and out of the roots, to files and directories, loops, a link that
 * reaches a directory before its real name does, links into excluded directories, /dev/null
 * masks, FIFOs (and a device node as root), an unreadable directory (as `nobody` when the suite
 * runs as root, so the EACCES is real), directories named like units, odd names, two roots, the
 * file cap, cancellation at every early question, and enough entries to pass the progress step
 * and the scan's turns of the event loop. Also: the exclude walk the scan uses agrees with
 * `compileGlobs` on every prefix of random paths.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import picomatch from 'picomatch';
import { compileExcludeWalk, compileGlobs, globProblem, type ExcludeWalk, type PathMatcher } from '../../../server/src/engine/glob';
import { scanRoots } from '../../../server/src/engine/files';
import { Rng } from '../../fuzz/rng';
import { canSwitchUser, NOBODY, readableTempDir } from './hostile/asNobody';
import { compareScans, type Answer } from './hostile/referenceScan';

const made: string[] = [];
after(() => {
  for (const dir of made) {
    spawnSync('chmod', ['-R', 'u+rwX', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

const asRoot = process.getuid?.() === 0;

/** The tricky tree under a directory everyone may enter: `ws` and `ws2` are the roots, `outside` is not. */
function trickyTree(): { ws: string; ws2: string } {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-scan-'));
  made.push(base);
  const ws = join(base, 'ws');
  const ws2 = join(base, 'ws2');
  const file = (rel: string, text = '{ }\n') => {
    mkdirSync(dirname(rel), { recursive: true });
    writeFileSync(rel, text);
  };
  const link = (target: string, at: string) => {
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at);
  };
  // 'ｆ.nix' sorts after '😀.nix' in UTF-16 (the scan's order), before it in UTF-8 bytes (the order readdir gives).
  for (const rel of [
    'a.nix', 'z-last.nix', 'flake.lock', 'notes.txt', 'foo.conf', 'b/c.nix', 'b/d.network', 'b/e.netdev', 'b/deep/x/z.nix',
    'etc/systemd/network/10-x.network', 'etc/systemd/network/x.network.d/override.conf', 'y.netdev.d/z.conf', 'y.netdev.d/z.txt',
    '.git/config.nix', '.git/objects/a.nix', 'sub/.git/hooks.nix', 'node_modules/p/default.nix', 'result-1/x.nix', 'result',
    'sub/.direnv/x.nix', 'skip-me/in.nix', 'skipfiles/in.nix', 'anchored/in.nix', 'sub/anchored/in.nix', 'w.tmp.nix',
    'ax.nix', 'cx.nix', 'cy/in.nix', 'dy/in.nix', 'q1.nix', 'q12.nix', '😀.nix', 'ｆ.nix', 'ü é.nix', '[ab]x.nix', 'xaybz.nix',
    'dir.network/inner.nix', 'z-dir/in.nix', 'z-dir/more/in.network', 'locked/inner.nix', 'locked/sub/deeper.nix',
  ]) file(join(ws, rel));
  for (let i = 0; i < 2_100; i++) file(join(ws, 'many', `f${String(i).padStart(4, '0')}.nix`));
  file(join(ws2, 'other.nix'));
  file(join(ws2, 'etc/systemd/network/20-y.network'), '[Match]\nName=x\n');
  file(join(base, 'outside/o.nix'));
  file(join(base, 'outside/90-o.network'));

  link('a.nix', join(ws, 'link-a.nix')); // the same file again, later: dropped
  link('z-last.nix', join(ws, '0first.nix')); // the link comes first: the real name is dropped
  link('..', join(ws, 'b/up')); // a directory loop
  link('../z-dir', join(ws, 'b/alias')); // walks z-dir under another name before z-dir itself
  link(join(ws, 'b'), join(ws, 'zz-abs-b')); // an absolute link to an already walked directory
  link('../outside/o.nix', join(ws, 'out.nix'));
  link('../outside', join(ws, 'outdir'));
  link('../outside/90-o.network', join(ws, 'etc/systemd/network/90-o.network'));
  link('/nonexistent/elsewhere.nix', join(ws, 'store.nix'));
  link('nowhere.nix', join(ws, 'broken.nix'));
  link('self.network', join(ws, 'self.network'));
  link('loop-b.nix', join(ws, 'loop-a.nix'));
  link('loop-a.nix', join(ws, 'loop-b.nix'));
  link('/dev/null', join(ws, 'etc/systemd/network/99-mask.network'));
  link('/dev/null', join(ws, 'null.nix'));
  link('/dev/null', join(ws, 'null.txt'));
  link('.git/config.nix', join(ws, 'via-git.nix')); // real path inside a root: followed, excludes are by name
  link('.git', join(ws, 'gitlink')); // .git is walked first (its entries excluded), so this is a walked directory
  link('../ws/a.nix', join(ws2, 'into-ws.nix')); // inside the other root
  link('fifo.nix', join(ws, 'fifolink.nix'));
  link('/dev/zero', join(ws, 'zero-out.nix'));
  link('etc/systemd/network/x.network.d', join(ws, 'dropins.network.d'));
  for (const fifo of ['fifo.nix', 'fifo.txt', 'etc/systemd/network/30-fifo.network']) assert.equal(spawnSync('mkfifo', [join(ws, fifo)]).status, 0);
  if (asRoot) assert.equal(spawnSync('mknod', [join(ws, 'zero.nix'), 'c', '1', '5']).status, 0);
  spawnSync('chmod', ['-R', 'a+rX', base]);
  chmodSync(join(ws, 'locked'), 0o000);
  return { ws, ws2 };
}

function assertSame(results: { call: unknown; actual: Answer; expected: Answer }[]): void {
  for (const { call, actual, expected } of results) assert.deepEqual(actual, expected, JSON.stringify(call));
  const full = results[0].expected;
  // The tree does what it is meant to: had the reference missed these, equal answers would prove little.
  const messages = full.skipped.map((s) => s.message);
  for (const m of ['broken or looping symlink: not followed', 'symlink points outside the workspace: not followed', 'is a FIFO, not a regular file: skipped', 'is a directory, not a unit file: skipped (systemd-networkd does not load it either)']) {
    assert.ok(messages.includes(m), m);
  }
  assert.ok(full.files.some((f) => f.devNull), 'a /dev/null mask');
  assert.ok(full.progress.length > 4, 'progress passed several steps');
  assert.ok(results.some((r) => r.expected.truncated > 0), 'the cap left files out');
  assert.ok(full.files.some((f) => f.path.includes('/b/alias/')) && !full.files.some((f) => f.path.includes('/z-dir/')), 'z-dir walked once, by its first name');
}

test('the scan returns what a plain walk returns: same files, order, skipped entries, progress, cap and cancellation', async () => {
  const { ws, ws2 } = trickyTree();
  const results = await compareScans(ws, ws2);
  assertSame(results);
  const locked = results[0].expected.skipped.find((s) => s.file === join(ws, 'locked'));
  if (!asRoot) assert.equal(locked?.message, 'cannot read directory: EACCES');
});

test('the same comparison as nobody, where the locked directory is really unreadable (the suite runs as root)', { timeout: 120_000, skip: !canSwitchUser() && 'only root can run a child as nobody; the test above covers EACCES then' }, async () => {
  const { ws, ws2 } = trickyTree();
  const dir = readableTempDir(made, 'microvm-net-scan-cli-');
  const out = join(dir, 'compare.js');
  await build({
    stdin: { contents: `import { compareScans } from './referenceScan';\ncompareScans(process.argv[2], process.argv[3]).then((r) => process.stdout.write(JSON.stringify(r)));\n`, resolveDir: join(__dirname, 'hostile'), loader: 'ts' },
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
  });
  chmodSync(out, 0o644);
  const r = spawnSync(process.execPath, [out, ws, ws2], { cwd: dir, uid: NOBODY, gid: NOBODY, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 90_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as { call: unknown; actual: Answer; expected: Answer }[];
  assertSame(results);
  const locked = results[0].expected.skipped.find((s) => s.file === join(ws, 'locked'));
  assert.equal(locked?.message, 'cannot read directory: EACCES');
});

test('a large walk lets the event loop turn: a cancellation set by another callback is heard before the end', async () => {
  const { ws } = trickyTree();
  let cancelled = false;
  setImmediate(() => (cancelled = true));
  const partial = await scanRoots({ roots: [ws], exclude: [], maxFiles: 100_000, isCancelled: () => cancelled });
  const whole = await scanRoots({ roots: [ws], exclude: [], maxFiles: 100_000 });
  assert.ok(cancelled);
  assert.ok(whole.files.length > 2_100);
  assert.ok(partial.files.length < whole.files.length, `${partial.files.length} of ${whole.files.length} files: the walk never let the callback run`);
  assert.deepEqual(partial.files, whole.files.slice(0, partial.files.length), 'what a cancelled scan returns is a prefix');
});

test('picomatch accepts every glob of names, dots, dashes, slashes and stars (those skip its parse)', () => {
  const rng = new Rng(0x91a1, 0);
  const parts = ['a', 'Z', '0', '_', '.', '-', '/', '*', '**', 'node_modules', '.git', '..', './', '/**', '**/'];
  const options = { strictBrackets: true, dot: true, maxLength: 2048 } as picomatch.PicomatchOptions;
  for (let i = 0; i < 5_000; i++) {
    let glob = '';
    for (let k = rng.int(8) + 1; k > 0; k--) glob += rng.pick(parts);
    assert.match(glob, /^[\w.\-/*]*$/);
    for (const form of [glob, `**/${glob}`, `${glob}**`, `**/${glob}/**`]) {
      const state = picomatch.parse(form, options as { maxLength?: number });
      assert.doesNotThrow(() => new RegExp(state.output), form);
    }
    assert.equal(globProblem(glob), null, glob);
  }
});

test('the exclude walk agrees with compileGlobs on every prefix of random paths', () => {
  const rng = new Rng(0x5ca7, 0);
  const globParts = ['a', 'b', '*', '?', '/', '**/', '**', '[ab]', '[^a]', '{a,b}', '.', 'ab', 'é', '😀', './', 'a*b'];
  const nameParts = ['a', 'b', '.', 'ab', 'ba', 'é', '😀', 'a😀b'];
  let compared = 0;
  for (let i = 0; i < 3_000; i++) {
    const globs: string[] = [];
    for (let n = rng.int(3) + 1; n > 0; n--) {
      let glob = '';
      for (let k = rng.int(6) + 1; k > 0; k--) glob += rng.pick(globParts);
      globs.push(glob);
    }
    let matcher: PathMatcher;
    let walk: ExcludeWalk;
    try {
      matcher = compileGlobs(globs);
      walk = compileExcludeWalk(globs);
    } catch {
      continue;
    }
    for (let p = 0; p < 8; p++) {
      const names: string[] = [];
      for (let k = rng.int(5) + 1; k > 0; k--) {
        let name = '';
        for (let c = rng.int(3) + 1; c > 0; c--) name += rng.pick(nameParts);
        names.push(name);
      }
      // The scan asks about an entry only while no directory above it was excluded.
      let state = walk.root;
      for (let depth = 0; depth < names.length; depth++) {
        const path = names.slice(0, depth + 1).join('/');
        compared++;
        const excluded = walk.excludes(state, names[depth]);
        assert.equal(excluded, matcher(path), `${JSON.stringify(globs)} on ${path}`);
        if (excluded) break;
        state = walk.enter(state, names[depth]);
      }
    }
  }
  assert.ok(compared > 20_000, `${compared} compared`);
});
