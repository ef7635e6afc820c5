/**
 * A guest's addresses against the host's side of its tap (docs/domain/microvm.md §9): a static address off
 * the bridge's subnets, a gateway the guest cannot reach, one address on two machines of a
 * bridge, and DHCP asked for on a bridge nothing serves. Only addresses of a unit that certainly
 * configures the NIC (or is the only one that can) are judged; anything unknown is silent.
 */
import { addressText, contains, isDefaultRoute, isLinkLocal, isUnspecified, sameAddress, type Family, type Prefix } from '../addresses';
import type { Diagnostic, Outcome, RelatedInfo } from '../model';
import { staticFamily, type Addressing, type BridgeSide, type GatewayEntry, type NicConfig, type TapSides } from '../sides';
import type { AddressEntry } from '../sides/unitReading';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, sidesOf, tapLabel } from './context';

const { guestAddressOutsideSubnet, guestGatewayUnreachable, duplicateGuestAddress, guestDhcpNoServer } = DIAGNOSTICS;

/** Static addresses that say something about subnets (no link-local, no pool requests). */
export function staticAddresses(addressing: Addressing, family?: Family): AddressEntry[] {
  return addressing.addresses.filter((a) => !isLinkLocal(a.prefix) && !isUnspecified(a.prefix) && (family === undefined || a.prefix.family === family));
}

/** Gateways of default routes. */
export function defaultGateways(addressing: Addressing): GatewayEntry[] {
  return addressing.gateways.filter((g) => (g.destination === null || isDefaultRoute(g.destination)) && !isLinkLocal(g.address));
}

/** "the guest's `20-lan`" — with a caveat when the unit is only the NIC's sole possible unit. */
export function guestUnitPhrase(nic: NicConfig): string {
  const name = nic.unit ? `\`${nic.unit.name}\`` : 'configuration';
  return nic.certain ? `the guest's ${name}` : `the guest's ${name} (if it matches the NIC: its Name= may not fit the NIC's name)`;
}

function prefixesText(entries: readonly AddressEntry[]): string {
  return entries.map((a) => a.prefix.text).join(', ');
}

interface Pair {
  outcome: Outcome;
  nic: NicConfig & { addressing: Addressing };
  bridge: BridgeSide | null;
}

function pairs(outcomes: readonly Outcome[], sides: TapSides): Pair[] {
  const out: Pair[] = [];
  for (const o of outcomes) {
    if (o.interface.conditional || (o.status !== 'bridged' && o.status !== 'routed')) continue;
    const nic = sides.nic(o.interface);
    if (!nic || nic.state !== 'unit' || !nic.addressing || !nic.addressing.known) continue;
    out.push({ outcome: o, nic: nic as Pair['nic'], bridge: sides.bridge(o) });
  }
  return out;
}

function outsideSubnet(p: Pair): Diagnostic[] {
  const addressing = p.bridge?.addressing;
  if (!p.bridge || !addressing || !p.bridge.unit) return [];
  const out: Diagnostic[] = [];
  for (const a of staticAddresses(p.nic.addressing)) {
    if (!staticFamily(p.bridge, a.prefix.family)) continue;
    const onBridge = staticAddresses(addressing, a.prefix.family);
    if (onBridge.length === 0 || onBridge.some((b) => contains(b.prefix, a.prefix))) continue;
    const uplink = p.bridge.uplink === 'possible' ? '; a port other than taps may bring that subnet onto the bridge' : '';
    const message = `${guestUnitPhrase(p.nic)} gives ${tapLabel(p.outcome.interface)} the address ${a.prefix.text}, outside the bridge \`${p.bridge.bridge}\`'s subnets (${prefixesText(onBridge)} in \`${p.bridge.unit.name}\`)${uplink}`;
    out.push(
      diagnostic(guestAddressOutsideSubnet, message, a.setting.valueLocation, {
        related: [{ location: onBridge[0].setting.valueLocation, message: `the bridge \`${p.bridge.bridge}\` has ${prefixesText(onBridge)}` }],
        severity: p.bridge.uplink === 'possible' ? guestAddressOutsideSubnet.otherSeverity.severity : undefined,
      }),
    );
  }
  return out;
}

/** Everything known to be on a bridge besides the host: the other guests' static addresses, or null when one is not known. */
function othersOnBridge(p: Pair, all: readonly Pair[], sides: TapSides): Prefix[] | null {
  const others = sides.onSameBridge(p.outcome).filter((o) => o !== p.outcome);
  const out: Prefix[] = [];
  for (const o of others) {
    const known = all.find((q) => q.outcome === o);
    if (!known || !known.nic.certain) return null;
    out.push(...staticAddresses(known.nic.addressing).map((a) => a.prefix));
  }
  return out;
}

function gatewayProblem(p: Pair, g: GatewayEntry, all: readonly Pair[], sides: TapSides): { why: string; related: RelatedInfo[] } | null {
  const own = staticAddresses(p.nic.addressing, g.address.family);
  if (!g.onLink && own.length > 0 && !own.some((a) => contains(a.prefix, g.address))) {
    return { why: `is on none of the guest's subnets (${prefixesText(own)}) and the route does not say GatewayOnLink=yes, so networkd cannot add it`, related: [] };
  }
  const routed = sides.routed(p.outcome);
  if (routed) {
    const host = staticAddresses(routed.addressing, g.address.family);
    if (host.length === 0 || host.some((a) => sameAddress(a.prefix, g.address))) return null;
    return {
      why: `is not the host's address on the routed tap (${prefixesText(host)} in \`${routed.unit.name}\`), the only router there`,
      related: [{ location: host[0].setting.valueLocation, message: `the host's address on the tap` }],
    };
  }
  const bridge = p.bridge;
  if (!bridge?.addressing || !bridge.unit || bridge.uplink !== 'none' || !staticFamily(bridge, g.address.family)) return null;
  const onBridge = staticAddresses(bridge.addressing, g.address.family);
  if (onBridge.length === 0) return null;
  const related = [{ location: onBridge[0].setting.valueLocation, message: `the bridge \`${bridge.bridge}\` has ${prefixesText(onBridge)}` }];
  if (!onBridge.some((b) => contains(b.prefix, g.address))) {
    return { why: `is outside the bridge \`${bridge.bridge}\`'s subnets (${prefixesText(onBridge)}), and only taps are on that bridge`, related };
  }
  if (onBridge.some((b) => sameAddress(b.prefix, g.address))) return null;
  const others = othersOnBridge(p, all, sides);
  if (others === null || others.some((o) => sameAddress(o, g.address))) return null;
  return { why: `is no machine on the bridge \`${bridge.bridge}\`: only taps are on it, and the host's bridge (${prefixesText(onBridge)}) is its only router`, related };
}

function gateways(p: Pair, all: readonly Pair[], sides: TapSides): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const g of defaultGateways(p.nic.addressing)) {
    const problem = gatewayProblem(p, g, all, sides);
    if (!problem) continue;
    const message = `the gateway ${addressText(g.address)} of ${tapLabel(p.outcome.interface)} (${guestUnitPhrase(p.nic)}) ${problem.why}`;
    out.push(diagnostic(guestGatewayUnreachable, message, g.setting.valueLocation, { related: problem.related }));
  }
  return out;
}

/** The address setting a duplicate finding is about: a guest's setting is reported once, whatever hosts run the guest. */
const duplicateKeys = new WeakMap<Diagnostic, string>();

function duplicates(all: readonly Pair[]): Diagnostic[] {
  const groups = new Map<string, Pair[]>();
  for (const p of all) {
    if (p.outcome.status !== 'bridged' || !p.nic.certain) continue;
    const key = `${p.outcome.interface.host ?? ''}\u0000${p.outcome.bridge}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const group of groups.values()) {
    const bridge = group[0].bridge;
    const bridgeAddresses = bridge?.addressing ? staticAddresses(bridge.addressing).filter((b) => staticFamily(bridge, b.prefix.family)) : [];
    for (const p of group) {
      for (const a of staticAddresses(p.nic.addressing)) {
        const clashes = group.filter((q) => q !== p && q.outcome.interface.vm !== p.outcome.interface.vm && staticAddresses(q.nic.addressing).some((b) => sameAddress(a.prefix, b.prefix)));
        const host = bridgeAddresses.find((b) => sameAddress(a.prefix, b.prefix));
        if (clashes.length === 0 && !host) continue;
        const at = a.setting.valueLocation;
        const key = `${at.file}:${at.range.start.line}:${at.range.start.character}:${addressText(a.prefix)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const whom = [...clashes.map((q) => tapLabel(q.outcome.interface)), ...(host ? [`the host's bridge \`${bridge!.bridge}\``] : [])].join(' and ');
        const related: RelatedInfo[] = [
          ...clashes.map((q) => ({ location: q.outcome.interface.id.location, message: `${tapLabel(q.outcome.interface)} uses ${addressText(a.prefix)} too` })),
          ...(host ? [{ location: host.setting.valueLocation, message: `the bridge's own address` }] : []),
        ];
        const message = `${tapLabel(p.outcome.interface)} and ${whom} use the same address ${addressText(a.prefix)} on the bridge \`${p.outcome.bridge}\``;
        const finding = diagnostic(duplicateGuestAddress, message, at, { related });
        duplicateKeys.set(finding, key);
        out.push(finding);
      }
    }
  }
  return out;
}

function dhcpWithoutServer(p: Pair, sides: TapSides): Diagnostic[] {
  const bridge = p.bridge;
  const usesDhcp = p.nic.addressing.dhcp[4] === true && staticAddresses(p.nic.addressing, 4).length === 0;
  if (!usesDhcp || !bridge?.addressing || bridge.uplink !== 'none' || bridge.addressing.dhcpServer !== false) return [];
  const services = sides.services(p.outcome.interface);
  if (!services || services.open || services.dhcpServers.length > 0) return [];
  for (const o of sides.onSameBridge(p.outcome)) {
    const g = sides.guestOf(o.interface);
    if (!g || g.open || g.dhcpServers.length > 0) return [];
  }
  const dhcp = p.nic.unit?.settings.filter((s) => s.section === 'Network' && s.key === 'DHCP').pop();
  const where = bridge.unit ? ` (\`${bridge.unit.name}\` sets no DHCPServer=)` : '';
  const message = `${tapLabel(p.outcome.interface)} asks for an address by DHCP (${guestUnitPhrase(p.nic)}), but nothing serves DHCP on the bridge \`${bridge.bridge}\`${where}: the host runs no Kea, dnsmasq or dhcpd, no other VM there serves it, and only taps are on the bridge`;
  return [diagnostic(guestDhcpNoServer, message, dhcp?.valueLocation ?? p.outcome.interface.id.location, { related: bridge.unit ? [{ location: bridge.unit.location, message: `the unit of the bridge \`${bridge.bridge}\`` }] : [] })];
}

export const guestAddressesCheck: Check = {
  codes: [guestAddressOutsideSubnet, guestGatewayUnreachable, duplicateGuestAddress, guestDhcpNoServer],
  run: () => [],
  perHost(ctx, { outcomes }) {
    const sides = sidesOf(ctx);
    const all = pairs(outcomes, sides);
    return [
      ...all.flatMap((p) => (p.outcome.status === 'bridged' ? outsideSubnet(p) : [])),
      ...all.flatMap((p) => gateways(p, all, sides)),
      ...duplicates(all),
      ...all.flatMap((p) => (p.outcome.status === 'bridged' ? dhcpWithoutServer(p, sides) : [])),
    ];
  },
  sameFinding: (d) => duplicateKeys.get(d),
};
