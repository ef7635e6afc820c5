/**
 * A tap created twice (docs/domain/devices.md §3): microvm.nix's tap-up replaces an existing device of the
 * tap's name with `ip tuntap del … mode tap [multi_queue]`, which the kernel refuses for a device
 * that is not a tap or has the other queue mode ("ioctl(TUNSETIFF): Invalid argument"). Reported
 * for a certain `.netdev` of the host, or a service's `ip tuntap add`, whose kind or queue mode is
 * known to differ from what the VM needs.
 */
import { closedHost } from '../hostLinks';
import { tapMultiQueue } from '../hypervisors';
import type { Diagnostic, MicrovmInterface, UnitDefinition, WorkspaceFacts } from '../model';
import { sortUnits } from '../networkd';
import { knownText, samePattern } from '../pattern';
import { worldFor, hostRunning, type World } from '../world';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, tapLabel } from './context';

const { tapPrecreatedConflict } = DIAGNOSTICS;

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1', 'y', 't']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0', 'n', 'f']);

function lastValue(unit: UnitDefinition, section: string, key: string): string | null | undefined {
  const s = [...unit.settings].reverse().find((x) => x.section === section && x.key === key);
  if (!s) return null;
  return knownText(s.value)?.trim();
}

/** The first loaded netdev in networkd's order named `name` (docs/domain/networkd.md §6.10: the first wins). */
function netdevNamed(units: UnitDefinition[], name: string): UnitDefinition | null | undefined {
  let sorted = sortedUnits.get(units);
  if (!sorted) {
    sorted = sortUnits(units);
    sortedUnits.set(units, sorted);
  }
  for (const u of sorted) {
    if (u.kind !== 'netdev' || u.masked || u.rejected) continue;
    const n = lastValue(u, 'NetDev', 'Name');
    if (n === undefined || !u.complete) return undefined;
    if (n === name) return u;
  }
  return null;
}

/** A world's units in networkd's order, sorted once per world rather than once per tap. */
const sortedUnits = new WeakMap<UnitDefinition[], UnitDefinition[]>();

function queueMode(multiQueue: boolean): string {
  return multiQueue ? 'multi-queue' : 'single-queue';
}

function needs(iface: MicrovmInterface, multiQueue: boolean): string {
  const vcpu = iface.vmSettings?.vcpu;
  return multiQueue ? `a multi-queue tap (${iface.hypervisor?.value} with ${vcpu} vCPUs)` : `a single-queue tap (${iface.hypervisor?.value}${vcpu ? `, ${vcpu} vCPU${vcpu === 1 ? '' : 's'}` : ''})`;
}

const FAILS = `microvm.nix's tap-up cannot replace it ("ioctl(TUNSETIFF): Invalid argument") and the VM does not start`;

function netdevConflict(iface: MicrovmInterface, id: string, world: World, multiQueue: boolean | undefined): Diagnostic | null {
  const netdev = netdevNamed(world.units, id);
  if (!netdev) return null;
  const kind = lastValue(netdev, 'NetDev', 'Kind');
  if (kind === undefined || kind === null) return null;
  const related = [{ location: netdev.location, message: `${netdev.name} creates \`${id}\`` }];
  if (kind !== 'tap') {
    return diagnostic(tapPrecreatedConflict, `tap ${tapLabel(iface)} is also created by \`${netdev.name}\` as a \`${kind}\`: ${FAILS}`, iface.id.location, { related });
  }
  const mqText = lastValue(netdev, 'Tap', 'MultiQueue');
  const netdevMq = mqText === null ? false : mqText !== undefined && TRUE_WORDS.has(mqText.toLowerCase()) ? true : mqText !== undefined && FALSE_WORDS.has(mqText.toLowerCase()) ? false : undefined;
  if (netdevMq === undefined || multiQueue === undefined || netdevMq === multiQueue) return null;
  const message = `tap ${tapLabel(iface)} is also created by \`${netdev.name}\` (Kind=tap, ${queueMode(netdevMq)}), but the VM needs ${needs(iface, multiQueue)}: ${FAILS}`;
  return diagnostic(tapPrecreatedConflict, message, iface.id.location, { related });
}

function commandConflicts(iface: MicrovmInterface, facts: WorkspaceFacts, multiQueue: boolean | undefined): Diagnostic[] {
  const host = hostRunning(iface, facts);
  if (!host?.devices || multiQueue === undefined) return [];
  const out: Diagnostic[] = [];
  for (const cmd of host.devices.tuntapCommands) {
    if (cmd.multiQueue === null || cmd.multiQueue === multiQueue || samePattern(cmd.name, iface.id.value) !== 'yes') continue;
    const message = `tap ${tapLabel(iface)} is also created by \`${cmd.unit}\` (\`ip tuntap add\`, ${queueMode(cmd.multiQueue)}), but the VM needs ${needs(iface, multiQueue)}: ${FAILS}`;
    out.push(diagnostic(tapPrecreatedConflict, message, iface.id.location, { related: [{ location: cmd.location, message: `${cmd.unit} runs ip tuntap add` }] }));
  }
  return out;
}

export const tapDevicesCheck: Check = {
  codes: [tapPrecreatedConflict],
  run: () => [],
  perHost({ facts }, { interfaces }) {
    const worlds = new Map<string, World>();
    const out: Diagnostic[] = [];
    for (const iface of interfaces) {
      if (iface.type !== 'tap' || iface.conditional || iface.unplaced !== undefined || iface.host === null) continue;
      const id = knownText(iface.id.value);
      // An unread module may mask the netdev or stop the service: only a closed host says.
      if (id === undefined || !closedHost(hostRunning(iface, facts), facts)) continue;
      const lookup = worldFor(iface, facts, worlds);
      if (!lookup.world) continue;
      const multiQueue = tapMultiQueue(iface.hypervisor?.value, iface.vmSettings?.vcpu);
      const fromNetdev = netdevConflict(iface, id, lookup.world, multiQueue);
      out.push(...(fromNetdev ? [fromNetdev] : []), ...commandConflicts(iface, facts, multiQueue));
    }
    return out;
  },
};
