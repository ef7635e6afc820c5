/**
 * Findings per machine, reused across analyses. An edit re-derives the facts of the files it
 * reaches and keeps every other fact as the very same object (the fact and outcome caches), so
 * a machine whose findings' inputs are all the same objects as last time has the same findings:
 * the checks' `perHost` rules then run only for the machines an edit touched, instead of over
 * every tap of the workspace.
 *
 * A machine's inputs, compared by identity and in order: what its world is made of (the outcome
 * cache's fingerprint: the host, the microvm hosts' names, the unit files and their placement,
 * the workspace's gaps, the Nix units, bridges, scripts, addresses, links and interface
 * declarations of the host or of none), the host facts of its name, its interfaces and their
 * outcomes, its services, each of its guests' network and NIC count, and the unit files that may
 * be a guest's. A rule reading anything else belongs in the check's `run`, not in `perHost`.
 */
import type { Diagnostic, HostFacts, HostServices, MicrovmInterface } from '../model';
import { sidesOf, type Check, type CheckContext, type HostScope } from './context';

/** A machine's inputs, in segments (no copies of the long ones), each compared element by element. */
type Inputs = readonly (readonly unknown[])[];

interface HostEntry {
  inputs: Inputs;
  findings: Map<Check, Diagnostic[]>;
}

/** The last analysis's findings per machine; one per analysis pipeline. */
export class HostFindingsCache {
  private last = new Map<string | null, HostEntry>();

  /** The entry of `host` when its inputs are the same objects as now. */
  reusable(host: string | null, inputs: Inputs): HostEntry | undefined {
    const entry = this.last.get(host);
    return entry && entry.inputs.length === inputs.length && entry.inputs.every((segment, i) => sameObjects(segment, inputs[i])) ? entry : undefined;
  }

  replace(next: Map<string | null, HostEntry>): void {
    this.last = next;
  }
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The machines of the workspace in the order their first interface (or outcome) appears, then the other hosts. */
export function hostScopes(ctx: CheckContext): HostScope[] {
  const hostsByName = new Map<string, HostFacts[]>();
  for (const h of ctx.facts.hosts) {
    const list = hostsByName.get(h.name);
    if (list) list.push(h);
    else hostsByName.set(h.name, [h]);
  }
  const scopes = new Map<string | null, HostScope>();
  const scopeOf = (host: string | null): HostScope => {
    let scope = scopes.get(host);
    if (!scope) scopes.set(host, (scope = { host, hosts: host === null ? [] : hostsByName.get(host) ?? [], interfaces: [], outcomes: [] }));
    return scope;
  };
  for (const iface of ctx.facts.interfaces) scopeOf(iface.host).interfaces.push(iface);
  for (const o of ctx.outcomes) scopeOf(o.interface.host).outcomes.push(o);
  // Hosts without MicroVMs too: a host's own units are judged (a Wi-Fi bridge port).
  for (const name of hostsByName.keys()) scopeOf(name);
  return [...scopes.values()];
}

/**
 * The `perHost` findings of `checks`, by check, each machine's reused when its inputs did not
 * change (with a cache and the world fingerprints in `ctx`); findings of different machines that
 * a check calls the same are kept once.
 */
export function perHostFindings(checks: readonly Check[], ctx: CheckContext, cache?: HostFindingsCache): Map<Check, Diagnostic[]> {
  const scoped = checks.filter((c) => c.perHost);
  const out = new Map<Check, Diagnostic[]>(scoped.map((c) => [c, []]));
  if (scoped.length === 0) return out;
  const inputsOf = cache && ctx.worldInputs ? machineInputs(ctx, ctx.worldInputs) : null;
  const next = new Map<string | null, HostEntry>();
  for (const scope of hostScopes(ctx)) {
    const inputs = inputsOf?.(scope);
    let entry = inputs ? cache!.reusable(scope.host, inputs) : undefined;
    if (!entry || scoped.some((c) => !entry!.findings.has(c))) {
      entry = { inputs: inputs ?? [], findings: new Map(scoped.map((c) => [c, c.perHost!(ctx, scope)])) };
    }
    if (inputs) next.set(scope.host, entry);
    for (const c of scoped) out.get(c)!.push(...entry.findings.get(c)!);
  }
  if (cache && inputsOf) cache.replace(next);
  for (const c of scoped) {
    if (!c.sameFinding) continue;
    const seen = new Set<string>();
    out.set(
      c,
      out.get(c)!.filter((d) => {
        const key = c.sameFinding!(d);
        if (key === undefined) return true;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }
  return out;
}

/** Everything a machine's `perHost` findings may read, as a list of objects (see the top of this file). */
function machineInputs(ctx: CheckContext, worldInputs: (host: string | null) => readonly unknown[]): (scope: HostScope) => Inputs {
  const sides = sidesOf(ctx);
  const guestFiles = sides.possibleGuestFiles();
  const services = new Map<string, HostServices>();
  for (const s of ctx.facts.hostServices ?? []) if (!services.has(s.host)) services.set(s.host, s);
  return (scope) => {
    const guestInputs: unknown[] = [scope.host === null ? null : services.get(scope.host) ?? null];
    const guests = new Set<string>();
    const guestsOf = (iface: MicrovmInterface) => {
      if (guests.has(iface.guest)) return;
      guests.add(iface.guest);
      guestInputs.push(iface.guest, sides.guestOf(iface), sides.nicCount(iface.guest));
    };
    scope.interfaces.forEach(guestsOf);
    for (const o of scope.outcomes) guestsOf(o.interface);
    return [worldInputs(scope.host), scope.hosts, scope.interfaces, scope.outcomes, guestInputs, guestFiles];
  };
}
