/**
 * The `[Match]` section of a `.network` unit as systemd-networkd 252 reads it, and its tri-state
 * evaluation against a tap created by `ip tuntap add ... mode tap` (docs/domain/networkd.md §2–3, every
 * rule checked on the daemon):
 * - `Name=`: words split on whitespace with backslash escapes processed (`vm\-a` is `vm-a`),
 *   quotes NOT stripped, a leading `!` negates every word of that line, invalid words (per
 *   interface-name rules, up to 127 bytes) are dropped, an empty value resets the list.
 * - `Driver=`/`Type=`/`Kind=`/`Path=`/`WLANInterfaceType=`/`SSID=`: quotes stripped, backslashes
 *   kept, same `!` and reset rules. A tap is Driver `tun`, Type `ether`, Kind `tun`; it has no
 *   Path, WLAN type or SSID, so only a list of negatives can match there.
 * - `MACAddress=`/`PermanentMACAddress=`/`BSSID=`: sets of addresses (invalid ones dropped).
 *   A tap's permanent address is 00:00:00:00:00:00; it has no BSSID.
 * - `Property=` (udev) and the conditions `Host=`, `Virtualization=`, `KernelCommandLine=`,
 *   `KernelVersion=`, `Credential=`, `Architecture=`, `Firmware=` depend on the machine: 'maybe'.
 *   Conditions alone keep a `[Match]` non-empty.
 * Every key is ANDed; a `[Match]` with nothing valid in it makes networkd ignore the file.
 */
import type { UnitSetting } from '../model';
import { knownText, type StrPattern } from '../pattern';
import { fnmatch, matchPattern, triAll, triAnd, triAny, triNot, type Tri } from './match';

export const MATCH_LIST_KEYS = ['Driver', 'Type', 'Kind', 'Path', 'WLANInterfaceType', 'SSID'] as const;
export const MATCH_ADDR_KEYS = ['MACAddress', 'PermanentMACAddress', 'BSSID'] as const;
export const MATCH_CONDITION_KEYS = [
  'Host',
  'Virtualization',
  'KernelCommandLine',
  'KernelVersion',
  'Credential',
  'Architecture',
  'Firmware',
] as const;
export const MATCH_KEYS: readonly string[] = ['Name', 'Property', ...MATCH_LIST_KEYS, ...MATCH_ADDR_KEYS, ...MATCH_CONDITION_KEYS];

/** What a tap is, for the keys other than Name= and MACAddress= (verified on networkd 252). */
export const TAP_PROPERTIES: Record<(typeof MATCH_LIST_KEYS)[number], string | null> = {
  Driver: 'tun',
  Type: 'ether',
  Kind: 'tun',
  Path: null,
  WLANInterfaceType: null,
  SSID: null,
};
export const TAP_PERMANENT_MAC = '00:00:00:00:00:00';

export interface MatchWord {
  word: string;
  negative: boolean;
  setting: UnitSetting;
}

/** A list-valued key: its effective words, or `known: false` when a value is not statically known. */
export interface MatchList {
  known: boolean;
  words: MatchWord[];
  settings: UnitSetting[];
}

export interface MatchConfig {
  lists: Map<string, MatchList>;
  /** Number of effective condition entries per key, or unknown. */
  conditions: Map<string, MatchList>;
  /** 'yes' when networkd finds no valid setting in [Match] and ignores the file. */
  empty: Tri;
}

const WS = /[ \t\n\r]/;

/** extract_first_word(..., flags 0): backslash escapes the next character; quotes are ordinary. */
export function splitEscapedWords(value: string): { words: string[]; error: boolean } {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (i < value.length && WS.test(value[i])) i++;
    if (i >= value.length) return { words, error: false };
    let w = '';
    while (i < value.length && !WS.test(value[i])) {
      if (value[i] === '\\') {
        if (i + 1 >= value.length) return { words, error: true };
        w += value[i + 1];
        i += 2;
      } else w += value[i++];
    }
    words.push(w);
  }
}

/** extract_first_word(..., EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE): quotes removed, backslashes kept. */
export function splitUnquotedWords(value: string): { words: string[]; error: boolean } {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (i < value.length && WS.test(value[i])) i++;
    if (i >= value.length) return { words, error: false };
    let w = '';
    let quote = '';
    while (i < value.length) {
      const c = value[i];
      if (quote) {
        if (c === quote) quote = '';
        else w += c;
        i++;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else if (WS.test(c)) break;
      else {
        w += c;
        i++;
      }
    }
    if (quote) return { words, error: true };
    words.push(w);
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** systemd's ifname_valid_full(); `alternative` allows up to 127 bytes (Name= globs). */
export function ifnameValid(name: string, alternative = false): boolean {
  if (name === '') return false;
  if (/^[0-9]+$/.test(name)) return false;
  if (utf8Length(name) >= (alternative ? 128 : 16)) return false;
  if (name === '.' || name === '..' || name === 'all' || name === 'default') return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c <= 32 || c >= 127 || ch === ':' || ch === '/' || ch === '%') return false;
  }
  return true;
}

/** parse_hw_addr(): `xx:xx:..`, `xx-xx-..` (1–2 hex digits per byte) or `xxxx.xxxx.xxxx`. */
export function parseHwAddr(text: string): string | null {
  let bytes: number[] = [];
  if (/^[0-9a-fA-F]{1,4}(\.[0-9a-fA-F]{1,4})+$/.test(text)) {
    for (const g of text.split('.')) {
      const v = parseInt(g, 16);
      bytes.push(v >> 8, v & 0xff);
    }
  } else if (/^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2})+$/.test(text)) {
    const sep = text.includes(':') ? ':' : '-';
    if (text.includes(':') && text.includes('-')) return null;
    bytes = text.split(sep).map((b) => parseInt(b, 16));
  } else return null;
  if (bytes.length > 32) return null;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function emptyList(): MatchList {
  return { known: true, words: [], settings: [] };
}

/** Reads the `[Match]` settings of a `.network` unit. */
export function readMatch(settings: readonly UnitSetting[]): MatchConfig {
  const lists = new Map<string, MatchList>();
  const conditions = new Map<string, MatchList>();
  for (const s of settings) {
    if (s.section !== 'Match') continue;
    const isCondition = (MATCH_CONDITION_KEYS as readonly string[]).includes(s.key);
    if (!MATCH_KEYS.includes(s.key)) continue;
    const target = isCondition ? conditions : lists;
    const list = target.get(s.key) ?? emptyList();
    target.set(s.key, list);
    const text = knownText(s.value);
    if (text === undefined) {
      list.known = false;
      list.settings.push(s);
      continue;
    }
    if (text === '') {
      target.set(s.key, emptyList());
      continue;
    }
    list.settings.push(s);
    if (isCondition || s.key === 'Property') {
      list.words.push({ word: text, negative: false, setting: s });
      continue;
    }
    if ((MATCH_ADDR_KEYS as readonly string[]).includes(s.key)) {
      for (const w of splitEscapedWords(text).words) {
        const addr = parseHwAddr(w);
        if (addr !== null) list.words.push({ word: addr, negative: false, setting: s });
      }
      continue;
    }
    let rest = text;
    const negative = rest.startsWith('!');
    if (negative) rest = rest.slice(1);
    // Stored as `!word` on a negated line; any stored word starting with `!` is a negative one
    // (so `Name=a !b` excludes b, and `Name=!!b` excludes the literal glob `!b`).
    const push = (w: string) => {
      const stored = (negative ? '!' : '') + w;
      const neg = stored.startsWith('!');
      list.words.push({ word: neg ? stored.slice(1) : stored, negative: neg, setting: s });
    };
    if (s.key === 'Name') {
      for (const w of splitEscapedWords(rest).words) if (ifnameValid(w, true)) push(w);
    } else {
      for (const w of splitUnquotedWords(rest).words) push(w);
    }
  }
  let empty: Tri = 'yes';
  for (const l of [...lists.values(), ...conditions.values()]) {
    if (l.words.length > 0) empty = 'no';
    else if (!l.known && empty === 'yes') empty = 'maybe';
  }
  return { lists, conditions, empty };
}

/** net_condition_test_strv(): negatives veto, a positive must match if there is one. */
export function testWords(words: readonly MatchWord[], test: (glob: string) => Tri): Tri {
  if (words.length === 0) return 'yes';
  const positives = words.filter((w) => !w.negative);
  const negatives = words.filter((w) => w.negative);
  const vetoed = triAny(negatives.map((w) => test(w.word)));
  const hit = positives.length ? triAny(positives.map((w) => test(w.word))) : 'yes';
  return triAnd(triNot(vetoed), hit);
}

export interface TapFacts {
  name: StrPattern;
  /** The tap's own (host-side) MAC address; null when unknown. */
  mac: StrPattern | null;
  /**
   * Some other link (a macvtap's uplink, a physical NIC): only its name is known, so every other
   * [Match] key may or may not hold.
   */
  notATap?: boolean;
}

/**
 * Any link, as `[Match]` sees it: how a `Name=` glob fares against its names, its MAC, and for the
 * other list keys its value (null: it has none; a key left out: not statically known).
 */
export interface LinkFacts {
  name: (glob: string) => Tri;
  /** Normalized (parseHwAddr); null when unknown. */
  mac: string | null;
  /** Normalized; null: not known. */
  permanentMac: string | null;
  properties: Partial<Record<(typeof MATCH_LIST_KEYS)[number], string | null>>;
}

export function tapLink(tap: TapFacts): LinkFacts {
  if (tap.notATap) return { name: (g) => matchPattern(g, tap.name), mac: null, permanentMac: null, properties: {} };
  const mac = tap.mac ? knownText(tap.mac) : undefined;
  return {
    name: (g) => matchPattern(g, tap.name),
    mac: mac !== undefined ? parseHwAddr(mac) : null,
    permanentMac: TAP_PERMANENT_MAC,
    properties: TAP_PROPERTIES,
  };
}

/** Evaluates a read `[Match]` against a tap; one entry per key for explanations. */
export function evaluateMatch(config: MatchConfig, tap: TapFacts): { result: Tri; perKey: Array<{ key: string; result: Tri }> } {
  return evaluateMatchOn(config, tapLink(tap));
}

/** Evaluates a read `[Match]` against any link; one entry per key for explanations. */
export function evaluateMatchOn(config: MatchConfig, link: LinkFacts): { result: Tri; perKey: Array<{ key: string; result: Tri }> } {
  const perKey: Array<{ key: string; result: Tri }> = [];
  if (config.empty === 'yes') return { result: 'no', perKey };
  for (const [key, list] of config.lists) {
    let r: Tri;
    if (!list.known) r = 'maybe';
    else if (list.words.length === 0) r = 'yes';
    else if (key === 'Name') r = testWords(list.words, link.name);
    else if (key === 'Property') r = 'maybe';
    else if (key === 'MACAddress') r = link.mac === null ? 'maybe' : list.words.some((w) => w.word === link.mac) ? 'yes' : 'no';
    else if (key === 'PermanentMACAddress') r = link.permanentMac === null ? 'maybe' : list.words.some((w) => w.word === link.permanentMac) ? 'yes' : 'no';
    else if (key === 'BSSID') r = 'no';
    else {
      const value = link.properties[key as (typeof MATCH_LIST_KEYS)[number]];
      r = value === undefined ? 'maybe' : testWords(list.words, (g) => (value !== null && fnmatch(g, value) ? 'yes' : 'no'));
    }
    perKey.push({ key, result: r });
  }
  for (const [key, list] of config.conditions) {
    if (!list.known || list.words.length > 0) perKey.push({ key, result: 'maybe' });
  }
  let result = triAll(perKey.map((k) => k.result));
  if (config.empty === 'maybe' && result !== 'no') result = 'maybe';
  return { result, perKey };
}
