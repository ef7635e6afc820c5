/**
 * SARIF rule metadata for codes the diagnostic registry (engine/checks/codes.ts) does not hold
 * yet. Codes in neither get a generic description and the level of their first result.
 */
import { definitionOf } from '../engine/checks/codes';
import type { Severity } from '../engine/model';

export interface RuleInfo {
  short: string;
  full: string;
  severity: Severity;
}

const NOT_YET_IN_REGISTRY: Readonly<Record<string, RuleInfo>> = {
  'networkd-disabled': {
    short: 'systemd.network units while networkd is off',
    full: 'The configuration defines systemd.network units but never enables systemd-networkd, so NixOS does not generate them.',
    severity: 'warning',
  },
};

export function ruleInfo(code: string, fallback: Severity): RuleInfo {
  const definition = definitionOf(code);
  if (definition) return { short: definition.shortDescription, full: definition.fullDescription, severity: definition.severity };
  return (
    NOT_YET_IN_REGISTRY[code] ?? {
      short: code,
      full: `microvm-net diagnostic ${code}.`,
      severity: fallback,
    }
  );
}
