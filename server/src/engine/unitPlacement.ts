/**
 * Which host each unit file on disk serves. A file is a host's when the host's Nix installs it
 * (`environment.etc."systemd/network/…".source`); otherwise when it sits in the host's own
 * directory; otherwise it serves every host only if the workspace has one configuration or none
 * (a mirrored `/etc`). Any other file may be installed on any host by something we do not see:
 * it is a possible unit of every host, never a certain one (docs/domain/networkd.md §1).
 * Units written as `environment.etc."systemd/network/<name>".text` are parsed here as units of
 * the host that writes them.
 */
import type { HostFacts, UnitDefinition, UnitPlacement } from './model';
import { loadUnitFiles } from './networkd';
import { displayPattern, knownText } from './pattern';
import type { Location } from './text';

type PlacementRule = 'deployed' | 'directory' | 'single-configuration' | 'unplaced';

interface Placed {
  hosts: Set<string> | 'all';
  rule: PlacementRule;
  detail: string;
}

export function placeUnitFiles(fileUnits: readonly UnitDefinition[], hosts: readonly HostFacts[], relative: (file: string) => string): UnitPlacement {
  const byUnit = new Map<UnitDefinition, Placed>();
  const single = hosts.length <= 1;
  const index = new PlacementIndex(hosts);
  for (const unit of fileUnits) byUnit.set(unit, place(unit, hosts, index, single, relative));
  const byHost = new Map<string, UnitDefinition[]>();
  const unplaced: UnitDefinition[] = [];
  for (const [unit, p] of byUnit) {
    if (p.rule === 'unplaced') {
      unplaced.push(unit);
      continue;
    }
    for (const h of p.hosts === 'all' ? hosts.map((x) => x.name) : p.hosts) {
      const list = byHost.get(h) ?? [];
      list.push(unit);
      byHost.set(h, list);
    }
  }
  return {
    placed: (host) => byHost.get(host) ?? [],
    unplaced,
    why: (unit, host) => {
      const p = byUnit.get(unit);
      if (!p) return `${relative(unit.location.file)} is a unit of \`${host}\``;
      return p.detail;
    },
  };
}

/**
 * Which hosts install a file (environment.etc) and which host directories hold it, looked up by
 * path instead of by asking every host about every unit (units × hosts on a large fleet).
 */
class PlacementIndex {
  /** Hosts (by position) installing exactly this file. */
  private readonly exact = new Map<string, number[]>();
  /** Hosts (by position) installing a whole directory, by that directory. */
  private readonly directories = new Map<string, number[]>();
  /** Hosts (by position) whose configuration lives in a directory, by that directory. */
  private readonly homes = new Map<string, number[]>();

  constructor(hosts: readonly HostFacts[]) {
    hosts.forEach((h, i) => {
      for (const e of h.etcUnits ?? []) {
        if (!e.sourcePath) continue;
        if (e.name === null) add(this.directories, e.sourcePath.replace(/\/+$/, ''), i);
        else add(this.exact, e.sourcePath, i);
      }
      if (h.directory) add(this.homes, h.directory, i);
    });
  }

  /** Hosts installing `file`, in host order. */
  deployers(file: string): number[] {
    const found = new Set(this.exact.get(file) ?? []);
    for (const dir of ancestors(file)) for (const i of this.directories.get(dir) ?? []) found.add(i);
    return [...found].sort((a, b) => a - b);
  }

  /** The deepest host directory holding `file`, and the hosts living there, in host order. */
  owners(file: string): { directory: string; hosts: number[] } | null {
    for (const dir of ancestors(file)) {
      const hosts = this.homes.get(dir);
      if (hosts) return { directory: dir, hosts };
    }
    return null;
  }
}

function add(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/** The directories holding `file`, deepest first ("/a/b/c" gives "/a/b", "/a", ""). */
function* ancestors(file: string): Generator<string> {
  let at = file.lastIndexOf('/');
  while (at > 0) {
    yield file.slice(0, at);
    at = file.lastIndexOf('/', at - 1);
  }
  if (at === 0) yield '';
}

function place(unit: UnitDefinition, hosts: readonly HostFacts[], index: PlacementIndex, single: boolean, relative: (file: string) => string): Placed {
  const file = unit.location.file;
  const deployers = index.deployers(file).map((i) => hosts[i]);
  if (deployers.length) {
    return { hosts: new Set(deployers.map((h) => h.name)), rule: 'deployed', detail: `${relative(file)} is installed by ${deployers.map((h) => `\`${h.name}\``).join(', ')} (environment.etc)` };
  }
  const home = index.owners(file);
  if (home) {
    const owners = home.hosts.map((i) => hosts[i]);
    return { hosts: new Set(owners.map((h) => h.name)), rule: 'directory', detail: `${relative(file)} sits in the directory of ${owners.map((h) => `\`${h.name}\``).join(', ')} (${relative(home.directory)})` };
  }
  if (single) return { hosts: 'all', rule: 'single-configuration', detail: `${relative(file)} is taken as installed: the workspace has ${hosts.length === 1 ? 'one configuration' : 'no configuration'}` };
  return { hosts: new Set(), rule: 'unplaced', detail: `no configuration installs ${relative(file)}` };
}

/** Units a host writes as `environment.etc."systemd/network/<name>".text`, parsed as files are. */
export function etcTextUnits(hosts: readonly HostFacts[]): UnitDefinition[] {
  const out: UnitDefinition[] = [];
  for (const host of hosts) {
    for (const e of host.etcUnits ?? []) {
      if (e.text === undefined || e.name === null) continue;
      const known = knownText(e.text);
      const text = known ?? displayPattern(e.text);
      const [unit] = loadUnitFiles([{ path: `/etc/systemd/network/${e.name}`, text }]);
      if (!unit) continue;
      out.push(relocate({ ...unit, source: 'nix', host: host.name, complete: unit.complete && known !== undefined && !e.conditional }, e.location));
    }
  }
  return out;
}

/** The unit with every position moved to where its text is written in Nix. */
function relocate(unit: UnitDefinition, at: Location): UnitDefinition {
  return {
    ...unit,
    location: at,
    sections: unit.sections.map((s) => ({ ...s, location: at })),
    settings: unit.settings.map((s) => ({ ...s, keyLocation: at, valueLocation: at })),
    issues: unit.issues.map((i) => ({ ...i, location: at })),
  };
}
