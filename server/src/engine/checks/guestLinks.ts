/**
 * The guest's own links (docs/domain/microvm.md §9): a NIC nothing in the guest configures, and Docker's or
 * Podman's veth links captured by a `Type=ether` catch-all unit of the guest's networkd.
 */
import type { Diagnostic, GuestNetwork, Outcome, UnitDefinition } from '../model';
import { describeMatch, readMatch } from '../networkd';
import { displayPattern } from '../pattern';
import { chooseUnit, guestNetworkdUnits, VETH_LINK } from '../sides';
import { lastBoolOf } from '../sides/unitReading';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, sidesOf, tapLabel } from './context';

const { guestNicUnconfigured, guestVethCaptured } = DIAGNOSTICS;

function nicMessage(o: Outcome, g: GuestNetwork): string {
  const iface = o.interface;
  const mac = iface.mac ? ` (MAC \`${displayPattern(iface.mac.value)}\`)` : '';
  const units = guestNetworkdUnits(g).filter((u) => u.kind === 'network' && !u.masked);
  const listed = units.slice(0, 3).map((u) => `\`${u.name}\` (${describeMatch(u)})`).join(', ') + (units.length > 3 ? ', …' : '');
  const networkd =
    g.networkd === true
      ? units.length
        ? `systemd-networkd runs in the guest, but none of its units match the NIC: ${listed}`
        : 'systemd-networkd runs in the guest, but it has no .network unit'
      : 'systemd-networkd does not certainly run in the guest';
  return `nothing in the guest configures the NIC of ${tapLabel(iface)}${mac}: ${networkd}; no networking.interfaces entry names it, and neither dhcpcd nor NetworkManager runs`;
}

/** One NIC definition of one guest, whatever hosts run it. */
function nicKey(o: Outcome): string {
  const iface = o.interface;
  return `${iface.guest}\u0000${iface.location.file}:${iface.location.range.start.line}:${iface.location.range.start.character}`;
}

function unconfigured(outcomes: readonly Outcome[], sides: ReturnType<typeof sidesOf>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const o of outcomes) {
    const iface = o.interface;
    if (iface.type === null || iface.conditional || iface.unplaced || iface.unevaluated) continue;
    const key = nicKey(o);
    if (seen.has(key)) continue;
    seen.add(key);
    const g = sides.guestOf(iface);
    const nic = sides.nic(iface);
    if (!g || nic?.state !== 'none') continue;
    const related = guestNetworkdUnits(g)
      .filter((u) => u.source === 'nix' && !u.masked)
      .slice(0, 5)
      .map((u) => ({ location: u.location, message: `${u.name} matches ${describeMatch(u)}, not this NIC` }));
    out.push(
      diagnostic(guestNicUnconfigured, nicMessage(o, g), iface.mac?.location ?? iface.id.location, {
        related,
        outcome: o,
        severity: g.networkd === true ? undefined : guestNicUnconfigured.otherSeverity.severity,
      }),
    );
  }
  return out;
}

/** The unit's positive `Type=ether` setting: what makes it a catch-all. */
function etherSetting(unit: UnitDefinition) {
  const types = readMatch(unit.settings).lists.get('Type');
  return types?.words.find((w) => !w.negative && w.word === 'ether')?.setting;
}

function vethCaptures(outcomes: readonly Outcome[], guests: readonly GuestNetwork[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const g of guests) {
    const engines = g.containers.filter((c) => c.certain);
    if (engines.length === 0 || g.networkd !== true || g.open) continue;
    const choice = chooseUnit(guestNetworkdUnits(g), VETH_LINK);
    const winner = choice.match === 'unit' ? choice.winner : undefined;
    if (!winner || lastBoolOf(winner, 'Link', 'Unmanaged') !== false) continue;
    const ether = etherSetting(winner);
    const outcome = outcomes.find((o) => o.interface.guest === g.guest);
    if (!ether || !outcome) continue;
    const by = engines.map((e) => e.by).join(' and ');
    const message = `${by} runs in this guest and \`${winner.name}\` (${describeMatch(winner)}) is the first unit to match its \`veth*\` links, so systemd-networkd configures the containers' links; a \`Name=veth*\` unit with \`Unmanaged=yes\` sorting before it leaves them to ${by}`;
    out.push(
      diagnostic(guestVethCaptured, message, ether.valueLocation, {
        related: engines.map((e) => ({ location: e.location, message: `${e.by} is enabled here` })),
        outcome,
      }),
    );
  }
  return out;
}

export const guestLinksCheck: Check = {
  codes: [guestNicUnconfigured, guestVethCaptured],
  run(ctx) {
    return vethCaptures(ctx.outcomes, ctx.facts.guestNetworks ?? []);
  },
  perHost(ctx, { outcomes }) {
    return unconfigured(outcomes, sidesOf(ctx));
  },
  // A guest several hosts run has one NIC per definition: reported once, for the first host.
  sameFinding: (d) => (d.code === guestNicUnconfigured.code && d.outcome ? nicKey(d.outcome) : undefined),
};
