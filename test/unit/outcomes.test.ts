/**
 * Outcome resolution on hand-built facts: how networkd's decision, scripts, hosts and the
 * networkd switch combine. Unit texts go through the real unit-file loader.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts, MicrovmInterface, ScriptAttachment, WorkspaceFacts, BridgeDeclaration } from '../../server/src/engine/model';
import { loadUnitFiles } from '../../server/src/engine/networkd';
import { HOLE, known, pattern } from '../../server/src/engine/pattern';
import { resolveOutcomes } from '../../server/src/engine/outcomes';
import { reasonTexts } from '../../server/src/engine/reasons';
import type { Location } from '../../server/src/engine/text';

const at = (file = '/ws/vms.nix', line = 0): Location => ({ file, range: { start: { line, character: 0 }, end: { line, character: 1 } } });

function tap(id: string | ReturnType<typeof pattern>, extra: Partial<MicrovmInterface> = {}): MicrovmInterface {
  return {
    type: 'tap',
    id: { value: typeof id === 'string' ? known(id) : id, location: at() },
    mac: null,
    bridge: null,
    location: at(),
    vm: 'web',
    host: null,
    hypervisor: null,
    guest: 'guest:web',
    ...extra,
  };
}

function facts(units: Record<string, string>, interfaces: MicrovmInterface[], more: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return {
    hosts: [],
    interfaces,
    units: loadUnitFiles(Object.entries(units).map(([name, text]) => ({ path: `/ws/net/${name}`, text }))),
    bridges: [],
    scripts: [],
    microvmLastModified: null,
    files: [],
    gaps: [],
    ...more,
  };
}

const BR0 = { 'br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' };

test('a tap matched by a bridging unit with a netdev is bridged via the file', () => {
  const [o] = resolveOutcomes(facts({ ...BR0, '20-vm.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' }, [tap('vm-web')]));
  assert.equal(o.status, 'bridged');
  assert.equal(o.bridge, 'br0');
  assert.equal(o.via?.kind, 'networkd-file');
  assert.equal(o.via?.unit, '20-vm.network');
});

test('the seed scenario: tap outside the match rule is unmanaged, and the reason names the bridge', () => {
  const units = {
    'brprim4.netdev': '[NetDev]\nName=brprim4\nKind=bridge\n',
    '10-uplink.network': '[Match]\nName=enp3s0\n[Network]\nBridge=brprim4\n',
  };
  const [o] = resolveOutcomes(facts(units, [tap('my-microvm')]));
  assert.equal(o.status, 'unmanaged');
  assert.match(reasonTexts(o.reasons).join(' '), /10-uplink\.network.*enp3s0.*brprim4/);
});

test('an earlier unit without Bridge= shadows a later bridging unit', () => {
  const units = { ...BR0, '10-lan.network': '[Match]\nName=en* vm-*\n[Network]\nDHCP=yes\n', '20-vm.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' };
  const [o] = resolveOutcomes(facts(units, [tap('vm-web')]));
  assert.equal(o.status, 'shadowed');
  assert.equal(o.winner?.name, '10-lan.network');
  assert.equal(o.shadowedUnit?.name, '20-vm.network');
});

test('a bridge without netdev is bridge-undefined', () => {
  const [o] = resolveOutcomes(facts({ '20-vm.network': '[Match]\nName=vm-*\n[Network]\nBridge=br9\n' }, [tap('vm-web')]));
  assert.equal(o.status, 'bridge-undefined');
  assert.equal(o.bridge, 'br9');
});

test('a routed unit gives routed', () => {
  const [o] = resolveOutcomes(facts({ '30-vm.network': '[Match]\nName=vm-web\n[Network]\nAddress=10.0.0.1/24\n' }, [tap('vm-web')]));
  assert.equal(o.status, 'routed');
});

test('a pattern id is bridged only when every value is covered', () => {
  const units = { ...BR0, '20-vm.network': '[Match]\nName=vm-*\n[Network]\nBridge=br0\n' };
  const covered = resolveOutcomes(facts(units, [tap(pattern(['vm-', HOLE]))]));
  assert.equal(covered[0].status, 'bridged');
  const partial = resolveOutcomes(facts(units, [tap(pattern([HOLE, '-web']))]));
  assert.equal(partial[0].status, 'unknown');
});

test('a script attachment bridges an unmatched tap; a maybe-script keeps it unknown', () => {
  const script = (tapName: string | null, allTaps = false): ScriptAttachment => ({
    kind: 'bin-script',
    tap: tapName === null ? null : known(tapName),
    allTaps,
    bridge: known('br1'),
    location: at('/ws/guest.nix', 5),
    host: null,
    vm: 'web',
    guest: 'guest:web',
  });
  const br1 = { 'br1.netdev': '[NetDev]\nName=br1\nKind=bridge\n' };
  const yes = resolveOutcomes(facts(br1, [tap('vm-web')], { scripts: [script('vm-web')] }));
  assert.equal(yes[0].status, 'bridged');
  assert.equal(yes[0].bridge, 'br1');
  assert.equal(yes[0].via?.kind, 'bin-script');
  const other = resolveOutcomes(facts(br1, [tap('vm-web')], { scripts: [script('vm-other')] }));
  assert.equal(other[0].status, 'unmanaged');
  const otherGuest = resolveOutcomes(facts(br1, [tap('vm-web', { guest: 'guest:db' })], { scripts: [script(null, true)] }));
  assert.equal(otherGuest[0].status, 'unmanaged');
});

test('a script racing a non-bridging unit is unknown, never a warning status', () => {
  const script: ScriptAttachment = { kind: 'custom-service', tap: known('vm-web'), allTaps: false, bridge: known('br0'), location: at(), host: null, vm: null, unit: 'attach.service' };
  const [o] = resolveOutcomes(facts({ '99-all.network': '[Match]\nName=*\n[Network]\nDHCP=yes\n' }, [tap('vm-web')], { scripts: [script] }));
  assert.equal(o.status, 'unknown');
});

const host = (name: string, extra: Partial<HostFacts> = {}): HostFacts => ({
  name,
  location: at(`/ws/hosts/${name}.nix`),
  networkdEnabled: true,
  networkdLocation: null,
  importsExternalModules: false,
  gaps: [],
  vms: ['web'],
  isMicrovmHost: true,
  isSystem: true,
  ...extra,
});

test('a guest no workspace host runs is unknown when hosts exist', () => {
  const f = facts({ ...BR0 }, [tap('vm-web', { host: null })], { hosts: [host('h1')] });
  assert.equal(resolveOutcomes(f)[0].status, 'unknown');
});

test('networking.bridges with networkd generates 40- units; without networkd a script attaches', () => {
  const bridge: BridgeDeclaration = {
    name: 'br0',
    interfaces: [{ value: known('vm-web'), location: at('/ws/hosts/h1.nix', 3) }],
    interfacesComplete: true,
    location: at('/ws/hosts/h1.nix', 2),
    host: 'h1',
  };
  const withNetworkd = resolveOutcomes(facts({}, [tap('vm-web', { host: 'h1' })], { hosts: [host('h1')], bridges: [bridge] }));
  assert.equal(withNetworkd[0].status, 'bridged');
  assert.equal(withNetworkd[0].via?.kind, 'networking-bridges');
  assert.equal(withNetworkd[0].via?.unit, '40-vm-web.network');
  const scripted = resolveOutcomes(
    facts({}, [tap('vm-web', { host: 'h1' })], { hosts: [host('h1', { networkdEnabled: false })], bridges: [bridge] }),
  );
  assert.equal(scripted[0].status, 'bridged');
  assert.equal(scripted[0].via?.kind, 'networking-bridges');
  assert.equal(scripted[0].via?.unit, 'br0-netdev.service');
});

test('macvtap and user interfaces are not applicable; type = "bridge" is bridged by qemu', () => {
  const f = facts({}, [
    tap('mv0', { type: 'macvtap' }),
    tap('u0', { type: 'user' }),
    tap('b0', { type: 'bridge', bridge: { value: known('br0'), location: at() }, hypervisor: { value: 'qemu', location: null } }),
    tap('b1', { type: 'bridge', bridge: { value: known('br0'), location: at() }, hypervisor: { value: 'crosvm', location: null } }),
    tap('b2', { type: 'bridge', bridge: { value: known('br0'), location: at() }, hypervisor: null }),
  ]);
  const [mv, user, bridge, onCrosvm, unknownHypervisor] = resolveOutcomes(f);
  assert.equal(mv.status, 'not-applicable');
  assert.equal(user.status, 'not-applicable');
  assert.equal(bridge.status, 'bridged');
  assert.equal(bridge.via?.kind, 'qemu-bridge-helper');
  // crosvm has no bridge interfaces: never `bridged`
  assert.equal(onCrosvm.status, 'not-applicable');
  assert.equal(onCrosvm.bridge, null);
  assert.equal(unknownHypervisor.status, 'unknown');
});
