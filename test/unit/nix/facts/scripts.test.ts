import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMasterCommands } from '../../../../server/src/engine/nix/scripts';
import { HOLE, displayPattern, known, pattern, type StrPattern } from '../../../../server/src/engine/pattern';

const show = (p: StrPattern | null) => (p ? displayPattern(p) : null);
const run = (s: StrPattern | string, opts = {}) =>
  parseMasterCommands(typeof s === 'string' ? known(s) : s, opts).map((c) => ({
    tap: show(c.tap),
    allTaps: c.allTaps,
    bridge: show(c.bridge),
    line: c.line,
  }));

test('guest tap-up line with an unknown ip path and quotes', () => {
  const s = pattern([HOLE, " link set dev 'vm-a1' master 'br0'\n"]);
  assert.deepEqual(run(s), [{ tap: 'vm-a1', allTaps: false, bridge: 'br0', line: 0 }]);
});

test('dev is optional, master anywhere after the device, up before master', () => {
  assert.deepEqual(run('ip link set vm-b up master br1\nip link set dev vm-c up master "br2"'), [
    { tap: 'vm-b', allTaps: false, bridge: 'br1', line: 0 },
    { tap: 'vm-c', allTaps: false, bridge: 'br2', line: 1 },
  ]);
  assert.deepEqual(run('ip link set up dev vm-d master br3'), [{ tap: 'vm-d', allTaps: false, bridge: 'br3', line: 0 }]);
});

test('old layout loop: $id, ${id}, "$id" are all taps', () => {
  const script = [
    'cd /var/lib/microvms/$1',
    'TAP_FLAGS=$(cat current/share/microvm/tap-flags)',
    'for id in $(cat current/share/microvm/tap-interfaces); do',
    '  if [ -e /sys/class/net/$id ]; then',
    '    ${pkgs.iproute2}/bin/ip link delete $id',
    '  fi',
    '  ip tuntap add name $id mode tap user microvm $TAP_FLAGS',
    '  ip link set $id up',
    '  ip link set "${id}" master br-vms',
    'done',
  ].join('\n');
  assert.deepEqual(run(script), [{ tap: null, allTaps: true, bridge: 'br-vms', line: 8 }]);
});

test('custom loop variable over tap-interfaces counts as all taps', () => {
  const script = 'for tap in $(cat /var/lib/microvms/x/current/share/microvm/tap-interfaces); do ip link set $tap master br0; done';
  assert.deepEqual(run(script), [{ tap: null, allTaps: true, bridge: 'br0', line: 0 }]);
});

test('other variables become holes; nomaster and other commands are ignored', () => {
  assert.deepEqual(run('ip link set vm-$name master br0'), [{ tap: 'vm-*', allTaps: false, bridge: 'br0', line: 0 }]);
  assert.deepEqual(run('ip link set vm-a nomaster\nip link set vm-a up\nip addr add 10.0.0.1/24 dev vm-a'), []);
  assert.deepEqual(run('echo link set x master y'), []);
});

test('global options, netns, abbreviations, separators, line continuations', () => {
  assert.deepEqual(run('ip -n ns1 link set dev vm-e master br0 && ip l s vm-f master br0'), [
    { tap: 'vm-e', allTaps: false, bridge: 'br0', line: 0 },
    { tap: 'vm-f', allTaps: false, bridge: 'br0', line: 0 },
  ]);
  assert.deepEqual(run('ip link set \\\n  vm-g \\\n  master br9'), [{ tap: 'vm-g', allTaps: false, bridge: 'br9', line: 0 }]);
  assert.deepEqual(run('# ip link set vm-x master br0\n/run/current-system/sw/bin/ip link set vm-y master br0'), [
    { tap: 'vm-y', allTaps: false, bridge: 'br0', line: 1 },
  ]);
});

test('unknown bridge stays a hole, %i expands to the instance', () => {
  assert.deepEqual(run(pattern(['ip link set vm-a master ', HOLE])), [{ tap: 'vm-a', allTaps: false, bridge: '*', line: 0 }]);
  assert.deepEqual(run('ip link set vm-%i master br0', { instance: known('web') }), [
    { tap: 'vm-web', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});

test('brctl addif', () => {
  assert.deepEqual(run('brctl addif br0 vm-a vm-b'), [
    { tap: 'vm-a', allTaps: false, bridge: 'br0', line: 0 },
    { tap: 'vm-b', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});

test('known shell variables substitute', () => {
  assert.deepEqual(run('ip link set $1 master br0', { allTapVars: ['id'], vars: { '1': known('web') } }), [
    { tap: 'web', allTaps: false, bridge: 'br0', line: 0 },
  ]);
});
