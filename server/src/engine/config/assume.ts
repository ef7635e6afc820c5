/**
 * `[assume]` facts of the project file applied to the workspace facts: what the workspace cannot
 * show (networkd enabled by a private module, a bridge made by another machine's tooling, which
 * host runs a VM defined on its own). A stage between facts and outcomes: facts in, facts out,
 * each changed fact carrying the assumption's words and place so every reason that rests on it
 * names it ("assumed by microvm-net.toml:12"). An assumption the workspace shows otherwise is
 * still applied (the user may know better) and recorded as a contradiction for the warning.
 *
 * Changed hosts and interfaces are memoised by the original object: facts an incremental
 * analysis did not re-derive keep their identity, which the outcome cache and the per-object
 * check memos rely on.
 */
import type { CreatedLink, HostFacts, MicrovmInterface, ProjectFacts, RelatedInfo, WorkspaceFacts } from '../model';
import { known, knownText } from '../pattern';
import { located } from '../reasons';
import type { Assumption, BridgesAssumption, NetworkdAssumption, RunsAssumption } from './projectFile';

export class AssumptionStage {
  private key: readonly Assumption[] | null = null;
  private hosts = new WeakMap<HostFacts, HostFacts>();
  private interfaces = new WeakMap<MicrovmInterface, MicrovmInterface>();
  private links: CreatedLink[] = [];

  apply(facts: WorkspaceFacts, assumptions: readonly Assumption[], problems: ProjectFacts['problems']): WorkspaceFacts {
    if (assumptions.length === 0) return problems.length ? { ...facts, project: { problems, contradictions: [] } } : facts;
    if (this.key !== assumptions) {
      this.key = assumptions;
      this.hosts = new WeakMap();
      this.interfaces = new WeakMap();
      this.links = assumptions.filter((a): a is BridgesAssumption => a.kind === 'bridges').flatMap(assumedLinks);
    }
    const contradictions = assumptions.flatMap((a) => contradictionsOf(a, facts));
    const networkd = assumptions.filter((a): a is NetworkdAssumption => a.kind === 'networkd');
    const runs = assumptions.filter((a): a is RunsAssumption => a.kind === 'runs');
    const hosts = facts.hosts.map((h) => this.memo(this.hosts, h, () => assumedHost(h, networkd, runs)));
    const interfaces = facts.interfaces.map((i) => this.memo(this.interfaces, i, () => assumedInterface(i, runs)));
    return {
      ...facts,
      hosts,
      interfaces,
      links: this.links.length ? [...(facts.links ?? []), ...this.links] : facts.links,
      project: { problems, contradictions },
    };
  }

  private memo<T extends object>(map: WeakMap<T, T>, original: T, make: () => T): T {
    let out = map.get(original);
    if (!out) map.set(original, (out = make()));
    return out;
  }
}

function assumedHost(host: HostFacts, networkd: NetworkdAssumption[], runs: RunsAssumption[]): HostFacts {
  let out = host;
  const n = networkd.find((a) => a.hosts.includes(host.name));
  if (n) {
    const words = `systemd-networkd is ${n.enabled ? 'enabled' : 'disabled'} on host \`${host.name}\`: assumed by ${n.source}`;
    out = { ...out, networkdEnabled: n.enabled, networkdExplicit: true, networkdAssumption: located(words, n.location) };
  }
  const vms = runs.filter((r) => r.host === host.name).flatMap((r) => r.vms);
  if (vms.length && out.vms !== null) {
    const added = vms.filter((vm) => !out.vms!.includes(vm));
    if (added.length) out = { ...out, vms: [...out.vms!, ...added] };
  }
  return out;
}

/** A VM no workspace host runs (host unknown) is placed on the host an assumption names. */
function assumedInterface(iface: MicrovmInterface, runs: RunsAssumption[]): MicrovmInterface {
  if (iface.host !== null || iface.vm === null) return iface;
  const r = runs.find((a) => a.vms.includes(iface.vm!));
  if (!r) return iface;
  const { unplaced: _unplaced, ...placed } = iface;
  void _unplaced;
  const words = `VM \`${iface.vm}\` runs on host \`${r.host}\`: assumed by ${r.source}`;
  return { ...placed, host: r.host, assumed: [...(iface.assumed ?? []), located(words, r.location)] };
}

function assumedLinks(a: BridgesAssumption): CreatedLink[] {
  return a.hosts.flatMap((host) =>
    a.names.map((name): CreatedLink => ({ name: known(name), kind: 'bridge', by: `assumed by ${a.source}`, assumed: true, location: a.location, host })),
  );
}

type Contradiction = ProjectFacts['contradictions'][number];

function contradictionsOf(a: Assumption, facts: WorkspaceFacts): Contradiction[] {
  const out: Contradiction[] = [];
  const say = (message: string, related: RelatedInfo[] = []) => out.push({ message, location: a.location, related });
  const hostNames = a.kind === 'runs' ? [a.host] : a.hosts;
  for (const name of hostNames) {
    const host = facts.hosts.find((h) => h.name === name);
    if (!host) {
      const known = facts.hosts.map((h) => `\`${h.name}\``).slice(0, 5).join(', ');
      say(`\`assume.${a.kind}\` names host \`${name}\`, which the workspace does not define${known ? ` (hosts: ${known})` : ''}`);
      continue;
    }
    switch (a.kind) {
      case 'networkd':
        if (host.networkdExplicit && host.networkdEnabled !== 'unknown' && host.networkdEnabled !== a.enabled && host.networkdLocation) {
          say(`assumes systemd-networkd ${a.enabled ? 'enabled' : 'disabled'} on \`${name}\`, but the workspace sets it ${host.networkdEnabled ? 'enabled' : 'disabled'}`, [
            { location: host.networkdLocation, message: `\`${name}\` sets it here` },
          ]);
        }
        break;
      case 'bridges':
        for (const bridge of a.names) {
          const other = otherKindOfLink(bridge, name, facts);
          if (other) say(`assumes bridge \`${bridge}\` on \`${name}\`, but the workspace makes \`${bridge}\` a ${other.kind}`, [{ location: other.location, message: `\`${bridge}\` is made here` }]);
        }
        break;
      case 'runs':
        // A host may run VMs its configuration does not list (imperative `microvm -c`), so only
        // a VM the workspace defines nowhere contradicts it.
        for (const vm of a.vms.filter((v) => !facts.interfaces.some((i) => i.vm === v) && !facts.hosts.some((h) => h.vms?.includes(v)))) {
          say(`assumes \`${name}\` runs VM \`${vm}\`, which the workspace does not define`);
        }
        break;
    }
  }
  return out;
}

/** A link by that name on that host the workspace certainly makes as something other than a bridge. */
function otherKindOfLink(bridge: string, host: string, facts: WorkspaceFacts): { kind: string; location: CreatedLink['location'] } | null {
  for (const u of facts.units) {
    if (u.kind !== 'netdev' || u.masked || !u.complete) continue;
    const onHost = u.source === 'file' ? !!facts.placement?.placed(host).includes(u) : u.host === host;
    if (!onHost) continue;
    const name = u.settings.filter((s) => s.section === 'NetDev' && s.key === 'Name').at(-1);
    const kind = u.settings.filter((s) => s.section === 'NetDev' && s.key === 'Kind').at(-1);
    const kindText = kind ? knownText(kind.value) : undefined;
    if (name && knownText(name.value) === bridge && kindText !== undefined && kindText !== 'bridge') return { kind: kindText, location: kind!.valueLocation };
  }
  for (const l of facts.links ?? []) {
    if (l.assumed || l.host !== host || l.uncertain !== undefined || l.kind === null || l.kind === 'bridge') continue;
    if (knownText(l.name) === bridge) return { kind: l.kind, location: l.location };
  }
  return null;
}
