/**
 * The diagnostic families. Adding a diagnostic = one registry entry (codes.ts) + one module here
 * + one fixture (docs/adding-a-diagnostic.md).
 */
import type { Diagnostic } from '../model';
import { bridgeCarrierCheck } from './bridgeCarrier';
import { bridgeHelperCheck } from './bridgeHelper';
import type { Check, CheckContext } from './context';
import { perHostFindings, type HostFindingsCache } from './hostFindings';
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
import { projectFileCheck } from './projectFile';
import { routedCheck } from './routed';
import { suppressionCheck } from './suppressions';
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
  // The project file and inline suppressions.
  projectFileCheck,
  suppressionCheck,
];

/** Every check's findings, then the reviews of them; `cache` carries per-host findings from the last analysis. */
export function runChecks(ctx: CheckContext, cache?: HostFindingsCache): Diagnostic[] {
  const perHost = perHostFindings(CHECKS, ctx, cache);
  const findings = CHECKS.flatMap((check) => [...check.run(ctx), ...(perHost.get(check) ?? [])]);
  return [...findings, ...CHECKS.flatMap((check) => check.review?.(ctx, findings) ?? [])];
}

/** One check's findings over the whole workspace (its `run` and its `perHost` rules on every machine). */
export function findingsOf(check: Check, ctx: CheckContext): Diagnostic[] {
  return [...check.run(ctx), ...(perHostFindings([check], ctx).get(check) ?? [])];
}

export type { Check, CheckContext, HostScope } from './context';
export { HostFindingsCache } from './hostFindings';
export { DIAGNOSTIC_DEFINITIONS, DIAGNOSTICS, definitionOf, type DiagnosticCode, type DiagnosticDefinition } from './codes';
