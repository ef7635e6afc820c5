/**
 * Randomized systemd-networkd scenarios for the oracle test: unit files (.network, .netdev,
 * drop-ins, masks, several directories) and taps. Deterministic for a seed.
 *
 * Every scenario gets one "primary" theme (themes cycle, so any run of at least THEMES.length
 * scenarios covers them all) plus a few random ones, plus background noise. Each theme targets
 * a pitfall of networkd.md §3 (or drop-ins, precedence, masking, match keys) and tags the
 * scenario with feature names; the test checks that every REQUIRED_FEATURES tag was produced.
 * The generator never predicts an outcome: the daemon is the oracle.
 */
import { NETWORKD_DIRS, type DaemonFile, type DaemonScenario, type DaemonTap } from './daemon';

export interface Scenario extends DaemonScenario {
  /** Feature tags the scenario exercises (see REQUIRED_FEATURES). */
  features: string[];
}

export interface GenerateOptions {
  seed: number;
  /** Number of scenarios. */
  count: number;
}

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: tiny, fast, good enough for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from empty list');
    return items[Math.floor(this.next() * items.length)];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.min(n, items.length));
  }
}

// ---------------------------------------------------------------------------------------------
// Feature tags

export const REQUIRED_FEATURES = [
  // §3.1 empty [Match]
  'empty-match', 'no-match-section', 'match-only-unknown-key', 'match-only-x-key', 'miscased-match-section',
  // §3.2 Name= globs and lists
  'glob-star', 'glob-question', 'glob-class', 'glob-negated-class', 'glob-range', 'glob-case',
  'name-multi-word', 'name-negated-line', 'name-negated-separate-line', 'name-only-negative',
  'name-multiple-lines', 'name-reset',
  // §3.3 to §3.6
  'name-quoted', 'bridge-inline-comment', 'miscased-key-name', 'miscased-key-bridge', 'miscased-section-network',
  'x-key', 'continuation', 'continuation-comment', 'semicolon-comment', 'spaces-around-equals',
  // §3.8 and §1
  'shadowing', 'sort-numeric-vs-bytes', 'sort-case', 'sort-punctuation',
  'bridge-last-wins', 'bridge-later-invalid', 'bridge-no-netdev', 'netdev-not-bridge', 'netdev-kind-miscased',
  'netdev-duplicate-name', 'unmanaged', 'unmanaged-no',
  // §2 match keys
  'match-kind-tun', 'match-kind-tap', 'match-type-ether', 'match-type-none', 'match-driver-tun',
  'match-path', 'match-path-negated', 'match-mac', 'match-mac-other-format', 'match-negated-key', 'match-quoted-value',
  // drop-ins
  'dropin-append-name', 'dropin-reset-name', 'dropin-overwrite-bridge', 'dropin-unmanaged', 'dropin-order-across-dirs',
  'dropin-override-same-name', 'dropin-masked', 'dropin-not-conf', 'dropin-fills-empty-match',
  // directories and masking
  'precedence-same-basename', 'mask-empty-file', 'mask-devnull', 'mask-lower-dir-no-effect', 'netdev-masked', 'netdev-precedence',
  'not-network-extension', 'hidden-file', 'hidden-dropin', 'hidden-netdev',
  // taps
  'tap-late', 'tap-mac-preset',
] as const;

// ---------------------------------------------------------------------------------------------
// Scenario building

const [ETC, RUN, LOCAL, USR] = NETWORKD_DIRS;
const DIR_WEIGHTS: [string, number][] = [[ETC, 0.5], [RUN, 0.15], [LOCAL, 0.15], [USR, 0.2]];

const TAP_FAMILIES = ['vm-', 'tap', 'vm_', 'VM-', 'g', 'n-skip', 'mv', 'vnet', 'ct.', 'qv-'] as const;
const SUFFIX_CHARS = 'abcdexyz0123456789';
const BRIDGES = ['br0', 'br1', 'lan0', 'brvm'] as const;
const GHOST_BRIDGE = 'brghost';

interface Ctx {
  r: Rng;
  id: string;
  files: DaemonFile[];
  taps: DaemonTap[];
  features: Set<string>;
  /** Bridges with a valid .netdev (Kind=bridge) somewhere in the scenario. */
  bridges: string[];
  /** Netdevs that are not bridges. */
  others: string[];
  families: string[];
  used: Set<string>;
  /** Shared by all scenarios of one generation: round-robin over variants so each one occurs. */
  cycles: Map<string, number>;
}

/** The next of `n` variants of `key`, round-robin across the whole generation. */
function variant(c: Ctx, key: string, n: number): number {
  const k = c.cycles.get(key) ?? 0;
  c.cycles.set(key, k + 1);
  return k % n;
}

function tag(c: Ctx, ...features: string[]): void {
  for (const f of features) c.features.add(f);
}

function pickDir(r: Rng): string {
  let x = r.float();
  for (const [dir, w] of DIR_WEIGHTS) {
    if ((x -= w) < 0) return dir;
  }
  return ETC;
}

function addFile(c: Ctx, path: string, text: string | null): void {
  if (c.used.has(path)) throw new Error(`generator: ${path} twice in ${c.id}`);
  c.used.add(path);
  c.files.push({ path, text });
}

/** A basename not used yet in any directory. */
function freshBase(c: Ctx, prefix: string, ext: string): string {
  for (let i = 0; ; i++) {
    const name = `${prefix}${i ? `-${i}` : ''}${ext}`;
    if (!NETWORKD_DIRS.some((d) => c.used.has(`${d}/${name}`))) return name;
  }
}

function sortPrefix(r: Rng): string {
  return r.pick(['10', '20', '9', '05', '50', '99', '1', '100', 'A', 'a', 'Z', 'z', '_x', '-x', 'x_', 'x-']);
}

function unitBase(c: Ctx, stem?: string): string {
  return freshBase(c, `${sortPrefix(c.r)}-${stem ?? c.r.pick(['vm', 'lan', 'taps', 'dhcp', 'guests', 'bridge', 'all', 'uplink'])}`, '.network');
}

function tapsOfFamily(c: Ctx, family: string): DaemonTap[] {
  return c.taps.filter((t) => t.name.startsWith(family));
}

function anyTap(c: Ctx): DaemonTap {
  return c.r.pick(c.taps);
}

function bridgeName(c: Ctx): string {
  return c.bridges.length ? c.r.pick(c.bridges) : GHOST_BRIDGE;
}

/** Optional cosmetic noise: comments, blank lines. */
function noise(c: Ctx): string[] {
  const r = c.r;
  if (r.chance(0.6)) return [];
  if (r.chance(0.3)) {
    tag(c, 'semicolon-comment');
    return ['; ' + r.pick(['managed by hand', 'see wiki', 'Bridge=br1'])];
  }
  return [r.pick(['# generated', '', '  # Name=*', '#Bridge=brghost'])];
}

function kv(c: Ctx, key: string, value: string): string {
  if (c.r.chance(0.08)) {
    tag(c, 'spaces-around-equals');
    return `${key} = ${value}`;
  }
  return `${key}=${value}`;
}

// Glob patterns built from a tap name ----------------------------------------------------------

function familyOf(name: string): string {
  return TAP_FAMILIES.filter((f) => name.startsWith(f)).sort((a, b) => b.length - a.length)[0] ?? name.slice(0, 2);
}

/** A glob probably related to `name` (may or may not match it: the daemon decides). */
function globFor(c: Ctx, name: string): string {
  const r = c.r;
  const i = r.int(0, name.length - 1);
  const ch = name[i];
  switch (r.int(0, 9)) {
    case 0:
      return name;
    case 1:
    case 2:
      tag(c, 'glob-star');
      return familyOf(name) + '*';
    case 3:
      tag(c, 'glob-question');
      return name.slice(0, i) + '?' + name.slice(i + 1);
    case 4: {
      tag(c, 'glob-class');
      const other = r.pick([...SUFFIX_CHARS]);
      return name.slice(0, i) + `[${r.chance(0.7) ? ch : ''}${other}]` + name.slice(i + 1);
    }
    case 5: {
      tag(c, 'glob-negated-class');
      const other = r.chance(0.5) ? ch : r.pick([...SUFFIX_CHARS]);
      return name.slice(0, i) + `[!${other}]` + name.slice(i + 1);
    }
    case 6: {
      tag(c, 'glob-range');
      const range = /[0-9]/.test(ch) ? r.pick(['[0-9]', '[0-4]', '[5-9]']) : r.pick(['[a-z]', '[a-f]', '[A-Z]', '[x-z]']);
      return name.slice(0, i) + range + (r.chance(0.5) ? '*' : name.slice(i + 1));
    }
    case 7: {
      tag(c, 'glob-case');
      const flipped = name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase();
      return r.chance(0.5) ? flipped : familyOf(flipped) + '*';
    }
    case 8:
      tag(c, 'glob-star');
      return r.pick(['*', '*' + name.slice(-1), name.slice(0, 1) + '*' + name.slice(-1)]);
    default:
      return r.pick(['en*', 'eth0', 'wl*', 'zz?', 'br*']);
  }
}

/** One `Name=` line's words for a set of taps, sometimes negated as a whole. */
function nameWords(c: Ctx, n: number): string[] {
  const words: string[] = [];
  for (let k = 0; k < n; k++) words.push(globFor(c, anyTap(c).name));
  if (words.length > 1) tag(c, 'name-multi-word');
  return words;
}

/** `[Match]` lines (without the header) with Name= in its many forms. */
function nameLines(c: Ctx): string[] {
  const r = c.r;
  const lines: string[] = [];
  const nLines = r.chance(0.7) ? 1 : r.int(2, 3);
  for (let k = 0; k < nLines; k++) {
    let words = nameWords(c, r.int(1, 3));
    let neg = '';
    if (r.chance(0.2)) {
      neg = '!';
      tag(c, 'name-negated-line');
      if (k > 0) tag(c, 'name-negated-separate-line');
      if (nLines === 1) tag(c, 'name-only-negative');
    }
    if (r.chance(0.05)) {
      tag(c, 'name-quoted');
      words = [`"${words.join(' ')}"`];
    }
    if (r.chance(0.1) && words.length > 1) {
      tag(c, 'continuation');
      const cont = [`Name=${neg}${words[0]} \\`];
      if (r.chance(0.5)) {
        tag(c, 'continuation-comment');
        cont.push('# a comment inside the continuation');
      }
      cont.push(`    ${words.slice(1).join(' ')}`);
      lines.push(...cont);
    } else {
      lines.push(kv(c, 'Name', neg + words.join(' ')));
    }
  }
  if (nLines > 1) tag(c, 'name-multiple-lines');
  if (r.chance(0.08)) {
    tag(c, 'name-reset');
    lines.splice(r.int(0, lines.length), 0, 'Name=');
  }
  return lines;
}

/** `[Network]` lines setting Bridge= (0..3 times, valid or not). */
function bridgeLines(c: Ctx, allowNone = true): string[] {
  const r = c.r;
  const out: string[] = [];
  const n = allowNone && r.chance(0.15) ? 0 : r.chance(0.8) ? 1 : r.int(2, 3);
  for (let k = 0; k < n; k++) {
    const roll = r.float();
    if (roll < 0.65) out.push(kv(c, 'Bridge', bridgeName(c)));
    else if (roll < 0.73) {
      tag(c, 'bridge-no-netdev');
      out.push(`Bridge=${GHOST_BRIDGE}`);
    } else if (roll < 0.8 && c.others.length) {
      tag(c, 'netdev-not-bridge');
      out.push(`Bridge=${r.pick(c.others)}`);
    } else if (roll < 0.86) {
      tag(c, 'bridge-inline-comment');
      out.push(`Bridge=${bridgeName(c)} # lan`);
    } else if (roll < 0.92) {
      tag(c, 'continuation');
      out.push('Bridge=\\', bridgeName(c));
    } else {
      tag(c, 'miscased-key-bridge');
      out.push(`bridge=${bridgeName(c)}`);
    }
  }
  if (n > 1) tag(c, 'bridge-last-wins');
  return out;
}

interface UnitParts {
  match?: string[] | null; // null: no [Match] section at all
  matchHeader?: string;
  network?: string[];
  networkHeader?: string;
  link?: string[];
}

function renderNetwork(c: Ctx, p: UnitParts): string {
  const out: string[] = [...noise(c)];
  const sections: [string, string[] | undefined][] = [];
  if (p.match !== null) sections.push([p.matchHeader ?? '[Match]', p.match ?? nameLines(c)]);
  if (p.link && p.link.length) sections.push(['[Link]', p.link]);
  if (p.network) sections.push([p.networkHeader ?? '[Network]', p.network]);
  const ordered = c.r.chance(0.15) ? c.r.shuffle(sections) : sections;
  for (const [header, lines] of ordered) {
    out.push(header, ...(lines ?? []), ...noise(c));
  }
  return out.join('\n') + '\n';
}

/** A "normal" unit: Name= match plus Bridge= lines, sometimes extra match keys. */
function plainUnit(c: Ctx, base?: string, dir?: string): string {
  const b = base ?? unitBase(c);
  const match = nameLines(c);
  if (c.r.chance(0.25)) match.push(...extraMatchKeys(c));
  const network = [...bridgeLines(c)];
  if (c.r.chance(0.2)) network.unshift(c.r.pick(['DHCP=yes', 'LinkLocalAddressing=no', 'Address=10.9.0.1/24', 'IPv6AcceptRA=no']));
  const link = c.r.chance(0.1) ? [maybeUnmanaged(c)] : undefined;
  addFile(c, `${dir ?? pickDir(c.r)}/${b}`, renderNetwork(c, { match, network, link }));
  return b;
}

function maybeUnmanaged(c: Ctx): string {
  if (c.r.chance(0.6)) {
    tag(c, 'unmanaged');
    return `Unmanaged=${c.r.pick(['yes', 'true', '1', 'on'])}`;
  }
  tag(c, 'unmanaged-no');
  return `Unmanaged=${c.r.pick(['no', 'false', '0'])}`;
}

function extraMatchKeys(c: Ctx): string[] {
  const r = c.r;
  switch (variant(c, 'matchKeys', 8)) {
    case 0: {
      const v = ['tun', 'tap', 'tun tap', 'bridge'][variant(c, 'kind', 4)];
      tag(c, v === 'tap' ? 'match-kind-tap' : 'match-kind-tun');
      return [`Kind=${v}`];
    }
    case 1: {
      const v = ['ether', 'none', '!none', 'ether none'][variant(c, 'type', 4)];
      tag(c, v.includes('none') ? 'match-type-none' : 'match-type-ether');
      if (v.includes('ether')) tag(c, 'match-type-ether');
      if (v.startsWith('!')) tag(c, 'match-negated-key');
      return [`Type=${v}`];
    }
    case 2: {
      tag(c, 'match-driver-tun');
      const v = r.pick(['tun', 'bridge', '!veth', 'tun veth', '"tun"']);
      if (v.startsWith('"')) tag(c, 'match-quoted-value');
      if (v.startsWith('!')) tag(c, 'match-negated-key');
      return [`Driver=${v}`];
    }
    case 3: {
      const neg = variant(c, 'pathNeg', 2) === 0;
      tag(c, neg ? 'match-path-negated' : 'match-path');
      return [`Path=${neg ? '!' : ''}${r.pick(['pci-*', '*', 'platform-*'])}`];
    }
    case 4:
      return macMatch(c);
    case 5: {
      tag(c, 'match-kind-tun', 'match-negated-key');
      return [r.pick(['Kind=!bridge', 'Kind=!tun', 'Kind=!veth dummy'])];
    }
    case 6:
      tag(c, 'match-quoted-value', 'match-kind-tun');
      return [r.pick(['Kind="tun"', 'Type="ether"'])];
    default:
      tag(c, 'x-key');
      return ['X-Owner=ops'];
  }
}

function formatMac(c: Ctx, mac: string): string {
  const r = c.r;
  switch (r.int(0, 5)) {
    case 0:
      tag(c, 'match-mac-other-format');
      return mac.toUpperCase();
    case 1:
      tag(c, 'match-mac-other-format');
      return mac.replace(/:/g, '-');
    case 2: {
      tag(c, 'match-mac-other-format');
      const hex = mac.replace(/:/g, '');
      return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`;
    }
    default:
      return mac;
  }
}

function macMatch(c: Ctx): string[] {
  tag(c, 'match-mac');
  const withMac = c.taps.filter((t) => t.mac);
  const macs: string[] = [];
  const n = c.r.int(1, 2);
  for (let k = 0; k < n; k++) {
    macs.push(withMac.length && c.r.chance(0.8) ? formatMac(c, c.r.pick(withMac).mac!) : randomMac(c.r));
  }
  return [`MACAddress=${macs.join(' ')}`];
}

function randomMac(r: Rng): string {
  const bytes = [0x02, 0x00, r.int(0, 255), r.int(0, 255), r.int(0, 255), r.int(0, 255)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function netdevText(c: Ctx, name: string, kind: string): string {
  const lines = [...noise(c), '[NetDev]'];
  const keys = [kv(c, 'Name', name), kv(c, 'Kind', kind)];
  lines.push(...(c.r.chance(0.3) ? keys.reverse() : keys));
  if (kind === 'bond' && c.r.chance(0.5)) lines.push('', '[Bond]', 'Mode=active-backup');
  return lines.join('\n') + '\n';
}

/** One unit with a syntax pitfall of networkd.md §3.3-3.6 (round-robin over the variants). */
function syntaxUnit(c: Ctx): void {
  const r = c.r;
  const t = anyTap(c).name;
  const fam = familyOf(t);
  const br = bridgeName(c);
  switch (variant(c, 'syntax', 7)) {
    case 0:
      tag(c, 'name-quoted');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'quoted')}`, renderNetwork(c, { match: [`Name="${fam}*"`], network: [`Bridge=${br}`] }));
      break;
    case 1:
      tag(c, 'bridge-inline-comment');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'comment')}`, renderNetwork(c, { match: [`Name=${fam}*`], network: [`Bridge=${br} # lan`] }));
      break;
    case 2:
      tag(c, 'miscased-key-name');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'case')}`, renderNetwork(c, { match: [`name=${fam}*`, ...(r.chance(0.5) ? [`Name=${t}`] : [])], network: [`Bridge=${br}`] }));
      break;
    case 3:
      tag(c, 'miscased-key-bridge');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'case')}`, renderNetwork(c, { match: [`Name=${fam}*`], network: [`bridge=${br}`, ...(r.chance(0.4) ? [`Bridge=${bridgeName(c)}`] : [])] }));
      break;
    case 4:
      tag(c, 'miscased-section-network');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'case')}`, renderNetwork(c, { match: [`Name=${fam}*`], network: [`Bridge=${br}`], networkHeader: r.pick(['[network]', '[NETWORK]']) }));
      break;
    case 5:
      tag(c, 'x-key');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'xkeys')}`, renderNetwork(c, { match: [`X-Match=${t}`, `Name=${fam}*`], network: ['X-Bridge=br1', `Bridge=${br}`] }));
      break;
    default:
      tag(c, 'continuation', 'continuation-comment');
      addFile(c, `${pickDir(r)}/${unitBase(c, 'cont')}`, renderNetwork(c, {
        match: [`Name=en* \\`, '# vms below', '; and more', `  ${t} \\`, `  ${familyOf(anyTap(c).name)}*`],
        network: [`Bridge=\\`, `  ${br}`],
      }));
  }
}

// Themes ---------------------------------------------------------------------------------------

type Theme = (c: Ctx) => void;

const THEMES: Record<string, Theme> = {
  emptyMatch(c) {
    const r = c.r;
    const v = variant(c, 'emptyMatch', 5);
    const base = freshBase(c, r.pick(['00-catchall', '01-all', 'A-empty']), '.network');
    const network = [`Bridge=${bridgeName(c)}`];
    let parts: UnitParts;
    if (v === 0) {
      tag(c, 'empty-match');
      parts = { match: [], network };
    } else if (v === 1) {
      tag(c, 'no-match-section');
      parts = { match: null, network };
    } else if (v === 2) {
      tag(c, 'match-only-unknown-key');
      parts = { match: [`Interface=${anyTap(c).name}`], network };
    } else if (v === 3) {
      tag(c, 'match-only-x-key', 'x-key');
      parts = { match: [`X-Name=${familyOf(anyTap(c).name)}*`], network };
    } else {
      tag(c, 'miscased-match-section');
      parts = { match: [`Name=${familyOf(anyTap(c).name)}*`], matchHeader: r.pick(['[match]', '[MATCH]']), network };
    }
    addFile(c, `${pickDir(r)}/${base}`, renderNetwork(c, parts));
    plainUnit(c);
  },
  globs(c) {
    for (let k = c.r.int(2, 3); k > 0; k--) plainUnit(c);
  },
  negation(c) {
    const r = c.r;
    const t = anyTap(c).name;
    const fam = familyOf(t);
    const v = variant(c, 'negation', 3);
    let match: string[];
    if (v === 0) {
      tag(c, 'name-negated-line', 'name-multi-word');
      match = [`Name=${fam}* !${t} ${fam}x*`];
    } else if (v === 1) {
      tag(c, 'name-negated-line', 'name-negated-separate-line', 'name-multiple-lines');
      match = [`Name=${fam}*`, `Name=!${t}*`];
    } else {
      tag(c, 'name-negated-line', 'name-only-negative');
      match = [`Name=!${t} ${r.pick(['en*', 'lo', fam + '?'])}`];
    }
    addFile(c, `${pickDir(r)}/${unitBase(c, 'neg')}`, renderNetwork(c, { match, network: bridgeLines(c, false) }));
  },
  listSemantics(c) {
    const r = c.r;
    const a = anyTap(c).name;
    const b = anyTap(c).name;
    tag(c, 'name-multiple-lines', 'name-reset');
    const match = r.chance(0.5) ? [`Name=${a}`, 'Name=', `Name=${b}`] : [`Name=${familyOf(a)}*`, `Name=${b}`, ...(r.chance(0.5) ? ['Name='] : [])];
    addFile(c, `${pickDir(r)}/${unitBase(c, 'list')}`, renderNetwork(c, { match, network: bridgeLines(c, false) }));
  },
  syntax(c) {
    syntaxUnit(c);
    syntaxUnit(c);
    plainUnit(c);
  },
  shadowing(c) {
    const r = c.r;
    tag(c, 'shadowing');
    const t = anyTap(c).name;
    const broad = r.pick([['Name=*'], [`Name=en* ${familyOf(t)}*`], [`Name=${t}`], ['Type=ether'], ['Kind=tun']]);
    const shadow = freshBase(c, r.pick(['10-lan', '05-dhcp', '1-all', '0-uplink']), '.network');
    addFile(c, `${pickDir(r)}/${shadow}`, renderNetwork(c, { match: broad, network: r.pick([['DHCP=yes'], [], ['Address=192.168.7.1/24']]) }));
    const later = freshBase(c, r.pick(['20-vm', '50-taps', '9-vm', 'vm']), '.network');
    addFile(c, `${pickDir(r)}/${later}`, renderNetwork(c, { match: [`Name=${familyOf(t)}*`], network: [`Bridge=${bridgeName(c)}`] }));
  },
  sorting(c) {
    const r = c.r;
    const pairs: [string, string, string][] = [
      ['10-x.network', '9-x.network', 'sort-numeric-vs-bytes'],
      ['100-vm.network', '20-vm.network', 'sort-numeric-vs-bytes'],
      ['A-vm.network', 'a-vm.network', 'sort-case'],
      ['Zz.network', 'aa.network', 'sort-case'],
      ['vm_a.network', 'vm-a.network', 'sort-punctuation'],
      ['x.vm.network', 'x-vm.network', 'sort-punctuation'],
    ];
    const taken = (n: string) => NETWORKD_DIRS.some((d) => c.used.has(`${d}/${n}`));
    const start = variant(c, 'sorting', pairs.length);
    const free = [...pairs.slice(start), ...pairs.slice(0, start)].filter(([a, b]) => !taken(a) && !taken(b));
    if (!free.length) return;
    const [a, b, feature] = free[0];
    tag(c, feature);
    const t = anyTap(c).name;
    const bridges = r.shuffle(c.bridges.length >= 2 ? c.bridges : [...c.bridges, GHOST_BRIDGE, 'br1']);
    addFile(c, `${pickDir(r)}/${a}`, renderNetwork(c, { match: [`Name=${r.chance(0.5) ? t : familyOf(t) + '*'}`], network: [`Bridge=${bridges[0]}`] }));
    addFile(c, `${pickDir(r)}/${b}`, renderNetwork(c, { match: [`Name=${r.chance(0.5) ? t : familyOf(t) + '*'}`], network: r.chance(0.3) ? [] : [`Bridge=${bridges[1]}`] }));
  },
  bridges(c) {
    const r = c.r;
    const fam = familyOf(anyTap(c).name);
    const v = variant(c, 'bridges', 4);
    let network: string[];
    if (v === 0) {
      tag(c, 'bridge-last-wins');
      network = [`Bridge=${bridgeName(c)}`, `Bridge=${bridgeName(c)}`];
    } else if (v === 1) {
      tag(c, 'bridge-later-invalid', 'bridge-last-wins');
      network = [`Bridge=${bridgeName(c)}`, r.pick([`Bridge=${GHOST_BRIDGE}`, `Bridge=${bridgeName(c)} # x`, 'Bridge=', ...c.others.map((o) => `Bridge=${o}`)])];
    } else if (v === 2) {
      tag(c, 'bridge-no-netdev');
      network = [`Bridge=${GHOST_BRIDGE}`];
    } else {
      tag(c, 'netdev-not-bridge');
      network = [`Bridge=${c.others.length ? r.pick(c.others) : 'dm0'}`];
    }
    addFile(c, `${pickDir(r)}/${unitBase(c, 'br')}`, renderNetwork(c, { match: [`Name=${fam}*`], network }));
  },
  unmanaged(c) {
    const r = c.r;
    const t = anyTap(c).name;
    const link = [maybeUnmanaged(c)];
    addFile(c, `${pickDir(r)}/${unitBase(c, 'unmanaged')}`, renderNetwork(c, { match: [`Name=${r.chance(0.5) ? t : familyOf(t) + '*'}`], link, network: r.chance(0.6) ? [`Bridge=${bridgeName(c)}`] : undefined }));
    plainUnit(c);
  },
  matchKeys(c) {
    const r = c.r;
    for (let k = r.int(1, 3); k > 0; k--) {
      const keys = extraMatchKeys(c);
      const names = r.chance(0.4) ? [] : nameLines(c);
      const match = r.chance(0.5) ? [...keys, ...names] : [...names, ...keys];
      addFile(c, `${pickDir(r)}/${unitBase(c, 'keys')}`, renderNetwork(c, { match, network: bridgeLines(c, false) }));
    }
  },
  macs(c) {
    const r = c.r;
    for (let k = r.int(1, 2); k > 0; k--) {
      const match = [...macMatch(c), ...(r.chance(0.3) ? nameLines(c) : [])];
      addFile(c, `${pickDir(r)}/${unitBase(c, 'mac')}`, renderNetwork(c, { match, network: bridgeLines(c, false) }));
    }
  },
  dropIns(c) {
    const r = c.r;
    const base = plainUnit(c);
    const dropinDir = (dir: string) => `${dir}/${base}.d`;
    const all = ['append', 'reset', 'bridge', 'unmanaged', 'order', 'override', 'masked', 'notconf'];
    const cycled = [all[variant(c, 'dropIns', all.length)], all[variant(c, 'dropIns', all.length)]];
    const kinds = [...cycled, ...r.sample(all.filter((k) => !cycled.includes(k)), r.int(0, 1))];
    let n = 0;
    const conf = () => `${String(++n * 10).padStart(2, '0')}-${r.pick(['vm', 'extra', 'local', 'override'])}.conf`;
    for (const kind of kinds) {
      const t = anyTap(c).name;
      switch (kind) {
        case 'append':
          tag(c, 'dropin-append-name');
          addFile(c, `${dropinDir(pickDir(r))}/${conf()}`, `[Match]\nName=${r.chance(0.5) ? t : familyOf(t) + '*'}\n`);
          break;
        case 'reset':
          tag(c, 'dropin-reset-name');
          addFile(c, `${dropinDir(pickDir(r))}/${conf()}`, `[Match]\nName=\n${r.chance(0.7) ? `Name=${t}\n` : ''}`);
          break;
        case 'bridge':
          tag(c, 'dropin-overwrite-bridge');
          addFile(c, `${dropinDir(pickDir(r))}/${conf()}`, `[Network]\nBridge=${r.chance(0.8) ? bridgeName(c) : GHOST_BRIDGE}\n`);
          break;
        case 'unmanaged':
          tag(c, 'dropin-unmanaged');
          addFile(c, `${dropinDir(pickDir(r))}/${conf()}`, `[Link]\n${maybeUnmanaged(c)}\n`);
          break;
        case 'order': {
          tag(c, 'dropin-order-across-dirs', 'dropin-overwrite-bridge');
          // Lower-priority directory, earlier name vs higher-priority directory, later name:
          // drop-ins are ordered by file name across all directories.
          const [hi, lo] = r.chance(0.5) ? [ETC, USR] : [RUN, LOCAL];
          const [b1, b2] = r.shuffle([...c.bridges, GHOST_BRIDGE]);
          addFile(c, `${dropinDir(hi)}/${r.chance(0.5) ? 'zz' : '90'}-late.conf`, `[Network]\nBridge=${b1}\n`);
          addFile(c, `${dropinDir(lo)}/${r.chance(0.5) ? 'aa' : '10'}-early.conf`, `[Network]\nBridge=${b2}\n`);
          break;
        }
        case 'override': {
          tag(c, 'dropin-override-same-name');
          const name = conf();
          addFile(c, `${dropinDir(ETC)}/${name}`, `[Network]\nBridge=${bridgeName(c)}\n`);
          addFile(c, `${dropinDir(r.pick([RUN, USR]))}/${name}`, `[Match]\nName=${t}\n[Network]\nBridge=${GHOST_BRIDGE}\n`);
          break;
        }
        case 'masked': {
          tag(c, 'dropin-masked');
          const name = conf();
          addFile(c, `${dropinDir(r.pick([ETC, RUN]))}/${name}`, null);
          addFile(c, `${dropinDir(USR)}/${name}`, `[Match]\nName=${t}\n[Network]\nBridge=${bridgeName(c)}\n`);
          break;
        }
        default:
          tag(c, 'dropin-not-conf');
          addFile(c, `${dropinDir(pickDir(r))}/${r.pick(['50-x.conf.bak', '50-x.network', '50-x.cnf'])}`, `[Match]\nName=${t}\n[Network]\nBridge=${bridgeName(c)}\n`);
      }
    }
    if (variant(c, 'dropinFills', 2) === 0) {
      // A unit whose [Match] is empty on its own and filled by a drop-in.
      tag(c, 'dropin-fills-empty-match');
      const b2 = unitBase(c, 'filled');
      addFile(c, `${pickDir(r)}/${b2}`, renderNetwork(c, { match: [], network: [`Bridge=${bridgeName(c)}`] }));
      addFile(c, `${pickDir(r)}/${b2}.d/match.conf`, `[Match]\nName=${familyOf(anyTap(c).name)}*\n`);
    }
  },
  precedence(c) {
    const r = c.r;
    const base = unitBase(c, 'prec');
    const dirs = r.sample([ETC, RUN, LOCAL, USR], 2).sort((a, b) => NETWORKD_DIRS.indexOf(a as never) - NETWORKD_DIRS.indexOf(b as never));
    const [hi, lo] = dirs;
    const v = variant(c, 'precedence', 4);
    const t = anyTap(c).name;
    const loText = renderNetwork(c, { match: [`Name=${familyOf(t)}*`], network: [`Bridge=${bridgeName(c)}`] });
    if (v === 0) {
      tag(c, 'precedence-same-basename');
      addFile(c, `${hi}/${base}`, renderNetwork(c, { match: [`Name=${r.chance(0.5) ? t : 'en*'}`], network: bridgeLines(c) }));
      addFile(c, `${lo}/${base}`, loText);
    } else if (v === 1) {
      tag(c, 'mask-empty-file');
      addFile(c, `${hi}/${base}`, '');
      addFile(c, `${lo}/${base}`, loText);
    } else if (v === 2) {
      tag(c, 'mask-devnull');
      addFile(c, `${hi}/${base}`, null);
      addFile(c, `${lo}/${base}`, loText);
    } else {
      tag(c, 'mask-lower-dir-no-effect');
      addFile(c, `${hi}/${base}`, loText);
      addFile(c, `${lo}/${base}`, r.chance(0.5) ? null : '');
    }
  },
  oddFiles(c) {
    const r = c.r;
    const t = anyTap(c).name;
    const body = `[Match]\nName=${familyOf(t)}*\n[Network]\nBridge=${bridgeName(c)}\n`;
    const v = variant(c, 'oddFiles', 4);
    if (v === 0) {
      tag(c, 'not-network-extension');
      const name = freshBase(c, r.pick(['05-vm.network.bak', '05-vm.net', '05-vm.network~', '05-vm.conf']), '');
      addFile(c, `${pickDir(r)}/${name}`, body);
    } else if (v === 1) {
      // systemd's conf_files_list() skips names starting with '.'.
      tag(c, 'hidden-file');
      addFile(c, `${pickDir(r)}/${freshBase(c, '.00-hidden', '.network')}`, body);
    } else if (v === 2) {
      tag(c, 'hidden-dropin');
      const base = plainUnit(c);
      addFile(c, `${pickDir(r)}/${base}.d/.hidden.conf`, `[Match]\nName=\nName=${t}\n[Network]\nBridge=${bridgeName(c)}\n`);
    } else {
      tag(c, 'hidden-netdev');
      const br = r.pick(['brhid', ...c.bridges]);
      if (c.used.has(`${ETC}/.${br}.netdev`)) return;
      addFile(c, `${ETC}/.${br}.netdev`, `[NetDev]\nName=${br}\nKind=${br === 'brhid' ? 'bridge' : 'dummy'}\n`);
      addFile(c, `${pickDir(r)}/${unitBase(c, 'hid')}`, renderNetwork(c, { match: [`Name=${familyOf(t)}*`], network: ['Bridge=brhid'] }));
    }
    plainUnit(c);
  },
  netdevs(c) {
    // Handled in makeNetdevs (needs to run before units); here only more units.
    plainUnit(c);
  },
};

export const THEME_NAMES = Object.keys(THEMES);

function makeTaps(c: Ctx): void {
  const r = c.r;
  const count = r.int(5, 9);
  const names = new Set<string>();
  while (names.size < count) {
    const fam = r.pick(c.families);
    const len = r.int(1, Math.min(4, 15 - fam.length));
    let suffix = '';
    for (let k = 0; k < len; k++) suffix += r.pick([...SUFFIX_CHARS]);
    if (fam === 'VM-' && r.chance(0.5)) suffix = suffix.toUpperCase();
    names.add(fam + suffix);
  }
  for (const name of names) {
    const tap: DaemonTap = { name };
    if (r.chance(0.3)) {
      tap.mac = randomMac(r);
      tag(c, 'tap-mac-preset');
    } else if (r.chance(0.25)) {
      tap.late = true;
      tag(c, 'tap-late');
    }
    c.taps.push(tap);
  }
}

function makeNetdevs(c: Ctx, themes: string[]): void {
  const primary = themes[0];
  const r = c.r;
  const n = r.int(1, 3);
  const shadowNetdev = themes.includes('precedence') || r.chance(0.15);
  for (const br of r.sample(BRIDGES, n)) {
    if (shadowNetdev && c.bridges.length === 0) {
      // A bridge whose .netdev is masked or overridden from a higher-priority directory.
      const v = variant(c, 'netdevShadow', 3);
      addFile(c, `${r.pick([LOCAL, USR])}/${br}.netdev`, netdevText(c, br, 'bridge'));
      const hi = r.pick([ETC, RUN]);
      if (v < 2) {
        tag(c, 'netdev-masked');
        addFile(c, `${hi}/${br}.netdev`, v === 0 ? null : '');
      } else {
        tag(c, 'netdev-precedence');
        addFile(c, `${hi}/${br}.netdev`, netdevText(c, br, 'dummy'));
      }
    } else {
      addFile(c, `${pickDir(r)}/${br}.netdev`, netdevText(c, br, 'bridge'));
    }
    c.bridges.push(br);
  }
  if (primary === 'netdevs' || r.chance(0.3)) {
    const other = r.pick(['dm0', 'bond0']);
    addFile(c, `${pickDir(r)}/${other}.netdev`, netdevText(c, other, other === 'dm0' ? 'dummy' : 'bond'));
    c.others.push(other);
  }
  if (primary === 'netdevs' || r.chance(0.1)) {
    // Kind=Bridge (wrong case) is an invalid kind: the netdev is not loaded.
    tag(c, 'netdev-kind-miscased');
    addFile(c, `${pickDir(r)}/brcase.netdev`, `[NetDev]\nName=brcase\nKind=${r.pick(['Bridge', 'BRIDGE'])}\n`);
    c.others.push('brcase');
  }
  if (primary === 'netdevs' || r.chance(0.1)) {
    // Two netdevs claim one name with different kinds.
    tag(c, 'netdev-duplicate-name');
    const br = c.bridges[0];
    addFile(c, `${pickDir(r)}/${r.pick(['00', 'zz'])}-dup-${br}.netdev`, `[NetDev]\nName=${br}\nKind=dummy\n`);
  }
}

export function generateScenarios(opts: GenerateOptions): Scenario[] {
  const master = new Rng(opts.seed);
  const out: Scenario[] = [];
  const cycles = new Map<string, number>();
  for (let i = 0; i < opts.count; i++) {
    const r = new Rng(Math.floor(master.float() * 2 ** 32));
    const id = `s${String(i).padStart(3, '0')}`;
    const c: Ctx = {
      r,
      id,
      files: [],
      taps: [],
      features: new Set(),
      bridges: [],
      others: [],
      families: r.sample(TAP_FAMILIES, r.int(2, 3)),
      used: new Set(),
      cycles,
    };
    const primary = THEME_NAMES[i % THEME_NAMES.length];
    // Primary plus two scheduled themes (so each theme runs at least 3 times per 16 scenarios),
    // sometimes one random extra.
    const n = THEME_NAMES.length;
    const themes = [...new Set([primary, THEME_NAMES[(i + 5) % n], THEME_NAMES[(i + 11) % n]])];
    if (r.chance(0.4)) themes.push(r.pick(THEME_NAMES.filter((t) => !themes.includes(t))));
    makeTaps(c);
    makeNetdevs(c, themes);
    for (const theme of r.shuffle(themes)) THEMES[theme](c);
    if (r.chance(0.4)) plainUnit(c);
    out.push({ id, files: c.files, taps: c.taps, features: [...c.features, ...themes.map((t) => `theme:${t}`)].sort() });
  }
  return out;
}

/** The scenario as text, for failure messages and the failure folder. */
export function describeScenario(s: DaemonScenario): string {
  const lines: string[] = [`scenario ${s.id}`];
  lines.push(`taps: ${s.taps.map((t) => `${t.name}${t.mac ? ` (mac ${t.mac})` : ''}${t.late ? ' (late)' : ''}`).join(', ')}`);
  for (const f of [...s.files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (f.text === null) lines.push(`--- ${f.path} -> /dev/null`);
    else if (f.text === '') lines.push(`--- ${f.path} (empty)`);
    else lines.push(`--- ${f.path}`, f.text.replace(/\n$/, ''));
  }
  return lines.join('\n');
}
