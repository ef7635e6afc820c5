/**
 * `systemd.network.networks` / `netdevs` rendered exactly as nixpkgs renders them
 * (nixos/lib/systemd-network-units.nix + systemd-lib's attrsToSection): sections in a fixed
 * order, keys of an attrset section sorted by name, one `Key=value` line per list element,
 * booleans as `true`/`false`, the list shortcuts (`address`, `bridge`, ...) after
 * `networkConfig`, then `[Address]`/`[Route]`/... sections, then `extraConfig` verbatim.
 * Also `networking.bridges`.
 */
import type { BridgeDeclaration, UnitDefinition, UnitSection, UnitSetting, ValueAt } from '../../model';
import { displayPattern, known, knownText, UNKNOWN_STRING, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force } from '../eval/helpers';
import { sortByOrder, type Configuration } from '../modules';
import type { AttrsValue, Value } from '../value';
import { keyLoc, locOfValue, plainValue, stringPattern, unitValuePattern, valueLoc } from './common';

interface Entry {
  value: StrPattern;
  keyLocation: Location;
  valueLocation: Location;
}

class UnitBuilder {
  readonly settings: UnitSetting[] = [];
  readonly sections: UnitSection[] = [];
  complete = true;
  current: string | null = null;

  section(name: string, location: Location): void {
    this.sections.push({ name, location });
    this.current = name;
  }

  entries(section: string, key: string, entries: Entry[]): void {
    for (const e of entries) this.settings.push({ section, key, value: e.value, keyLocation: e.keyLocation, valueLocation: e.valueLocation });
  }
}

/** The `Key=value` lines of one unitOption definition set at `path` (priority-merged). */
function pathEntries(cfg: Configuration, path: string[], b: UnitBuilder, fallback: Location): Entry[] {
  const sel = cfg.selectAt(path);
  if (sel.some((s) => s.conditional)) b.complete = false;
  const out: Entry[] = [];
  const hasList = sel.some((s) => s.def.value.kind === 'list');
  const ordered = hasList ? sortByOrder(sel) : sel;
  let first: Value | undefined;
  for (const s of ordered) {
    const v = s.def.value;
    const kl = keyLoc(s.def, fallback);
    if (v.kind === 'list') {
      if (!v.complete) b.complete = false;
      for (const item of v.items) {
        const iv = force(item);
        const p = unitValuePattern(iv);
        if (!p) continue;
        if (!p.known) b.complete = false;
        out.push({ value: p.pattern, keyLocation: kl, valueLocation: item.location ?? locOfValue(iv) ?? valueLoc(s.def, fallback) });
      }
      continue;
    }
    if (!hasList && first !== undefined) {
      // scalar definitions must agree (else nixpkgs fails evaluation): keep the first
      const a = unitValuePattern(first);
      const c = unitValuePattern(v);
      if (!a || !c || knownText(a.pattern) === undefined || knownText(a.pattern) !== knownText(c.pattern)) b.complete = false;
      continue;
    }
    first = v;
    const p = unitValuePattern(v);
    if (!p) continue;
    if (!p.known) b.complete = false;
    out.push({ value: p.pattern, keyLocation: kl, valueLocation: locOfValue(v) ?? valueLoc(s.def, fallback) });
  }
  return out;
}

/** Entries per key of an attrset-of-unitOption option at `path`. */
function sectionEntries(cfg: Configuration, path: string[], b: UnitBuilder, fallback: Location): Map<string, Entry[]> {
  const { keys, complete, patternKeys } = cfg.keysAt(path);
  if (!complete || patternKeys.length) b.complete = false;
  const out = new Map<string, Entry[]>();
  for (const k of keys) out.set(k, pathEntries(cfg, [...path, k], b, fallback));
  return out;
}

/** Entries per key of a plain attrset value (an `addresses`/`routes` element). */
function valueEntries(v: AttrsValue, b: UnitBuilder, fallback: Location): Map<string, Entry[]> {
  if (!v.complete || v.unknownKeys?.length) b.complete = false;
  const out = new Map<string, Entry[]>();
  for (const k of [...v.attrs.keys()].sort()) {
    const binding = v.attrs.get(k)!;
    const { value, conditional } = plainValue(binding.thunk, binding);
    if (conditional) b.complete = false;
    const kl = binding.keyLocation ?? fallback;
    const entries: Entry[] = [];
    const items = value.kind === 'list' ? value.items.map((t) => ({ v: force(t), loc: t.location })) : [{ v: value, loc: binding.valueLocation }];
    if (value.kind === 'list' && !value.complete) b.complete = false;
    for (const item of items) {
      const p = unitValuePattern(item.v);
      if (!p) continue;
      if (!p.known) b.complete = false;
      entries.push({ value: p.pattern, keyLocation: kl, valueLocation: item.loc ?? locOfValue(item.v) ?? kl });
    }
    out.set(k, entries);
  }
  return out;
}

function emitSorted(b: UnitBuilder, section: string, entries: Map<string, Entry[]>): void {
  for (const k of [...entries.keys()].sort()) b.entries(section, k, entries.get(k)!);
}

function sectionLocation(cfg: Configuration, path: string[], fallback: Location): Location {
  const d = cfg.defsAt(path).find((x) => x.binding?.keyLocation);
  return d?.binding?.keyLocation ?? fallback;
}

/** `optionalString (def.xConfig != { })` sections. */
function optionalSection(cfg: Configuration, base: string[], option: string, section: string, b: UnitBuilder, fallback: Location): void {
  const path = [...base, option];
  const live = cfg.liveDefsAt(path);
  if (live.length === 0) return;
  const entries = sectionEntries(cfg, path, b, fallback);
  const nonEmpty = [...entries.values()].some((e) => e.length > 0) || entries.size > 0;
  if (!nonEmpty) {
    if (live.some((d) => d.def.value.kind !== 'attrs')) b.complete = false;
    return;
  }
  b.section(section, sectionLocation(cfg, path, fallback));
  emitSorted(b, section, entries);
}

/** `flip concatMapStrings def.<option> (x: "[Section]" + attrsToSection x.<legacyKey>)`. */
function listSections(cfg: Configuration, base: string[], option: string, section: string, legacyKey: string, b: UnitBuilder, fallback: Location): void {
  const path = [...base, option];
  if (cfg.liveDefsAt(path).length === 0) return;
  const { items, complete } = cfg.listAt(path);
  if (!complete) b.complete = false;
  for (const item of items) {
    if (item.conditional) b.complete = false;
    const { value, conditional } = plainValue(item.thunk);
    if (conditional) b.complete = false;
    const loc = item.thunk.location ?? locOfValue(value) ?? keyLoc(item.def, fallback);
    if (value.kind !== 'attrs') {
      b.complete = false;
      continue;
    }
    let attrsV: AttrsValue = value;
    const legacy = value.attrs.get(legacyKey);
    if (legacy && value.attrs.size === 1) {
      const inner = plainValue(legacy.thunk, legacy);
      if (inner.conditional) b.complete = false;
      if (inner.value.kind !== 'attrs') {
        b.complete = false;
        continue;
      }
      attrsV = inner.value;
    }
    b.section(section, loc);
    emitSorted(b, section, valueEntries(attrsV, b, loc));
  }
}

function extraConfig(cfg: Configuration, base: string[], b: UnitBuilder, fallback: Location): void {
  const sel = sortByOrder(cfg.selectAt([...base, 'extraConfig']));
  for (const s of sel) {
    if (s.conditional) b.complete = false;
    const v = s.def.value;
    if (v.kind !== 'string') {
      b.complete = false;
      continue;
    }
    const text = knownText(v.value);
    if (text === undefined) {
      b.complete = false;
      continue;
    }
    const loc = valueLoc(s.def, fallback);
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const sec = /^\[([^\]]*)\]$/.exec(line);
      if (sec) {
        b.section(sec[1], loc);
        continue;
      }
      const eq = line.indexOf('=');
      if (eq < 0 || b.current === null) {
        b.complete = false;
        continue;
      }
      b.settings.push({ section: b.current, key: line.slice(0, eq).trim(), value: known(line.slice(eq + 1).trim()), keyLocation: loc, valueLocation: loc });
    }
  }
}

const NETWORK_SHORTCUTS: [string, string][] = [
  ['address', 'Address'], ['gateway', 'Gateway'], ['dns', 'DNS'], ['ntp', 'NTP'], ['bridge', 'Bridge'],
  ['bond', 'Bond'], ['vrf', 'VRF'], ['vlan', 'VLAN'], ['macvlan', 'MACVLAN'], ['macvtap', 'MACVTAP'],
  ['vxlan', 'VXLAN'], ['tunnel', 'Tunnel'], ['xfrm', 'Xfrm'],
];

type Tail = ['attrs', string, string] | ['list', string, string, string];
const NETWORK_TAIL: Tail[] = [
  ['list', 'addresses', 'Address', 'addressConfig'],
  ['list', 'routingPolicyRules', 'RoutingPolicyRule', 'routingPolicyRuleConfig'],
  ['list', 'routes', 'Route', 'routeConfig'],
  ['attrs', 'dhcpV4Config', 'DHCPv4'],
  ['attrs', 'dhcpV6Config', 'DHCPv6'],
  ['attrs', 'dhcpPrefixDelegationConfig', 'DHCPPrefixDelegation'],
  ['attrs', 'ipv6AcceptRAConfig', 'IPv6AcceptRA'],
  ['attrs', 'dhcpServerConfig', 'DHCPServer'],
  ['attrs', 'ipv6SendRAConfig', 'IPv6SendRA'],
  ['list', 'ipv6Prefixes', 'IPv6Prefix', 'ipv6PrefixConfig'],
  ['list', 'ipv6RoutePrefixes', 'IPv6RoutePrefix', 'ipv6RoutePrefixConfig'],
  ['list', 'dhcpServerStaticLeases', 'DHCPServerStaticLease', 'dhcpServerStaticLeaseConfig'],
  ['attrs', 'bridgeConfig', 'Bridge'],
  ['list', 'bridgeFDBs', 'BridgeFDB', 'bridgeFDBConfig'],
  ['list', 'bridgeMDBs', 'BridgeMDB', 'bridgeMDBConfig'],
  ['attrs', 'lldpConfig', 'LLDP'],
  ['attrs', 'canConfig', 'CAN'],
  ['attrs', 'ipoIBConfig', 'IPoIB'],
  ['attrs', 'qdiscConfig', 'QDisc'],
  ['list', 'bridgeVLANs', 'BridgeVLAN', 'bridgeVLANConfig'],
];

const NETDEV_TAIL: Tail[] = [
  ['attrs', 'bridgeConfig', 'Bridge'],
  ['attrs', 'vlanConfig', 'VLAN'],
  ['attrs', 'ipvlanConfig', 'IPVLAN'],
  ['attrs', 'ipvtapConfig', 'IPVTAP'],
  ['attrs', 'macvlanConfig', 'MACVLAN'],
  ['attrs', 'vxlanConfig', 'VXLAN'],
  ['attrs', 'tunnelConfig', 'Tunnel'],
  ['attrs', 'fooOverUDPConfig', 'FooOverUDP'],
  ['attrs', 'peerConfig', 'Peer'],
  ['attrs', 'tunConfig', 'Tun'],
  ['attrs', 'tapConfig', 'Tap'],
  ['attrs', 'l2tpConfig', 'L2TP'],
  ['list', 'l2tpSessions', 'L2TPSession', 'l2tpSessionConfig'],
  ['attrs', 'wireguardConfig', 'WireGuard'],
  ['list', 'wireguardPeers', 'WireGuardPeer', 'wireguardPeerConfig'],
  ['attrs', 'bondConfig', 'Bond'],
  ['attrs', 'xfrmConfig', 'Xfrm'],
  ['attrs', 'vrfConfig', 'VRF'],
  ['attrs', 'wlanConfig', 'WLAN'],
  ['attrs', 'batmanAdvancedConfig', 'BatmanAdvanced'],
];

function tail(cfg: Configuration, base: string[], items: Tail[], b: UnitBuilder, fallback: Location): void {
  for (const t of items) {
    if (t[0] === 'attrs') optionalSection(cfg, base, t[1], t[2], b, fallback);
    else listSections(cfg, base, t[1], t[2], t[3], b, fallback);
  }
}

/** [Match] from matchConfig plus the `name` shortcut (a definition of matchConfig.Name). */
function matchSection(cfg: Configuration, base: string[], b: UnitBuilder, fallback: Location, withName: boolean): void {
  const entries = sectionEntries(cfg, [...base, 'matchConfig'], b, fallback);
  if (withName) {
    const nameSel = cfg.selectAt([...base, 'name']);
    const named = pathEntries(cfg, [...base, 'name'], b, fallback);
    if (nameSel.length && named.length) entries.set('Name', [...named, ...(entries.get('Name') ?? [])]);
  }
  if (entries.size === 0) return;
  b.section('Match', sectionLocation(cfg, [...base, 'matchConfig'], sectionLocation(cfg, [...base, 'name'], fallback)));
  emitSorted(b, 'Match', entries);
}

/** State of `enable`: masked when definitely false. */
function enableState(cfg: Configuration, base: string[], b: UnitBuilder): boolean {
  const sel = cfg.selectAt([...base, 'enable']);
  if (sel.length === 0) return false;
  const values = new Set(sel.map((s) => (s.def.value.kind === 'bool' ? String(s.def.value.value) : '?')));
  if (values.size === 1 && values.has('false') && !sel.some((s) => s.conditional)) return true;
  if (values.size === 1 && values.has('true') && !sel.some((s) => s.conditional)) return false;
  b.complete = false;
  return false;
}

function unitKeys(cfg: Configuration, path: string[]): { name: string; base: string[]; patternName?: StrPattern; conditional: boolean }[] {
  const { keys, patternKeys, conditionalKeys } = cfg.keysAt(path);
  const out: { name: string; base: string[]; patternName?: StrPattern; conditional: boolean }[] = keys.map((k) => ({
    name: k,
    base: [...path, k],
    conditional: conditionalKeys.has(k),
  }));
  for (const p of patternKeys) {
    // `"30-vm${toString i}" = ...` with `i` unknown: the unit exists but its name is a pattern
    out.push({ name: displayPattern(p.key), base: [], patternName: p.key, conditional: true });
  }
  return out;
}

export function networkUnits(cfg: Configuration, host: string, fallback: Location): UnitDefinition[] {
  return buildUnits(cfg, host, fallback, 'network');
}

export function netdevUnits(cfg: Configuration, host: string, fallback: Location): UnitDefinition[] {
  return buildUnits(cfg, host, fallback, 'netdev');
}

function buildUnits(cfg: Configuration, host: string, fallback: Location, kind: 'network' | 'netdev'): UnitDefinition[] {
  const root = ['systemd', 'network', kind === 'network' ? 'networks' : 'netdevs'];
  const out: UnitDefinition[] = [];
  for (const u of unitKeys(cfg, root)) {
    const b = new UnitBuilder();
    if (u.patternName) {
      const pk = cfg.keysAt(root).patternKeys.find((p) => p.key === u.patternName);
      const loc = pk?.binding.keyLocation ?? fallback;
      out.push({ kind, name: `${u.name}.${kind}`, source: 'nix', location: loc, masked: false, settings: [], sections: [], complete: false, issues: [], host });
      continue;
    }
    const live = cfg.liveDefsAt(u.base);
    if (live.length === 0) continue;
    if (u.conditional || live.every((d) => d.conditional)) b.complete = false;
    if (live.some((d) => d.def.value.kind !== 'attrs')) b.complete = false;
    const location = live.map((d) => d.def.binding?.keyLocation).find((l) => l) ?? keyLoc(live[0].def, fallback);
    const masked = enableState(cfg, u.base, b);
    if (kind === 'network') {
      matchSection(cfg, u.base, b, location, true);
      optionalSection(cfg, u.base, 'linkConfig', 'Link', b, location);
      b.section('Network', sectionLocation(cfg, [...u.base, 'networkConfig'], location));
      const net = sectionEntries(cfg, [...u.base, 'networkConfig'], b, location);
      // `DHCP` / `domains` shortcuts are definitions of networkConfig.DHCP / .Domains
      const dhcp = pathEntries(cfg, [...u.base, 'DHCP'], b, location);
      if (dhcp.length) net.set('DHCP', [...dhcp, ...(net.get('DHCP') ?? [])]);
      const domains = domainsEntry(cfg, [...u.base, 'domains'], b, location);
      if (domains) net.set('Domains', [domains, ...(net.get('Domains') ?? [])]);
      emitSorted(b, 'Network', net);
      for (const [option, key] of NETWORK_SHORTCUTS) {
        if (cfg.liveDefsAt([...u.base, option]).length === 0) continue;
        b.entries('Network', key, listEntries(cfg, [...u.base, option], b, location));
      }
      tail(cfg, u.base, NETWORK_TAIL, b, location);
    } else {
      matchSection(cfg, u.base, b, location, false);
      b.section('NetDev', sectionLocation(cfg, [...u.base, 'netdevConfig'], location));
      emitSorted(b, 'NetDev', sectionEntries(cfg, [...u.base, 'netdevConfig'], b, location));
      tail(cfg, u.base, NETDEV_TAIL, b, location);
    }
    extraConfig(cfg, u.base, b, location);
    out.push({
      kind,
      name: `${u.name}.${kind}`,
      source: 'nix',
      location,
      masked,
      settings: b.settings,
      sections: b.sections,
      complete: b.complete,
      issues: [],
      host,
    });
  }
  return out;
}

/** A `listOf str` shortcut: one line per element, in definition (mkOrder) order. */
function listEntries(cfg: Configuration, path: string[], b: UnitBuilder, fallback: Location): Entry[] {
  const { items, complete } = cfg.listAt(path);
  if (!complete) b.complete = false;
  const out: Entry[] = [];
  for (const item of items) {
    if (item.conditional) b.complete = false;
    const v = force(item.thunk);
    const p = unitValuePattern(v);
    if (!p) continue;
    if (!p.known) b.complete = false;
    out.push({ value: p.pattern, keyLocation: keyLoc(item.def, fallback), valueLocation: item.thunk.location ?? locOfValue(v) ?? valueLoc(item.def, fallback) });
  }
  return out;
}

function domainsEntry(cfg: Configuration, path: string[], b: UnitBuilder, fallback: Location): Entry | null {
  if (cfg.liveDefsAt(path).length === 0) return null;
  const sel = cfg.selectAt(path);
  if (sel.length === 1 && sel[0].def.value.kind === 'null') return null;
  const entries = listEntries(cfg, path, b, fallback);
  if (entries.length === 0) return null;
  const parts = entries.flatMap((e, i) => (i ? [' ', ...e.value.parts] : [...e.value.parts]));
  return { value: { parts }, keyLocation: entries[0].keyLocation, valueLocation: entries[0].valueLocation };
}

export function bridgeDeclarations(cfg: Configuration, host: string, fallback: Location): BridgeDeclaration[] {
  const root = ['networking', 'bridges'];
  const { keys, conditionalKeys, patternKeys } = cfg.keysAt(root);
  const out: BridgeDeclaration[] = [];
  for (const br of keys) {
    const base = [...root, br];
    const live = cfg.liveDefsAt(base);
    if (live.length === 0) continue;
    const location = live.map((d) => d.def.binding?.keyLocation).find((l) => l) ?? keyLoc(live[0].def, fallback);
    const { items, complete } = cfg.listAt([...base, 'interfaces']);
    let interfacesComplete = complete && !conditionalKeys.has(br);
    const interfaces: ValueAt<StrPattern>[] = [];
    for (const item of items) {
      if (item.conditional) interfacesComplete = false;
      const v = force(item.thunk);
      const p = stringPattern(v);
      if (!p.known) interfacesComplete = false;
      interfaces.push({ value: p.pattern, location: item.thunk.location ?? locOfValue(v) ?? valueLoc(item.def, location) });
    }
    out.push({ name: br, interfaces, interfacesComplete, location, host });
  }
  if (patternKeys.length) {
    // bridges with computed names: their members are unknown, which keeps the outcome unknown
    for (const p of patternKeys) {
      out.push({ name: displayPattern(p.key), interfaces: [{ value: UNKNOWN_STRING, location: p.binding.keyLocation ?? fallback }], interfacesComplete: false, location: p.binding.keyLocation ?? fallback, host });
    }
  }
  return out;
}
