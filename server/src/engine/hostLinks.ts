/**
 * What a host does with a link that is not a MicroVM tap — a macvtap's uplink, the bridge a
 * `type = "bridge"` interface names (docs/domain/devices.md §2):
 * - whether networkd (or `networking.bridges`) certainly makes it a bridge port;
 * - whether the host certainly has no such device at all. That needs a closed world: a whole
 *   system with nothing unread, nothing that makes devices from state outside the workspace, a
 *   name neither the kernel nor a common service gives on its own, and no mention of the name
 *   anywhere in the workspace but where it is used.
 */
import type { HostFacts, UnitDefinition, WorkspaceFacts } from './model';
import { resolveNetworkd } from './networkd';
import { known, knownText, samePattern } from './pattern';
import type { Location } from './text';
import type { World } from './world';

/**
 * Names that exist without any configuration: kernel and udev names of NICs (predictable or not),
 * devices a module creates when it loads, and what hypervisors, container runtimes and VPNs make.
 */
const MADE_WITHOUT_CONFIGURATION = [
  /^(en|eth|wl|ww|ib|sl|usb)/,
  /^lo$/,
  /^(bond|dummy|ifb|teql|gre|gretap|erspan|ip6gre|ip6tnl|sit|tunl|ip_vti|ip6_vti)\d+$/,
  /^(virbr|docker|lxcbr|lxdbr|incusbr|podman|cni|flannel|cali|tailscale|zt|wg|vnet|veth|tap|tun|macvtap|macvlan|vxlan|ovs)/,
  /^br-[0-9a-f]{12}$/,
];

/** A whole system whose every module was read: what it lacks, it really lacks. */
export function closedHost(host: HostFacts | null, facts: WorkspaceFacts): host is HostFacts {
  return !!host && host.isSystem && host.gaps.every((g) => g.cannotMatter) && facts.gaps.length === 0;
}

export function mayExistWithoutConfiguration(name: string): boolean {
  return MADE_WITHOUT_CONFIGURATION.some((re) => re.test(name));
}

export interface LinkMaster {
  bridge: string;
  /** What enslaves it, in words. */
  by: string;
  location: Location;
}

/** The bridge the host certainly enslaves `link` to, or null (not a port, or not certain). */
export function certainLinkMaster(link: string, world: World): LinkMaster | null {
  const unitSets = world.conditionalUnits.length ? [world.units, world.unitsIfEnabled] : [world.units];
  const masters = unitSets.map((units) => networkdMaster(link, units));
  const first = masters[0];
  if (first && masters.every((m) => m?.bridge === first.bridge)) return first;
  for (const bridge of world.scriptedBridges) {
    const member = bridge.interfaces.find((m) => samePattern(m.value, known(link)) === 'yes');
    if (member) return { bridge: bridge.name, by: `\`networking.bridges.${bridge.name}.interfaces\` (scripted networking)`, location: member.location };
  }
  return null;
}

function networkdMaster(link: string, units: UnitDefinition[]): LinkMaster | null {
  const d = resolveNetworkd(units, { name: known(link), mac: null, notATap: true });
  if (d.match !== 'unit' || d.unmanaged || d.bridgeUnknown || d.keepMaster || !d.bridge?.netdev || !d.winner) return null;
  return { bridge: d.bridge.name, by: `\`${d.winner.name}\`, the first .network unit matching it, sets Bridge=${d.bridge.name}`, location: d.bridge.setting.valueLocation };
}

/**
 * Why the host certainly has no device `name`, or null when it may have one. `usedAt`: where the
 * name is written only to be used (the macvtap links or bridge settings naming it).
 */
export function certainlyAbsent(name: string, host: HostFacts | null, world: World, facts: WorkspaceFacts, usedAt: readonly Location[]): string | null {
  if (!closedHost(host, facts) || !facts.mentions) return null;
  if (!host.devices || host.devices.devicesMadeElsewhere !== null) return null;
  if (mayExistWithoutConfiguration(name)) return null;
  const netdev = [...world.units, ...world.conditionalUnits].some(
    (u) => u.kind === 'netdev' && !u.masked && u.settings.some((s) => s.section === 'NetDev' && s.key === 'Name' && knownText(s.value)?.trim() !== undefined && knownText(s.value)!.trim() === name),
  );
  if (netdev || facts.bridges.some((b) => b.name === name && (b.host === null || b.host === host.name))) return null;
  if (facts.mentions.elsewhere(name, usedAt)) return null;
  return `no netdev, \`networking.*\` device, \`.link\` rename or script in the workspace creates \`${name}\` on \`${host.name}\` (it is written nowhere else), and it is not a name the kernel or a common service gives`;
}
