/**
 * Reading `.network` units for any link (a guest's NIC, a bridge, a veth, a Wi-Fi device), not
 * only for taps: which unit networkd applies (first match in byte order, docs/domain/networkd.md §1), and
 * what that unit says about addresses, gateways, routes, DHCP, masquerading and forwarding
 * (systemd.network(5) `[Network]`, `[Address]`, `[Route]`).
 */
import { parsePrefix, type Family, type Prefix } from '../addresses';
import type { UnitDefinition, UnitSetting } from '../model';
import { evaluateMatchOn, readMatch, sortUnits, type LinkFacts, type Tri } from '../networkd';
import { knownText } from '../pattern';
import { comparePositions } from '../text';

/** What networkd applies to a link: a certain first match, none, or not statically known. */
export interface UnitChoice {
  match: 'unit' | 'none' | 'unknown';
  winner?: UnitDefinition;
  /** Units that may match before any certain one. */
  candidates: UnitDefinition[];
}

/** Does the unit's [Match] hold for the link? Masked, rejected and empty-[Match] units never match. */
export function unitMatches(unit: UnitDefinition, link: LinkFacts): Tri {
  if (unit.kind !== 'network' || unit.masked || unit.rejected) return 'no';
  const config = readMatch(unit.settings);
  const r = evaluateMatchOn(config, link).result;
  // Unknown settings may add or reset [Match] keys: only a definite 'no' of the known part stands.
  if (!unit.complete) return r === 'no' && config.empty === 'no' ? 'no' : 'maybe';
  return r;
}

export function chooseUnit(units: readonly UnitDefinition[], link: LinkFacts): UnitChoice {
  const candidates: UnitDefinition[] = [];
  for (const unit of sortUnits([...units])) {
    const r = unitMatches(unit, link);
    if (r === 'no') continue;
    if (r === 'maybe') {
      candidates.push(unit);
      continue;
    }
    return candidates.length ? { match: 'unknown', candidates } : { match: 'unit', winner: unit, candidates };
  }
  return { match: candidates.length ? 'unknown' : 'none', candidates };
}

export function parseBool(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(t)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(t)) return false;
  return null;
}

/** The last value of a key (empty resets): its text, null when unset, undefined when not known. */
function lastValue(unit: UnitDefinition, section: string, key: string): string | null | undefined {
  let v: string | null | undefined = null;
  for (const s of unit.settings) {
    if (s.section !== section || s.key !== key) continue;
    const text = knownText(s.value);
    v = text === undefined ? undefined : text.trim() === '' ? null : text.trim();
  }
  return v;
}

export function lastBoolOf(unit: UnitDefinition, section: string, key: string): boolean | 'unknown' {
  const v = lastValue(unit, section, key);
  if (v === undefined) return 'unknown';
  if (v === null) return false;
  return parseBool(v) ?? false;
}

/**
 * The settings of each instance of a repeatable section (`[Route]`, `[Address]`). An instance is
 * what follows its header in the same file; Nix renders one header per list item, so settings
 * written inside an item follow that item's header. Sections at the same place (text written
 * verbatim) are split where a key repeats.
 */
export function sectionInstances(unit: UnitDefinition, name: string): UnitSetting[][] {
  const headers = unit.sections.filter((s) => s.name === name);
  const groups = new Map<number, UnitSetting[]>();
  for (const setting of unit.settings) {
    if (setting.section !== name) continue;
    let owner = -1;
    headers.forEach((h, i) => {
      if (h.location.file === setting.keyLocation.file && comparePositions(h.location.range.start, setting.keyLocation.range.start) <= 0) owner = i;
    });
    const list = groups.get(owner) ?? [];
    list.push(setting);
    groups.set(owner, list);
  }
  const out: UnitSetting[][] = [];
  for (const list of groups.values()) {
    let current: UnitSetting[] = [];
    for (const s of list) {
      if (current.some((c) => c.key === s.key)) {
        out.push(current);
        current = [];
      }
      current.push(s);
    }
    if (current.length) out.push(current);
  }
  return out;
}

export interface AddressEntry {
  prefix: Prefix;
  setting: UnitSetting;
  /** `[Address] Peer=`: the other end of a point-to-point address. */
  peer: Prefix | null;
}

export interface GatewayEntry {
  address: Prefix;
  setting: UnitSetting;
  /** `GatewayOnLink=yes`: the gateway need not be on a connected subnet. */
  onLink: boolean;
  /** The route's destination; null for the default route. */
  destination: Prefix | null;
}

export interface RouteEntry {
  destination: Prefix;
  setting: UnitSetting;
}

/** What a unit says about a link's layer 3. `known` is false when some of it could not be read. */
export interface Addressing {
  addresses: AddressEntry[];
  gateways: GatewayEntry[];
  routes: RouteEntry[];
  known: boolean;
  dhcp: Record<Family, boolean | 'unknown'>;
  dhcpServer: boolean | 'unknown';
  masquerade: Record<Family, boolean | 'unknown'>;
  forwarding: Record<Family, boolean | 'unknown'>;
}

/** Values networkd reads as "no static address here" (`_dhcp4` gateways and the like). */
const DYNAMIC_GATEWAY = /^_/;

export function addressingOf(unit: UnitDefinition): Addressing {
  let known = unit.complete;
  const read = (s: UnitSetting): Prefix | null => {
    const text = knownText(s.value);
    if (text === undefined) {
      known = false;
      return null;
    }
    if (text.trim() === '' || DYNAMIC_GATEWAY.test(text.trim())) return null;
    const p = parsePrefix(text);
    if (!p) known = false;
    return p;
  };
  const addresses: AddressEntry[] = [];
  const gateways: GatewayEntry[] = [];
  const routes: RouteEntry[] = [];
  for (const s of unit.settings) {
    if (s.section !== 'Network') continue;
    if (s.key === 'Address') {
      const p = read(s);
      if (p) addresses.push({ prefix: p, setting: s, peer: null });
    } else if (s.key === 'Gateway') {
      const p = read(s);
      if (p) gateways.push({ address: p, setting: s, onLink: false, destination: null });
    }
  }
  for (const instance of sectionInstances(unit, 'Address')) {
    const address = instance.filter((s) => s.key === 'Address').pop();
    const peer = instance.filter((s) => s.key === 'Peer').pop();
    const p = address ? read(address) : null;
    if (p && address) addresses.push({ prefix: p, setting: address, peer: peer ? read(peer) : null });
  }
  for (const instance of sectionInstances(unit, 'Route')) {
    const destination = instance.filter((s) => s.key === 'Destination').pop();
    const gateway = instance.filter((s) => s.key === 'Gateway').pop();
    const onLinkSetting = instance.filter((s) => s.key === 'GatewayOnLink').pop();
    const onLinkText = onLinkSetting ? knownText(onLinkSetting.value) : 'no';
    if (onLinkText === undefined) known = false;
    const dest = destination ? read(destination) : null;
    if (destination && dest) routes.push({ destination: dest, setting: destination });
    const gw = gateway ? read(gateway) : null;
    if (gateway && gw) gateways.push({ address: gw, setting: gateway, onLink: parseBool(onLinkText ?? 'no') === true, destination: dest && dest.length > 0 ? dest : null });
  }
  return {
    addresses,
    gateways,
    routes,
    known,
    dhcp: dhcpOf(unit),
    dhcpServer: lastBoolOf(unit, 'Network', 'DHCPServer'),
    masquerade: masqueradeOf(unit),
    forwarding: forwardingOf(unit),
  };
}

function dhcpOf(unit: UnitDefinition): Record<Family, boolean | 'unknown'> {
  const v = lastValue(unit, 'Network', 'DHCP');
  if (v === undefined) return { 4: 'unknown', 6: 'unknown' };
  if (v === null) return { 4: false, 6: false };
  const t = v.toLowerCase();
  if (t === 'ipv4') return { 4: true, 6: false };
  if (t === 'ipv6') return { 4: false, 6: true };
  const b = parseBool(t);
  return { 4: b === true, 6: b === true };
}

/** `IPMasquerade=ipv4|ipv6|both|no` (a boolean yes meant ipv4 before systemd 247). */
function masqueradeOf(unit: UnitDefinition): Record<Family, boolean | 'unknown'> {
  const v = lastValue(unit, 'Network', 'IPMasquerade');
  if (v === undefined) return { 4: 'unknown', 6: 'unknown' };
  if (v === null) return { 4: false, 6: false };
  const t = v.toLowerCase();
  if (t === 'both') return { 4: true, 6: true };
  if (t === 'ipv6') return { 4: false, 6: true };
  if (t === 'ipv4' || parseBool(t) === true) return { 4: true, 6: false };
  return { 4: false, 6: false };
}

/** `IPForward=` (before systemd 256), `IPv4Forwarding=`/`IPv6Forwarding=`; masquerading implies forwarding. */
function forwardingOf(unit: UnitDefinition): Record<Family, boolean | 'unknown'> {
  const legacy = lastValue(unit, 'Network', 'IPForward');
  const out: Record<Family, boolean | 'unknown'> = { 4: false, 6: false };
  if (legacy === undefined) out[4] = out[6] = 'unknown';
  else if (legacy !== null) {
    const t = legacy.toLowerCase();
    out[4] = t === 'ipv4' || t === 'both' || parseBool(t) === true;
    out[6] = t === 'ipv6' || t === 'both' || parseBool(t) === true;
  }
  const v4 = lastBoolOf(unit, 'Network', 'IPv4Forwarding');
  const v6 = lastBoolOf(unit, 'Network', 'IPv6Forwarding');
  const masquerade = masqueradeOf(unit);
  for (const [family, modern] of [[4, v4], [6, v6]] as const) {
    if (modern === true || masquerade[family] === true) out[family] = true;
    else if (out[family] !== true && (modern === 'unknown' || masquerade[family] === 'unknown')) out[family] = 'unknown';
  }
  return out;
}
