/**
 * Editor views over one analysis snapshot: hover, fixes, navigation, symbols, lenses,
 * completion. Built lazily per snapshot; everything here reads, nothing re-analyses.
 */
import { pathToFileURL } from 'node:url';
import { devicesOnLines, findingLines, macvtapHoverLines, macvtapsMatchedLines } from './deviceViews';
import { ignoreFixes } from './fixes/ignoreHere';
import { buildFixes, type FixContext } from './fixes';
import type { Diagnostic, Outcome, Reason, UnitDefinition, UnitSetting, ViaKind } from './model';
import { bridgesDefinedIn, HostScopes, netdevsFor } from './hostScopes';
import { TapSides, type Addressing } from './sides';
import { describeMatch, findNetdev } from './networkd';
import { displayPattern, knownText } from './pattern';
import { reasonLocation, reasonText } from './reasons';
import type { AnalysisSnapshot, CodeLensInfo, CompletionInfo, Fix, HoverResult, SymbolInfo } from './service';
import { LineIndex, rangeContains, type Location, type Position, type Range } from './text';

export function fileLink(location: Location): string {
  const line = location.range.start.line + 1;
  return `${pathToFileURL(location.file).href}#L${line}`;
}

function shortPath(file: string): string {
  const parts = file.split('/');
  return parts.slice(-2).join('/');
}

function link(location: Location, label?: string): string {
  return `[${label ?? `${shortPath(location.file)}:${location.range.start.line + 1}`}](${fileLink(location)})`;
}

/** One vocabulary with the inlay hints, the tree and the CLI: "no bridge", never "unmanaged". */
const STATUS_TEXT: Record<Outcome['status'], string> = {
  bridged: 'bridged',
  'bridge-undefined': 'no bridge: bridge not defined',
  routed: 'routed (no bridge)',
  shadowed: 'no bridge: shadowed',
  unmanaged: 'no bridge',
  unknown: 'not known',
  'not-applicable': 'not a host tap',
};

/** What decided, in words: the internal kinds (`networkd-nix`, …) are not for readers. */
const VIA_TEXT: Record<ViaKind, string> = {
  'networkd-file': 'a systemd-networkd unit file',
  'networkd-nix': 'a systemd.network unit in Nix',
  'networking-bridges': 'networking.bridges',
  'bin-script': "the VM's tap-up script",
  'service-override': 'an override of the tap service',
  'custom-service': 'a service',
  'qemu-bridge-helper': 'qemu-bridge-helper',
  'networking-interfaces': 'networking.interfaces',
};

/** "bridged to `br0`", "no bridge: bridge not defined `br9`", "routed (no bridge)", … */
function statusPhrase(o: Outcome): string {
  const bridge = o.bridge ? ` \`${o.bridge}\`` : '';
  return o.status === 'bridged' ? `bridged to${bridge}` : `${STATUS_TEXT[o.status]}${bridge}`;
}

function uniqueLocations(locations: Location[]): Location[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    const key = `${l.file}:${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `10.0.0.1/24, fd00::1/64 · gateway 10.0.0.254 · DHCP` */
function addressingPhrase(a: Addressing): string {
  const parts = [a.addresses.length ? a.addresses.map((x) => x.prefix.text).join(', ') : 'no static address'];
  if (a.gateways.length) parts.push(`gateway ${a.gateways.map((g) => g.address.text).join(', ')}`);
  if (a.dhcp[4] === true || a.dhcp[6] === true) parts.push(`DHCP${a.dhcp[4] === true && a.dhcp[6] === true ? '' : a.dhcp[4] === true ? 'v4' : 'v6'}`);
  if (a.dhcpServer === true) parts.push('DHCP server');
  return parts.join(' · ');
}

function vmLabel(o: Outcome): string {
  return o.interface.vm ?? `guest ${shortPath(o.interface.id.location.file)}`;
}

export class WorkspaceViews {
  private readonly units: UnitDefinition[];
  private readonly scopes: HostScopes;
  private sidesCache: TapSides | null = null;

  constructor(
    readonly snapshot: AnalysisSnapshot,
    private readonly fixContext: FixContext,
  ) {
    this.units = snapshot.facts.units;
    this.scopes = new HostScopes(snapshot.facts);
  }

  /**
   * The netdevs defining `bridge` for a unit that names it, one per distinct answer of the worlds
   * reading the unit. A unit no world reads (its host certainly runs no networkd) is looked up
   * among the units of its own host.
   */
  private netdevsNamedBy(unit: UnitDefinition, bridge: string): { netdev: UnitDefinition | null; hosts: string[] }[] {
    const answers = netdevsFor(this.scopes, unit, bridge);
    if (answers.length === 0) {
      const own = this.units.filter((u) => u.host === unit.host || u.host === null);
      return [{ netdev: findNetdev(own, bridge), hosts: unit.host ? [unit.host] : [] }];
    }
    const byNetdev = new Map<UnitDefinition | null, string[]>();
    for (const { world, netdev } of answers) {
      const hosts = byNetdev.get(netdev) ?? [];
      if (world.host) hosts.push(world.host.name);
      byNetdev.set(netdev, hosts);
    }
    return [...byNetdev].map(([netdev, hosts]) => ({ netdev, hosts }));
  }

  private outcomesAt(file: string, position: Position): Outcome[] {
    return this.snapshot.outcomes.filter(
      (o) => o.interface.id.location.file === file && rangeContains(o.interface.id.location.range, position),
    );
  }

  private settingAt(file: string, position: Position): { unit: UnitDefinition; setting: UnitSetting; range: Range } | null {
    for (const unit of this.units) {
      for (const setting of unit.settings) {
        for (const loc of [setting.keyLocation, setting.valueLocation]) {
          if (loc.file === file && rangeContains(loc.range, position)) {
            const range = { start: setting.keyLocation.range.start, end: setting.valueLocation.range.end };
            return { unit, setting, range: setting.keyLocation.file === file ? range : loc.range };
          }
        }
      }
    }
    return null;
  }

  private unitAt(file: string, position: Position): UnitDefinition | null {
    const hit = this.settingAt(file, position);
    if (hit) return hit.unit;
    return this.units.find((u) => u.location.file === file && rangeContains(u.location.range, position)) ?? null;
  }

  // ------------------------------------------------------------------------------------------

  hover(file: string, position: Position): HoverResult | null {
    const outcomes = this.outcomesAt(file, position);
    if (outcomes.length === 1) return { range: outcomes[0].interface.id.location.range, markdown: this.tapHover(outcomes[0]) };
    if (outcomes.length > 1) return { range: outcomes[0].interface.id.location.range, markdown: this.generatedTapsHover(outcomes) };
    const hit = this.settingAt(file, position);
    if (!hit) return null;
    if (hit.setting.key === 'Name' && hit.setting.section === 'Match') return { range: hit.range, markdown: this.nameHover(hit.unit) };
    if (hit.setting.key === 'Bridge' && hit.setting.section === 'Network') return { range: hit.range, markdown: this.bridgeHover(hit.unit, hit.setting) };
    if (hit.setting.key === 'Name' && hit.setting.section === 'NetDev') return { range: hit.range, markdown: this.netdevHover(hit.unit, hit.setting) };
    return null;
  }

  private tapHover(o: Outcome): string {
    const iface = o.interface;
    const id = displayPattern(iface.id.value);
    const lines: string[] = [];
    lines.push(`**${iface.type ?? 'interface'} \`${id}\`** — ${statusPhrase(o)}`);
    if (o.via) {
      const where = o.via.location ? ` (${link(o.via.location)})` : '';
      lines.push('', `decided by ${o.via.unit ? `\`${o.via.unit}\`` : VIA_TEXT[o.via.kind]}${where}${o.via.unit ? ` — ${VIA_TEXT[o.via.kind]}` : ''}`);
    } else if (o.winner) {
      lines.push('', `decided by \`${o.winner.name}\` (${link(o.winner.location)})`);
    }
    // A reason resting on the hovered definition itself needs no link back to it.
    const where = (r: Reason) => (typeof r === 'string' ? '' : ` (${link(reasonLocation(r, iface))})`);
    if (o.reasons.length) lines.push('', ...o.reasons.map((r) => `- ${reasonText(r)}${where(r)}`));
    const macvtap = macvtapHoverLines(iface);
    if (macvtap.length) lines.push('', ...macvtap);
    const facts: string[] = [];
    if (iface.vm) facts.push(`VM \`${iface.vm}\``);
    if (iface.host) facts.push(`host \`${iface.host}\``);
    if (iface.hypervisor) facts.push(`hypervisor ${iface.hypervisor.value}`);
    if (iface.mac) facts.push(`MAC \`${displayPattern(iface.mac.value)}\``);
    if (facts.length) lines.push('', facts.join(' · '));
    lines.push(...findingLines(this.snapshot, iface));
    const sides = this.bothSides(o);
    if (sides.length) lines.push('', ...sides);
    return lines.join('\n');
  }

  private get sides(): TapSides {
    this.sidesCache ??= new TapSides(this.snapshot.facts, this.snapshot.outcomes);
    return this.sidesCache;
  }

  /** The host's side (bridge and its addresses, or the routed tap's unit) and the guest's (its unit and addresses). */
  private bothSides(o: Outcome): string[] {
    const lines: string[] = [];
    const bridge = this.sides.bridge(o);
    if (bridge) {
      const unit = bridge.unit ? ` · \`${bridge.unit.name}\` (${link(bridge.unit.location)})` : '';
      const addresses = bridge.addressing ? addressingPhrase(bridge.addressing) : bridge.why ?? 'addresses not known';
      const ports = bridge.uplink === 'none' ? 'only taps are its ports' : 'it may have an uplink port';
      lines.push(`- host: bridge \`${bridge.bridge}\`${unit} · ${addresses} · ${ports}`);
    }
    const routed = this.sides.routed(o);
    if (routed) {
      const routes = routed.addressing.routes.map((r) => r.destination.text);
      const addresses = routed.addressing.addresses.map((a) => a.prefix.text + (a.peer ? ` peer ${a.peer.text}` : ''));
      lines.push(`- host: \`${routed.unit.name}\` (${link(routed.unit.location)}) · ${addresses.length ? addresses.join(', ') : 'no address'} · route${routes.length === 1 ? '' : 's'} ${routes.length ? routes.join(', ') : 'none'}`);
    }
    const nic = this.sides.nic(o.interface);
    if (nic) {
      let guest: string;
      if (nic.state === 'unit' && nic.unit) {
        const doubt = nic.certain ? '' : ' (if its Name= fits the NIC)';
        guest = `\`${nic.unit.name}\`${doubt} (${link(nic.unit.location)}) · ${nic.addressing ? addressingPhrase(nic.addressing) : 'addresses not known'}`;
      } else if (nic.state === 'dhcpcd') guest = 'dhcpcd asks for an address by DHCP';
      else if (nic.state === 'unmanaged') guest = `\`${nic.unit?.name}\` leaves the NIC unmanaged`;
      else if (nic.state === 'none') guest = 'nothing configures the NIC';
      else guest = `not known: ${nic.why ?? 'the guest configuration could not be read'}`;
      lines.push(`- guest: ${guest}`);
    }
    return lines.length ? ['**both sides**', ...lines] : [];
  }

  /** One `id` expression that generates several taps (`"vm-${name}"` under `genAttrs`). */
  private generatedTapsHover(outcomes: Outcome[]): string {
    const lines = [`**${outcomes.length} interfaces** come from this expression:`, ''];
    for (const o of outcomes.slice(0, 30)) {
      const id = displayPattern(o.interface.id.value);
      const vm = o.interface.vm ? ` (VM \`${o.interface.vm}\`)` : '';
      const decided = o.via?.unit ?? o.winner?.name;
      lines.push(`- \`${id}\`${vm} — ${statusPhrase(o)}${decided ? ` · \`${decided}\`` : ''}`);
    }
    if (outcomes.length > 30) lines.push(`- … and ${outcomes.length - 30} more`);
    // Then the full story of one of them: the first with a problem, else the first.
    const problem = outcomes.find((o) => o.status !== 'bridged' && o.status !== 'routed' && o.status !== 'not-applicable');
    lines.push('', '---', '', this.tapHover(problem ?? outcomes[0]));
    return lines.join('\n');
  }

  private nameHover(unit: UnitDefinition): string {
    const caught = this.snapshot.outcomes.filter((o) => o.winner === unit);
    const shadows = caught.filter((o) => o.status === 'shadowed');
    const lost = this.snapshot.outcomes.filter((o) => o.shadowedUnit === unit);
    const lines = [`**\`${unit.name}\`** [Match] ${describeMatch(unit)}`];
    lines.push('', caught.length ? `catches ${caught.length} tap${caught.length === 1 ? '' : 's'}:` : 'catches no tap');
    for (const o of caught.slice(0, 20)) lines.push(`- \`${displayPattern(o.interface.id.value)}\` → ${statusPhrase(o)}`);
    if (shadows.length) {
      lines.push('', `shadows ${shadows.length}:`);
      for (const o of shadows) lines.push(`- \`${displayPattern(o.interface.id.value)}\` would be bridged by \`${o.shadowedUnit?.name}\``);
    }
    if (lost.length) {
      lines.push('', `would catch ${lost.length} tap${lost.length === 1 ? '' : 's'} an earlier unit takes first:`);
      for (const o of lost) lines.push(`- \`${displayPattern(o.interface.id.value)}\` (taken by \`${o.winner?.name}\`)`);
    }
    lines.push(...macvtapsMatchedLines(this.snapshot, unit));
    return lines.join('\n');
  }

  private bridgeHover(unit: UnitDefinition, setting: UnitSetting): string {
    const name = knownText(setting.value);
    const lines = [`**Bridge=${displayPattern(setting.value)}** in \`${unit.name}\``];
    if (name !== undefined) {
      const answers = this.netdevsNamedBy(unit, name);
      // Which host an answer is for matters only when the hosts reading the unit disagree.
      const onHosts = (hosts: string[]) => (answers.length > 1 && hosts.length ? ` on ${hosts.map((h) => `\`${h}\``).join(', ')}` : '');
      for (const { netdev, hosts } of answers) {
        const answer = netdev ? `defined by \`${netdev.name}\` (${link(netdev.location)})` : `no .netdev defines \`${name}\` with Kind=bridge`;
        lines.push('', `${answer}${onHosts(hosts)}`);
      }
    }
    const receives = this.snapshot.outcomes.filter((o) => o.winner === unit && o.status === 'bridged');
    lines.push('', receives.length ? `receives ${receives.length} tap${receives.length === 1 ? '' : 's'}:` : 'receives no tap');
    for (const o of receives.slice(0, 20)) lines.push(`- \`${displayPattern(o.interface.id.value)}\`${o.interface.vm ? ` (VM \`${o.interface.vm}\`)` : ''}`);
    if (name !== undefined) lines.push(...devicesOnLines(this.snapshot, name));
    return lines.join('\n');
  }

  /** A netdev's Name=: the taps bridged to it, the qemu-bridge-helper interfaces and macvtaps on it. */
  private netdevHover(unit: UnitDefinition, setting: UnitSetting): string {
    const name = knownText(setting.value)?.trim();
    const lines = [`**${displayPattern(setting.value)}** defined by \`${unit.name}\``];
    if (name === undefined) return lines.join('\n');
    const taps = this.snapshot.outcomes.filter((o) => o.bridge === name && o.status === 'bridged' && o.via?.kind !== 'qemu-bridge-helper');
    if (taps.length) lines.push('', `taps on it: ${taps.length}`, ...taps.slice(0, 20).map((o) => `- \`${displayPattern(o.interface.id.value)}\`${o.interface.vm ? ` (VM \`${o.interface.vm}\`)` : ''}`));
    lines.push(...devicesOnLines(this.snapshot, name));
    return lines.join('\n');
  }

  // ------------------------------------------------------------------------------------------

  /** Fixes per diagnostic: editors ask for code actions on every cursor move and after every edit. */
  private readonly fixMemo = new WeakMap<Diagnostic, Fix[]>();

  fixes(file: string, range: Range): Fix[] {
    return buildFixes(this.snapshot, file, range, this.fixContext, this.fixMemo);
  }

  suppressionFixes(file: string, range: Range): Fix[] {
    return ignoreFixes(this.snapshot, file, range, this.fixContext);
  }

  definition(file: string, position: Position): Location[] {
    const [outcome] = this.outcomesAt(file, position);
    if (outcome) {
      if (outcome.winner) return [outcome.winner.location];
      return outcome.via?.location ? [outcome.via.location] : [];
    }
    const hit = this.settingAt(file, position);
    if (hit && hit.setting.key === 'Bridge') {
      const name = knownText(hit.setting.value);
      if (name === undefined) return [];
      return uniqueLocations(this.netdevsNamedBy(hit.unit, name).flatMap(({ netdev }) => (netdev ? [netdev.location] : [])));
    }
    return [];
  }

  references(file: string, position: Position): Location[] {
    const unit = this.unitAt(file, position);
    if (!unit) return [];
    return uniqueLocations(this.snapshot.outcomes.filter((o) => o.winner === unit || o.shadowedUnit === unit).map((o) => o.interface.id.location));
  }

  documentSymbols(file: string): SymbolInfo[] {
    const symbols: SymbolInfo[] = [];
    for (const unit of this.units.filter((u) => u.location.file === file)) {
      const children: SymbolInfo[] = unit.settings
        .filter((s) => s.keyLocation.file === file)
        .map((s) => ({
          name: `${s.key}=${displayPattern(s.value)}`,
          detail: `[${s.section}]`,
          kind: 'key' as const,
          location: { file, range: { start: s.keyLocation.range.start, end: s.valueLocation.range.end } },
          selectionRange: s.keyLocation.range,
        }));
      symbols.push({ name: unit.name, kind: unit.kind === 'netdev' ? 'netdev' : 'unit', location: unit.location, selectionRange: unit.location.range, children });
    }
    const byVm = new Map<string, Outcome[]>();
    for (const o of this.snapshot.outcomes) {
      if (o.interface.id.location.file !== file) continue;
      const key = `${o.interface.guest}\0${o.interface.vm ?? ''}`;
      byVm.set(key, [...(byVm.get(key) ?? []), o]);
    }
    for (const outcomes of byVm.values()) {
      const vm = vmLabel(outcomes[0]);
      const children = outcomes.map((o) => ({
        name: displayPattern(o.interface.id.value),
        detail: `${o.interface.type ?? '?'} · ${o.status}${o.bridge ? ` ${o.bridge}` : ''}`,
        kind: 'tap' as const,
        location: o.interface.location,
        selectionRange: o.interface.id.location.range,
      }));
      const first = outcomes[0].interface;
      symbols.push({ name: vm, kind: 'vm', location: first.location, selectionRange: first.id.location.range, children });
    }
    return symbols;
  }

  workspaceSymbols(query: string): SymbolInfo[] {
    const q = query.toLowerCase();
    const out: SymbolInfo[] = [];
    const vms = new Set<string>();
    for (const o of this.snapshot.outcomes) {
      const iface = o.interface;
      const name = displayPattern(iface.id.value);
      out.push({ name, detail: `${o.status}${o.bridge ? ` → ${o.bridge}` : ''}`, kind: 'tap', location: iface.id.location, selectionRange: iface.id.location.range });
      if (iface.vm && !vms.has(iface.vm)) {
        vms.add(iface.vm);
        out.push({ name: iface.vm, detail: iface.host ? `VM on ${iface.host}` : 'VM', kind: 'vm', location: iface.location, selectionRange: iface.location.range });
      }
    }
    for (const unit of this.units) {
      if (unit.kind === 'netdev') {
        const name = unit.settings.filter((s) => s.section === 'NetDev' && s.key === 'Name').pop();
        out.push({ name: name ? displayPattern(name.value) : unit.name, detail: unit.name, kind: 'bridge', location: unit.location, selectionRange: unit.location.range });
      } else {
        out.push({ name: unit.name, kind: 'unit', location: unit.location, selectionRange: unit.location.range });
      }
    }
    return q ? out.filter((s) => s.name.toLowerCase().includes(q)) : out;
  }

  codeLenses(file: string): CodeLensInfo[] {
    const lenses: CodeLensInfo[] = [];
    for (const unit of this.units) {
      if (unit.location.file !== file || unit.kind !== 'network') continue;
      const caught = this.snapshot.outcomes.filter((o) => o.winner === unit);
      const attached = caught.filter((o) => o.status === 'bridged');
      const shadowed = caught.filter((o) => o.status === 'shadowed');
      const lost = this.snapshot.outcomes.filter((o) => o.shadowedUnit === unit);
      const setsBridge = unit.settings.some((st) => st.section === 'Network' && st.key === 'Bridge');
      if (!setsBridge && caught.length === 0 && lost.length === 0) continue;
      const parts = [`attaches ${attached.length} tap${attached.length === 1 ? '' : 's'}`];
      if (caught.length > attached.length) parts.push(`catches ${caught.length}`);
      if (shadowed.length) parts.push(`shadows ${shadowed.length}`);
      if (lost.length) parts.push(`shadowed for ${lost.length}`);
      const anchor = unit.sections.find((sec) => sec.name === 'Match' && sec.location.file === file)?.location.range ?? unit.location.range;
      lenses.push({ range: anchor, title: parts.join(' · '), targets: uniqueLocations([...caught, ...lost].map((o) => o.interface.id.location)) });
    }
    return lenses;
  }

  completions(file: string, position: Position): CompletionInfo[] {
    const text = this.fixContext.textOf(file);
    if (text === null) return [];
    const lines = new LineIndex(text);
    const lineStart = lines.offsetAt({ line: position.line, character: 0 });
    const before = text.slice(lineStart, lines.offsetAt(position));
    const match = /^\s*Bridge\s*=\s*(\S*)$/.exec(before) ?? /\b(?:Bridge|bridge)\s*=\s*\[?\s*"([^"]*)$/.exec(before);
    if (!match) return [];
    const typed = match[1];
    const range = { start: { line: position.line, character: position.character - typed.length }, end: position };
    // The bridges of the hosts this file belongs to; for a file that shows no host (a new one),
    // every host's, each saying whose it is when there are several hosts.
    const own = this.scopes.worldsOfFile(file);
    const worlds = own.length ? own : this.scopes.all();
    const whose = own.length === 0 && worlds.length > 1;
    const items = new Map<string, CompletionInfo>();
    for (const world of worlds) {
      for (const { name, definedBy } of bridgesDefinedIn(world)) {
        const key = whose ? `${name}\0${world.host?.name}` : name;
        const detail = whose && world.host ? `${definedBy} · host ${world.host.name}` : definedBy;
        if (!items.has(key)) items.set(key, { label: name, detail, range });
      }
    }
    return [...items.values()];
  }
}
