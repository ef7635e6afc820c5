/**
 * A bridge whose only ports are MicroVM taps has no carrier until a VM runs, and
 * systemd-networkd 252 leaves it unconfigured until then — no Address=, no DHCP server — unless
 * its unit says ConfigureWithoutCarrier=yes (docs/domain/devices.md §5, observed on the daemon). Information
 * only, and only where every way a port could join the bridge is known to be a tap.
 */
import { closedHost, mayExistWithoutConfiguration } from '../hostLinks';
import type { Diagnostic, HostFacts, Outcome, UnitDefinition, UnitSetting, WorkspaceFacts } from '../model';
import { readMatch, resolveNetworkd, matchPattern } from '../networkd';
import { known, knownText } from '../pattern';
import { worldFor, type World } from '../world';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

const { bridgeNoCarrier } = DIAGNOSTICS;

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1', 'y', 't']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0', 'n', 'f']);

function last(unit: UnitDefinition, section: string, key: string): UnitSetting | undefined {
  return [...unit.settings].reverse().find((s) => s.section === section && s.key === key);
}

function bridgeNames(world: World): string[] {
  const names = new Set<string>();
  for (const u of world.units) {
    if (u.kind !== 'netdev' || u.masked || u.rejected) continue;
    const kind = last(u, 'NetDev', 'Kind');
    const name = last(u, 'NetDev', 'Name');
    const text = name ? knownText(name.value)?.trim() : undefined;
    if (kind && knownText(kind.value)?.trim() === 'bridge' && text) names.add(text);
  }
  return [...names];
}

/** The L3 settings that wait for a carrier, or null when the unit configures none (or is unsure). */
function waitingSettings(unit: UnitDefinition): UnitSetting[] | null {
  if (!unit.complete) return null;
  const cwc = last(unit, 'Network', 'ConfigureWithoutCarrier');
  if (cwc) {
    const t = knownText(cwc.value)?.trim().toLowerCase();
    if (t === undefined || !FALSE_WORDS.has(t)) return null;
  }
  const address = unit.settings.filter((s) => s.section === 'Network' && s.key === 'Address' && (knownText(s.value)?.trim() ?? '') !== '');
  const dhcpServer = last(unit, 'Network', 'DHCPServer');
  const serves = dhcpServer && TRUE_WORDS.has(knownText(dhcpServer.value)?.trim().toLowerCase() ?? '');
  const out = [...address, ...(serves ? [dhcpServer] : [])];
  return out.length ? out : null;
}

/**
 * A port unit catches only taps: no negative words, and each Name= word is a tap id of the host
 * or a glob with a literal prefix of two characters or more that no kernel or service name has.
 */
function catchesOnlyTaps(unit: UnitDefinition, tapIds: string[]): boolean {
  const config = readMatch(unit.settings);
  if (!unit.complete || config.conditions.size > 0) return false;
  for (const [key, list] of config.lists) {
    if (key !== 'Name' || !list.known) return false;
    if (list.words.length === 0 || list.words.some((w) => w.negative)) return false;
    for (const w of list.words) {
      if (!tapIds.some((id) => matchPattern(w.word, known(id)) === 'yes')) return false;
      const prefix = /^[^*?[\\]*/.exec(w.word)![0];
      if (prefix !== w.word && (prefix.length < 2 || mayExistWithoutConfiguration(`${prefix}x`))) return false;
    }
  }
  return config.lists.has('Name');
}

function bridgeDiagnostics(host: HostFacts, world: World, facts: WorkspaceFacts, outcomes: readonly Outcome[]): Diagnostic[] {
  if (world.networkd !== true || world.conditionalUnits.length || !closedHost(host, facts)) return [];
  const taps = outcomes.filter((o) => o.interface.host === host.name && (o.interface.type === 'tap' || o.interface.type === 'bridge'));
  const tapIds = taps.map((o) => knownText(o.interface.id.value)).filter((id): id is string => id !== undefined);
  const out: Diagnostic[] = [];
  for (const bridge of bridgeNames(world)) {
    const ports = taps.filter((o) => o.status === 'bridged' && o.bridge === bridge);
    if (ports.length === 0) continue;
    const portUnits = world.units.filter((u) => u.kind === 'network' && u.settings.some((s) => s.section === 'Network' && s.key === 'Bridge' && knownText(s.value)?.trim() === bridge));
    if (world.units.some((u) => u.kind === 'network' && !u.complete) || !portUnits.every((u) => catchesOnlyTaps(u, tapIds))) continue;
    const scriptedPortsAreTaps = world.scripts.every((s) => {
      const master = knownText(s.bridge);
      if (master !== undefined && master !== bridge) return true;
      return s.allTaps || (s.tap !== null && tapIds.includes(knownText(s.tap) ?? ''));
    });
    if (!scriptedPortsAreTaps) continue;
    const d = resolveNetworkd(world.units, { name: known(bridge), mac: null, notATap: true });
    if (d.match !== 'unit' || !d.winner || d.unmanaged) continue;
    const waiting = waitingSettings(d.winner);
    if (!waiting) continue;
    const what = waiting.map((s) => `${s.key}=${knownText(s.value)?.trim()}`).join(', ');
    const message = `bridge \`${bridge}\` on \`${host.name}\` has only MicroVM taps as ports (${ports.map((o) => `\`${knownText(o.interface.id.value)}\``).join(', ')}), which have no carrier until their VM runs: systemd-networkd leaves \`${d.winner.name}\` unconfigured (${what}) until then; ConfigureWithoutCarrier=yes configures it at boot`;
    out.push(diagnostic(bridgeNoCarrier, message, waiting[0].keyLocation, { related: ports.slice(0, 5).map((o) => ({ location: o.interface.id.location, message: `tap port \`${knownText(o.interface.id.value)}\`` })) }));
  }
  return out;
}

export const bridgeCarrierCheck: Check = {
  codes: [bridgeNoCarrier],
  run: () => [],
  perHost({ facts }, { hosts, interfaces, outcomes }) {
    const iface = interfaces[0];
    if (!iface || iface.host === null) return [];
    const lookup = worldFor(iface, facts, new Map<string, World>());
    if (!lookup.world) return [];
    const world = lookup.world;
    return hosts.flatMap((host) => bridgeDiagnostics(host, world, facts, outcomes));
  },
  // A bridge unit shared by several hosts is reported once, for the first.
  sameFinding: (d) => `${d.location.file}:${d.location.range.start.line}:${d.location.range.start.character}`,
};
