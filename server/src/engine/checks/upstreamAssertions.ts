/**
 * A microvm.nix evaluation error worth catching before a rebuild: `bridge` set on a non-bridge
 * interface (docs/domain/microvm.md §1). The hypervisor rows are in interfaceSupport.ts.
 */
import type { Diagnostic, MicrovmInterface } from '../model';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, perObject, tapLabel } from './context';

const { bridgeOnNonBridgeInterface } = DIAGNOSTICS;

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
  return out;
});

export const upstreamAssertionsCheck: Check = {
  codes: [bridgeOnNonBridgeInterface],
  run: () => [],
  perHost: (_ctx, { interfaces }) => interfaces.flatMap(assertionDiagnostics),
};
