/**
 * The small rules under the device checks: the runner table (microvm.md §8), qemu-bridge-helper's
 * ACL reading (devices.md §4), `ip tuntap add` in shell text (devices.md §3), and name mentions
 * (devices.md §2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aclAllows } from '../../../server/src/engine/bridgeHelper';
import { supportsInterfaceType, tapMultiQueue } from '../../../server/src/engine/hypervisors';
import { nameMentions } from '../../../server/src/engine/mentions';
import { parseTuntapAdds } from '../../../server/src/engine/nix/tuntap';
import { displayPattern, HOLE, known, pattern } from '../../../server/src/engine/pattern';

test('runner table: unknown hypervisors and types conclude nothing; multi-queue only where the runner says so', () => {
  assert.equal(supportsInterfaceType('firecracker', 'macvtap'), false);
  assert.equal(supportsInterfaceType('stratovirt', 'user'), true);
  assert.equal(supportsInterfaceType('openvmm', 'bridge'), undefined);
  assert.equal(supportsInterfaceType('qemu', 'tpa'), undefined);
  assert.equal(supportsInterfaceType('constructor', 'tap'), undefined);
  assert.equal(tapMultiQueue('qemu', 2), true);
  assert.equal(tapMultiQueue('stratovirt', 1), false);
  assert.equal(tapMultiQueue('cloud-hypervisor', null), undefined);
  assert.equal(tapMultiQueue('crosvm', 8), false);
  assert.equal(tapMultiQueue(undefined, 8), undefined);
});

test('bridge.conf: allow all or allow <br>; include and unparsable lines leave it unknown', () => {
  assert.equal(aclAllows('allow all\n', 'br0'), true);
  assert.equal(aclAllows('# comment\n\n  allow\tbr0  \n', 'br0'), true);
  assert.equal(aclAllows('allow virbr0', 'br0'), false);
  assert.equal(aclAllows('deny br0\nallow br1\n', 'br0'), false);
  assert.equal(aclAllows('', 'br0'), false);
  assert.equal(aclAllows('allow br1\ninclude /etc/qemu/more.conf\n', 'br0'), undefined);
  assert.equal(aclAllows('allow br1\npermit br0\n', 'br0'), undefined);
  assert.equal(aclAllows('allowbr0\n', 'br0'), undefined);
});

const adds = (text: string | ReturnType<typeof pattern>) =>
  parseTuntapAdds(typeof text === 'string' ? known(text) : text).map((a) => `${displayPattern(a.name)} mq=${a.multiQueue} line=${a.line}`);

test('ip tuntap add: every way to name the device, multi_queue, and words not statically known', () => {
  assert.deepEqual(adds('ip tuntap add name vm-a mode tap'), ['vm-a mq=false line=0']);
  assert.deepEqual(adds('set -e\n/run/current-system/sw/bin/ip tuntap add dev vm-b mode tap user microvm vnet_hdr multi_queue'), ['vm-b mq=true line=1']);
  assert.deepEqual(adds('ip tuntap a vm-c mode tap'), ['vm-c mq=false line=0']);
  assert.deepEqual(adds('ip tuntap del name vm-a mode tap\nip link set vm-a up'), []);
  assert.deepEqual(adds(pattern([HOLE, ' tuntap add name vm-d mode tap'])), ['vm-d mq=false line=0']);
  assert.deepEqual(adds('ip tuntap add name vm-e mode tap $FLAGS'), ['vm-e mq=null line=0']);
  assert.deepEqual(adds(pattern(['ip tuntap add name vm-', HOLE, ' mode tap'])), ['vm-* mq=false line=0']);
});

test('name mentions: whole words only, outside the places that use the name', () => {
  const text = 'macvtap.link = "lna";\n# br0-lan and 40-lan.network mention lan\nlanx xlan\n';
  const mentions = nameMentions([{ file: '/w/a.nix', text }]);
  const linkValue = { file: '/w/a.nix', range: { start: { line: 0, character: 15 }, end: { line: 0, character: 20 } } };
  assert.equal(mentions.elsewhere('lna', [linkValue]), false);
  assert.equal(mentions.elsewhere('lna', []), true);
  assert.equal(mentions.elsewhere('lan', []), true);
  assert.equal(mentions.elsewhere('lanx', []), true);
  assert.equal(mentions.elsewhere('anx', []), false);
  assert.equal(mentions.elsewhere('br0', []), true);
});
