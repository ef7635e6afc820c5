/**
 * The world a tap lives in: the host that runs its VM, that host's network units (files on disk
 * serve every host), the units NixOS generates for `networking.bridges`, and the scripts that
 * may attach it. Precision rule (docs/domain/microvm.md §6): a guest that no workspace host runs has no
 * world when hosts exist; with no host at all, the whole workspace is its world.
 */
import type {
  AddressAssignment,
  BridgeDeclaration,
  CreatedLink,
  HostFacts,
  InterfaceDeclaration,
  MicrovmInterface,
  ScriptAttachment,
  UnitDefinition,
  UnitSetting,
  WorkspaceFacts,
} from './model';
import { displayPattern, known, UNKNOWN_STRING } from './pattern';
import type { Location } from './text';

export interface World {
  host: HostFacts | null;
  /** Units networkd certainly reads on this host. */
  units: UnitDefinition[];
  /** Units that exist only if networkd turns out to be enabled (Nix units under an unknown switch). */
  conditionalUnits: UnitDefinition[];
  /** `units` and `conditionalUnits` together: the world if networkd is enabled. */
  unitsIfEnabled: UnitDefinition[];
  /** What `conditionalUnits` depend on, in words. */
  uncertainty: string[];
  /** `networking.bridges` handled by scripted networking (networkd off). */
  scriptedBridges: BridgeDeclaration[];
  scripts: ScriptAttachment[];
  /** Addresses and routes put on taps outside networkd (scripts; `networking.interfaces` when scripted). */
  addresses: AddressAssignment[];
  /** Links the host creates outside networkd's units (bridges made by scripts, ifstate, services). */
  links: CreatedLink[];
  /** True when networkd runs on the host, false when it certainly does not, 'unknown' otherwise. */
  networkd: boolean | 'unknown';
  /** networkd is taken as running because the host is a module that does not say (see buildWorld). */
  networkdAssumed: boolean;
}

export type WorldLookup = { world: World } | { world: null; reason: string };

export function hostRunning(iface: MicrovmInterface, facts: WorkspaceFacts): HostFacts | null {
  if (iface.host === null) return null;
  return facts.hosts.find((h) => h.name === iface.host) ?? null;
}

export function worldFor(iface: MicrovmInterface, facts: WorkspaceFacts, cache: Map<string, World>): WorldLookup {
  const microvmHosts = facts.hosts.filter((h) => h.isMicrovmHost);
  const host = hostRunning(iface, facts);
  if (host?.microvmHostDisabled) {
    return { world: null, reason: `host \`${host.name}\` sets microvm.host.enable = false, so microvm.nix's host module neither starts this VM nor creates its taps there` };
  }
  if (host === null && microvmHosts.length > 0) {
    const names = microvmHosts.map((h) => `\`${h.name}\``).join(', ');
    return { world: null, reason: `no host in the workspace is known to run this VM (hosts: ${names})` };
  }
  return { world: worldOfHost(host, facts, cache) };
}

/** The world of one host (null: the whole workspace, for a workspace without hosts), built once per cache. */
export function worldOfHost(host: HostFacts | null, facts: WorkspaceFacts, cache: Map<string, World>): World {
  const key = host?.name ?? '';
  let world = cache.get(key);
  if (!world) {
    world = buildWorld(host, facts);
    cache.set(key, world);
  }
  return world;
}

function buildWorld(host: HostFacts | null, facts: WorkspaceFacts): World {
  const belongs = (owner: string | null) => host === null || owner === null || owner === host.name;
  const allFileUnits = facts.units.filter((u) => u.source === 'file');
  // A host gets the unit files placed on it; files no rule places may be on it (unitPlacement.ts).
  const placement = host && facts.placement ? facts.placement : null;
  const fileUnits = placement && host ? [...placement.placed(host.name)] : allFileUnits;
  const maybeFileUnits = placement ? [...placement.unplaced] : [];
  const nixUnits = facts.units.filter((u) => u.source !== 'file' && belongs(u.host));
  const bridges = facts.bridges.filter((b) => belongs(b.host));
  const scripts = facts.scripts.filter((s) => belongs(s.host));

  // Unit files in the workspace only make sense on a machine running networkd; with no host
  // facts we take them at their word.
  let networkd: boolean | 'unknown' = host === null ? true : host.networkdEnabled;
  // A module that is not a whole system and defines units without saying whether networkd runs
  // is written for a system that runs it: its units are taken at their word. (Negative answers
  // on such a module are unknown anyway: the system that imports it is not in the workspace.)
  const networkdAssumed = !!host && !host.isSystem && networkd === false && !host.networkdExplicit;
  if (networkdAssumed) networkd = true;
  if (networkd === false && (host?.importsExternalModules || fileUnits.length > 0)) networkd = 'unknown';

  const declarations = (facts.interfaceDeclarations ?? []).filter((d) => belongs(d.host));
  const generated = bridges.flatMap(unitsForBridge);
  const nixAndGenerated = withInterfaceUnits([...nixUnits, ...generated], declarations);
  const units = networkd === true ? [...fileUnits, ...nixAndGenerated] : fileUnits;
  const conditionalUnits = [...(networkd === 'unknown' ? nixAndGenerated : []), ...maybeFileUnits];
  const uncertainty: string[] = [];
  if (networkd === 'unknown') uncertainty.push(`whether systemd-networkd is enabled on host \`${host?.name}\` (a module outside the workspace may enable it)`);
  if (maybeFileUnits.length) {
    const names = maybeFileUnits.slice(0, 3).map((u) => `\`${u.name}\``).join(', ') + (maybeFileUnits.length > 3 ? ', …' : '');
    uncertainty.push(`whether unit files no configuration installs (${names}) are on host \`${host?.name}\``);
  }
  return {
    host,
    units,
    conditionalUnits,
    uncertainty,
    unitsIfEnabled: conditionalUnits.length ? [...units, ...conditionalUnits] : units,
    scriptedBridges: networkd === true ? [] : bridges,
    scripts,
    addresses: [...(facts.addresses ?? []).filter((a) => belongs(a.host)), ...(networkd === true ? [] : declarations.flatMap(scriptedAddressing))],
    links: (facts.links ?? []).filter((l) => belongs(l.host)),
    networkd,
    networkdAssumed,
  };
}

/**
 * What nixos/modules/tasks/network-interfaces-systemd.nix generates for a bridge under networkd:
 * `40-<br>.netdev` and one `40-<member>.network` per member.
 */
export function unitsForBridge(bridge: BridgeDeclaration): UnitDefinition[] {
  const at = bridge.location;
  const setting = (section: string, key: string, value: string, location: Location): UnitSetting => ({
    section,
    key,
    value: known(value),
    keyLocation: location,
    valueLocation: location,
  });
  const netdev: UnitDefinition = {
    kind: 'netdev',
    name: `40-${bridge.name}.netdev`,
    source: 'networking-bridges',
    location: at,
    masked: false,
    settings: [setting('NetDev', 'Name', bridge.name, at), setting('NetDev', 'Kind', 'bridge', at)],
    sections: [{ name: 'NetDev', location: at }],
    complete: true,
    issues: [],
    host: bridge.host,
  };
  const members: UnitDefinition[] = bridge.interfaces.map((member) => {
    const name = member.value.parts.map((p) => (typeof p === 'string' ? p : '*')).join('');
    return {
      kind: 'network',
      name: `40-${name}.network`,
      source: 'networking-bridges',
      location: member.location,
      masked: false,
      settings: [
        { section: 'Match', key: 'Name', value: member.value, keyLocation: member.location, valueLocation: member.location },
        setting('Network', 'Bridge', bridge.name, at),
      ],
      sections: [
        { name: 'Match', location: member.location },
        { name: 'Network', location: at },
      ],
      complete: true,
      issues: [],
      host: bridge.host,
    };
  });
  if (!bridge.interfacesComplete) {
    // Members we could not compute may include any tap: a match-anything unit that is incomplete
    // keeps every answer that depends on it `unknown`.
    members.push({
      kind: 'network',
      name: `40-${bridge.name}-members.network`,
      source: 'networking-bridges',
      location: at,
      masked: false,
      settings: [
        { section: 'Match', key: 'Name', value: UNKNOWN_STRING, keyLocation: at, valueLocation: at },
        setting('Network', 'Bridge', bridge.name, at),
      ],
      sections: [{ name: 'Match', location: at }],
      complete: false,
      issues: [],
      host: bridge.host,
    });
  }
  return [netdev, ...members];
}

/**
 * What network-interfaces-systemd.nix generates for `networking.interfaces.<name>` under networkd:
 * `40-<name>.network` with `Name=<name>`, `DHCP=`, one `Address=` per address and a `[Route]` per
 * route. NixOS merges it with any other definition of `40-<name>` (a `networking.bridges` member
 * unit, whose `DHCP=no` is forced at a higher priority, or the user's own).
 */
export function withInterfaceUnits(units: UnitDefinition[], declarations: InterfaceDeclaration[]): UnitDefinition[] {
  const out = [...units];
  for (const d of declarations) {
    const unit = unitForInterface(d);
    const same = out.findIndex((u) => u.kind === 'network' && u.name === unit.name && u.host === unit.host);
    if (same < 0) {
      out.push(unit);
      continue;
    }
    const other = out[same];
    // A bridge member's `DHCP = mkOverride 0 "no"` beats the interface's `mkForce`.
    const otherSetsDhcp = other.source === 'networking-bridges' || other.settings.some((s) => s.section === 'Network' && s.key === 'DHCP');
    out[same] = {
      ...other,
      settings: [...other.settings, ...unit.settings.filter((s) => s.section !== 'Match' && !(otherSetsDhcp && s.key === 'DHCP'))],
      sections: [...other.sections, ...unit.sections.filter((s) => s.name !== 'Match')],
      complete: other.complete && unit.complete,
    };
  }
  return out;
}

function unitForInterface(d: InterfaceDeclaration): UnitDefinition {
  const at = d.location;
  const entry = (section: string, key: string, value: UnitSetting['value'], location: typeof at): UnitSetting => ({ section, key, value, keyLocation: location, valueLocation: location });
  const dhcp = d.dhcp === 'unknown' ? UNKNOWN_STRING : known(d.dhcp ? 'yes' : 'no');
  const settings: UnitSetting[] = [
    entry('Match', 'Name', d.name, at),
    entry('Network', 'DHCP', dhcp, at),
    ...d.addresses.map((a) => entry('Network', 'Address', a.value, a.location)),
    ...d.routes.map((r) => entry('Route', 'Destination', r.value, r.location)),
  ];
  return {
    kind: 'network',
    name: `40-${displayPattern(d.name)}.network`,
    source: 'networking-interfaces',
    location: at,
    masked: false,
    settings,
    sections: [
      { name: 'Match', location: at },
      { name: 'Network', location: at },
      ...d.routes.map((r) => ({ name: 'Route', location: r.location })),
    ],
    complete: d.complete && d.dhcp !== 'unknown',
    issues: [],
    host: d.host,
  };
}

/** Under scripted networking, `network-addresses-<name>.service` puts the addresses and routes on the link. */
function scriptedAddressing(d: InterfaceDeclaration): AddressAssignment[] {
  if (d.addresses.length === 0 && d.routes.length === 0 && d.complete) return [];
  const name = displayPattern(d.name);
  const assignment: AddressAssignment = {
    kind: 'networking-interfaces',
    what: d.addresses.length ? 'address' : 'route',
    tap: d.name,
    allTaps: false,
    location: (d.addresses[0] ?? d.routes[0])?.location ?? d.location,
    host: d.host,
    vm: null,
    unit: `network-addresses-${name}.service`,
  };
  if (d.addresses.length === 0 && d.routes.length === 0) assignment.uncertain = `the addresses and routes of \`networking.interfaces.${name}\` could not be evaluated`;
  return [assignment];
}
