/**
 * macvtap interfaces (docs/domain/microvm.md §8, docs/domain/devices.md §1): `macvtap.link` and `macvtap.mode` have no
 * default; the link must exist on the host and must not be a bridge port (the kernel refuses a
 * macvtap there); a passthru macvtap must be alone on its link. Each rule needs the values it
 * reads to be known and the interface to exist unconditionally.
 */
import { certainLinkMaster, certainlyAbsent, closedHost } from '../hostLinks';
import type { Diagnostic, MicrovmInterface, Outcome, WorkspaceFacts } from '../model';
import { interfaceNameProblem } from '../networkd';
import { knownText } from '../pattern';
import type { Location } from '../text';
import { hostRunning, worldFor, type World } from '../world';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, machineKey, tapLabel } from './context';

const { macvtapLinkMissing, macvtapModeMissing, macvtapLinkUndefined, macvtapLinkIsBridgePort, macvtapPassthruConflict } = DIAGNOSTICS;

interface Macvtap {
  iface: MicrovmInterface;
  link: string;
  linkAt: Location;
  /** null when not statically known. */
  mode: string | null;
}

function certainMacvtaps(interfaces: readonly MicrovmInterface[]): Macvtap[] {
  const out: Macvtap[] = [];
  for (const iface of interfaces) {
    if (iface.type !== 'macvtap' || iface.conditional || iface.unplaced !== undefined || !iface.macvtap?.link) continue;
    const link = knownText(iface.macvtap.link.value);
    if (link === undefined || link === '') continue;
    const mode = iface.macvtap.mode ? knownText(iface.macvtap.mode.value) ?? null : null;
    out.push({ iface, link, linkAt: iface.macvtap.link.location, mode });
  }
  return out;
}

function missingSettings(interfaces: readonly MicrovmInterface[], outcomes: readonly Outcome[]): Diagnostic[] {
  const outcomeOf = new Map(outcomes.map((o) => [o.interface, o]));
  const out: Diagnostic[] = [];
  for (const iface of interfaces) {
    if (iface.type !== 'macvtap' || iface.conditional || iface.unplaced !== undefined || !iface.macvtap) continue;
    const outcome = outcomeOf.get(iface);
    const extras = outcome ? { outcome } : {};
    if (iface.macvtap.link === null) {
      out.push(diagnostic(macvtapLinkMissing, `macvtap interface ${tapLabel(iface)} has no \`macvtap.link\` (the host interface it sits on); microvm.nix has no default and fails evaluation`, iface.id.location, extras));
    } else {
      // A link no interface can be named (a fix's placeholder left as it is) is no link at all.
      const link = knownText(iface.macvtap.link.value);
      const invalid = link === undefined ? null : interfaceNameProblem(link);
      if (invalid !== null) {
        out.push(diagnostic(macvtapLinkMissing, `macvtap interface ${tapLabel(iface)} has no usable \`macvtap.link\`: \`${link}\` cannot be an interface name (${invalid})`, iface.macvtap.link.location, extras));
      }
    }
    if (iface.macvtap.mode === null) {
      out.push(diagnostic(macvtapModeMissing, `macvtap interface ${tapLabel(iface)} has no \`macvtap.mode\` (private, vepa, bridge, passthru or source); microvm.nix has no default and fails evaluation`, iface.id.location, extras));
    }
  }
  return out;
}

function linkDiagnostics(macvtaps: Macvtap[], facts: WorkspaceFacts): Diagnostic[] {
  const worlds = new Map<string, World>();
  const linkValues = new Map<string, Location[]>();
  for (const m of macvtaps) linkValues.set(m.link, [...(linkValues.get(m.link) ?? []), m.linkAt]);
  const out: Diagnostic[] = [];
  for (const m of macvtaps) {
    const lookup = worldFor(m.iface, facts, worlds);
    if (!lookup.world || m.iface.host === null) continue;
    const host = hostRunning(m.iface, facts);
    // Both rules rest on what the host does not have (an earlier unit, a device): only a closed host says.
    if (!closedHost(host, facts)) continue;
    const master = certainLinkMaster(m.link, lookup.world);
    if (master) {
      const message = `macvtap ${tapLabel(m.iface)} sits on \`${m.link}\`, which ${master.by}: the kernel refuses a macvtap on a bridge port ("Device or resource busy"), so the VM does not start`;
      out.push(diagnostic(macvtapLinkIsBridgePort, message, m.linkAt, { related: [{ location: master.location, message: `enslaves \`${m.link}\` to \`${master.bridge}\`` }] }));
      continue;
    }
    const absent = certainlyAbsent(m.link, host, lookup.world, facts, linkValues.get(m.link) ?? []);
    if (absent) {
      out.push(diagnostic(macvtapLinkUndefined, `macvtap ${tapLabel(m.iface)} sits on \`${m.link}\`, an interface the host does not have: ${absent}`, m.linkAt));
    }
  }
  return out;
}

/** Every macvtap of a host on a link that also carries a passthru one (docs/domain/devices.md §1). */
function passthruDiagnostics(macvtaps: Macvtap[]): Diagnostic[] {
  const groups = new Map<string, Macvtap[]>();
  for (const m of macvtaps) {
    const key = `${machineKey(m.iface)}\0${m.link}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const out: Diagnostic[] = [];
  for (const group of groups.values()) {
    if (group.length < 2 || !group.some((m) => m.mode === 'passthru')) continue;
    for (const m of group) {
      const conflicting = group.filter((o) => o !== m && (m.mode === 'passthru' || o.mode === 'passthru'));
      if (conflicting.length === 0) continue;
      const sameVm = conflicting.some((o) => o.iface.guest === m.iface.guest && o.iface.vm === m.iface.vm);
      const others = conflicting.map((o) => tapLabel(o.iface)).join(', ');
      const what = m.mode === 'passthru' ? `is in passthru mode on \`${m.link}\`, which also carries ${others}` : `shares \`${m.link}\` with the passthru macvtap ${others}`;
      const message = `macvtap ${tapLabel(m.iface)} ${what}: a passthru macvtap must be alone on its link, the kernel refuses any other beside it ("Invalid argument")${sameVm ? '' : ', so these VMs cannot run at the same time'}`;
      const related = conflicting.map((o) => ({ location: o.linkAt, message: `${o.mode ?? 'a'} macvtap ${tapLabel(o.iface)} on \`${m.link}\`` }));
      out.push(diagnostic(macvtapPassthruConflict, message, m.linkAt, { related, severity: sameVm ? 'error' : 'warning' }));
    }
  }
  return out;
}

export const macvtapCheck: Check = {
  codes: [macvtapLinkMissing, macvtapModeMissing, macvtapLinkUndefined, macvtapLinkIsBridgePort, macvtapPassthruConflict],
  // Whether a link is defined anywhere reads every text of the workspace (certainlyAbsent): not per host.
  run({ facts }) {
    const macvtaps = certainMacvtaps(facts.interfaces);
    return [...linkDiagnostics(macvtaps, facts), ...passthruDiagnostics(macvtaps)];
  },
  perHost: (_ctx, { interfaces, outcomes }) => missingSettings(interfaces, outcomes),
};
