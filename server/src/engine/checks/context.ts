import type { Diagnostic, MicrovmInterface, Outcome, RelatedInfo, Severity, WorkspaceFacts } from '../model';
import type { Location } from '../text';

export interface CheckContext {
  facts: WorkspaceFacts;
  outcomes: Outcome[];
}

/** One diagnostic family: the codes it may emit, and the rule. */
export interface Check {
  codes: readonly string[];
  run(ctx: CheckContext): Diagnostic[];
}

export function diagnostic(
  code: string,
  severity: Severity,
  message: string,
  location: Location,
  related: RelatedInfo[] = [],
): Diagnostic {
  return { code, severity, message, location, related };
}

export function tapLabel(iface: MicrovmInterface): string {
  const text = iface.id.value.parts.map((p) => (typeof p === 'string' ? p : '*')).join('');
  return iface.vm ? `\`${text}\` (VM \`${iface.vm}\`)` : `\`${text}\``;
}

/** Interfaces grouped by the machine they appear on: the host when known, else the guest. */
export function machineKey(iface: MicrovmInterface): string {
  return iface.host !== null ? `host:${iface.host}` : `guest:${iface.guest}`;
}
