/**
 * `type = "bridge"` interfaces go through qemu-bridge-helper, which checks the bridge against the
 * host's `/etc/qemu/bridge.conf` first (docs/domain/devices.md §4). Only an ACL known in full — a whole
 * system with nothing unread, whose definitions of the file are all known — can deny.
 */
import { aclAllows } from '../bridgeHelper';
import { closedHost } from '../hostLinks';
import type { Diagnostic, Outcome, WorkspaceFacts } from '../model';
import { hostRunning } from '../world';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, tapLabel } from './context';

const { bridgeHelperDenied } = DIAGNOSTICS;

function denied(o: Outcome, facts: WorkspaceFacts): Diagnostic | null {
  const iface = o.interface;
  if (o.via?.kind !== 'qemu-bridge-helper' || !o.bridge || iface.conditional) return null;
  const host = hostRunning(iface, facts);
  const acl = host?.devices?.bridgeHelperAcl;
  if (!closedHost(host, facts) || !acl) return null;
  if (aclAllows(acl.text, o.bridge) !== false) return null;
  const shown = acl.text.trim() === '' ? 'an empty file' : `\`${acl.text.trim().split('\n').join('; ')}\``;
  const message = `qemu-bridge-helper will refuse bridge \`${o.bridge}\` for ${tapLabel(iface)}: \`/etc/qemu/bridge.conf\` on \`${host.name}\` is ${shown} (from ${acl.origin}), with no \`allow ${o.bridge}\` or \`allow all\`, so qemu fails with "access denied by acl file"`;
  const related = acl.location ? [{ location: acl.location, message: `bridge.conf comes from ${acl.origin}` }] : [];
  return diagnostic(bridgeHelperDenied, message, iface.bridge?.location ?? iface.id.location, { related });
}

export const bridgeHelperCheck: Check = {
  codes: [bridgeHelperDenied],
  run({ facts, outcomes }) {
    return outcomes.flatMap((o) => denied(o, facts) ?? []);
  },
};
