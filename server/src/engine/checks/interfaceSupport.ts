/**
 * What a VM's hypervisor runner does with its interfaces (docs/domain/microvm.md §8): a type the runner
 * throws on, `forwardPorts` without qemu user networking (an upstream assertion), and
 * `tap.vhost` where nothing reads it. Only a known hypervisor and a known type conclude anything.
 */
import { supportsInterfaceType, VHOST_HYPERVISOR, INTERFACE_TYPES } from '../hypervisors';
import type { Diagnostic, MicrovmInterface, RelatedInfo } from '../model';
import type { Location } from '../text';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, perObject, tapLabel } from './context';

const { bridgeTypeUnsupported, interfaceTypeUnsupported, forwardPortsNeedUser, tapVhostIgnored } = DIAGNOSTICS;

function hypervisorRelated(iface: MicrovmInterface): RelatedInfo[] {
  const h = iface.hypervisor;
  return h?.location ? [{ location: h.location, message: `hypervisor set to ${h.value}` }] : [];
}

const typeDiagnostics = perObject((iface: MicrovmInterface): Diagnostic[] => {
  const hypervisor = iface.hypervisor?.value;
  // An interface that may not exist cannot make evaluation fail for sure.
  if (hypervisor === undefined || iface.type === null || iface.conditional) return [];
  const out: Diagnostic[] = [];
  if (supportsInterfaceType(hypervisor, iface.type) === false) {
    const related = hypervisorRelated(iface);
    if (iface.type === 'bridge') {
      out.push(diagnostic(bridgeTypeUnsupported, `\`type = "bridge"\` needs qemu or stratovirt; the VM of ${tapLabel(iface)} uses ${hypervisor}`, iface.id.location, { related }));
    } else {
      const supported = INTERFACE_TYPES[hypervisor].join(', ');
      const message = `${hypervisor} does not support \`type = "${iface.type}"\` (only ${supported}): microvm.nix throws at evaluation for ${tapLabel(iface)}`;
      out.push(diagnostic(interfaceTypeUnsupported, message, iface.id.location, { related }));
    }
  }
  if (iface.vhost) {
    const where = hypervisor !== VHOST_HYPERVISOR ? `${hypervisor} does not read it (only qemu does)` : iface.type !== 'tap' ? `qemu reads it only for \`type = "tap"\`` : null;
    if (where) out.push(diagnostic(tapVhostIgnored, `\`tap.vhost = true\` on ${tapLabel(iface)} has no effect: ${where}`, iface.vhost, { related: hypervisorRelated(iface) }));
  }
  return out;
});

/** One diagnostic per VM, at its `forwardPorts`: the interfaces of a VM share one settings object. */
function forwardPortsDiagnostics(interfaces: readonly MicrovmInterface[]): Diagnostic[] {
  const byVm = new Map<object, MicrovmInterface[]>();
  for (const iface of interfaces) {
    if (!iface.vmSettings?.forwardPorts) continue;
    byVm.set(iface.vmSettings, [...(byVm.get(iface.vmSettings) ?? []), iface]);
  }
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const [settings, ifaces] of byVm) {
    const at = (settings as { forwardPorts: Location }).forwardPorts;
    const first = ifaces[0];
    const hypervisor = first.hypervisor?.value;
    if (hypervisor === undefined) continue;
    let why: string | null = null;
    if (hypervisor !== 'qemu') why = `the VM uses ${hypervisor}`;
    else {
      const vmInterfaces = dedupe(ifaces);
      const certain = first.vmSettings!.interfacesComplete && vmInterfaces.every((i) => !i.conditional && i.type !== null);
      if (certain && !vmInterfaces.some((i) => i.type === 'user')) why = `no interface of the VM has \`type = "user"\``;
    }
    const key = `${at.file}:${at.range.start.line}:${at.range.start.character}`;
    if (!why || reported.has(key)) continue;
    reported.add(key);
    const vm = first.vm ? ` of VM \`${first.vm}\`` : '';
    out.push(diagnostic(forwardPortsNeedUser, `\`microvm.forwardPorts\`${vm} works only with qemu and a \`type = "user"\` interface: ${why}`, at, { related: hypervisorRelated(first) }));
  }
  return out;
}

/** The same interface appears once per host running its VM. */
function dedupe(ifaces: MicrovmInterface[]): MicrovmInterface[] {
  const seen = new Set<string>();
  return ifaces.filter((i) => {
    const key = `${i.location.file}:${i.location.range.start.line}:${i.location.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const interfaceSupportCheck: Check = {
  codes: [bridgeTypeUnsupported, interfaceTypeUnsupported, forwardPortsNeedUser, tapVhostIgnored],
  // A VM run by several hosts shares one settings object: its forwardPorts finding is the workspace's.
  run: ({ facts }) => forwardPortsDiagnostics(facts.interfaces),
  perHost: (_ctx, { interfaces }) => interfaces.flatMap(typeDiagnostics),
};
