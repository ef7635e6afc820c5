/**
 * Reading an outcome's reasons (model.ts `Reason`): every reason has words and a place it rests
 * on, so each face (CLI, SARIF, hover, tree) can print "why" together with "where to look".
 */
import type { LocatedReason, MicrovmInterface, Reason } from './model';
import type { Location } from './text';

export function located(text: string, at: Location): LocatedReason {
  return { text, at };
}

export function reasonText(reason: Reason): string {
  return typeof reason === 'string' ? reason : reason.text;
}

/** Where a reason rests: its own location, else the definition of the interface it explains. */
export function reasonLocation(reason: Reason, iface: MicrovmInterface): Location {
  return typeof reason === 'string' ? iface.id.location : reason.at;
}

export function reasonTexts(reasons: readonly Reason[]): string[] {
  return reasons.map(reasonText);
}
