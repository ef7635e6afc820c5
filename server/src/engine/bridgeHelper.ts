/**
 * qemu-bridge-helper, which qemu and stratovirt run for `type = "bridge"` (docs/domain/devices.md §4):
 * - its ACL, `/etc/qemu/bridge.conf`: a bridge is allowed only by `allow all` or `allow <br>`
 *   (and, in current qemu, denied by any matching `deny`); `include` reads another file;
 * - the bridge must exist: the helper asks the bridge for its MTU first.
 */
import { certainlyAbsent } from './hostLinks';
import type { Outcome, WorkspaceFacts } from './model';
import { knownText } from './pattern';
import type { Location } from './text';
import { hostRunning, worldFor, type World } from './world';

/**
 * false when no rule can allow `bridge`; undefined when the file includes another one or has a
 * line the helper cannot parse (it then refuses every bridge, which is not this finding).
 */
export function aclAllows(text: string, bridge: string): boolean | undefined {
  let allowed = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)[ \t]+(.*)$/.exec(line);
    if (!m) return undefined;
    const [, command, arg] = m;
    if (command === 'include') return undefined;
    if (command === 'allow') allowed ||= arg === 'all' || arg === bridge;
    else if (command !== 'deny') return undefined;
  }
  return allowed;
}

/**
 * A `type = "bridge"` outcome whose bridge the host certainly lacks becomes `bridge-undefined`.
 * Run after the outcome cache: it reads every workspace text (NameMentions), which the cached
 * per-host outcomes do not depend on.
 */
export function refineHelperBridges(outcomes: Outcome[], facts: WorkspaceFacts): Outcome[] {
  if (!outcomes.some((o) => o.via?.kind === 'qemu-bridge-helper' && o.status === 'bridged')) return outcomes;
  const usedAt = new Map<string, Location[]>();
  for (const iface of facts.interfaces) {
    const name = iface.type === 'bridge' && iface.bridge ? knownText(iface.bridge.value) : undefined;
    if (name !== undefined && iface.bridge) usedAt.set(name, [...(usedAt.get(name) ?? []), iface.bridge.location]);
  }
  const worlds = new Map<string, World>();
  return outcomes.map((o) => {
    if (o.via?.kind !== 'qemu-bridge-helper' || o.status !== 'bridged' || !o.bridge || o.interface.conditional) return o;
    const lookup = worldFor(o.interface, facts, worlds);
    if (!lookup.world || o.interface.host === null) return o;
    const absent = certainlyAbsent(o.bridge, hostRunning(o.interface, facts), lookup.world, facts, usedAt.get(o.bridge) ?? []);
    if (!absent) return o;
    const reason = `qemu-bridge-helper would attach its tap to \`${o.bridge}\`, but ${absent}: the helper fails ("failed to get mtu of bridge")`;
    return { ...o, status: 'bridge-undefined', reasons: [reason] };
  });
}
