/**
 * The guest's side of one interface (docs/domain/microvm.md §9): the virtio NIC as a link networkd can match,
 * the units the guest's networkd (or scripted networking, dhcpcd) applies, and which of them
 * configures the NIC.
 *
 * The NIC's name is only partly known: a virtio-mmio NIC keeps the kernel's `eth<N>`, a PCI one
 * gets a predictable `en…` name unless `net.ifnames=0`, and `.link` units or udev rules may
 * rename it. A `Name=` glob is therefore certain only when it holds (or fails) for every name
 * the NIC may have; `MACAddress=` (the interface's `mac`) and `Type=ether` are exact.
 */
import type { GuestNetwork, InterfaceDeclaration, MicrovmInterface, UnitDefinition, UnitSetting } from '../model';
import { matchPattern, parseHwAddr, type LinkFacts, type Tri } from '../networkd';
import { HOLE, known, knownText, pattern } from '../pattern';
import type { Location } from '../text';
import { withInterfaceUnits } from '../world';
import { addressingOf, chooseUnit, lastBoolOf, unitMatches, type Addressing, type UnitChoice } from './unitReading';
import { parsePrefix } from '../addresses';

const VETH_NAMES = pattern(['veth', HOLE]);

/** The host end of a container's veth pair, as Docker and Podman (netavark) name it. */
export const VETH_LINK: LinkFacts = {
  name: (glob) => matchPattern(glob, VETH_NAMES),
  mac: null,
  permanentMac: null,
  properties: { Type: 'ether', Kind: 'veth', Driver: 'veth', Path: null, WLANInterfaceType: null, SSID: null },
};

const KERNEL_NAMES = pattern(['eth', HOLE]);
const PREDICTABLE_NAMES = pattern(['en', HOLE]);

/** How a `Name=` glob fares against the names the guest's NIC may have. */
export function nicNameTest(g: GuestNetwork): (glob: string) => Tri {
  if (g.renamesLinks) return () => 'maybe';
  return (glob) => {
    const kernel = matchPattern(glob, KERNEL_NAMES);
    const predictable = matchPattern(glob, PREDICTABLE_NAMES);
    if (g.kernelNames === 'eth') {
      // The name is eth<N>; alternative names may still be predictable ones.
      if (kernel === 'yes') return 'yes';
      return kernel === 'no' && predictable === 'no' ? 'no' : 'maybe';
    }
    if (kernel === 'yes' && predictable === 'yes') return 'yes';
    return kernel === 'no' && predictable === 'no' ? 'no' : 'maybe';
  };
}

/** The guest's virtio NIC for this interface, as `[Match]` sees it. */
export function nicLink(iface: MicrovmInterface, g: GuestNetwork): LinkFacts {
  const mac = iface.mac ? knownText(iface.mac.value) : undefined;
  return {
    name: nicNameTest(g),
    mac: mac !== undefined ? parseHwAddr(mac) : null,
    permanentMac: null,
    properties: { Type: 'ether', Kind: null, Driver: 'virtio_net', WLANInterfaceType: null, SSID: null },
  };
}

function setting(section: string, key: string, value: string | null, at: Location): UnitSetting {
  const v = value === null ? { parts: [HOLE] } : known(value);
  return { section, key, value: v, keyLocation: at, valueLocation: at };
}

/** nixpkgs' `99-ethernet-default-dhcp` under `useNetworkd` with `useDHCP` (network-interfaces-systemd.nix). */
function genericDhcpUnit(g: GuestNetwork): UnitDefinition {
  const at = g.location;
  return {
    kind: 'network',
    name: '99-ethernet-default-dhcp.network',
    source: 'networking-interfaces',
    location: at,
    masked: false,
    settings: [setting('Match', 'Kind', '!*', at), setting('Match', 'Type', 'ether', at), setting('Network', 'DHCP', 'yes', at)],
    sections: [
      { name: 'Match', location: at },
      { name: 'Network', location: at },
    ],
    complete: g.useDHCP === true,
    issues: [],
    host: g.guest,
  };
}

/** `networking.defaultGateway.interface` under networkd: a `[Route] Gateway=` in `40-<interface>`. */
function gatewayUnits(g: GuestNetwork, units: UnitDefinition[]): UnitDefinition[] {
  const out = [...units];
  for (const gw of g.defaultGateways) {
    const name = gw.interface ? knownText(gw.interface) : undefined;
    const address = knownText(gw.address.value);
    if (name === undefined || address === undefined) continue;
    const at = gw.address.location;
    const route = setting('Route', 'Gateway', address, at);
    const i = out.findIndex((u) => u.name === `40-${name}.network`);
    if (i >= 0) out[i] = { ...out[i], settings: [...out[i].settings, route], sections: [...out[i].sections, { name: 'Route', location: at }] };
    else
      out.push({
        kind: 'network',
        name: `40-${name}.network`,
        source: 'networking-interfaces',
        location: at,
        masked: false,
        settings: [setting('Match', 'Name', name, at), route],
        sections: [
          { name: 'Match', location: at },
          { name: 'Route', location: at },
        ],
        complete: true,
        issues: [],
        host: g.guest,
      });
  }
  return out;
}

/** The units the guest's networkd reads: its own, and what NixOS renders from `networking.*` under `useNetworkd`. */
export function guestNetworkdUnits(g: GuestNetwork): UnitDefinition[] {
  if (g.useNetworkd === false) return g.units;
  const rendered = withInterfaceUnits(g.units, g.interfaceDeclarations);
  const withGeneric = g.useDHCP === false ? rendered : [...rendered, genericDhcpUnit(g)];
  const all = gatewayUnits(g, withGeneric);
  // Whether NixOS renders them at all is not known: they may match, never certainly.
  return g.useNetworkd === true ? all : all.map((u) => (g.units.includes(u) ? u : { ...u, complete: false }));
}

/** `networking.interfaces.<name>` under scripted networking, read as units matching that name. */
function scriptedUnits(declarations: InterfaceDeclaration[]): UnitDefinition[] {
  return withInterfaceUnits([], declarations);
}

export type NicState =
  /** `unit` configures the NIC (networkd, or scripted `networking.interfaces`). */
  | 'unit'
  /** dhcpcd asks for an address on every Ethernet link it is not told to leave alone. */
  | 'dhcpcd'
  /** The first matching unit says `Unmanaged=yes`. */
  | 'unmanaged'
  /** Nothing in the guest configures the NIC. */
  | 'none'
  | 'unknown';

export interface NicConfig {
  state: NicState;
  unit: UnitDefinition | null;
  /** The unit certainly applies; false: it is the only unit that may, and only the NIC's name is in doubt. */
  certain: boolean;
  by: 'networkd' | 'scripted' | 'dhcpcd' | null;
  addressing: Addressing | null;
  choice: UnitChoice | null;
  /** For `unknown`: why. */
  why?: string;
}

const unknownConfig = (why: string): NicConfig => ({ state: 'unknown', unit: null, certain: false, by: null, addressing: null, choice: null, why });

/**
 * Which unit configures the NIC. A guest with one NIC whose only possible unit is in doubt by its
 * name alone is taken at its word: that unit exists to configure this NIC.
 */
export function nicConfig(iface: MicrovmInterface, g: GuestNetwork, nicCount: number, possibleFiles: readonly UnitDefinition[] = []): NicConfig {
  if (g.open) return unknownConfig('part of the guest configuration could not be read, and it may configure the NIC');
  if (g.networkManager !== false) return unknownConfig('NetworkManager configures the guest from state that is not in the workspace');
  const link = nicLink(iface, g);
  const fromChoice = (choice: UnitChoice, by: 'networkd' | 'scripted'): NicConfig | null => {
    if (choice.match === 'unit' && choice.winner) return configuredBy(choice.winner, true, by, choice);
    if (choice.match !== 'unknown') return null;
    const [only] = choice.candidates;
    const nameOnly: LinkFacts = { ...link, name: (glob) => (link.name(glob) === 'no' ? 'no' : 'yes') };
    if (choice.candidates.length === 1 && nicCount === 1 && only.complete && unitMatches(only, nameOnly) === 'yes') return configuredBy(only, false, by, choice);
    return { ...unknownConfig(`whether ${choice.candidates.map((u) => `\`${u.name}\``).join(', ')} match the guest's NIC is not statically known`), choice };
  };
  if (g.networkd !== false) {
    // Unit files no host is known to install may be installed in the guest: they may match, never certainly.
    const maybeFiles = possibleFiles.map((u) => ({ ...u, complete: false }));
    const choice = chooseUnit([...guestNetworkdUnits(g), ...maybeFiles], link);
    if (g.networkd === 'unknown' && choice.match !== 'none') return { ...unknownConfig('whether systemd-networkd runs in the guest is not statically known'), choice };
    const found = fromChoice(choice, 'networkd');
    if (found) return found;
  }
  if (g.useNetworkd !== true) {
    const choice = chooseUnit(scriptedUnits(g.interfaceDeclarations), link);
    if (g.useNetworkd === 'unknown' && choice.match !== 'none') return { ...unknownConfig('whether `networking.interfaces` is rendered for networkd is not statically known'), choice };
    const found = fromChoice(choice, 'scripted');
    if (found) return found;
    if (g.dhcpcd === true) return { state: 'dhcpcd', unit: null, certain: true, by: 'dhcpcd', addressing: null, choice };
    if (g.dhcpcd === 'unknown') return unknownConfig('whether dhcpcd runs in the guest is not statically known');
  }
  if (g.networkd === 'unknown') return unknownConfig('whether systemd-networkd runs in the guest is not statically known');
  return { state: 'none', unit: null, certain: true, by: null, addressing: null, choice: null };

  function configuredBy(unit: UnitDefinition, certain: boolean, by: 'networkd' | 'scripted', choice: UnitChoice): NicConfig {
    const unmanaged = lastBoolOf(unit, 'Link', 'Unmanaged');
    if (unmanaged !== false) return { state: unmanaged === true ? 'unmanaged' : 'unknown', unit, certain, by, addressing: null, choice };
    const addressing = addressingOf(unit);
    // Scripted networking's default gateway is global: with one NIC it is that NIC's.
    if (by === 'scripted' && nicCount === 1) {
      for (const gw of g.defaultGateways) {
        const text = knownText(gw.address.value);
        const address = text !== undefined ? parsePrefix(text) : null;
        if (address) addressing.gateways.push({ address, setting: setting('Route', 'Gateway', text!, gw.address.location), onLink: false, destination: null });
      }
    }
    return { state: 'unit', unit, certain, by, addressing, choice };
  }
}
