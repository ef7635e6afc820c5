import type { Diagnostic, HostFacts, MicrovmInterface, Outcome, RelatedInfo, Severity, WorkspaceFacts } from '../model';
import { visibleText, type Location } from '../text';
import { TapSides } from '../sides';
import type { DiagnosticDefinition } from './codes';

export interface CheckContext {
  facts: WorkspaceFacts;
  outcomes: Outcome[];
  /** Both sides of every interface, built by the first check that asks and shared by the others. */
  sides?: TapSides;
  /**
   * What each host's world is made of, as objects compared by identity (the outcome cache's
   * fingerprints): given, per-host findings whose inputs are the same objects as in the last
   * analysis are reused (checks/hostFindings.ts).
   */
  worldInputs?: (host: string | null) => readonly unknown[];
}

/** One machine's share of the workspace: the interfaces (and their outcomes) of one host name, or of none. */
export interface HostScope {
  host: string | null;
  /** Every host of that name, in facts order (the first is the one `hostRunning` finds). */
  hosts: HostFacts[];
  interfaces: MicrovmInterface[];
  outcomes: Outcome[];
}

export function sidesOf(ctx: CheckContext): TapSides {
  ctx.sides ??= new TapSides(ctx.facts, ctx.outcomes);
  return ctx.sides;
}

/** One diagnostic family: the registry entries of the codes it may emit, and the rule. */
export interface Check {
  codes: readonly DiagnosticDefinition[];
  /** The findings that need the whole workspace (all of them, for a check without `perHost`). */
  run(ctx: CheckContext): Diagnostic[];
  /**
   * The findings about one machine's taps, a function of that host's world, its interfaces and
   * outcomes, the host facts of its name, its services and its guests' networks (and NIC counts)
   * only: an edit elsewhere reuses them (checks/hostFindings.ts lists the inputs compared).
   */
  perHost?(ctx: CheckContext, scope: HostScope): Diagnostic[];
  /** Findings of different hosts with the same key are one (the first host's is kept). */
  sameFinding?(d: Diagnostic): string | undefined;
  /** A rule about the other checks' findings (an unused suppression): runs after every `run`. */
  review?(ctx: CheckContext, findings: readonly Diagnostic[]): Diagnostic[];
}

export interface DiagnosticExtras {
  related?: RelatedInfo[];
  outcome?: Outcome;
  /** Only where the registry entry's `otherSeverity` applies. */
  severity?: Severity;
}

export function diagnostic(definition: DiagnosticDefinition, message: string, location: Location, extras: DiagnosticExtras = {}): Diagnostic {
  return {
    code: definition.code,
    severity: extras.severity ?? definition.severity,
    message,
    location,
    related: extras.related ?? [],
    ...(extras.outcome ? { outcome: extras.outcome } : {}),
  };
}

export function tapLabel(iface: MicrovmInterface): string {
  const text = visibleText(iface.id.value.parts.map((p) => (typeof p === 'string' ? p : '*')).join(''));
  return iface.vm ? `\`${text}\` (VM \`${visibleText(iface.vm)}\`)` : `\`${text}\``;
}

/** Interfaces grouped by the machine they appear on: the host when known, else the guest. */
export function machineKey(iface: MicrovmInterface): string {
  return iface.host !== null ? `host:${iface.host}` : `guest:${iface.guest}`;
}

/**
 * Per-object memo for rules that are a pure function of one fact object (an interface): facts
 * that an incremental analysis did not re-derive are the same objects, so their diagnostics are
 * not rebuilt on every edit. The diagnostics are never mutated by consumers.
 */
export function perObject<T extends object>(f: (item: T) => Diagnostic[]): (item: T) => Diagnostic[] {
  const memo = new WeakMap<T, Diagnostic[]>();
  return (item) => {
    let d = memo.get(item);
    if (!d) memo.set(item, (d = f(item)));
    return d;
  };
}
