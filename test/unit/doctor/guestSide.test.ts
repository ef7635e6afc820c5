/**
 * The guest's side of an interface (microvm.md §9): the names its virtio NIC may have, which unit
 * configures it, and the section reading the address checks stand on.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestNetwork, UnitDefinition } from '../../../server/src/engine/model';
import { known } from '../../../server/src/engine/pattern';
import { TapSides } from '../../../server/src/engine/sides';
import { nicNameTest } from '../../../server/src/engine/sides/guestSide';
import { addressingOf, sectionInstances } from '../../../server/src/engine/sides/unitReading';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function guest(over: Partial<GuestNetwork>): GuestNetwork {
  const at = { file: '/g.nix', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  return {
    guest: 'g', location: at, networkd: true, networkdSet: true, useNetworkd: true, useDHCP: false, dhcpcd: false, networkManager: false,
    units: [], interfaceDeclarations: [], defaultGateways: [], kernelNames: 'predictable', renamesLinks: false, containers: [], dhcpServers: [], open: false,
    ...over,
  };
}

test('NIC names: a glob is certain only when it fits every name the NIC may have', () => {
  const predictable = nicNameTest(guest({}));
  assert.equal(predictable('*'), 'yes');
  assert.equal(predictable('e*'), 'yes');
  assert.equal(predictable('eth*'), 'maybe', 'an MMIO NIC keeps eth<N>, a PCI one is renamed');
  assert.equal(predictable('en*'), 'maybe');
  assert.equal(predictable('enp0s4'), 'maybe');
  assert.equal(predictable('lan0'), 'no');
  assert.equal(predictable('vm-*'), 'no');
  const eth = nicNameTest(guest({ kernelNames: 'eth' }));
  assert.equal(eth('eth*'), 'yes', 'net.ifnames=0 keeps eth<N>');
  assert.equal(eth('eth0'), 'maybe', 'which eth<N> depends on probe order');
  assert.equal(eth('en*'), 'maybe', 'alternative names may still be predictable');
  assert.equal(eth('wl*'), 'no');
  const renamed = nicNameTest(guest({ renamesLinks: true }));
  assert.equal(renamed('lan0'), 'maybe', '.link units may give any name');
});

function unit(name: string, settings: [string, string, string, number][], sections: [string, number][]): UnitDefinition {
  const at = (line: number) => ({ file: '/u.network', range: { start: { line, character: 0 }, end: { line, character: 1 } } });
  return {
    kind: 'network', name, source: 'file', location: at(0), masked: false, complete: true, issues: [], host: null,
    settings: settings.map(([section, key, value, line]) => ({ section, key, value: known(value), keyLocation: at(line), valueLocation: at(line) })),
    sections: sections.map(([n, line]) => ({ name: n, location: at(line) })),
  };
}

test('[Route] and [Address] instances are told apart by their headers, and by a repeated key where headers coincide', () => {
  const u = unit(
    'r.network',
    [
      ['Route', 'Gateway', '10.0.0.1', 2],
      ['Route', 'Destination', '192.168.5.0/24', 4],
      ['Route', 'Gateway', '10.0.0.2', 5],
      ['Address', 'Address', '10.0.0.5/32', 7],
      ['Address', 'Peer', '10.0.0.1/32', 8],
    ],
    [['Route', 1], ['Route', 3], ['Address', 6]],
  );
  assert.deepEqual(sectionInstances(u, 'Route').map((i) => i.map((s) => s.key)), [['Gateway'], ['Destination', 'Gateway']]);
  const a = addressingOf(u);
  assert.deepEqual(a.gateways.map((g) => [g.address.text, g.destination?.text ?? null]), [['10.0.0.1', null], ['10.0.0.2', '192.168.5.0/24']]);
  assert.equal(a.addresses[0].peer?.text, '10.0.0.1/32');
  const verbatim = unit('v.network', [['Route', 'Gateway', 'fd00::1', 1], ['Route', 'Gateway', '::/0', 1]], [['Route', 1], ['Route', 1]]);
  assert.equal(sectionInstances(verbatim, 'Route').length, 2);
});

test('DHCP=, IPMasquerade= and forwarding switches', () => {
  const u = unit('m.network', [['Network', 'DHCP', 'ipv4', 1], ['Network', 'IPMasquerade', 'both', 2], ['Network', 'DHCPServer', 'yes', 3]], [['Network', 0]]);
  const a = addressingOf(u);
  assert.deepEqual(a.dhcp, { 4: true, 6: false });
  assert.deepEqual(a.masquerade, { 4: true, 6: true });
  assert.deepEqual(a.forwarding, { 4: true, 6: true }, 'masquerading implies forwarding');
  assert.equal(a.dhcpServer, true);
});

async function nicsOf(files: Record<string, string>) {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-guest-'));
  made.push(base);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(base, rel, '..'), { recursive: true });
    writeFileSync(join(base, rel), text);
  }
  const service = await createLanguageService({ roots: [base], settings: DEFAULT_SETTINGS });
  await service.scan();
  const snapshot = service.analyze();
  service.dispose();
  const sides = new TapSides(snapshot.facts, snapshot.outcomes);
  return new Map(snapshot.outcomes.map((o) => [o.interface.vm, sides.nic(o.interface)]));
}

const vm = (name: string, body: string) => `
  microvm.vms.${name}.config = {
    microvm.interfaces = [ { type = "tap"; id = "vm-${name}"; mac = "02:00:00:00:09:01"; } ];
    ${body}
  };`;

test('which unit configures the NIC, read from real guest configurations', async () => {
  const nics = await nicsOf({
    'host.nix': `{ ... }: {
  system.stateVersion = "24.11";
  ${vm('scripted', 'networking.usePredictableInterfaceNames = false; networking.useDHCP = false; networking.interfaces.eth0.ipv4.addresses = [ { address = "10.0.0.5"; prefixLength = 24; } ];')}
  ${vm('byname', 'networking.useNetworkd = true; networking.useDHCP = false; systemd.network.networks."10-lan" = { matchConfig.Name = "enp0s4"; address = [ "10.0.0.6/24" ]; };')}
  ${vm('two', 'networking.useNetworkd = true; networking.useDHCP = false; systemd.network.networks."10-a" = { matchConfig.Name = "en*"; }; systemd.network.networks."11-b" = { matchConfig.Name = "eth*"; };')}
  ${vm('dhcpcd', '')}
  ${vm('nm', 'networking.networkmanager.enable = true;')}
  ${vm('unmanaged', 'networking.useNetworkd = true; systemd.network.networks."01-x" = { matchConfig.Type = "ether"; linkConfig.Unmanaged = true; };')}
}
`,
  });
  const scripted = nics.get('scripted')!;
  assert.equal(scripted.state, 'unit');
  assert.equal(scripted.by, 'scripted');
  assert.equal(scripted.certain, false, 'eth0 is one of the eth<N> names: taken at its word for a one-NIC guest');
  assert.deepEqual(scripted.addressing?.addresses.map((a) => a.prefix.text), ['10.0.0.5/24']);
  const byname = nics.get('byname')!;
  assert.equal(byname.state, 'unit');
  assert.equal(byname.unit?.name, '10-lan.network');
  assert.equal(byname.certain, false);
  assert.equal(nics.get('two')!.state, 'unknown', 'two units may match: which one is not known');
  assert.equal(nics.get('dhcpcd')!.state, 'dhcpcd', 'scripted networking with useDHCP runs dhcpcd');
  assert.equal(nics.get('nm')!.state, 'unknown');
  assert.equal(nics.get('unmanaged')!.state, 'unmanaged');
});

test('a unit file no host is known to install may be the guest\'s: the NIC is then not known to be unconfigured', async () => {
  const host = (name: string, guestBody: string) => `{ ... }: {
  system.stateVersion = "24.11";
  networking.hostName = "${name}";
  ${vm(`${name}vm`, guestBody)}
}
`;
  const bare = 'networking.useNetworkd = true; networking.useDHCP = false;';
  const alone = await nicsOf({ 'a/host.nix': host('a', bare), 'b/host.nix': host('b', bare) });
  assert.equal(alone.get('avm')!.state, 'none');
  const withFile = await nicsOf({ 'a/host.nix': host('a', bare), 'b/host.nix': host('b', bare), 'loose/20-wired.network': '[Match]\nName=en*\n\n[Network]\nDHCP=yes\n' });
  assert.equal(withFile.get('avm')!.state, 'unknown');
  assert.match(withFile.get('avm')!.why ?? '', /20-wired/);
});
