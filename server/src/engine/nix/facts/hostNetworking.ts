/**
 * What a host's NixOS networking options say about links outside systemd-networkd's own units:
 *  - `networking.interfaces.<name>`: its addresses and routes, which NixOS renders as
 *    `40-<name>.network` under networkd (nixos/modules/tasks/network-interfaces-systemd.nix) and
 *    applies with `network-addresses-<name>.service` under scripted networking;
 *  - links something creates, so that a script's `master <br>` can work: `networking.ifstate`
 *    interfaces, `networking.vswitches`, bonds/VLANs/macvlans (links, but not bridges), and services
 *    that make bridges at run time from configuration we cannot see (NetworkManager, libvirt,
 *    Docker, Incus, LXD) — those only ever make an answer unknown.
 */
import type { CreatedLink, InterfaceDeclaration, ValueAt } from '../../model';
import { HOLE, knownText, pattern, UNKNOWN_STRING, type StrPart, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force } from '../eval/helpers';
import type { Configuration } from '../modules';
import type { Value } from '../value';
import { keyLoc, locOfValue, valueLoc } from './common';

export function interfaceDeclarations(cfg: Configuration, host: string, fallback: Location): InterfaceDeclaration[] {
  const root = ['networking', 'interfaces'];
  const { keys, patternKeys, conditionalKeys } = cfg.keysAt(root);
  const ipv6 = enabled(cfg, ['networking', 'enableIPv6'], true);
  const globalDhcp = enabled(cfg, ['networking', 'useDHCP'], true);
  const out: InterfaceDeclaration[] = [];
  const declare = (name: StrPattern, path: string[], location: Location, conditional: boolean) => {
    let complete = !conditional && ipv6 !== 'unknown';
    const entries = (family: 'ipv4' | 'ipv6', list: 'addresses' | 'routes'): ValueAt<StrPattern>[] => {
      if (family === 'ipv6' && ipv6 === false) return [];
      const { items, complete: listComplete } = cfg.listAt([...path, family, list]);
      if (!listComplete) complete = false;
      return items.map((item) => {
        const v = force(item.thunk);
        const p = prefix(v);
        if (!p.known || item.conditional) complete = false;
        return { value: p.pattern, location: item.thunk.location ?? locOfValue(v) ?? valueLoc(item.def, location) };
      });
    };
    const v4 = entries('ipv4', 'addresses');
    const addresses = [...v4, ...entries('ipv6', 'addresses')];
    const routes = [...entries('ipv4', 'routes'), ...entries('ipv6', 'routes')];
    const own = cfg.scalarAt([...path, 'useDHCP']);
    let dhcp: boolean | 'unknown';
    if (own.value.kind === 'bool' && !own.conditional) dhcp = own.value.value;
    else if (own.value.kind !== 'null' && !(own.value.kind === 'unknown' && own.value.reason === 'no definition')) dhcp = 'unknown';
    else dhcp = globalDhcp === 'unknown' ? 'unknown' : globalDhcp && v4.length === 0;
    out.push({ name, addresses, routes, dhcp, complete, location, host });
  };
  for (const name of keys) {
    const live = cfg.liveDefsAt([...root, name]);
    if (live.length === 0) continue;
    const location = live.map((d) => d.def.binding?.keyLocation).find((l) => l) ?? keyLoc(live[0].def, fallback);
    declare(pattern([name]), [...root, name], location, conditionalKeys.has(name));
  }
  for (const p of patternKeys) {
    // A computed name: what it declares is read through the binding itself.
    const location = p.binding.keyLocation ?? fallback;
    out.push({ name: p.key, addresses: [], routes: [], dhcp: 'unknown', complete: false, location, host });
  }
  return out;
}

/** `{ address = "10.0.0.1"; prefixLength = 24; }` as `10.0.0.1/24`. */
function prefix(v: Value): { pattern: StrPattern; known: boolean } {
  if (v.kind !== 'attrs') return { pattern: UNKNOWN_STRING, known: false };
  const part = (name: string): StrPart[] => {
    const b = v.attrs.get(name);
    const x = b ? force(b.thunk) : undefined;
    if (x?.kind === 'string') return [...x.value.parts];
    if (x?.kind === 'int') return [String(x.value)];
    return [HOLE];
  };
  const p = pattern([...part('address'), '/', ...part('prefixLength')]);
  return { pattern: p, known: knownText(p) !== undefined };
}

/** A boolean option's value: its default when it is not defined, 'unknown' when it cannot be known. */
export function enabled(cfg: Configuration, path: string[], dflt: boolean): boolean | 'unknown' {
  const s = cfg.scalarAt(path);
  if (s.value.kind === 'bool' && !s.conditional) return s.value.value;
  if (cfg.liveDefsAt(path).length === 0) return dflt;
  return 'unknown';
}

/** Links the host's networking options create outside networkd's units. */
export function createdLinks(cfg: Configuration, host: string, fallback: Location): CreatedLink[] {
  const out: CreatedLink[] = [];
  const at = (path: string[]) => {
    const d = cfg.liveDefsAt(path)[0]?.def;
    return d ? keyLoc(d, fallback) : fallback;
  };
  const named = (path: string[], kind: string, by: string) => {
    const { keys, patternKeys, complete } = cfg.keysAt(path);
    for (const k of keys) out.push({ name: pattern([k]), kind, by, location: at([...path, k]), host });
    if (patternKeys.length || !complete) out.push({ name: UNKNOWN_STRING, kind, by, uncertain: `some of \`${path.join('.')}\` could not be evaluated`, location: at(path), host });
  };
  named(['networking', 'vswitches'], 'openvswitch', 'networking.vswitches');
  named(['networking', 'bonds'], 'bond', 'networking.bonds');
  named(['networking', 'vlans'], 'vlan', 'networking.vlans');
  named(['networking', 'macvlans'], 'macvlan', 'networking.macvlans');
  ifstateLinks(cfg, host, fallback, out);
  const services: [string[], StrPattern[], string][] = [
    [['networking', 'networkmanager', 'enable'], [UNKNOWN_STRING], 'NetworkManager'],
    [['virtualisation', 'libvirtd', 'enable'], [pattern(['virbr', HOLE])], 'libvirtd'],
    [['virtualisation', 'docker', 'enable'], [pattern(['docker', HOLE]), pattern(['br-', HOLE])], 'Docker'],
    [['virtualisation', 'incus', 'enable'], [UNKNOWN_STRING], 'Incus'],
    [['virtualisation', 'lxd', 'enable'], [UNKNOWN_STRING], 'LXD'],
  ];
  for (const [path, names, by] of services) {
    if (enabled(cfg, path, false) === false) continue;
    const uncertain = `${by} creates bridges at run time from configuration that is not in the workspace`;
    for (const name of names) out.push({ name, kind: 'bridge', by, uncertain, location: at(path), host });
  }
  return out;
}

/**
 * `networking.ifstate.settings.interfaces`: an attribute set by name (ifstate 2) or a list of
 * `{ name; link.kind; }` (ifstate 1), created when ifstate runs.
 */
function ifstateLinks(cfg: Configuration, host: string, fallback: Location, out: CreatedLink[]): void {
  const on = enabled(cfg, ['networking', 'ifstate', 'enable'], false);
  if (on === false) return;
  const uncertain = on === 'unknown' ? 'whether `networking.ifstate` is enabled is not statically known' : undefined;
  const path = ['networking', 'ifstate', 'settings', 'interfaces'];
  const by = 'networking.ifstate';
  const kindOf = (v: Value): string | null => {
    const link = v.kind === 'attrs' ? v.attrs.get('link') : undefined;
    const lv = link ? force(link.thunk) : undefined;
    const kind = lv?.kind === 'attrs' ? lv.attrs.get('kind') : undefined;
    const kv = kind ? force(kind.thunk) : undefined;
    return kv?.kind === 'string' ? knownText(kv.value) ?? null : null;
  };
  const push = (name: StrPattern, kind: string | null, location: Location) => out.push({ name, kind, by, location, host, ...(uncertain ? { uncertain } : {}) });
  const view = cfg.view(path);
  if (view.kind === 'attrs') {
    for (const [name, b] of view.attrs) push(pattern([name]), kindOf(force(b.thunk)), b.keyLocation ?? fallback);
    if (!view.complete) push(UNKNOWN_STRING, null, fallback);
  } else if (view.kind === 'list') {
    for (const item of view.items) {
      const v = force(item);
      const nameBinding = v.kind === 'attrs' ? v.attrs.get('name') : undefined;
      const nv = nameBinding ? force(nameBinding.thunk) : undefined;
      push(nv?.kind === 'string' ? nv.value : UNKNOWN_STRING, kindOf(v), item.location ?? fallback);
    }
    if (!view.complete) push(UNKNOWN_STRING, null, fallback);
  } else if (cfg.liveDefsAt(path).length > 0) {
    push(UNKNOWN_STRING, null, fallback);
  }
}
