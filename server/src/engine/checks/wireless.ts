/**
 * A Wi-Fi device as a bridge port (docs/domain/microvm.md §9): a station (client) link carries only frames of
 * its own MAC address, so the taps of a bridge whose uplink is Wi-Fi get nothing through it.
 * An access point (hostapd) is different, so a host running hostapd is not judged.
 */
import type { Diagnostic, UnitDefinition, UnitSetting } from '../model';
import { describeMatch, matchPattern, readMatch, type LinkFacts } from '../networkd';
import { HOLE, knownText, pattern } from '../pattern';
import { HostScopes } from '../hostScopes';
import { servicesOf } from '../sides/hostSide';
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
  run({ facts }) {
    const out: Diagnostic[] = [];
    const seen = new Set<UnitDefinition>();
    for (const world of new HostScopes(facts).all()) {
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
        out.push(diagnostic(wirelessBridgePort, message, setting.valueLocation, { related: [{ location: bridge!.valueLocation, message: `Bridge=${bridgeName}` }] }));
      }
    }
    return out;
  },
};
