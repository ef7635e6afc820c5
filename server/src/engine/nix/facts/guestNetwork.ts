/**
 * The guest's side of its network (docs/domain/microvm.md §9): whether networkd, dhcpcd or NetworkManager
 * configure its links, the units and `networking.interfaces` it declares, how its kernel names
 * the virtio NIC, and what in it creates veth links (Docker, Podman) or serves DHCP.
 *
 * Also what a MicroVM host runs around its bridges (DHCP servers, NAT, forwarding sysctls,
 * hand-written masquerading, hostapd). Precision first: a switch that cannot be read is
 * `'unknown'`, a text that cannot be read makes its answer `'unknown'`, and a configuration
 * with gaps is `open` (no conclusion may rest on something being absent from it).
 */
import type { GuestNetwork, HostServices, NatFacts, ServiceFact, ValueAt } from '../../model';
import { knownText, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force, knownString } from '../eval/helpers';
import type { Configuration } from '../modules';
import { keyLoc, locOfValue, stringPattern, valueLoc } from './common';
import { etcUnits } from './etc';
import { enabled, interfaceDeclarations } from './hostNetworking';
import { networkdState } from './networkdState';
import { looksLikeSystem } from './roots';
import { networkUnits } from './units';

export function guestNetwork(cfg: Configuration, guest: string, fallback: Location): GuestNetwork {
  const useNetworkd = enabled(cfg, ['networking', 'useNetworkd'], false);
  const useDHCP = enabled(cfg, ['networking', 'useDHCP'], true);
  const networkd = networkdState(cfg, fallback);
  return {
    guest,
    location: fallback,
    networkd: networkd.networkdEnabled,
    networkdSet: networkd.networkdExplicit === true,
    useNetworkd,
    useDHCP,
    dhcpcd: dhcpcdRuns(cfg, useNetworkd, useDHCP),
    networkManager: enabled(cfg, ['networking', 'networkmanager', 'enable'], false),
    units: networkUnits(cfg, guest, fallback),
    interfaceDeclarations: interfaceDeclarations(cfg, guest, fallback),
    defaultGateways: defaultGateways(cfg, fallback),
    kernelNames: kernelNames(cfg),
    renamesLinks: renamesLinks(cfg),
    containers: [
      ...service(cfg, ['virtualisation', 'docker', 'enable'], 'Docker', fallback),
      ...service(cfg, ['virtualisation', 'podman', 'enable'], 'Podman', fallback),
    ] as GuestNetwork['containers'],
    dhcpServers: dhcpServers(cfg, fallback),
    // Unit files the guest installs through environment.etc are not read for guests.
    open: cfg.gaps.length > 0 || partOfUnseenSystem(cfg, guest) || etcUnits(cfg, fallback).length > 0,
  };
}

/**
 * A guest found as a lone root module (its key is `file:<path>`, extraction.ts) that does not
 * look like a whole system is combined with modules we cannot see, which may configure its network.
 */
function partOfUnseenSystem(cfg: Configuration, guest: string): boolean {
  return guest.startsWith('file:') && !looksLikeSystem(cfg);
}

export function hostServices(cfg: Configuration, host: string, fallback: Location): HostServices {
  return {
    host,
    dhcpServers: dhcpServers(cfg, fallback),
    nat: nat(cfg, fallback),
    forwarding: {
      ipv4: either(sysctlOn(cfg, ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding']), networkdConfForwarding(cfg, 'IPv4Forwarding', 'ipv4')),
      ipv6: either(sysctlOn(cfg, ['net.ipv6.conf.all.forwarding']), networkdConfForwarding(cfg, 'IPv6Forwarding', 'ipv6')),
    },
    otherGuests: otherGuests(cfg),
    handWrittenMasquerade: handWrittenMasquerade(cfg),
    hostapd: enabled(cfg, ['services', 'hostapd', 'enable'], false),
    open: cfg.gaps.length > 0,
  };
}

/** nixpkgs turns dhcpcd off by default under networkd; it runs when some interface wants DHCP. */
function dhcpcdRuns(cfg: Configuration, useNetworkd: boolean | 'unknown', useDHCP: boolean | 'unknown'): boolean | 'unknown' {
  if (useNetworkd === true || useDHCP === false) return false;
  const on = enabled(cfg, ['networking', 'dhcpcd', 'enable'], true);
  if (on === false) return false;
  return useNetworkd === false && useDHCP === true && on === true ? true : 'unknown';
}

function service(cfg: Configuration, path: string[], by: string, fallback: Location): ServiceFact[] {
  const on = enabled(cfg, path, false);
  if (on === false) return [];
  const def = cfg.liveDefsAt(path)[0]?.def;
  return [{ by, location: def ? keyLoc(def, fallback) : fallback, certain: on === true }];
}

function dhcpServers(cfg: Configuration, fallback: Location): ServiceFact[] {
  return [
    ...service(cfg, ['services', 'kea', 'dhcp4', 'enable'], 'services.kea.dhcp4', fallback),
    ...service(cfg, ['services', 'kea', 'dhcp6', 'enable'], 'services.kea.dhcp6', fallback),
    ...service(cfg, ['services', 'dhcpd4', 'enable'], 'services.dhcpd4', fallback),
    ...service(cfg, ['services', 'dhcpd6', 'enable'], 'services.dhcpd6', fallback),
    // dnsmasq may serve DNS only; it counts as a possible DHCP server, which only silences.
    ...service(cfg, ['services', 'dnsmasq', 'enable'], 'services.dnsmasq', fallback),
  ];
}

/** `networking.defaultGateway` is a string or `{ address; interface; }`. */
function defaultGateways(cfg: Configuration, fallback: Location): GuestNetwork['defaultGateways'] {
  const out: GuestNetwork['defaultGateways'] = [];
  for (const option of ['defaultGateway', 'defaultGateway6']) {
    const path = ['networking', option];
    if (cfg.liveDefsAt(path).length === 0) continue;
    const whole = cfg.scalarAt(path);
    if (whole.value.kind === 'string') {
      out.push({ address: { value: whole.value.value, location: valueLoc(whole.def, fallback) }, interface: null });
      continue;
    }
    const address = cfg.scalarAt([...path, 'address']);
    if (address.value.kind !== 'string' || address.conditional) continue;
    const iface = cfg.scalarAt([...path, 'interface']);
    out.push({
      address: { value: address.value.value, location: valueLoc(address.def, fallback) },
      interface: iface.value.kind === 'string' ? iface.value.value : null,
    });
  }
  return out;
}

/** nixpkgs adds `net.ifnames=0` when `usePredictableInterfaceNames` is false; microvm.nix passes `boot.kernelParams` on. */
function kernelNames(cfg: Configuration): GuestNetwork['kernelNames'] {
  const predictable = enabled(cfg, ['networking', 'usePredictableInterfaceNames'], true);
  if (predictable === false) return 'eth';
  let unknown = predictable === 'unknown';
  for (const path of [['boot', 'kernelParams'], ['microvm', 'kernelParams']]) {
    const { items, complete } = cfg.listAt(path);
    if (!complete) unknown = true;
    for (const item of items) {
      const text = knownString(force(item.thunk));
      if (text === undefined) unknown = true;
      else if (text.split(/\s+/).includes('net.ifnames=0')) return item.conditional ? 'unknown' : 'eth';
    }
  }
  return unknown ? 'unknown' : 'predictable';
}

/** `.link` units and udev `NAME=` rules may give the NIC any name. */
function renamesLinks(cfg: Configuration): boolean {
  const links = cfg.keysAt(['systemd', 'network', 'links']);
  if (links.keys.length > 0 || links.patternKeys.length > 0 || !links.complete) return true;
  return textsAt(cfg, ['services', 'udev', 'extraRules']).some((t) => t === undefined || /\bNAME\s*:?=/.test(t));
}

/** The texts defined at a string option (undefined for one that cannot be read). */
function textsAt(cfg: Configuration, path: string[]): (string | undefined)[] {
  return cfg.liveDefsAt(path).map((d) => (d.def.value.kind === 'string' ? knownText(d.def.value.value) : undefined));
}

function nat(cfg: Configuration, fallback: Location): NatFacts | null {
  const on = enabled(cfg, ['networking', 'nat', 'enable'], false);
  if (on === false) return null;
  let complete = true;
  const list = (name: string): ValueAt<StrPattern>[] => {
    const { items, complete: listComplete } = cfg.listAt(['networking', 'nat', name]);
    if (!listComplete) complete = false;
    return items.map((item) => {
      const v = force(item.thunk);
      const p = stringPattern(v);
      if (!p.known || item.conditional) complete = false;
      return { value: p.pattern, location: item.thunk.location ?? locOfValue(v) ?? valueLoc(item.def, fallback) };
    });
  };
  const def = cfg.liveDefsAt(['networking', 'nat', 'enable'])[0]?.def;
  return {
    enabled: on,
    enableIPv6: enabled(cfg, ['networking', 'nat', 'enableIPv6'], false),
    internalInterfaces: list('internalInterfaces'),
    internalIPs: list('internalIPs'),
    internalIPv6s: list('internalIPv6s'),
    complete,
    location: def ? keyLoc(def, fallback) : fallback,
  };
}

/** `boot.kernel.sysctl."<key>"`: 1 or true is on. */
function sysctlOn(cfg: Configuration, keys: string[]): boolean | 'unknown' {
  const root = ['boot', 'kernel', 'sysctl'];
  const all = cfg.keysAt(root);
  let result: boolean | 'unknown' = all.complete && all.patternKeys.length === 0 ? false : 'unknown';
  for (const key of keys) {
    if (!all.keys.includes(key)) continue;
    const s = cfg.scalarAt([...root, key]);
    const v = s.value;
    const on = v.kind === 'int' ? v.value !== 0 : v.kind === 'bool' ? v.value : v.kind === 'string' ? knownText(v.value)?.trim() !== '0' : undefined;
    if (on === true && !s.conditional) return true;
    if (on === undefined || s.conditional) result = 'unknown';
  }
  return result;
}

function either(a: boolean | 'unknown', b: boolean | 'unknown'): boolean | 'unknown' {
  if (a === true || b === true) return true;
  return a === 'unknown' || b === 'unknown' ? 'unknown' : false;
}

/** networkd.conf's `[Network] IPv4Forwarding=`/`IPv6Forwarding=` (and the older `IPForward=`), global switches. */
function networkdConfForwarding(cfg: Configuration, key: string, family: 'ipv4' | 'ipv6'): boolean | 'unknown' {
  const base = ['systemd', 'network', 'config', 'networkConfig'];
  let result: boolean | 'unknown' = false;
  for (const k of [key, 'IPForward']) {
    if (cfg.liveDefsAt([...base, k]).length === 0) continue;
    const v = cfg.scalarAt([...base, k]).value;
    const text = v.kind === 'bool' ? String(v.value) : v.kind === 'string' ? knownText(v.value)?.toLowerCase() : undefined;
    if (text === undefined) result = 'unknown';
    else if (['true', 'yes', '1', 'on', 'both', family].includes(text)) return true;
  }
  return result;
}

/** NixOS containers and VM managers can put their own links on a host's bridges. */
function otherGuests(cfg: Configuration): boolean {
  const containers = cfg.keysAt(['containers']);
  if (containers.keys.length > 0 || containers.patternKeys.length > 0 || !containers.complete) return true;
  return ['libvirtd', 'incus', 'lxd', 'docker', 'podman'].some((s) => enabled(cfg, ['virtualisation', s, 'enable'], false) !== false);
}

/** nftables rulesets and firewall commands are text we do not model: a `masquerade`/`SNAT` in them counts. */
function handWrittenMasquerade(cfg: Configuration): boolean | 'unknown' {
  const texts = [
    ...textsAt(cfg, ['networking', 'nftables', 'ruleset']),
    ...textsAt(cfg, ['networking', 'firewall', 'extraCommands']),
    ...textsAt(cfg, ['networking', 'nftables', 'extraCommands']),
  ];
  const tables = cfg.keysAt(['networking', 'nftables', 'tables']);
  if (!tables.complete || tables.patternKeys.length) texts.push(undefined);
  for (const name of tables.keys) texts.push(...textsAt(cfg, ['networking', 'nftables', 'tables', name, 'content']));
  if (texts.some((t) => t !== undefined && /masquerade|\bsnat\b/i.test(t))) return true;
  return texts.some((t) => t === undefined) ? 'unknown' : false;
}
