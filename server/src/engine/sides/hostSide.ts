/**
 * The host's side of a tap: the bridge it joins (the unit networkd applies to the bridge itself,
 * its addresses, DHCP server, masquerading) and whether anything but taps may be a port of that
 * bridge (an uplink that could bring a router or a DHCP server); or, for a routed tap, the unit
 * that puts the host's addresses and routes on the tap.
 */
import type { HostServices, Outcome, UnitDefinition, WorkspaceFacts } from '../model';
import { matchPattern, type LinkFacts, type Tri } from '../networkd';
import { HOLE, knownText, pattern } from '../pattern';
import { withInterfaceUnits, type World } from '../world';
import type { Family } from '../addresses';
import { addressingOf, chooseUnit, lastBoolOf, unitMatches, type Addressing } from './unitReading';

/**
 * Whether the bridge's addresses of a family are all written down: no DHCP client on it, and for
 * IPv6 no prefix delegation and no port that could bring router advertisements.
 */
export function staticFamily(bridge: BridgeSide, family: Family): boolean {
  const a = bridge.addressing;
  if (!a || a.dhcp[family] !== false) return false;
  if (family === 4) return true;
  const delegation = bridge.unit ? lastBoolOf(bridge.unit, 'Network', 'DHCPPrefixDelegation') : false;
  return bridge.uplink === 'none' && delegation === false;
}

export interface BridgeSide {
  bridge: string;
  /** The unit networkd applies to the bridge itself (or scripted `networking.interfaces.<br>`). */
  unit: UnitDefinition | null;
  /** Its addressing, when the unit certainly applies and could be read. */
  addressing: Addressing | null;
  /** Something other than a MicroVM tap may be a port of the bridge. */
  uplink: 'none' | 'possible';
  /** Why the bridge's own configuration is not known, when it is not. */
  why?: string;
}

/** Name prefixes of links that are not MicroVM taps: NICs, Wi-Fi, bonds, VLANs, veths, tunnels. */
const NON_TAP_PREFIXES = ['en', 'eth', 'wl', 'ww', 'bond', 'team', 'vlan', 'veth', 'vx', 'ib', 'usb'].map((p) => pattern([p, HOLE]));

export function bridgeLink(bridge: string): LinkFacts {
  return {
    name: (glob) => matchPattern(glob, pattern([bridge])),
    mac: null,
    permanentMac: null,
    properties: { Type: 'ether', Kind: 'bridge', Driver: 'bridge', Path: null, WLANInterfaceType: null, SSID: null },
  };
}

export function bridgeSide(facts: WorkspaceFacts, world: World, bridge: string, tapIds: ReadonlySet<string>, services: HostServices | null): BridgeSide {
  const uplink = services && !services.otherGuests ? uplinkOf(world, bridge, tapIds) : 'possible';
  if (world.host?.gaps.length) return { bridge, unit: null, addressing: null, uplink: 'possible', why: 'part of the host configuration could not be read' };
  // `networking.interfaces` under scripted networking is read below; scripts over all taps touch no bridge.
  const scripted = world.addresses.find(
    (a) => a.what === 'address' && a.kind !== 'networking-interfaces' && !a.allTaps && (a.tap === null || knownText(a.tap) === undefined || knownText(a.tap) === bridge),
  );
  if (scripted) return { bridge, unit: null, addressing: null, uplink, why: `${scripted.unit ?? `a ${scripted.kind} script`} may put addresses on it outside networkd` };
  if (world.networkd === true && world.conditionalUnits.length === 0) {
    const choice = chooseUnit(world.units, bridgeLink(bridge));
    if (choice.match !== 'unit' || !choice.winner) {
      const why = choice.match === 'none' ? `no unit configures the bridge \`${bridge}\`` : `which unit configures the bridge \`${bridge}\` is not statically known`;
      return { bridge, unit: null, addressing: choice.match === 'none' ? emptyAddressing() : null, uplink, why };
    }
    const addressing = addressingOf(choice.winner);
    return { bridge, unit: choice.winner, addressing: addressing.known ? addressing : null, uplink };
  }
  if (world.networkd === false) {
    const declarations = (facts.interfaceDeclarations ?? []).filter((d) => d.host === world.host?.name && knownText(d.name) === bridge);
    if (declarations.some((d) => !d.complete) || (facts.interfaceDeclarations ?? []).some((d) => d.host === world.host?.name && knownText(d.name) === undefined)) {
      return { bridge, unit: null, addressing: null, uplink, why: 'some `networking.interfaces` could not be evaluated' };
    }
    const [unit] = withInterfaceUnits([], declarations);
    return { bridge, unit: unit ?? null, addressing: unit ? addressingOf(unit) : emptyAddressing(), uplink };
  }
  return { bridge, unit: null, addressing: null, uplink, why: world.uncertainty.join('; ') || 'whether systemd-networkd runs on the host is not statically known' };
}

function emptyAddressing(): Addressing {
  return { addresses: [], gateways: [], routes: [], known: true, dhcp: { 4: false, 6: false }, dhcpServer: false, masquerade: { 4: false, 6: false }, forwarding: { 4: false, 6: false } };
}

/** A `Name=` word made only for taps: it catches one of the host's taps and no other kind of link. */
function tapOnlyWord(glob: string, tapIds: ReadonlySet<string>): boolean {
  if (NON_TAP_PREFIXES.some((p) => matchPattern(glob, p) !== 'no')) return false;
  return [...tapIds].some((id) => matchPattern(glob, pattern([id])) === 'yes');
}

/**
 * Whether a link other than a tap may be a port of the bridge: a unit setting `Bridge=<br>` that
 * could match such a link, a `networking.bridges` member or a script's device that is no tap of
 * the host, or anything about the host that is not known.
 */
function uplinkOf(world: World, bridge: string, tapIds: ReadonlySet<string>): 'none' | 'possible' {
  // A host that is a lone module is combined with modules we cannot see, which may add ports.
  if (!world.host || !world.host.isSystem || world.host.gaps.length || world.networkd === 'unknown' || world.uncertainty.length) return 'possible';
  const other: LinkFacts = {
    name: (glob): Tri => (tapOnlyWord(glob, tapIds) ? 'no' : 'maybe'),
    mac: null,
    permanentMac: null,
    properties: { Type: 'ether', Kind: null, Path: null, WLANInterfaceType: null, SSID: null },
  };
  for (const unit of world.units) {
    if (unit.kind !== 'network') continue;
    const bridges = unit.settings.filter((s) => s.section === 'Network' && s.key === 'Bridge');
    if (bridges.length === 0) continue;
    const last = knownText(bridges[bridges.length - 1].value);
    if (last !== undefined && last.trim() !== bridge) continue;
    if (unitMatches(unit, other) !== 'no') return 'possible';
  }
  for (const declared of world.scriptedBridges) {
    if (declared.name !== bridge) continue;
    if (!declared.interfacesComplete || declared.interfaces.some((m) => !tapIds.has(knownText(m.value) ?? '\u0000'))) return 'possible';
  }
  for (const script of world.scripts) {
    const name = knownText(script.bridge);
    if (name !== undefined && name !== bridge) continue;
    if (script.allTaps) continue;
    const device = script.tap ? knownText(script.tap) : undefined;
    if (device === undefined || !tapIds.has(device)) return 'possible';
  }
  return 'none';
}

/** The host unit that makes a tap routed: its addresses (with peers) and routes. */
export function routedSide(outcome: Outcome): { unit: UnitDefinition; addressing: Addressing } | null {
  const unit = outcome.winner;
  if (outcome.status !== 'routed' || !unit || !unit.complete) return null;
  if (outcome.via && outcome.via.kind !== 'networkd-file' && outcome.via.kind !== 'networkd-nix') return null;
  const addressing = addressingOf(unit);
  return addressing.known ? { unit, addressing } : null;
}

/**
 * Host services by host name. Only a whole system's: for a lone module, a service being absent
 * says nothing (the system importing it is not in the workspace).
 */
export function servicesOf(facts: WorkspaceFacts, host: string | null): HostServices | null {
  if (host === null || !facts.hosts.some((h) => h.name === host && h.isSystem)) return null;
  return (facts.hostServices ?? []).find((s) => s.host === host) ?? null;
}
