/**
 * A Wi-Fi device as a bridge port (docs/domain/microvm.md §9): a station (client) link carries only frames of
 * its own MAC address, so the taps of a bridge whose uplink is Wi-Fi get nothing through it.
 * An access point (hostapd) is different, so a host running hostapd is not judged.
 */
import type { Diagnostic, UnitDefinition, UnitSetting } from '../model';
import { describeMatch, matchPattern, readMatch, type LinkFacts } from '../networkd';
import { HOLE, knownText, pattern } from '../pattern';
import { servicesOf } from '../sides/hostSide';
import { worldOfHost } from '../world';
import { unitMatches } from '../sides';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

const { wirelessBridgePort } = DIAGNOSTICS;

const WIRELESS_NAMES = pattern(['wl', HOLE]);

/** A name written for a Wi-Fi device: `wl*`, `wlan0`, `wlp3s0` (the kernel's and udev's prefix). */
function wirelessWord(word: string): boolean {
  return word.startsWith('wl') && matchPattern(word, WIRELESS_NAMES) !== 'no';
}

const WIRELESS_LINK: LinkFacts = {
  name: (glob) => (wirelessWord(glob) ? 'yes' : matchPattern(glob, WIRELESS_NAMES)),
  mac: null,
  permanentMac: null,
  properties: { Type: 'wlan', Kind: null, WLANInterfaceType: 'station', SSID: null },
};

/** The setting that makes the unit about Wi-Fi devices, when it certainly is. */
function wirelessSetting(unit: UnitDefinition): UnitSetting | null {
  const match = readMatch(unit.settings);
  const positive = (key: string) => match.lists.get(key)?.words.filter((w) => !w.negative) ?? [];
  const type = positive('Type').find((w) => w.word === 'wlan') ?? positive('WLANInterfaceType').find((w) => w.word === 'station');
  if (type) return type.setting;
  const names = positive('Name');
  if (names.length > 0 && names.every((w) => wirelessWord(w.word))) return names[0].setting;
  return null;
}

export const wirelessCheck: Check = {
  codes: [wirelessBridgePort],
  run: () => [],
  perHost({ facts }, { hosts }) {
    const out: Diagnostic[] = [];
    const seen = new Set<UnitDefinition>();
    // Every host of a name has the first one's world (world.ts); no host, no finding.
    for (const world of hosts.slice(0, 1).map((h) => worldOfHost(h, facts, new Map()))) {
      const host = world.host;
      const services = host ? servicesOf(facts, host.name) : null;
      if (!host || host.gaps.length || !services || services.open || services.hostapd !== false) continue;
      for (const unit of world.units) {
        if (seen.has(unit) || unit.kind !== 'network' || unit.masked || !unit.complete) continue;
        const bridge = unit.settings.filter((s) => s.section === 'Network' && s.key === 'Bridge').pop();
        const bridgeName = bridge ? knownText(bridge.value)?.trim() : undefined;
        if (!bridgeName) continue;
        const setting = wirelessSetting(unit);
        if (!setting || unitMatches(unit, WIRELESS_LINK) !== 'yes') continue;
        seen.add(unit);
        const message = `\`${unit.name}\` (${describeMatch(unit)}) puts a Wi-Fi device into the bridge \`${bridgeName}\` on host \`${host.name}\`, which runs no hostapd: a Wi-Fi client link does not carry frames of other MAC addresses, so the bridge's taps get no connectivity through it (route or NAT the VMs over Wi-Fi instead)`;
        const finding = diagnostic(wirelessBridgePort, message, setting.valueLocation, { related: [{ location: bridge!.valueLocation, message: `Bridge=${bridgeName}` }] });
        unitOfFinding.set(finding, unit);
        out.push(finding);
      }
    }
    return out;
  },
  // A unit in several hosts' worlds (a file, a unit of no host) is reported for the first.
  sameFinding: (d) => {
    const unit = unitOfFinding.get(d);
    return unit ? unitKey(unit) : undefined;
  },
};

const unitOfFinding = new WeakMap<Diagnostic, UnitDefinition>();
const unitKeys = new WeakMap<UnitDefinition, string>();
let unitsKeyed = 0;

/** A unit object's key: findings of the same unit object are one. */
function unitKey(unit: UnitDefinition): string {
  let key = unitKeys.get(unit);
  if (!key) unitKeys.set(unit, (key = `unit ${++unitsKeyed}`));
  return key;
}
