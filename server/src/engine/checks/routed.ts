/**
 * Routed setups (microvm.nix's routed-network guide, docs/domain/microvm.md §9): one address per VM, a host
 * route per VM on its tap, no bridge. A guest address no route, prefix or peer of the tap's unit
 * covers never gets its traffic; two VMs given the same index share an address and a route.
 */
import { addressText, contains, sameAddress, type Prefix } from '../addresses';
import type { Diagnostic, Outcome, UnitDefinition } from '../model';
import { knownText } from '../pattern';
import type { TapSides } from '../sides';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, sidesOf, tapLabel } from './context';
import { guestUnitPhrase, staticAddresses } from './guestAddresses';

const { routedNoHostRoute, duplicateVmIndex } = DIAGNOSTICS;

/** Something outside networkd may route to the tap (a script's `ip route add … dev <tap>`). */
function routedElsewhere(o: Outcome, sides: TapSides): boolean {
  const world = sides.world(o.interface);
  const id = knownText(o.interface.id.value);
  if (!world || id === undefined) return true;
  return world.addresses.some((a) => a.what === 'route' && (a.allTaps || a.tap === null || knownText(a.tap) === undefined || knownText(a.tap) === id));
}

function noHostRoute(o: Outcome, sides: TapSides): Diagnostic[] {
  const routed = sides.routed(o);
  const nic = sides.nic(o.interface);
  if (!routed || !nic || nic.state !== 'unit' || !nic.addressing?.known || o.interface.conditional || routedElsewhere(o, sides)) return [];
  const out: Diagnostic[] = [];
  for (const a of staticAddresses(nic.addressing)) {
    const host = routed.addressing;
    const covered =
      host.routes.some((r) => contains(r.destination, a.prefix)) ||
      host.addresses.some((h) => contains(h.prefix, a.prefix) || (h.peer !== null && contains(h.peer, a.prefix)));
    if (covered) continue;
    const routes = host.routes.filter((r) => r.destination.family === a.prefix.family).map((r) => r.destination.text);
    const has = routes.length ? `routes only ${routes.join(', ')}` : `has no IPv${a.prefix.family} route`;
    const message = `tap ${tapLabel(o.interface)} is routed by \`${routed.unit.name}\`, which ${has}: nothing sends traffic for the guest's ${a.prefix.text} (${guestUnitPhrase(nic)}) to this tap`;
    out.push(
      diagnostic(routedNoHostRoute, message, o.interface.id.location, {
        related: [
          { location: a.setting.valueLocation, message: `the guest's address ${a.prefix.text}` },
          { location: routed.unit.location, message: `${routed.unit.name} routes the tap` },
        ],
      }),
    );
  }
  return out;
}

interface RoutedVm {
  outcome: Outcome;
  unit: UnitDefinition;
  /** The guest's addresses and the host routes to a single address on this tap. */
  addresses: Prefix[];
}

function duplicateIndexes(outcomes: readonly Outcome[], sides: TapSides): Diagnostic[] {
  const byHost = new Map<string, RoutedVm[]>();
  for (const o of outcomes) {
    const routed = sides.routed(o);
    if (!routed || o.interface.conditional || o.interface.host === null) continue;
    const nic = sides.nic(o.interface);
    const guest = nic?.state === 'unit' && nic.certain && nic.addressing?.known ? staticAddresses(nic.addressing).map((a) => a.prefix) : [];
    const hostRoutes = routed.addressing.routes.map((r) => r.destination).filter((d) => d.length === (d.family === 4 ? 32 : 128));
    const list = byHost.get(o.interface.host) ?? [];
    list.push({ outcome: o, unit: routed.unit, addresses: [...guest, ...hostRoutes] });
    byHost.set(o.interface.host, list);
  }
  const out: Diagnostic[] = [];
  for (const vms of byHost.values()) {
    const sorted = [...vms].sort((a, b) => (a.outcome.interface.vm ?? '').localeCompare(b.outcome.interface.vm ?? ''));
    sorted.forEach((later, i) => {
      for (const earlier of sorted.slice(0, i)) {
        const a = earlier.outcome.interface;
        const b = later.outcome.interface;
        // The same id is duplicate-interface-id's finding; one unit routing many taps is no index.
        if (a.vm === b.vm || knownText(a.id.value) === knownText(b.id.value) || earlier.unit === later.unit) continue;
        const shared = later.addresses.find((x) => earlier.addresses.some((y) => sameAddress(x, y)));
        if (!shared) continue;
        const message = `routed VMs \`${a.vm}\` and \`${b.vm}\` both lead to ${addressText(shared)} (taps \`${knownText(a.id.value)}\` and \`${knownText(b.id.value)}\`): the same index was given to two VMs`;
        out.push(diagnostic(duplicateVmIndex, message, b.id.location, { related: [{ location: a.id.location, message: `${tapLabel(a)} uses ${addressText(shared)} too` }] }));
        break;
      }
    });
  }
  return out;
}

export const routedCheck: Check = {
  codes: [routedNoHostRoute, duplicateVmIndex],
  run: () => [],
  perHost(ctx, { outcomes }) {
    const sides = sidesOf(ctx);
    return [...outcomes.flatMap((o) => noHostRoute(o, sides)), ...duplicateIndexes(outcomes, sides)];
  },
};
