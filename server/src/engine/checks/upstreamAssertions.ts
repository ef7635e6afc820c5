/**
 * microvm.nix evaluation errors worth catching before a rebuild: `bridge` set on a non-bridge
 * interface, and `type = "bridge"` on a hypervisor that cannot do it (microvm.md §1).
 */
import type { Diagnostic, MicrovmInterface } from '../model';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, perObject, tapLabel } from './context';

const { bridgeOnNonBridgeInterface, bridgeTypeUnsupported } = DIAGNOSTICS;

const BRIDGE_HYPERVISORS = new Set(['qemu', 'stratovirt']);

const assertionDiagnostics = perObject((iface: MicrovmInterface): Diagnostic[] => {
  const out: Diagnostic[] = [];
  if (iface.bridge && iface.type !== null && iface.type !== 'bridge') {
    out.push(
      diagnostic(
        bridgeOnNonBridgeInterface,
        `\`bridge\` is only valid for \`type = "bridge"\` interfaces; microvm.nix rejects it on the ${iface.type} interface ${tapLabel(iface)}`,
        iface.bridge.location,
      ),
    );
  }
  const hypervisor = iface.hypervisor?.value;
  if (iface.type === 'bridge' && hypervisor !== undefined && !BRIDGE_HYPERVISORS.has(hypervisor)) {
    out.push(
      diagnostic(bridgeTypeUnsupported, `\`type = "bridge"\` needs qemu or stratovirt; the VM of ${tapLabel(iface)} uses ${hypervisor}`, iface.id.location, {
        related: iface.hypervisor?.location ? [{ location: iface.hypervisor.location, message: `hypervisor set to ${hypervisor}` }] : [],
      }),
    );
  }
  return out;
});

export const upstreamAssertionsCheck: Check = {
  codes: [bridgeOnNonBridgeInterface, bridgeTypeUnsupported],
  run({ facts }) {
    return facts.interfaces.flatMap(assertionDiagnostics);
  },
};
