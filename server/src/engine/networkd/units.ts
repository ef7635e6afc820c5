/**
 * Turns unit files on disk into UnitDefinitions the way systemd-networkd 252 loads them:
 * - `*.network` / `*.netdev` in the network directories, with directory precedence when paths
 *   mirror `/etc`, `/run`, `/usr/local/lib`, `/usr/lib` (and `/lib`) `systemd/network/`: within one
 *   mirror root the same basename in a higher-priority directory hides the others entirely;
 * - an empty file or a `/dev/null` symlink (text null) masks the basename;
 * - drop-ins `foo.network.d/*.conf` from any of the directories of the same mirror root, the
 *   highest-priority file of a given name winning (an empty one masks it), applied after the main
 *   file in filename (strcmp) order. Outside mirrors, drop-ins apply to the sibling main file.
 * Settings keep read order, so list keys append and single-value keys are overwritten.
 */
import { DIAGNOSTICS } from '../checks/codes';
import type { Location } from '../text';
import type { UnitDefinition, UnitKind, UnitSection, UnitSetting, UnitSyntaxIssue } from '../model';
import { known, knownText } from '../pattern';
import { parseUnitText, type ParsedUnitText } from './parser';
import { MATCH_KEYS, readMatch } from './matchconf';

export interface UnitFileInput {
  /** Absolute path. */
  path: string;
  /** File text; null for a symlink to /dev/null. */
  text: string | null;
}

/** Network directories, highest priority first (rank = index). */
export const NETWORK_DIRS = [
  '/etc/systemd/network/',
  '/run/systemd/network/',
  '/usr/local/lib/systemd/network/',
  '/usr/lib/systemd/network/',
  '/lib/systemd/network/',
] as const;

interface Classified {
  input: UnitFileInput;
  kind: UnitKind;
  /** Main file basename (`10-lan.network`); for a drop-in the basename of the unit it extends. */
  unitName: string;
  dropIn: string | null;
  root: string | null;
  rank: number | undefined;
  /** Directory that holds the main file (or the `.d` directory) outside mirrors. */
  dir: string;
}

function kindOf(name: string): UnitKind | null {
  if (name.endsWith('.network') && name.length > '.network'.length) return 'network';
  if (name.endsWith('.netdev') && name.length > '.netdev'.length) return 'netdev';
  return null;
}

function classify(input: UnitFileInput): Classified | null {
  const path = input.path;
  let root: string | null = null;
  let rank: number | undefined;
  let rest = '';
  for (let r = 0; r < NETWORK_DIRS.length; r++) {
    const idx = path.indexOf(NETWORK_DIRS[r]);
    if (idx >= 0) {
      root = path.slice(0, idx);
      rank = r;
      rest = path.slice(idx + NETWORK_DIRS[r].length);
      break;
    }
  }
  const parts = (root !== null ? rest : path).split('/');
  const base = parts[parts.length - 1];
  const parent = parts.length >= 2 ? parts[parts.length - 2] : '';
  const dir = path.slice(0, path.length - base.length - 1);
  // systemd skips hidden files (verified on networkd 252: `.00-x.network`, `.br0.netdev` and a
  // `.x.conf` drop-in are never read).
  if (base.startsWith('.')) return null;
  if (root !== null && parts.length > 2) return null; // networkd does not read subdirectories
  if (parent.endsWith('.d') && base.endsWith('.conf') && (root === null || parts.length === 2)) {
    const unitName = parent.slice(0, -2);
    const kind = kindOf(unitName);
    if (!kind) return null;
    return { input, kind, unitName, dropIn: base, root, rank, dir: dir.slice(0, dir.length - parent.length - 1) };
  }
  if (root !== null && parts.length !== 1) return null;
  const kind = kindOf(base);
  if (!kind) return null;
  return { input, kind, unitName: base, dropIn: null, root, rank, dir };
}

/** strcmp() order of UTF-8 bytes. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const isMasked = (text: string | null): boolean => text === null || text === '';

function fileStart(file: string): Location {
  return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

export function loadUnitFiles(inputs: UnitFileInput[]): UnitDefinition[] {
  const byPath = new Map<string, UnitFileInput>();
  for (const input of inputs) byPath.set(input.path, input);
  const files = [...byPath.values()].map(classify).filter((c): c is Classified => c !== null);

  // Main files: group by (mirror root, basename) or, outside mirrors, by path.
  const groups = new Map<string, Classified[]>();
  for (const f of files) {
    if (f.dropIn) continue;
    const key = f.root !== null ? `m\0${f.root}\0${f.unitName}` : `p\0${f.input.path}`;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  const units: UnitDefinition[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const main = group[0];
    if (isMasked(main.input.text)) {
      units.push({
        kind: main.kind,
        name: main.unitName,
        source: 'file',
        location: fileStart(main.input.path),
        masked: true,
        settings: [],
        sections: [],
        complete: true,
        directoryRank: main.rank,
        issues: [],
        host: null,
      });
      continue;
    }
    const dropIns = files
      .filter((f) => f.dropIn && f.kind === main.kind && f.unitName === main.unitName)
      .filter((f) => (main.root !== null ? f.root === main.root : f.root === null && f.dir === main.dir));
    const byName = new Map<string, Classified>();
    for (const d of dropIns.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0))) {
      if (!byName.has(d.dropIn!)) byName.set(d.dropIn!, d);
    }
    const applied = [...byName.values()]
      .filter((d) => !isMasked(d.input.text))
      .sort((a, b) => compareBytes(a.dropIn!, b.dropIn!));
    units.push(buildUnit(main, applied));
  }
  return units;
}

function buildUnit(main: Classified, dropIns: Classified[]): UnitDefinition {
  const settings: UnitSetting[] = [];
  const sections: UnitSection[] = [];
  const issues: UnitSyntaxIssue[] = [];
  let rejected: string | undefined;
  const parsedFiles: ParsedUnitText[] = [];
  for (const f of [main, ...dropIns]) {
    const parsed = parseUnitText(f.input.path, f.input.text ?? '');
    parsedFiles.push(parsed);
    for (const s of parsed.sections) sections.push({ name: s.name, location: s.location });
    for (const e of parsed.entries) {
      const setting: UnitSetting = {
        section: e.section,
        key: e.key,
        value: known(e.value),
        keyLocation: e.keyLocation,
        valueLocation: e.valueLocation,
      };
      if (f !== main) setting.dropIn = f.input.path;
      settings.push(setting);
    }
    issues.push(...parsed.issues);
    if (parsed.rejected && rejected === undefined) rejected = parsed.rejected;
  }
  const unit: UnitDefinition = {
    kind: main.kind,
    name: main.unitName,
    source: 'file',
    location: fileStart(main.input.path),
    masked: false,
    settings,
    sections,
    complete: true,
    directoryRank: main.rank,
    issues,
    host: null,
  };
  if (dropIns.length) unit.dropIns = dropIns.map((d) => d.input.path);
  if (rejected !== undefined) unit.rejected = rejected;
  issues.push(...semanticIssues(unit, parsedFiles));
  return unit;
}

// ---------------------------------------------------------------------------------------------
// Semantic issues: things networkd silently ignores or misreads.

const NETWORK_SECTIONS = [
  'Match', 'Link', 'SR-IOV', 'Network', 'Address', 'Neighbor', 'IPv6AddressLabel', 'RoutingPolicyRule', 'Route',
  'NextHop', 'DHCP', 'DHCPv4', 'DHCPv6', 'DHCPv6PrefixDelegation', 'DHCPPrefixDelegation', 'DHCPServer',
  'DHCPServerStaticLease', 'IPv6AcceptRA', 'IPv6NDPProxyAddress', 'Bridge', 'BridgeFDB', 'BridgeMDB', 'BridgeVLAN',
  'IPv6SendRA', 'IPv6PrefixDelegation', 'IPv6Prefix', 'IPv6RoutePrefix', 'LLDP', 'TrafficControlQueueingDiscipline',
  'CAN', 'QDisc', 'BFIFO', 'CAKE', 'ControlledDelay', 'DeficitRoundRobinScheduler', 'DeficitRoundRobinSchedulerClass',
  'EnhancedTransmissionSelection', 'FairQueueing', 'FairQueueingControlledDelay', 'FlowQueuePIE',
  'GenericRandomEarlyDetection', 'HeavyHitterFilter', 'HierarchyTokenBucket', 'HierarchyTokenBucketClass',
  'NetworkEmulator', 'PFIFO', 'PFIFOFast', 'PFIFOHeadDrop', 'PIE', 'QuickFairQueueing', 'QuickFairQueueingClass',
  'StochasticFairBlue', 'StochasticFairnessQueueing', 'TokenBucketFilter', 'TrivialLinkEqualizer', 'IPoIB', 'Bond',
];
const NETDEV_SECTIONS = [
  'Match', 'NetDev', 'Bridge', 'VLAN', 'MACVLAN', 'MACVTAP', 'IPVLAN', 'IPVTAP', 'VXLAN', 'GENEVE', 'BareUDP',
  'L2TP', 'L2TPSession', 'MACsec', 'MACsecReceiveChannel', 'MACsecTransmitAssociation', 'MACsecReceiveAssociation',
  'Tunnel', 'FooOverUDP', 'Peer', 'Tun', 'Tap', 'Bond', 'VRF', 'WireGuard', 'WireGuardPeer', 'BatmanAdvanced',
  'IPoIB', 'WLAN', 'Xfrm', 'VXCAN',
];
/** Keys whose miscasing is worth a warning (the ones this analysis depends on, and common ones). */
const KNOWN_KEYS: Record<string, string[]> = {
  Match: [...MATCH_KEYS],
  Link: ['Unmanaged', 'MACAddress', 'MTUBytes', 'ARP', 'Multicast', 'AllMulticast', 'Promiscuous', 'RequiredForOnline', 'ActivationPolicy'],
  Network: [
    'Description', 'Bridge', 'Bond', 'VRF', 'BatmanAdvanced', 'KeepMaster', 'Address', 'Gateway', 'DHCP', 'DNS',
    'Domains', 'DHCPServer', 'IPForward', 'IPMasquerade', 'IPv6SendRA', 'LinkLocalAddressing', 'IPv6AcceptRA',
    'ConfigureWithoutCarrier', 'VLAN', 'MACVLAN', 'MACVTAP', 'IPVLAN', 'VXLAN', 'Tunnel', 'LLDP', 'EmitLLDP', 'NTP',
  ],
  NetDev: ['Description', 'Name', 'Kind', 'MTUBytes', 'MACAddress'],
  Address: ['Address', 'Peer', 'Broadcast', 'Label'],
  Route: ['Gateway', 'Destination', 'Source', 'Metric', 'Table', 'Scope'],
};
/** Keys whose value an inline comment breaks (a trailing ` # note` becomes part of the value). */
const INLINE_COMMENT_KEYS: Record<string, string[]> = {
  Match: [...MATCH_KEYS],
  Link: ['Unmanaged', 'MACAddress', 'MTUBytes', 'RequiredForOnline', 'ActivationPolicy'],
  Network: ['Bridge', 'Bond', 'VRF', 'BatmanAdvanced', 'KeepMaster', 'Address', 'Gateway', 'DHCP', 'DNS', 'DHCPServer', 'IPForward', 'IPMasquerade', 'IPv6SendRA', 'LinkLocalAddressing', 'VLAN', 'MACVLAN', 'MACVTAP'],
  NetDev: ['Name', 'Kind', 'MTUBytes', 'MACAddress'],
  Address: ['Address', 'Peer'],
  Route: ['Gateway', 'Destination'],
};

const basename = (path: string): string => path.split('/').pop() || path;

function semanticIssues(unit: UnitDefinition, parsed: ParsedUnitText[]): UnitSyntaxIssue[] {
  const issues: UnitSyntaxIssue[] = [];
  const sectionList = unit.kind === 'network' ? NETWORK_SECTIONS : NETDEV_SECTIONS;
  for (const file of parsed) {
    const fname = basename(file.file);
    for (const sec of file.sections) {
      if (sectionList.includes(sec.name) || sec.name.startsWith('X-')) continue;
      const proper = sectionList.find((s) => s.toLowerCase() === sec.name.trim().toLowerCase());
      if (proper) {
        issues.push({
          code: DIAGNOSTICS.networkdSyntaxMiscased.code,
          message: `${fname}: section \`[${sec.name}]\` is not \`[${proper}]\`: section names are case-sensitive and must not contain spaces, so systemd-networkd ignores this section and everything in it.`,
          location: sec.location,
        });
      }
    }
  }
  for (const s of unit.settings) {
    const fname = basename(s.dropIn ?? unit.location.file);
    const value = knownText(s.value);
    const keys = KNOWN_KEYS[s.section];
    if (keys && !keys.includes(s.key) && !s.key.startsWith('X-')) {
      const proper = keys.find((k) => k.toLowerCase() === s.key.toLowerCase());
      if (proper) {
        issues.push({
          code: DIAGNOSTICS.networkdSyntaxMiscased.code,
          message: `${fname}: key \`${s.key}=\` is not \`${proper}=\`: keys are case-sensitive, so systemd-networkd ignores this assignment.`,
          location: s.keyLocation,
        });
      }
    }
    if (value === undefined) continue;
    if (/["']/.test(value) && isNameLike(unit, s)) {
      const what =
        s.section === 'Match'
          ? 'quotes are not removed in `Name=`, so this glob only matches names that contain quote characters'
          : 'quotes are not removed, so they become part of the interface name and no such netdev exists';
      issues.push({
        code: DIAGNOSTICS.networkdSyntaxQuotedName.code,
        message: `${fname}: \`${s.key}=${value}\`: ${what}. Write it without quotes.`,
        location: s.valueLocation,
      });
    }
    const inline = /[ \t][#;]/.exec(value);
    if (inline && (INLINE_COMMENT_KEYS[s.section] ?? []).includes(s.key)) {
      const effect =
        s.section === 'Match' && (s.key === 'Name' || s.key === 'Kind' || s.key === 'Driver' || s.key === 'Type')
          ? `the words after it (\`${value.slice(inline.index + 1)}\`) become extra match patterns`
          : `the whole text \`${value}\` is taken as the value, which is invalid, so systemd-networkd ignores the assignment`;
      issues.push({
        code: DIAGNOSTICS.networkdSyntaxInlineComment.code,
        message: `${fname}: \`${s.key}=${value}\`: systemd unit files have no inline comments (only lines starting with # or ;); ${effect}.`,
        location: s.valueLocation,
      });
    }
  }
  if (unit.kind === 'network' && !unit.rejected) {
    const match = readMatch(unit.settings);
    if (match.empty === 'yes') {
      const header = unit.sections.find((s) => s.name === 'Match');
      issues.push({
        code: DIAGNOSTICS.networkdSyntaxEmptyMatch.code,
        message: `${unit.name}: ${header ? 'no valid setting in the [Match] section' : 'no [Match] section'}; systemd-networkd ignores the whole file ("No valid settings found in the [Match] section"). To match every interface, add \`Name=*\` to [Match].`,
        location: header?.location ?? unit.location,
      });
    }
  }
  return issues;
}

function isNameLike(unit: UnitDefinition, s: UnitSetting): boolean {
  if (unit.kind === 'network') return (s.section === 'Match' && s.key === 'Name') || (s.section === 'Network' && ['Bridge', 'Bond', 'VRF', 'BatmanAdvanced'].includes(s.key));
  return s.section === 'NetDev' && s.key === 'Name';
}
