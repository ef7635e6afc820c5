/**
 * The diagnostic families. Adding a diagnostic = one registry entry (codes.ts) + one module here
 * + one fixture (docs/adding-a-diagnostic.md).
 */
import type { Diagnostic } from '../model';
import type { Check, CheckContext } from './context';
import { duplicateIdCheck } from './duplicateId';
import { interfaceNameCheck } from './interfaceName';
import { macCheck } from './mac';
import { networkdDisabledCheck } from './networkdDisabled';
import { networkdSyntaxCheck } from './networkdSyntax';
import { tapOutcomeCheck } from './tapOutcome';
import { upstreamAssertionsCheck } from './upstreamAssertions';

export const CHECKS: readonly Check[] = [
  tapOutcomeCheck,
  networkdDisabledCheck,
  interfaceNameCheck,
  duplicateIdCheck,
  macCheck,
  upstreamAssertionsCheck,
  networkdSyntaxCheck,
];

export function runChecks(ctx: CheckContext): Diagnostic[] {
  return CHECKS.flatMap((check) => check.run(ctx));
}

export type { Check, CheckContext } from './context';
export { DIAGNOSTIC_DEFINITIONS, DIAGNOSTICS, definitionOf, type DiagnosticCode, type DiagnosticDefinition } from './codes';
