/**
 * What systemd-networkd 252 does with unit files our scan cannot read, observed in a private
 * namespace (namespace.ts). The engine's open-world rule for such files rests on it (issue 13,
 * defect 16; docs/domain/networkd.md §1 step 1):
 * - a `.network` that is a symlink is followed wherever it points (here: outside the unit
 *   directories) and can be the unit that bridges a tap;
 * - a FIFO named `.network` blocks networkd at start until a writer opens it (a repository cannot
 *   hold one, so the scan skips FIFOs and reports them);
 * - a `.network` that is a directory is not loaded.
 * Needs root, unshare, ip and networkd; when any is missing the tests FAIL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespacePrerequisiteProblems, reported, runInNamespace } from './namespace';

function run(script: string): Map<string, string> {
  const problems = namespacePrerequisiteProblems();
  if (problems.length) assert.fail(`the namespace oracle cannot run here (this is a failure, not a skip):\n  - ${problems.join('\n  - ')}`);
  const result = runInNamespace(script);
  assert.equal(result.status, 0, `namespace script failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return reported(result);
}

const SETTLE = String.raw`
for i in $(seq 100); do ip -o link show vm-a | grep -q ' master ' && break; sleep 0.1; done
sleep 1
echo "master=$(ip -o link show vm-a | grep -o 'master [^ ]*' || echo none)"
echo "file=$(link_state vm-a | sed -n 's/^NETWORK_FILE=//p')"
`;

test('networkd: a .network symlinked to a file outside the unit directories is loaded and bridges the tap', () => {
  const r = run(String.raw`
printf '[NetDev]\nName=br0\nKind=bridge\n' > /run/systemd/network/10-br0.netdev
mkdir -p /run/elsewhere
printf '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' > /run/elsewhere/real.network
ln -s /run/elsewhere/real.network /etc/systemd/network/20-vms.network
ip tuntap add name vm-a mode tap
start_networkd
${SETTLE}
stop_networkd
`);
  assert.equal(r.get('master'), 'master br0');
  assert.equal(r.get('file'), '/etc/systemd/network/20-vms.network');
});

test('networkd: a directory named .network is not loaded: the next unit bridges the tap', () => {
  const r = run(String.raw`
printf '[NetDev]\nName=br0\nKind=bridge\n' > /run/systemd/network/10-br0.netdev
mkdir /etc/systemd/network/11-dir.network
printf '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' > /etc/systemd/network/20-vms.network
ip tuntap add name vm-a mode tap
start_networkd
${SETTLE}
stop_networkd
`);
  assert.equal(r.get('master'), 'master br0');
  assert.equal(r.get('file'), '/etc/systemd/network/20-vms.network');
});

test('networkd: a FIFO named .network blocks networkd at start until something writes to it; no tap is configured meanwhile', () => {
  const r = run(String.raw`
printf '[NetDev]\nName=br0\nKind=bridge\n' > /run/systemd/network/10-br0.netdev
mkfifo /etc/systemd/network/10-fifo.network
printf '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n' > /etc/systemd/network/20-vms.network
ip tuntap add name vm-a mode tap
start_networkd
sleep 3
echo "blocked=$(ip -o link show vm-a | grep -o 'master [^ ]*' || echo none)"
printf '[Match]\nName=other\n' > /etc/systemd/network/10-fifo.network &
WRITER=$!
${SETTLE}
stop_networkd
kill "$WRITER" 2>/dev/null; wait "$WRITER" 2>/dev/null
true
`);
  assert.equal(r.get('blocked'), 'none');
  assert.equal(r.get('master'), 'master br0');
});
