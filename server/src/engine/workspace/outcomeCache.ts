/**
 * Per-host outcome reuse. An outcome is a function of the interface and its host's world
 * (world.ts: the host, the microvm hosts' names, file units, and the Nix units, bridges and
 * scripts of that host or of none). Unchanged inputs are the very same objects (cached facts),
 * so a host whose world is made of the same objects as last time keeps its outcomes, and only
 * the other hosts' interfaces are resolved again.
 */
import type { HostFacts, MicrovmInterface, Outcome, UnitDefinition, WorkspaceFacts } from '../model';
import { resolveOutcomes } from '../outcomes';

/** What a host's world was made of, as a list of objects compared by identity. */
type Fingerprint = unknown[];

export class OutcomeCache {
  private last: { fingerprints: Map<string | null, Fingerprint>; byInterface: Map<MicrovmInterface, Outcome> } | null = null;
  private lastFingerprintOf: ((hostName: string | null) => Fingerprint) | null = null;

  /**
   * What each host's world was made of in the last `resolve` (checks reuse per-host findings on
   * it: checks/hostFindings.ts). Valid for the facts of that call only.
   */
  worldInputs(hostName: string | null): readonly unknown[] {
    if (!this.lastFingerprintOf) throw new Error('worldInputs before resolve');
    return this.lastFingerprintOf(hostName);
  }

  /**
   * Outcomes of every interface in `facts`, re-resolved only where the host's world may differ.
   * `loadedUnits` is the unit-file array the facts were built from: while no unit text changed
   * it is the same array, and its identity stands for all the file units at once.
   */
  resolve(facts: WorkspaceFacts, loadedUnits: readonly UnitDefinition[]): Outcome[] {
    const fingerprintOf = fingerprints(facts, loadedUnits);
    this.lastFingerprintOf = fingerprintOf;
    const last = this.last;
    const same = (a: Fingerprint | undefined, b: Fingerprint) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);
    const reusable = new Map<string | null, boolean>();
    const out: (Outcome | undefined)[] = [];
    const misses: MicrovmInterface[] = [];
    const missAt: number[] = [];
    facts.interfaces.forEach((iface, i) => {
      let ok = reusable.get(iface.host);
      if (ok === undefined) {
        ok = same(last?.fingerprints.get(iface.host), fingerprintOf(iface.host));
        reusable.set(iface.host, ok);
      }
      const cached = ok ? last?.byInterface.get(iface) : undefined;
      out.push(cached);
      if (!cached) {
        misses.push(iface);
        missAt.push(i);
      }
    });
    if (misses.length) {
      const resolved = resolveOutcomes({ ...facts, interfaces: misses });
      resolved.forEach((o, k) => (out[missAt[k]] = o));
    }
    const outcomes = out as Outcome[];
    // Every host's fingerprint is kept, not only those asked above, for the next comparison.
    for (const iface of facts.interfaces) fingerprintOf(iface.host);
    this.last = { fingerprints: fingerprintOf.all, byInterface: new Map(facts.interfaces.map((iface, i) => [iface, outcomes[i]])) };
    return outcomes;
  }
}

/** Each host's fingerprint, computed once per analysis on first use. */
function fingerprints(
  facts: WorkspaceFacts,
  loaded: readonly UnitDefinition[],
): ((hostName: string | null) => Fingerprint) & { all: Map<string | null, Fingerprint> } {
  const microvmHosts = facts.hosts
    .filter((h) => h.isMicrovmHost)
    .map((h) => h.name)
    .join('\0');
  const hostByName = new Map<string, HostFacts>();
  for (const h of facts.hosts) if (!hostByName.has(h.name)) hostByName.set(h.name, h);
  // Nix units, bridges and scripts grouped by owner once (null: no host), in facts order.
  // Scripts stand for every host-owned fact outside networkd's units (attachments, addresses, links, interface declarations).
  const outside: { host: string | null }[] = [...facts.scripts, ...(facts.addresses ?? []), ...(facts.links ?? []), ...(facts.interfaceDeclarations ?? [])];
  type Owned = { units: unknown[]; bridges: unknown[]; scripts: unknown[] };
  const byOwner = new Map<string | null, Owned>();
  const ownedBy = (owner: string | null): Owned => {
    let o = byOwner.get(owner);
    if (!o) byOwner.set(owner, (o = { units: [], bridges: [], scripts: [] }));
    return o;
  };
  const fileUnits: unknown[] = [];
  for (const u of facts.units) (u.source === 'file' ? fileUnits : ownedBy(u.host).units).push(u);
  for (const b of facts.bridges) ownedBy(b.host).bridges.push(b);
  for (const sc of outside) ownedBy(sc.host).scripts.push(sc);
  const none: Owned = { units: [], bridges: [], scripts: [] };
  // The loaded unit files are one cached array while no unit text changed: its identity stands for them.
  const filePart = loaded.length === fileUnits.length && loaded.every((u, i) => u === fileUnits[i]) ? [loaded] : fileUnits;
  const byHost = new Map<string | null, Fingerprint>();
  // What a host's world is made of (world.ts): the same objects in the same order as a
  // filter of facts by `owner === null || owner === host` (merged by their positions).
  const merged = (a: unknown[], b: unknown[], all: readonly unknown[]): unknown[] => {
    if (a.length === 0) return b;
    if (b.length === 0) return a;
    const keep = new Set([...a, ...b]);
    return all.filter((x) => keep.has(x));
  };
  const fingerprint = (hostName: string | null): Fingerprint => {
    let fp = byHost.get(hostName);
    if (fp) return fp;
    const host = hostName === null ? null : hostByName.get(hostName) ?? null;
    fp = [microvmHosts, host, ...filePart, 'nix'];
    // Which files serve this host depends on every host's facts (unitPlacement.ts).
    if (host && facts.placement) fp.push('placed', ...facts.placement.placed(host.name), 'unplaced', ...facts.placement.unplaced);
    // A negative outcome turns unknown on the workspace's own gaps (outcomes.ts).
    fp.push('gaps', ...facts.gaps.map((g) => g.message));
    if (host === null) {
      for (const u of facts.units) if (u.source !== 'file') fp.push(u);
      fp.push('bridges', ...facts.bridges, 'scripts', ...outside);
    } else {
      const own = byOwner.get(host.name) ?? none;
      const shared = byOwner.get(null) ?? none;
      fp.push(...merged(own.units, shared.units, facts.units));
      fp.push('bridges', ...merged(own.bridges, shared.bridges, facts.bridges));
      fp.push('scripts', ...merged(own.scripts, shared.scripts, outside));
    }
    byHost.set(hostName, fp);
    return fp;
  };
  return Object.assign(fingerprint, { all: byHost });
}
