/**
 * networkd.md §1 steps 3–5: which `.network` unit a tap gets, and which bridge it joins.
 * Everything here was checked against systemd-networkd 252 (see INI.md / the report for the list):
 * - units sorted by strcmp of the basename; the first whose [Match] all hold wins; later ones are
 *   never consulted; `[Link] Unmanaged=yes` in the winner leaves the link alone;
 * - in the winner the last valid `[Network] Bridge=` counts (an invalid value is ignored, an empty
 *   one resets); `KeepMaster=yes` makes networkd ignore Bridge=/Bond=/VRF=/BatmanAdvanced=;
 * - the bridge takes effect only if the first loaded `.netdev` with that `[NetDev] Name=` has
 *   `Kind=bridge` (the first valid Kind= of a netdev wins; later netdevs with the same name are
 *   ignored); a valid `BatmanAdvanced=` or `Bond=` netdev takes precedence over Bridge=.
 */
import type { Reason, UnitDefinition, UnitSetting } from '../model';
import { located } from '../reasons';
import { displayPattern, knownText, type StrPattern } from '../pattern';
import { matchPattern, type Tri } from './match';
import { evaluateMatch, ifnameValid, readMatch, type MatchWord } from './matchconf';
import { compareBytes } from './units';

export interface TapIdentity {
  name: StrPattern;
  /** The tap's own host-side MAC (NOT the guest's `mac`, which is the VM side); null when unknown. */
  mac: StrPattern | null;
}

export interface NetworkdDecision {
  /** none: no unit matches; unit: `winner` is certainly the first match; unknown: cannot tell statically. */
  match: 'none' | 'unit' | 'unknown';
  winner?: UnitDefinition;
  /** Units that might match before a definite winner (why it is unknown). */
  candidates: UnitDefinition[];
  /** For `unknown`: the first unit that certainly matches after the candidates, if any. */
  fallback?: UnitDefinition;
  /** The winner has `[Link] Unmanaged=yes`. */
  unmanaged: boolean;
  /** The winner's effective Bridge=; `netdev` null when no loaded netdev of Kind=bridge has that name. */
  bridge: { name: string; setting: UnitSetting; netdev: UnitDefinition | null } | null;
  /** Whether (or which) bridge the winner sets cannot be known statically. */
  bridgeUnknown: boolean;
  keepMaster: boolean;
  /** The winner configures L3 (addresses, gateways, DHCP, routes, forwarding...). */
  routed: boolean;
  /** The first LATER unit that also certainly matches and sets a Bridge=. */
  shadowed?: { unit: UnitDefinition; bridge: string };
  /** Each rests on the unit (or setting) it names; "nothing matches" rests on the tap itself. */
  reasons: Reason[];
}

const name = (u: UnitDefinition): string => `\`${u.name}\``;

/** Units in networkd's order: strcmp of the UTF-8 basename (stable for equal names). */
export function sortUnits(units: UnitDefinition[]): UnitDefinition[] {
  return units
    .map((u, i) => ({ u, i }))
    .sort((a, b) => compareBytes(a.u.name, b.u.name) || a.i - b.i)
    .map((x) => x.u);
}

const loaded = (u: UnitDefinition): boolean => !u.masked && !u.rejected;

interface SortedUnits {
  all: UnitDefinition[];
  /** Loaded `.network` units in networkd's order. */
  networks: UnitDefinition[];
}

/**
 * Unit lists are built once per host world and then asked about every tap of that world, so
 * the sort is kept per list (by identity: lists are never mutated after they are built).
 */
const sortedCache = new WeakMap<readonly UnitDefinition[], SortedUnits>();

function sortedView(units: UnitDefinition[]): SortedUnits {
  let view = sortedCache.get(units);
  if (!view) {
    const all = sortUnits(units);
    view = { all, networks: all.filter((u) => u.kind === 'network' && loaded(u)) };
    sortedCache.set(units, view);
  }
  return view;
}

function parseBool(text: string): boolean | null {
  const t = text.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(t)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(t)) return false;
  return null;
}

/** Last valid value of a boolean key; 'unknown' when a pattern value may be the last valid one. */
function lastBool(unit: UnitDefinition, section: string, key: string): boolean | 'unknown' {
  let v: boolean | 'unknown' = false;
  for (const s of unit.settings) {
    if (s.section !== section || s.key !== key) continue;
    const text = knownText(s.value);
    if (text === undefined) v = 'unknown';
    else {
      const b = parseBool(text);
      if (b !== null) v = b;
    }
  }
  return v;
}

/** Last valid interface-name value of a key (empty resets); 'unknown' when not statically known. */
function lastIfname(unit: UnitDefinition, section: string, key: string): { name: string; setting: UnitSetting } | null | 'unknown' {
  let v: { name: string; setting: UnitSetting } | null | 'unknown' = null;
  for (const s of unit.settings) {
    if (s.section !== section || s.key !== key) continue;
    const text = knownText(s.value);
    if (text === undefined) v = 'unknown';
    else if (text === '') v = null;
    else if (ifnameValid(text)) v = { name: text, setting: s };
  }
  return v;
}

const NETDEV_KINDS = new Set([
  'bridge', 'bond', 'vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vxlan', 'geneve', 'bareudp', 'l2tp',
  'macsec', 'ipip', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'sit', 'vti', 'vti6', 'ip6tnl', 'erspan', 'fou',
  'veth', 'tun', 'tap', 'dummy', 'vrf', 'vcan', 'vxcan', 'wireguard', 'nlmon', 'netdevsim', 'xfrm', 'ifb',
  'batadv', 'ipoib', 'wlan',
]);

/** A netdev as networkd loads it: first valid Kind=, last valid Name=; null when it does not load. */
function netdevIdentity(u: UnitDefinition): { name: string | 'unknown'; kind: string | 'unknown'; conditional: boolean } | null {
  if (u.kind !== 'netdev' || !loaded(u)) return null;
  let kind: string | 'unknown' | null = null;
  for (const s of u.settings) {
    if (s.section !== 'NetDev' || s.key !== 'Kind') continue;
    const t = knownText(s.value);
    if (t === undefined) {
      if (kind === null) kind = 'unknown';
    } else if (NETDEV_KINDS.has(t) && kind === null) kind = t;
  }
  const n = lastIfname(u, 'NetDev', 'Name');
  const conditional = u.settings.some((s) => s.section === 'Match' && knownText(s.value) !== '');
  if (!u.complete) return { name: n === null ? 'unknown' : n === 'unknown' ? 'unknown' : n.name, kind: kind ?? 'unknown', conditional };
  if (kind === null || n === null) return null;
  return { name: n === 'unknown' ? 'unknown' : n.name, kind, conditional };
}

/** The netdev networkd would use for `ifname`: the first loaded one (in sort order) with that Name=. */
function lookupNetdev(units: UnitDefinition[], ifname: string): { unit: UnitDefinition | null; kind: string | null; uncertain: boolean } {
  let uncertain = false;
  for (const u of sortedView(units).all) {
    const id = netdevIdentity(u);
    if (!id) continue;
    if (id.name === 'unknown') {
      uncertain = true;
      continue;
    }
    if (id.name !== ifname) continue;
    if (id.conditional || !u.complete || id.kind === 'unknown') uncertain = true;
    return { unit: u, kind: id.kind === 'unknown' ? null : id.kind, uncertain };
  }
  return { unit: null, kind: null, uncertain };
}

/** The loaded `.netdev` that defines bridge `name` (Kind=bridge), or null. */
export function findNetdev(units: UnitDefinition[], ifname: string): UnitDefinition | null {
  const r = lookupNetdev(units, ifname);
  return r.unit && r.kind === 'bridge' ? r.unit : null;
}

/** "Name=en* vm-* Kind=tun": the effective [Match] of a unit, for messages. */
export function describeMatch(unit: UnitDefinition): string {
  const config = readMatch(unit.settings);
  const parts: string[] = [];
  for (const [key, list] of [...config.lists, ...config.conditions]) {
    if (!list.known) {
      parts.push(`${key}=${list.settings.map((s) => displayPattern(s.value)).join(' ')}`);
      continue;
    }
    if (list.words.length === 0) continue;
    parts.push(`${key}=${list.words.map((w) => (w.negative ? '!' : '') + w.word).join(' ')}`);
  }
  return parts.length ? parts.join(' ') : 'empty [Match]';
}

/** Does the unit's [Match] hold for the tap? Masked, rejected and empty-[Match] units never match. */
export function matchUnit(unit: UnitDefinition, tap: TapIdentity): Tri {
  if (unit.kind !== 'network' || !loaded(unit)) return 'no';
  const config = readMatch(unit.settings);
  const r = evaluateMatch(config, tap).result;
  if (!unit.complete) {
    // Unknown settings may add or reset [Match] keys: only a definite 'no' from the known part stands.
    return r === 'no' && config.empty === 'no' ? 'no' : 'maybe';
  }
  return r;
}

/** The words of a unit's `Name=` that catch (or may catch) the tap, for hovers. */
export function nameGlobsCatching(unit: UnitDefinition, tap: StrPattern): Array<MatchWord & { result: Tri }> {
  const list = readMatch(unit.settings).lists.get('Name');
  if (!list) return [];
  return list.words.map((w) => ({ ...w, result: matchPattern(w.word, tap) })).filter((w) => w.result !== 'no');
}

/** networkd.md §3.7: why `ifname` cannot be an interface name, or null when it can. */
export function interfaceNameProblem(ifname: string): string | null {
  if (ifname === '') return 'an interface name cannot be empty';
  const bytes = Buffer.byteLength(ifname, 'utf8');
  if (bytes > 15) return `\`${ifname}\` is ${bytes} bytes long; interface names are at most 15 bytes`;
  if (ifname === '.' || ifname === '..') return `\`${ifname}\` is not allowed as an interface name`;
  if (ifname === 'all' || ifname === 'default') return `\`${ifname}\` is reserved (it collides with /proc/sys/net/*/conf/${ifname})`;
  if (/^[0-9]+$/.test(ifname)) return `\`${ifname}\` is all digits, which is not allowed for an interface name`;
  for (const ch of ifname) {
    const c = ch.codePointAt(0)!;
    if (c <= 32 || c >= 127) {
      const shown = c === 32 ? 'a space' : c < 32 || c === 127 ? `control character U+${c.toString(16).padStart(4, '0')}` : `\`${ch}\``;
      return `\`${ifname}\` contains ${shown}; only printable ASCII without spaces is allowed`;
    }
    if (ch === ':' || ch === '/' || ch === '%') return `\`${ifname}\` contains \`${ch}\`, which is not allowed in an interface name`;
  }
  return null;
}

const ROUTED_KEYS = new Set(['Address', 'Gateway']);
const L3_SECTIONS = new Set(['Address', 'Route', 'RoutingPolicyRule', 'NextHop', 'DHCPServerStaticLease']);

/** Does the unit configure L3 on the link? */
function configuresL3(unit: UnitDefinition): boolean {
  for (const s of unit.settings) {
    const text = knownText(s.value);
    if (L3_SECTIONS.has(s.section) && text !== '') return true;
    if (s.section !== 'Network') continue;
    if (ROUTED_KEYS.has(s.key) && text !== '') return true;
    if (text === undefined) continue;
    const t = text.toLowerCase();
    if (s.key === 'DHCP' && ['yes', 'true', '1', 'on', 'ipv4', 'ipv6', 'both', 'v4', 'v6'].includes(t)) return true;
    if ((s.key === 'DHCPServer' || s.key === 'IPv6SendRA') && parseBool(t) === true) return true;
    if ((s.key === 'IPForward' || s.key === 'IPMasquerade') && t !== '' && parseBool(t) !== false && t !== 'no') return true;
  }
  return false;
}

/** The bridge a matching unit would effectively set (for shadowing); null when none. */
function effectiveBridgeName(unit: UnitDefinition): string | null {
  if (lastBool(unit, 'Network', 'KeepMaster') === true) return null;
  const b = lastIfname(unit, 'Network', 'Bridge');
  return b && b !== 'unknown' ? b.name : null;
}

export function resolveNetworkd(units: UnitDefinition[], tap: TapIdentity): NetworkdDecision {
  const decision: NetworkdDecision = {
    match: 'none',
    candidates: [],
    unmanaged: false,
    bridge: null,
    bridgeUnknown: false,
    keepMaster: false,
    routed: false,
    reasons: [],
  };
  const tapName = `\`${displayPattern(tap.name)}\``;
  const networks = sortedView(units).networks;
  let winner: UnitDefinition | undefined;
  let winnerIndex = -1;
  for (let i = 0; i < networks.length; i++) {
    const u = networks[i];
    const r = matchUnit(u, tap);
    if (r === 'no') continue;
    if (r === 'maybe') {
      decision.candidates.push(u);
      continue;
    }
    winner = u;
    winnerIndex = i;
    break;
  }
  if (decision.candidates.length) {
    decision.match = 'unknown';
    if (winner) decision.fallback = winner;
    const list = decision.candidates.map((u) => `${name(u)} (${describeMatch(u)}${u.complete ? '' : ', partly unknown'})`).join(', ');
    decision.reasons.push(
      located(
        `whether ${list} ${decision.candidates.length > 1 ? 'match' : 'matches'} ${tapName} cannot be known statically` +
          (winner ? `; otherwise ${name(winner)} would match first` : ''),
        decision.candidates[0].location,
      ),
    );
    return decision;
  }
  if (!winner) {
    decision.reasons.push(`no loaded .network unit matches ${tapName}, so systemd-networkd leaves it unmanaged`);
    return decision;
  }
  decision.match = 'unit';
  decision.winner = winner;
  const lead = `${name(winner)} matches ${tapName} first (${describeMatch(winner)})`;
  const winnerAt = winner.location;
  const becauseOfWinner = (text: string) => decision.reasons.push(located(text, winnerAt));

  // Later units that would have bridged it.
  for (const u of networks.slice(winnerIndex + 1)) {
    if (matchUnit(u, tap) !== 'yes') continue;
    const b = effectiveBridgeName(u);
    if (b !== null) {
      decision.shadowed = { unit: u, bridge: b };
      break;
    }
  }

  const unmanaged = lastBool(winner, 'Link', 'Unmanaged');
  if (unmanaged === true) {
    decision.unmanaged = true;
    becauseOfWinner(`${lead} and sets Unmanaged=yes, so systemd-networkd leaves it alone`);
    return decision;
  }
  if (unmanaged === 'unknown') {
    decision.bridgeUnknown = true;
    becauseOfWinner(`${lead}, but whether it sets Unmanaged=yes is not statically known`);
    return decision;
  }
  decision.routed = configuresL3(winner);
  const keep = lastBool(winner, 'Network', 'KeepMaster');
  if (keep === 'unknown') {
    decision.bridgeUnknown = true;
    becauseOfWinner(`${lead}, but its KeepMaster= is not statically known`);
    return decision;
  }
  decision.keepMaster = keep;
  const bridge = lastIfname(winner, 'Network', 'Bridge');
  if (keep) {
    becauseOfWinner(
      `${lead} and sets KeepMaster=yes: networkd keeps whatever master the tap already has` +
        (bridge && bridge !== 'unknown' ? ` and ignores Bridge=${bridge.name}` : ''),
    );
    return decision;
  }
  if (!winner.complete) {
    decision.bridgeUnknown = true;
    becauseOfWinner(`${lead}, but some of its settings are not statically known (Bridge= may be among them)`);
    return decision;
  }
  if (bridge === 'unknown') {
    decision.bridgeUnknown = true;
    becauseOfWinner(`${lead} and sets a Bridge= whose value is not statically known`);
    return decision;
  }
  // Masters that take precedence over Bridge= (networkd: BatmanAdvanced, Bond, Bridge, VRF).
  for (const key of ['BatmanAdvanced', 'Bond']) {
    const other = lastIfname(winner, 'Network', key);
    if (other === 'unknown') {
      if (bridge) {
        decision.bridgeUnknown = true;
        becauseOfWinner(`${lead}; its ${key}= is not statically known and would take precedence over Bridge=`);
        return decision;
      }
      continue;
    }
    if (!other) continue;
    const nd = lookupNetdev(units, other.name);
    const wanted = key === 'Bond' ? 'bond' : 'batadv';
    if (nd.unit && nd.kind === wanted && bridge) {
      becauseOfWinner(`${lead}; it sets ${key}=${other.name}, which takes precedence, so Bridge=${bridge.name} is not applied`);
      return decision;
    }
  }
  if (!bridge) {
    const why = winner.settings.some((s) => s.section === 'Network' && s.key === 'Bridge')
      ? 'has no valid Bridge= (an empty one resets, invalid ones are ignored)'
      : 'sets no Bridge=';
    becauseOfWinner(`${lead} and ${why}` + (decision.routed ? '; it configures addresses or routes' : ''));
    return decision;
  }
  const nd = lookupNetdev(units, bridge.name);
  const netdev = nd.unit && nd.kind === 'bridge' ? nd.unit : null;
  decision.bridge = { name: bridge.name, setting: bridge.setting, netdev };
  if (nd.uncertain) {
    decision.bridgeUnknown = true;
    becauseOfWinner(`${lead} and sets Bridge=${bridge.name}, but whether a loaded .netdev defines that bridge is not statically known`);
  } else if (netdev) {
    becauseOfWinner(`${lead} and sets Bridge=${bridge.name}, defined by ${name(netdev)} (Kind=bridge)`);
  } else if (nd.unit) {
    becauseOfWinner(
      `${lead} and sets Bridge=${bridge.name}, but ${name(nd.unit)} defines \`${bridge.name}\` with Kind=${nd.kind}, not bridge: networkd ignores the assignment`,
    );
  } else {
    becauseOfWinner(
      `${lead} and sets Bridge=${bridge.name}, but no loaded .netdev defines \`${bridge.name}\` (Kind=bridge): networkd ignores the assignment ("NetDev could not be found")`,
    );
  }
  return decision;
}

