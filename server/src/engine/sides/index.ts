/**
 * Both sides of each MicroVM interface over one analysis (docs/domain/microvm.md §9): the guest's NIC and the
 * unit configuring it, the host's bridge (or routed tap unit) and what the host runs around it.
 * Checks and hovers ask here; answers are computed once per snapshot, on demand.
 */
import { knownText } from '../pattern';
import type { GuestNetwork, HostServices, MicrovmInterface, Outcome, UnitDefinition, WorkspaceFacts } from '../model';
import { worldFor, type World } from '../world';
import { nicConfig, type NicConfig } from './guestSide';
import { bridgeSide, routedSide, servicesOf, type BridgeSide } from './hostSide';

export { staticFamily, type BridgeSide } from './hostSide';
export { guestNetworkdUnits, nicLink, VETH_LINK, type NicConfig } from './guestSide';
export { addressingOf, chooseUnit, unitMatches, type Addressing, type GatewayEntry } from './unitReading';

/** One NIC definition of one guest, whatever hosts run it; memoised per interface object (facts an edit did not touch are the same objects). */
function definitionKey(iface: MicrovmInterface): string {
  let key = definitionKeys.get(iface);
  if (key === undefined) {
    key = `${iface.guest}\u0000${iface.location.file}:${iface.location.range.start.line}:${iface.location.range.start.character}`;
    definitionKeys.set(iface, key);
  }
  return key;
}

const definitionKeys = new WeakMap<MicrovmInterface, string>();

export class TapSides {
  private readonly guests = new Map<string, GuestNetwork>();
  private readonly nics = new Map<string, number>();
  private readonly configs = new Map<MicrovmInterface, NicConfig | null>();
  private readonly bridges = new Map<string, BridgeSide | null>();
  private readonly worlds = new Map<string, World>();
  private tapIdsByHost: Map<string, Set<string>> | null = null;
  private guestFiles: UnitDefinition[] | null = null;

  constructor(
    readonly facts: WorkspaceFacts,
    readonly outcomes: readonly Outcome[],
  ) {
    for (const g of facts.guestNetworks ?? []) this.guests.set(g.guest, g);
    const seen = new Set<string>();
    for (const iface of facts.interfaces) {
      const key = definitionKey(iface);
      if (seen.has(key)) continue;
      seen.add(key);
      this.nics.set(iface.guest, (this.nics.get(iface.guest) ?? 0) + 1);
    }
  }

  guestOf(iface: MicrovmInterface): GuestNetwork | null {
    return this.guests.get(iface.guest) ?? null;
  }

  /** How many NICs the guest has (each interface definition once, whatever hosts run it). */
  nicCount(guest: string): number {
    return this.nics.get(guest) ?? 0;
  }

  /** What configures the interface's NIC in the guest; null when the guest's side is not in the workspace. */
  nic(iface: MicrovmInterface): NicConfig | null {
    if (!this.configs.has(iface)) {
      const g = this.guestOf(iface);
      this.configs.set(iface, g && iface.type !== null ? nicConfig(iface, g, this.nicCount(iface.guest), this.possibleGuestFiles()) : null);
    }
    return this.configs.get(iface)!;
  }

  /** Unit files that may be a guest's: those no MicroVM host is known to install (all of them without placement). */
  possibleGuestFiles(): UnitDefinition[] {
    if (!this.guestFiles) {
      const files = this.facts.units.filter((u) => u.source === 'file' && u.kind === 'network');
      const placement = this.facts.placement;
      const onHosts = new Set(placement ? this.facts.hosts.filter((h) => h.isMicrovmHost).flatMap((h) => placement.placed(h.name)) : []);
      this.guestFiles = placement ? files.filter((u) => !onHosts.has(u)) : files;
    }
    return this.guestFiles;
  }

  world(iface: MicrovmInterface): World | null {
    return worldFor(iface, this.facts, this.worlds).world;
  }

  /** The bridge a bridged tap joins, seen from its host. */
  bridge(outcome: Outcome): BridgeSide | null {
    if (outcome.status !== 'bridged' || !outcome.bridge) return null;
    const world = this.world(outcome.interface);
    if (!world) return null;
    const key = `${world.host?.name ?? ''}\u0000${outcome.bridge}`;
    if (!this.bridges.has(key)) {
      const services = servicesOf(this.facts, world.host?.name ?? null);
      this.bridges.set(key, bridgeSide(this.facts, world, outcome.bridge, this.tapIds(world.host?.name ?? null), services));
    }
    return this.bridges.get(key)!;
  }

  routed(outcome: Outcome): ReturnType<typeof routedSide> {
    return routedSide(outcome);
  }

  services(iface: MicrovmInterface): HostServices | null {
    return servicesOf(this.facts, iface.host);
  }

  /** Bridged outcomes on the same bridge of the same host. */
  onSameBridge(outcome: Outcome): Outcome[] {
    return this.outcomes.filter((o) => o.status === 'bridged' && o.bridge === outcome.bridge && o.interface.host === outcome.interface.host);
  }

  /** The tap ids of a host's MicroVMs (or of the whole workspace, for a workspace without hosts). */
  tapIds(host: string | null): Set<string> {
    if (!this.tapIdsByHost) {
      this.tapIdsByHost = new Map();
      for (const iface of this.facts.interfaces) {
        const id = knownText(iface.id.value);
        if (id === undefined || (iface.type !== 'tap' && iface.type !== null)) continue;
        const key = iface.host ?? '';
        const set = this.tapIdsByHost.get(key) ?? new Set<string>();
        set.add(id);
        this.tapIdsByHost.set(key, set);
      }
    }
    return this.tapIdsByHost.get(host ?? '') ?? new Set();
  }
}
