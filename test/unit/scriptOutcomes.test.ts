/**
 * Outcomes of what acts on taps outside networkd's units, on hand-built facts: a script's bridge
 * must exist, udev globs, scripts that disagree, addresses and routes (scripts and
 * `networking.interfaces`), and the `40-<name>.network` NixOS renders for `networking.interfaces`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AddressAssignment, CreatedLink, HostFacts, InterfaceDeclaration, MicrovmInterface, ScriptAttachment, WorkspaceFacts } from '../../server/src/engine/model';
import { loadUnitFiles } from '../../server/src/engine/networkd';
import { HOLE, known, pattern } from '../../server/src/engine/pattern';
import { resolveOutcomes } from '../../server/src/engine/outcomes';
import { reasonTexts } from '../../server/src/engine/reasons';
import type { Location } from '../../server/src/engine/text';

const at = (file = '/ws/host.nix', line = 0): Location => ({ file, range: { start: { line, character: 0 }, end: { line, character: 1 } } });

const host = (extra: Partial<HostFacts> = {}): HostFacts => ({
  name: 'h',
  location: at(),
  networkdEnabled: false,
  networkdLocation: null,
  importsExternalModules: false,
  gaps: [],
  vms: ['a'],
  isMicrovmHost: true,
  isSystem: true,
  ...extra,
});

const tap = (id: string): MicrovmInterface => ({
  type: 'tap',
  id: { value: known(id), location: at('/ws/vms.nix') },
  mac: null,
  bridge: null,
  location: at('/ws/vms.nix'),
  vm: 'a',
  host: 'h',
  hypervisor: null,
  guest: 'guest:a',
});

const attach = (tapName: string | null, bridge: string, extra: Partial<ScriptAttachment> = {}): ScriptAttachment => ({
  kind: 'custom-service',
  tap: tapName === null ? null : known(tapName),
  allTaps: false,
  bridge: known(bridge),
  location: at(),
  host: 'h',
  vm: null,
  unit: 'attach.service',
  ...extra,
});

const bridge = (name: string, extra: Partial<CreatedLink> = {}): CreatedLink => ({ name: known(name), kind: 'bridge', by: 'make.service', location: at(), host: 'h', ...extra });

function facts(more: Partial<WorkspaceFacts>, units: Record<string, string> = {}, hostFacts = host()): WorkspaceFacts {
  return {
    hosts: [hostFacts],
    interfaces: [tap('vm-a')],
    units: loadUnitFiles(Object.entries(units).map(([name, text]) => ({ path: `/ws/etc/systemd/network/${name}`, text }))),
    bridges: [],
    scripts: [],
    microvmLastModified: null,
    files: [],
    gaps: [],
    ...more,
  };
}

const outcome = (f: WorkspaceFacts) => {
  const [o] = resolveOutcomes(f);
  return `${o.status}${o.bridge ? ` ${o.bridge}` : ''}${o.via ? ` via ${o.via.kind}` : ''}`;
};

test('a script joins a bridge only if something creates it; a possible creator keeps it unknown', () => {
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')] })), 'bridge-undefined br0 via custom-service');
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], links: [bridge('br0')] })), 'bridged br0 via custom-service');
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], bridges: [{ name: 'br0', interfaces: [], interfacesComplete: true, location: at(), host: 'h' }] })), 'bridged br0 via custom-service');
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')] }, { 'br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n' }, host({ networkdEnabled: true }))), 'bridged br0 via custom-service');
  // NetworkManager, a name that may be it, a link of another kind: unknown
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], links: [bridge('*', { name: pattern([HOLE]), uncertain: 'run time' })] })), 'unknown via custom-service');
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], links: [bridge('x', { name: pattern(['br', HOLE]) })] })), 'unknown via custom-service');
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], links: [bridge('br0', { kind: 'bond' })] })), 'unknown via custom-service');
  // a netdev under networkd that is off is not loaded: it creates nothing
  assert.equal(outcome(facts({ scripts: [attach('vm-a', 'br0')], units: [] }, {}, host())), 'bridge-undefined br0 via custom-service');
});

test('a host gap turns bridge-undefined into unknown, naming the gap', () => {
  const [o] = resolveOutcomes(facts({ scripts: [attach('vm-a', 'br0')] }, {}, host({ gaps: [{ kind: 'external-module', message: 'x.nixosModules.y comes from outside the workspace' }] })));
  assert.equal(o.status, 'unknown');
  assert.match(reasonTexts(o.reasons).join('\n'), /it would be bridge-undefined.*x\.nixosModules\.y/s);
});

test('udev globs decide which taps; an uncertain script only makes an answer unknown', () => {
  const links = [bridge('br0')];
  assert.equal(outcome(facts({ links, scripts: [attach(null, 'br0', { tapGlobs: ['tap-*', 'vm-*'] })] })), 'bridged br0 via custom-service');
  assert.equal(outcome(facts({ links, scripts: [attach(null, 'br0', { tapGlobs: ['tap-*'] })] })), 'unmanaged');
  assert.equal(outcome(facts({ links, scripts: [attach('vm-a', 'br0', { uncertain: 'a condition' })] })), 'unknown');
});

test('two scripts putting the tap on different bridges: which runs last is not known', () => {
  const links = [bridge('br0'), bridge('br1')];
  const [o] = resolveOutcomes(facts({ links, scripts: [attach('vm-a', 'br0'), attach('vm-a', 'br1', { unit: 'other.service' })] }));
  assert.equal(o.status, 'unknown');
  assert.match(reasonTexts(o.reasons).join('\n'), /other\.service attaches it to `br1`/);
  assert.equal(outcome(facts({ links, scripts: [attach('vm-a', 'br0'), attach('vm-a', 'br0', { unit: 'other.service' })] })), 'bridged br0 via custom-service');
});

const address = (extra: Partial<AddressAssignment> = {}): AddressAssignment => ({
  kind: 'custom-service',
  what: 'address',
  tap: known('vm-a'),
  allTaps: false,
  location: at(),
  host: 'h',
  vm: null,
  unit: 'route.service',
  ...extra,
});

test('addresses and routes outside networkd: routed when networkd leaves the tap alone, a race when it manages it', () => {
  assert.equal(outcome(facts({ addresses: [address()] })), 'routed via custom-service');
  assert.equal(outcome(facts({ addresses: [address({ tap: known('vm-b') })] })), 'unmanaged');
  const managed = { '10-all.network': '[Match]\nName=vm-*\n[Network]\nLinkLocalAddressing=no\n' };
  assert.equal(outcome(facts({ addresses: [address()] }, managed, host({ networkdEnabled: true }))), 'unknown');
  // a master script wins over an address
  assert.equal(outcome(facts({ addresses: [address()], scripts: [attach('vm-a', 'br0')], links: [bridge('br0')] })), 'bridged br0 via custom-service');
});

const declaration = (extra: Partial<InterfaceDeclaration> = {}): InterfaceDeclaration => ({
  name: known('vm-a'),
  addresses: [{ value: known('10.0.0.1/32'), location: at() }],
  routes: [],
  dhcp: false,
  complete: true,
  location: at(),
  host: 'h',
  ...extra,
});

test('networking.interfaces: scripted networking routes the tap; networkd renders 40-<name>.network', () => {
  assert.equal(outcome(facts({ interfaceDeclarations: [declaration()] })), 'routed via networking-interfaces');
  assert.equal(outcome(facts({ interfaceDeclarations: [declaration({ addresses: [] })] })), 'unmanaged');
  const networkd = host({ networkdEnabled: true });
  const [o] = resolveOutcomes(facts({ interfaceDeclarations: [declaration()] }, {}, networkd));
  assert.equal(o.status, 'routed');
  assert.equal(o.winner?.name, '40-vm-a.network');
  assert.equal(o.winner?.source, 'networking-interfaces');
  // DHCP=yes (networking.useDHCP, no IPv4 address) is routed too; an unknown DHCP= is unknown
  assert.equal(outcome(facts({ interfaceDeclarations: [declaration({ addresses: [], dhcp: true })] }, {}, networkd)), 'routed');
  assert.equal(outcome(facts({ interfaceDeclarations: [declaration({ addresses: [], dhcp: 'unknown' })] }, {}, networkd)), 'unknown');
  // merged with the unit networking.bridges generates for the same name: the bridge wins
  const withBridge = facts({
    interfaceDeclarations: [declaration()],
    bridges: [{ name: 'br0', interfaces: [{ value: known('vm-a'), location: at() }], interfacesComplete: true, location: at(), host: 'h' }],
  }, {}, networkd);
  const [b] = resolveOutcomes(withBridge);
  assert.equal(`${b.status} ${b.bridge}`, 'bridged br0');
  assert.deepEqual(b.winner?.settings.map((s) => `${s.section}.${s.key}=${s.value.parts.join('')}`), ['Match.Name=vm-a', 'Network.Bridge=br0', 'Network.Address=10.0.0.1/32']);
});
