/**
 * fileHash.ts hashes a file for a warm `--cache` run without the document store's reader: for
 * every kind of path it must hash exactly when `readWorkspaceFile` (guarded by the same roots)
 * gives text, and give that reader's SHA-256.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WorkspaceHasher } from '../../../server/src/cli/fileHash';
import { readWorkspaceFile } from '../../../server/src/engine/files';
import { RootGuard } from '../../../server/src/engine/roots';

const dir = mkdtempSync(join(tmpdir(), 'microvm-net-filehash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MAX = 100_000;

function layout(): { root: string; paths: string[] } {
  const base = mkdtempSync(join(dir, 'case-'));
  const root = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'sub', 'deep'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  const files: Record<string, string | Buffer> = {
    'plain.nix': '{ networking.hostName = "a"; }\n',
    'empty.nix': '',
    'bom.nix': '\ufeff{ }\n',
    'latin1.nix': Buffer.from([0x7b, 0xe9, 0x7d]),
    'sub/deep/x.nix': 'x',
    'at-cap.nix': 'a'.repeat(MAX),
    'over-cap.nix': 'a'.repeat(MAX + 1),
    // Larger than the first buffer (64 KiB) and not a multiple of it: the buffer grows mid-read.
    'big.nix': Buffer.alloc(MAX - 7, 0x61),
  };
  for (const [rel, content] of Object.entries(files)) writeFileSync(join(root, rel), content);
  writeFileSync(join(outside, 'secret.nix'), 'secret');
  symlinkSync(join(outside, 'secret.nix'), join(root, 'out-link.nix'));
  symlinkSync(join(root, 'plain.nix'), join(root, 'in-link.nix'));
  symlinkSync('sub/deep', join(root, 'dir-link'));
  symlinkSync(outside, join(root, 'out-dir'));
  symlinkSync('missing.nix', join(root, 'dangling.nix'));
  symlinkSync('loop-b.nix', join(root, 'loop-a.nix'));
  symlinkSync('loop-a.nix', join(root, 'loop-b.nix'));
  mkdirSync(join(root, 'a-dir.nix'));
  assert.equal(spawnSync('mkfifo', [join(root, 'fifo.nix')]).status, 0);
  const paths = [...Object.keys(files), 'out-link.nix', 'in-link.nix', 'dir-link/x.nix', 'out-dir/secret.nix', 'dangling.nix', 'loop-a.nix', 'a-dir.nix', 'fifo.nix', 'gone.nix'];
  return { root, paths: paths.map((p) => join(root, p)) };
}

test('hashes exactly the files readWorkspaceFile reads as text, with its SHA-256', () => {
  const { root, paths } = layout();
  const guard = new RootGuard([root]);
  const hasher = new WorkspaceHasher([root], MAX);
  let hashed = 0;
  // Twice: the second pass answers from the directories already resolved and the grown buffer.
  for (const pass of [1, 2]) {
    for (const path of paths) {
      const read = readWorkspaceFile(path, MAX, guard);
      const expected = read.text === null ? null : (read.sha256 ?? null);
      assert.equal(hasher.sha256(path), expected, `${path} (pass ${pass})`);
      if (expected !== null) hashed++;
    }
  }
  // Not a vacuous agreement on null: plain, empty, bom, latin1, deep, at-cap, big, in-link, dir-link.
  assert.equal(hashed, 2 * 9);
});

test('a root reached through a link: files under it are inside', () => {
  const { root } = layout();
  const linkedRoot = join(root, '..', 'root-link');
  symlinkSync(root, linkedRoot);
  const hasher = new WorkspaceHasher([linkedRoot], MAX);
  const guard = new RootGuard([linkedRoot]);
  for (const rel of ['plain.nix', 'sub/deep/x.nix', 'out-link.nix']) {
    const path = join(linkedRoot, rel);
    const read = readWorkspaceFile(path, MAX, guard);
    assert.equal(hasher.sha256(path), read.text === null ? null : read.sha256, rel);
  }
  assert.notEqual(hasher.sha256(join(linkedRoot, 'plain.nix')), null);
});
