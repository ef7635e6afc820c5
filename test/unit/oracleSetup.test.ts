/** The oracle finds systemd-networkd where the system put it, not at one hard-coded path. */
import assert from 'node:assert/strict';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findNetworkdBinary, NETWORKD_CANDIDATES } from '../oracle/daemon';

const executable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

test('systemd-networkd is looked up in /lib/systemd, /usr/lib/systemd, then $PATH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microvm-net-networkd-'));
  try {
    const fake = join(dir, 'systemd-networkd');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    const expected = NETWORKD_CANDIDATES.find(executable) ?? fake;
    assert.equal(findNetworkdBinary({ PATH: `relative/dir:${dir}` }), expected);
    const none = NETWORKD_CANDIDATES.find(executable) ?? null;
    assert.equal(findNetworkdBinary({ PATH: '' }), none);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
