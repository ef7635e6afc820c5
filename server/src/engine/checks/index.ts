/**
 * The diagnostic families. Adding a diagnostic = one registry entry (codes.ts) + one module here
 * + one fixture (docs/adding-a-diagnostic.md).
 */
import type { Diagnostic } from '../model';
import { bridgeCarrierCheck } from './bridgeCarrier';
import { bridgeHelperCheck } from './bridgeHelper';
import type { Check, CheckContext } from './context';
import { duplicateIdCheck } from './duplicateId';
import { guestAddressesCheck } from './guestAddresses';
import { guestLinksCheck } from './guestLinks';
import { interfaceNameCheck } from './interfaceName';
import { interfaceSupportCheck } from './interfaceSupport';
import { macCheck } from './mac';
import { macvtapCheck } from './macvtap';
import { natCheck } from './nat';
import { networkdDisabledCheck } from './networkdDisabled';
import { networkdSyntaxCheck } from './networkdSyntax';
import { routedCheck } from './routed';
import { tapDevicesCheck } from './tapDevices';
import { tapOutcomeCheck } from './tapOutcome';
import { upstreamAssertionsCheck } from './upstreamAssertions';
import { wirelessCheck } from './wireless';

export const CHECKS: readonly Check[] = [
  tapOutcomeCheck,
  networkdDisabledCheck,
  interfaceNameCheck,
  duplicateIdCheck,
  macCheck,
  upstreamAssertionsCheck,
  interfaceSupportCheck,
  macvtapCheck,
  tapDevicesCheck,
  bridgeHelperCheck,
  bridgeCarrierCheck,
  networkdSyntaxCheck,
  // Networking doctor, part 2.
  guestLinksCheck,
  guestAddressesCheck,
  routedCheck,
  natCheck,
  wirelessCheck,
];

export function runChecks(ctx: CheckContext): Diagnostic[] {
  return CHECKS.flatMap((check) => check.run(ctx));
}

export type { Check, CheckContext } from './context';
export { DIAGNOSTIC_DEFINITIONS, DIAGNOSTICS, definitionOf, type DiagnosticCode, type DiagnosticDefinition } from './codes';
