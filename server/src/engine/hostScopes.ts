/**
 * Per-host scoping for everything shown next to a tap, a unit or a file: related units, hover
 * lines, bridge completion, netdev lookups. Two independent configurations in one workspace may
 * both have a `br0` and a `20-vms.network`; only the world a tap is judged in (world.ts) says
 * which of them is its own. Views ask here instead of looking at the whole workspace, so they
 * follow wherever world.ts places units (Nix units by host, unit files on disk by the rules there).
 */
import type { HostFacts, MicrovmInterface, UnitDefinition, WorkspaceFacts } from './model';
import { findNetdev } from './networkd';
import { knownText } from './pattern';
import type { Location } from './text';
import { worldFor, worldOfHost, type World } from './world';

export class HostScopes {
  private readonly cache = new Map<string, World>();
  private everyWorld: World[] | null = null;
  private unitWorlds: Map<UnitDefinition, World[]> | null = null;

  constructor(private readonly facts: WorkspaceFacts) {}

  /** The world a tap lives in; null when no host of the workspace is known to run it. */
  forInterface(iface: MicrovmInterface): World | null {
    return worldFor(iface, this.facts, this.cache).world;
  }

  forHost(host: HostFacts | null): World {
    return worldOfHost(host, this.facts, this.cache);
  }

  /** One world per configuration; the whole workspace as one world when there is none. */
  all(): World[] {
    this.everyWorld ??= this.facts.hosts.length ? this.facts.hosts.map((h) => this.forHost(h)) : [this.forHost(null)];
    return this.everyWorld;
  }

  /** The worlds that read a unit, certainly or if networkd turns out to be enabled. */
  worldsWithUnit(unit: UnitDefinition): World[] {
    if (!this.unitWorlds) {
      this.unitWorlds = new Map();
      for (const world of this.all()) {
        for (const u of world.unitsIfEnabled) {
          const worlds = this.unitWorlds.get(u);
          if (worlds) worlds.push(world);
          else this.unitWorlds.set(u, [world]);
        }
      }
    }
    return this.unitWorlds.get(unit) ?? [];
  }

  /**
   * The worlds a file speaks for: those holding a unit, interface, bridge or script written in it.
   * Empty when the file defines none of these (a new file, a helper): its host is not known.
   */
  worldsOfFile(file: string): World[] {
    const out = new Set<World>();
    const add = (worlds: readonly World[]) => worlds.forEach((w) => out.add(w));
    for (const unit of this.facts.units) {
      const inFile = unit.location.file === file || unit.settings.some((s) => s.keyLocation.file === file);
      if (inFile) add(this.worldsWithUnit(unit));
    }
    for (const iface of this.facts.interfaces) {
      if (iface.id.location.file !== file && iface.location.file !== file) continue;
      const world = this.forInterface(iface);
      if (world) out.add(world);
    }
    for (const owned of [...this.facts.bridges, ...this.facts.scripts]) {
      if (owned.location.file === file) add(this.worldsOwnedBy(owned.host));
    }
    return [...out];
  }

  /** The worlds a fact owned by `host` belongs to: that host's, or every one for an unowned fact. */
  private worldsOwnedBy(host: string | null): World[] {
    if (host === null) return this.all();
    return this.all().filter((w) => w.host?.name === host);
  }
}

/**
 * Bridges a world defines: Kind=bridge netdevs it reads (networkd) and scripted
 * `networking.bridges`. Those certainly on the host come first, then those only possibly there.
 */
export function bridgesDefinedIn(world: World): { name: string; definedBy: string; location: Location }[] {
  const found = new Map<string, { definedBy: string; location: Location }>();
  for (const unit of [...world.units, ...world.conditionalUnits]) {
    if (unit.kind !== 'netdev' || unit.masked) continue;
    const settings = unit.settings.filter((s) => s.section === 'NetDev');
    const kind = settings.filter((s) => s.key === 'Kind').pop();
    const name = settings.filter((s) => s.key === 'Name').pop();
    const value = name ? knownText(name.value) : undefined;
    if (value !== undefined && kind && knownText(kind.value) === 'bridge' && !found.has(value)) found.set(value, { definedBy: unit.name, location: unit.location });
  }
  for (const bridge of world.scriptedBridges) {
    if (!found.has(bridge.name)) found.set(bridge.name, { definedBy: `networking.bridges.${bridge.name}`, location: bridge.location });
  }
  return [...found].map(([name, where]) => ({ name, ...where }));
}

/** The netdev that defines `bridge` for a unit naming it, in each world that reads the unit. */
export function netdevsFor(scopes: HostScopes, unit: UnitDefinition, bridge: string): { world: World; netdev: UnitDefinition | null }[] {
  return scopes.worldsWithUnit(unit).map((world) => ({ world, netdev: findNetdev(world.unitsIfEnabled, bridge) }));
}
