/**
 * Whether a bridge a script names (`ip link set <tap> master <br>`) exists on the host: `ip`
 * refuses a master that does not exist, so a script attaching to a bridge nothing creates leaves
 * the tap on no bridge. What creates one: a loaded `.netdev` with `Kind=bridge`,
 * `networking.bridges` under scripted networking (under networkd it is a `.netdev`), and the
 * host's other creators (world.links: scripts running `ip link add <br> type bridge` or
 * `brctl addbr`, `networking.ifstate`, services that make bridges at run time). Anything that
 * might create it makes the answer `maybe`, never `no`.
 */
import type { LocatedReason, UnitDefinition } from './model';
import { located } from './reasons';
import { displayPattern, known, knownText, samePattern, type StrPattern, type Tri } from './pattern';
import type { World } from './world';

export interface BridgeExistence {
  state: Tri;
  /** Why, for the outcome's reasons (empty when it certainly exists). */
  reason: string;
  /** It exists because the project file assumes it: the reason naming that assumption. */
  assumed?: LocatedReason;
}

export function bridgeCreated(name: string, units: readonly UnitDefinition[], world: World): BridgeExistence {
  let maybe: string | null = null;
  const bridgeName = known(name);
  for (const u of units) {
    if (u.kind !== 'netdev' || u.masked || u.rejected) continue;
    const netdevName = lastSetting(u, 'Name');
    const kind = lastSetting(u, 'Kind');
    const same = netdevName ? samePattern(netdevName, bridgeName) : 'maybe';
    if (same === 'no') continue;
    const kindText = kind ? knownText(kind) : undefined;
    if (same === 'yes' && kindText === 'bridge' && u.complete) return { state: 'yes', reason: '' };
    maybe ??= `\`${u.name}\` may define it`;
  }
  if (world.scriptedBridges.some((b) => b.name === name)) return { state: 'yes', reason: '' };
  for (const link of world.links) {
    const same = samePattern(link.name, bridgeName);
    if (same === 'no') continue;
    if (same === 'yes' && link.kind === 'bridge' && link.uncertain === undefined) {
      return link.assumed ? { state: 'yes', reason: '', assumed: located(`bridge \`${name}\` exists on the host: ${link.by}`, link.location) } : { state: 'yes', reason: '' };
    }
    if (same === 'yes' && link.kind !== null && link.kind !== 'bridge' && link.uncertain === undefined) {
      maybe ??= `${link.by} creates \`${name}\` as a ${link.kind}, not a bridge`;
      continue;
    }
    maybe ??= link.uncertain ? `${link.by} may create it (${link.uncertain})` : `${link.by} creates \`${displayPattern(link.name)}\`, which may be it`;
  }
  if (maybe) return { state: 'maybe', reason: `whether bridge \`${name}\` exists is not statically known: ${maybe}` };
  return {
    state: 'no',
    reason: `but nothing on the host creates bridge \`${name}\` (no .netdev with Kind=bridge, networking.bridges entry or \`ip link add ${name} type bridge\`), so \`ip\` refuses the master`,
  };
}

function lastSetting(u: UnitDefinition, key: string): StrPattern | undefined {
  for (let i = u.settings.length - 1; i >= 0; i--) {
    const s = u.settings[i];
    if (s.section === 'NetDev' && s.key === key) return s.value;
  }
  return undefined;
}
