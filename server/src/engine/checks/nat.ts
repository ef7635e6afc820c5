/**
 * Outbound access for guests with private addresses (microvm.nix's advanced and routed network
 * guides, docs/domain/microvm.md §9): a guest whose default route goes through the host needs the host to
 * forward and to masquerade its subnet (`networking.nat` with the bridge or tap in
 * `internalInterfaces` or the address in `internalIPs`, or `IPMasquerade=` on that link, or a
 * hand-written rule). Without masquerading but with forwarding, an upstream router that routes
 * the subnet back still works, so that case (and anything not statically known) is information.
 */
import { addressText, contains, isPrivate, parsePrefix, sameAddress, type Family, type Prefix } from '../addresses';
import type { Diagnostic, HostServices, Outcome } from '../model';
import { fnmatch } from '../networkd';
import { knownText } from '../pattern';
import { addressingOf, type Addressing, type TapSides } from '../sides';
import type { World } from '../world';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, sidesOf, tapLabel } from './context';
import { defaultGateways, guestUnitPhrase, staticAddresses } from './guestAddresses';

const { natMissing } = DIAGNOSTICS;

type Coverage = { state: 'covered' } | { state: 'missing' } | { state: 'undecidable'; why: string };

/** `internalInterfaces` names go to iptables/nftables, where a trailing `+` is a wildcard. */
function namesLink(entry: string, link: string): boolean {
  return entry.endsWith('+') ? link.startsWith(entry.slice(0, -1)) : fnmatch(entry, link) || entry === link;
}

function natCoverage(services: HostServices, link: string, address: Prefix): Coverage {
  const nat = services.nat;
  if (!nat) return { state: 'missing' };
  if (nat.enabled !== true) return { state: 'undecidable', why: 'whether `networking.nat` is enabled is not statically known' };
  if (address.family === 6 && nat.enableIPv6 !== true) return nat.enableIPv6 === false ? { state: 'missing' } : { state: 'undecidable', why: 'whether `networking.nat.enableIPv6` is set is not statically known' };
  if (!nat.complete) return { state: 'undecidable', why: 'some entries of `networking.nat` could not be evaluated' };
  if (nat.internalInterfaces.some((i) => namesLink(knownText(i.value) ?? '', link))) return { state: 'covered' };
  const ranges = address.family === 4 ? nat.internalIPs : nat.internalIPv6s;
  for (const r of ranges) {
    const p = parsePrefix(knownText(r.value) ?? '');
    if (!p) return { state: 'undecidable', why: `\`${knownText(r.value)}\` in networking.nat is not an address we can read` };
    if (contains(p, address)) return { state: 'covered' };
  }
  return { state: 'missing' };
}

/** Whether the host forwards packets of this family at all. */
function forwarding(services: HostServices, world: World, family: Family, hostLink: Addressing): boolean | 'unknown' {
  if (services.nat?.enabled === true || services.forwarding[family === 4 ? 'ipv4' : 'ipv6'] === true || hostLink.forwarding[family] === true) return true;
  const units = world.units.filter((u) => u.kind === 'network' && !u.masked).map((u) => addressingOf(u).forwarding[family]);
  if (units.includes(true)) return true;
  // Container and VM managers switch forwarding on at run time.
  if (units.includes('unknown') || world.links.some((l) => l.uncertain) || services.forwarding[family === 4 ? 'ipv4' : 'ipv6'] === 'unknown' || hostLink.forwarding[family] === 'unknown') return 'unknown';
  return false;
}

function natFinding(o: Outcome, sides: TapSides): Diagnostic[] {
  const iface = o.interface;
  const nic = sides.nic(iface);
  if (iface.conditional || !nic || nic.state !== 'unit' || !nic.addressing?.known) return [];
  // The host's link toward the guest, and whether the host is the guest's router there.
  let link: string | null = null;
  let hostLink: Addressing | null = null;
  let linkUnit: string | null = null;
  if (o.status === 'bridged') {
    const bridge = sides.bridge(o);
    if (!bridge?.addressing || !bridge.unit || bridge.uplink !== 'none') return [];
    link = bridge.bridge;
    hostLink = bridge.addressing;
    linkUnit = bridge.unit.name;
  } else if (o.status === 'routed') {
    const routed = sides.routed(o);
    if (!routed) return [];
    link = knownText(iface.id.value) ?? null;
    hostLink = routed.addressing;
    linkUnit = routed.unit.name;
  }
  const services = sides.services(iface);
  const world = sides.world(iface);
  if (!link || !hostLink || !linkUnit || !services || services.open || !world || world.host?.gaps.length) return [];
  const out: Diagnostic[] = [];
  for (const gw of defaultGateways(nic.addressing)) {
    const family = gw.address.family;
    const hostAddresses = staticAddresses(hostLink, family);
    if (!hostAddresses.some((h) => sameAddress(h.prefix, gw.address))) continue;
    const address = staticAddresses(nic.addressing, family).find((a) => isPrivate(a.prefix));
    if (!address) continue;
    let coverage: Coverage = hostLink.masquerade[family] === true ? { state: 'covered' } : natCoverage(services, link, address.prefix);
    if (coverage.state === 'missing' && hostLink.masquerade[family] === 'unknown') coverage = { state: 'undecidable', why: `whether \`${linkUnit}\` sets IPMasquerade= is not statically known` };
    if (coverage.state === 'missing' && services.handWrittenMasquerade !== false) {
      if (services.handWrittenMasquerade === true) continue;
      coverage = { state: 'undecidable', why: 'the host has nftables or firewall rules we cannot read, which may masquerade' };
    }
    if (coverage.state === 'covered') continue;
    const subject = `${tapLabel(iface)} routes out through the host (gateway ${addressText(gw.address)}, ${guestUnitPhrase(nic)}) from the private address ${address.prefix.text}`;
    const related = [
      { location: gw.setting.valueLocation, message: `the guest's default route via ${addressText(gw.address)}` },
      ...(services.nat ? [{ location: services.nat.location, message: 'networking.nat is enabled here' }] : []),
    ];
    if (coverage.state === 'undecidable') {
      out.push(diagnostic(natMissing, `${subject}; whether the host masquerades it is undecidable: ${coverage.why}`, iface.id.location, { related, severity: natMissing.otherSeverity.severity }));
      continue;
    }
    const masquerade = `no networking.nat covers \`${link}\` or ${address.prefix.text}, \`${linkUnit}\` sets no IPMasquerade=, and no masquerade rule is written`;
    const forwards = forwarding(services, world, family, hostLink);
    if (forwards === false) {
      out.push(diagnostic(natMissing, `${subject}, but the host neither forwards IPv${family} nor masquerades: ${masquerade}`, iface.id.location, { related }));
    } else {
      const how = forwards === true ? 'the host forwards' : 'the host may forward';
      out.push(
        diagnostic(natMissing, `${subject}; ${how}, but ${masquerade}: replies come back only if an upstream router routes that subnet to this host`, iface.id.location, {
          related,
          severity: natMissing.otherSeverity.severity,
        }),
      );
    }
  }
  return out;
}

export const natCheck: Check = {
  codes: [natMissing],
  run: () => [],
  perHost(ctx, { outcomes }) {
    const sides = sidesOf(ctx);
    return outcomes.flatMap((o) => natFinding(o, sides));
  },
};
