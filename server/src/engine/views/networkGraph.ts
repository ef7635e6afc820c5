/**
 * The network map as data: per host, its bridges (with their uplinks), the taps on each bridge,
 * the macvtaps on their links, routed taps with their routes, taps on no bridge, and the VMs
 * behind the taps. One value built from one snapshot; the map webview, the tree view and
 * `microvm-net graph` (mermaid, dot, json) all draw this same value, so they cannot disagree.
 *
 * Bridges a host defines but no tap uses are nodes too: they are where a fix puts a tap. Taps
 * whose bridge is not known are grouped apart from "no bridge" (precision first: an unknown
 * answer is never drawn as a missing bridge).
 */
import type { Diagnostic, MicrovmInterface, Outcome, OutcomeStatus, Severity, UnitDefinition } from '../model';
import { matchPattern } from '../networkd';
import { displayPattern, knownText, pattern } from '../pattern';
import { bridgesDefinedIn, HostScopes } from '../hostScopes';
import type { AnalysisSnapshot } from '../service';
import { routedSide } from '../sides/hostSide';
import type { Location } from '../text';
import type { World } from '../world';
import { naturalCompare } from './naturalSort';

export type GraphNodeKind = 'host' | 'bridge' | 'uplink' | 'link' | 'group' | 'tap' | 'vm';
export type GraphGroup = 'no-bridge' | 'unknown' | 'routed' | 'other';
export type GraphProblem = 'error' | 'warning';

export interface GraphNode<L = Location> {
  /** Stable across analyses of the same workspace (kind, host and name), unique in the graph. */
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** The id of the host node this node is drawn in; null for host nodes. */
  host: string | null;
  /** Short lines under the label: status, the unit that decides it, routes. */
  detail: string[];
  /** Taps only. */
  status?: OutcomeStatus;
  /** Group nodes only. */
  group?: GraphGroup;
  /** The worst diagnostic on this node, when it is an error or a warning. */
  problem: GraphProblem | null;
  /** The messages of those diagnostics. */
  problems: string[];
  /** Where a click on the node goes. */
  location: L | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

export interface NetworkGraph<L = Location> {
  nodes: GraphNode<L>[];
  edges: GraphEdge[];
}

export const GROUP_LABELS: Record<GraphGroup, string> = {
  'no-bridge': 'no bridge',
  unknown: 'bridge not known',
  routed: 'routed',
  other: 'not a tap',
};

/** What a status means to a reader, in the words the rest of the user interface uses. */
export function statusWords(status: OutcomeStatus, bridge: string | null): string {
  switch (status) {
    case 'bridged':
      return `on ${bridge ?? 'a bridge'}`;
    case 'bridge-undefined':
      return `${bridge ?? 'its bridge'} is not defined`;
    case 'routed':
      return 'routed';
    case 'shadowed':
      return 'no bridge (an earlier unit wins)';
    case 'unmanaged':
      return 'no bridge';
    case 'unknown':
      return 'bridge not known';
    case 'not-applicable':
      return 'not a tap';
  }
}

function groupOf(outcome: Outcome): GraphGroup | null {
  if (outcome.bridge !== null) return null;
  if (outcome.interface.type === 'macvtap' && linkOf(outcome.interface) !== null) return null;
  switch (outcome.status) {
    case 'routed':
      return 'routed';
    case 'unknown':
      return 'unknown';
    case 'not-applicable':
      return 'other';
    default:
      return 'no-bridge';
  }
}

function linkOf(iface: MicrovmInterface): string | null {
  const link = iface.macvtap?.link;
  return link ? knownText(link.value) ?? null : null;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Diagnostics reported on a tap: those starting where its id or its interface attrset starts. */
function problemsAt(diagnostics: ReadonlyMap<string, Diagnostic[]>, iface: MicrovmInterface): Diagnostic[] {
  const starts = [iface.id.location, iface.location];
  const inFile = diagnostics.get(iface.id.location.file) ?? [];
  return inFile.filter((d) =>
    starts.some((s) => s.file === d.location.file && s.range.start.line === d.location.range.start.line && s.range.start.character === d.location.range.start.character),
  );
}

function worst(found: readonly Diagnostic[]): GraphProblem | null {
  const top = [...found].sort((a, b) => RANK[a.severity] - RANK[b.severity])[0];
  return top && (top.severity === 'error' || top.severity === 'warning') ? top.severity : null;
}

/**
 * The links other than the host's taps a bridge's units put on it: the `Name=` words of each
 * `.network` unit the host certainly reads that sets `Bridge=<bridge>`, minus words that name one
 * of the host's taps.
 */
function uplinksOf(world: World, bridge: string, tapIds: readonly string[]): { name: string; location: Location }[] {
  const found = new Map<string, Location>();
  for (const unit of world.units) {
    if (unit.kind !== 'network' || unit.masked || bridgeOfUnit(unit) !== bridge) continue;
    for (const setting of unit.settings) {
      if (setting.section !== 'Match' || setting.key !== 'Name') continue;
      const words = knownText(setting.value)?.split(/\s+/).filter(Boolean) ?? [];
      for (const word of words) {
        if (word.startsWith('!') || !uplinkWord(word, tapIds)) continue;
        if (!found.has(word)) found.set(word, setting.valueLocation);
      }
    }
  }
  for (const declared of world.scriptedBridges) {
    if (declared.name !== bridge) continue;
    for (const member of declared.interfaces) {
      const name = knownText(member.value);
      if (name !== undefined && !tapIds.includes(name) && !found.has(name)) found.set(name, member.location);
    }
  }
  return [...found].map(([name, location]) => ({ name, location }));
}

/** Names of NICs, Wi-Fi, bonds, VLANs: a glob is drawn as an uplink only when it names those. */
const NIC_NAME = /^(en|eth|wl|ww|bond|team|vlan|vx|ib|usb)/;

/** A `Name=` word that stands for a link other than the host's taps. */
function uplinkWord(word: string, tapIds: readonly string[]): boolean {
  if (tapIds.some((id) => matchPattern(word, pattern([id])) === 'yes')) return false;
  return !/[*?[]/.test(word) || NIC_NAME.test(word);
}

function bridgeOfUnit(unit: UnitDefinition): string | undefined {
  const settings = unit.settings.filter((s) => s.section === 'Network' && s.key === 'Bridge');
  const last = settings[settings.length - 1];
  return last ? knownText(last.value)?.trim() : undefined;
}

interface HostBucket {
  name: string | null;
  outcomes: Outcome[];
}

/** Two outcomes for the same interface of the same VM on the same host are one tap. */
function tapKey(o: Outcome): string {
  const iface = o.interface;
  const { file, range } = iface.id.location;
  return [iface.host ?? '', iface.vm ?? '', displayPattern(iface.id.value), file, range.start.line, range.start.character].join('\0');
}

export function buildNetworkGraph(snapshot: AnalysisSnapshot): NetworkGraph {
  const scopes = new HostScopes(snapshot.facts);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const taken = new Set<string>();
  const unique = (id: string) => {
    let candidate = id;
    for (let n = 2; taken.has(candidate); n++) candidate = `${id}#${n}`;
    taken.add(candidate);
    return candidate;
  };

  const buckets = new Map<string | null, HostBucket>();
  const seen = new Set<string>();
  for (const outcome of snapshot.outcomes) {
    if (seen.has(tapKey(outcome))) continue;
    seen.add(tapKey(outcome));
    const host = outcome.interface.host;
    let bucket = buckets.get(host);
    if (!bucket) buckets.set(host, (bucket = { name: host, outcomes: [] }));
    bucket.outcomes.push(outcome);
  }
  // Hosts without taps still have bridges worth seeing (where the first VM will go).
  for (const host of snapshot.facts.hosts) if (host.isMicrovmHost && !buckets.has(host.name)) buckets.set(host.name, { name: host.name, outcomes: [] });
  const hostNames = [...buckets.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : naturalCompare(a, b)));

  for (const hostName of hostNames) {
    const bucket = buckets.get(hostName)!;
    const hostFacts = snapshot.facts.hosts.find((h) => h.name === hostName) ?? null;
    const world = hostName === null && snapshot.facts.hosts.length > 0 ? null : scopes.forHost(hostFacts);
    const hostId = unique(`host:${hostName ?? ''}`);
    const outcomes = [...bucket.outcomes].sort((a, b) => naturalCompare(displayPattern(a.interface.id.value), displayPattern(b.interface.id.value)) || naturalCompare(a.interface.vm ?? '', b.interface.vm ?? ''));
    const taps = outcomes.length;
    nodes.push({
      id: hostId,
      kind: 'host',
      label: hostName ?? '(no configuration runs these)',
      host: null,
      detail: [`${taps} tap${taps === 1 ? '' : 's'}`],
      problem: null,
      problems: [],
      location: hostFacts?.location ?? null,
    });

    const vmIds = new Map<string, string>();
    const addTap = (outcome: Outcome, parent: string, label?: string) => {
      const iface = outcome.interface;
      const found = problemsAt(snapshot.diagnostics, iface);
      const tapName = displayPattern(iface.id.value);
      const detail = [statusWords(outcome.status, outcome.bridge)];
      if (outcome.via?.unit) detail.push(`via ${outcome.via.unit}`);
      const routed = routedSide(outcome);
      if (routed) {
        const addresses = routed.addressing.addresses.map((a) => a.prefix.text);
        const routes = routed.addressing.routes.map((r) => r.destination.text);
        if (addresses.length) detail.push(`host ${addresses.join(', ')}`);
        if (routes.length) detail.push(`routes ${routes.join(', ')}`);
      }
      const tapId = unique(`tap:${hostName ?? ''}/${iface.vm ?? ''}/${tapName}`);
      nodes.push({
        id: tapId,
        kind: 'tap',
        label: iface.type === 'macvtap' ? `${tapName} (macvtap)` : tapName,
        host: hostId,
        detail,
        status: outcome.status,
        problem: worst(found),
        problems: found.map((d) => d.message),
        location: iface.id.location,
      });
      edges.push(label ? { from: parent, to: tapId, label } : { from: parent, to: tapId });
      const vmKey = iface.vm ?? `\0${tapId}`;
      let vmId = vmIds.get(vmKey);
      if (!vmId) {
        vmId = unique(`vm:${hostName ?? ''}/${iface.vm ?? tapName}`);
        vmIds.set(vmKey, vmId);
        nodes.push({ id: vmId, kind: 'vm', label: iface.vm ?? '(VM not known)', host: hostId, detail: [], problem: null, problems: [], location: iface.location });
      }
      edges.push({ from: tapId, to: vmId });
    };

    // Groups first (what needs attention), then bridges, links and routed taps.
    for (const group of ['no-bridge', 'unknown', 'other'] as const) {
      const members = outcomes.filter((o) => groupOf(o) === group);
      if (members.length === 0) continue;
      const groupId = unique(`group:${hostName ?? ''}/${group}`);
      nodes.push({ id: groupId, kind: 'group', label: `${GROUP_LABELS[group]} (${members.length})`, host: hostId, detail: [], group, problem: null, problems: [], location: null });
      for (const o of members) addTap(o, groupId);
    }

    const tapIds = outcomes.map((o) => knownText(o.interface.id.value)).filter((t): t is string => t !== undefined);
    const defined = world ? bridgesDefinedIn(world) : [];
    const bridgeNames = new Set([...defined.map((b) => b.name), ...outcomes.flatMap((o) => (o.bridge !== null ? [o.bridge] : []))]);
    for (const name of [...bridgeNames].sort(naturalCompare)) {
      const definition = defined.find((b) => b.name === name);
      const members = outcomes.filter((o) => o.bridge === name);
      const notDefined = !definition && members.some((o) => o.status === 'bridge-undefined');
      const bridgeId = unique(`bridge:${hostName ?? ''}/${name}`);
      const detail = [`${members.length} tap${members.length === 1 ? '' : 's'}`];
      if (definition) detail.push(`defined by ${definition.definedBy}`);
      if (notDefined) detail.push('not defined on this host');
      const via = members.find((o) => o.via?.location)?.via?.location ?? null;
      nodes.push({
        id: bridgeId,
        kind: 'bridge',
        label: name,
        host: hostId,
        detail,
        problem: notDefined ? 'warning' : null,
        problems: notDefined ? [`no netdev or script on this host defines ${name}`] : [],
        location: definition?.location ?? via,
      });
      if (world) {
        for (const uplink of uplinksOf(world, name, tapIds)) {
          const uplinkId = unique(`uplink:${hostName ?? ''}/${name}/${uplink.name}`);
          nodes.push({ id: uplinkId, kind: 'uplink', label: uplink.name, host: hostId, detail: ['uplink'], problem: null, problems: [], location: uplink.location });
          edges.push({ from: uplinkId, to: bridgeId, label: 'port' });
        }
      }
      for (const o of members) addTap(o, bridgeId);
    }

    const links = new Map<string, Outcome[]>();
    for (const o of outcomes) {
      const link = o.bridge === null && o.interface.type === 'macvtap' ? linkOf(o.interface) : null;
      if (link === null) continue;
      links.set(link, [...(links.get(link) ?? []), o]);
    }
    for (const name of [...links.keys()].sort(naturalCompare)) {
      const members = links.get(name)!;
      const linkId = unique(`link:${hostName ?? ''}/${name}`);
      nodes.push({ id: linkId, kind: 'link', label: name, host: hostId, detail: [`link · ${members.length} macvtap${members.length === 1 ? '' : 's'}`], problem: null, problems: [], location: null });
      for (const o of members) addTap(o, linkId);
    }

    const routed = outcomes.filter((o) => groupOf(o) === 'routed');
    if (routed.length) {
      const groupId = unique(`group:${hostName ?? ''}/routed`);
      nodes.push({ id: groupId, kind: 'group', label: `${GROUP_LABELS.routed} (${routed.length})`, host: hostId, detail: [], group: 'routed', problem: null, problems: [], location: null });
      for (const o of routed) addTap(o, groupId);
    }
  }
  return { nodes, edges };
}

/** The same graph with each location converted (to a URI for a client, to a relative path for the CLI). */
export function mapGraphLocations<A, B>(graph: NetworkGraph<A>, convert: (location: A) => B): NetworkGraph<B> {
  return {
    nodes: graph.nodes.map((node) => ({ ...node, location: node.location === null ? null : convert(node.location) })),
    edges: graph.edges,
  };
}
