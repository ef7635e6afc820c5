/**
 * Interface -> Outcome: which bridge each MicroVM interface really ends up on, and why.
 * networkd's choice (first match wins, last Bridge=, netdev required) combines with script
 * attachments: a script's `master` survives only when networkd leaves the tap alone or the
 * winning unit says KeepMaster=yes. Anything that cannot be decided statically is `unknown`.
 */
import { bridgeCreated } from './bridgeExistence';
import type { AddressAssignment, MicrovmInterface, Outcome, Reason, ScriptAttachment, TapTarget, UnitDefinition, Via, ViaKind, WorkspaceFacts } from './model';
import { describeMatch, interfaceNameProblem, matchPattern, resolveNetworkd, triOr, type NetworkdDecision } from './networkd';
import { supportsInterfaceType } from './hypervisors';
import { displayPattern, knownText, samePattern, type Tri } from './pattern';
import { located, reasonText } from './reasons';
import { hostRunning, worldFor, type World } from './world';

const PROBLEM_STATUSES = new Set<Outcome['status']>(['unmanaged', 'shadowed', 'bridge-undefined']);

export function resolveOutcomes(facts: WorkspaceFacts): Outcome[] {
  const worlds = new Map<string, World>();
  return facts.interfaces.map((iface) => {
    const outcome = resolveInterface(iface, facts, worlds);
    if (!PROBLEM_STATUSES.has(outcome.status)) return outcome;
    // A problem on an interface that may not exist is not a finding (precision first).
    if (iface.conditional) {
      return unknownBecause(outcome, `the interface is defined under a condition that is not statically known (it would be ${outcome.status})`);
    }
    // Open world: what could not be read may hold exactly the unit that bridges the tap.
    const gaps = openWorldGaps(iface, facts);
    if (gaps.length) return unknownBecause(outcome, `it would be ${outcome.status}, but ${gaps.join('; ')}`);
    // A tap nothing in the workspace claims may be a port by a NetworkManager profile kept outside it.
    const elsewhere = outcome.status === 'unmanaged' && !outcome.winner ? hostRunning(iface, facts)?.devices?.devicesMadeElsewhere : null;
    if (elsewhere) return unknownBecause(outcome, `it would be unmanaged, but ${elsewhere}: a profile may make the tap a port of a bridge`);
    return outcome;
  });
}

function unknownBecause(outcome: Outcome, reason: string): Outcome {
  return { ...outcome, status: 'unknown', bridge: null, reasons: [...outcome.reasons, reason] };
}

/** How many gaps a reason names before it says "and N more". */
const GAPS_NAMED = 2;

/**
 * What the workspace could not show about the machine this interface's tap lives on: gaps of
 * the host's configuration, a host that is only a module of some system, or — with no host at all —
 * flakes whose outputs could not be evaluated.
 */
function openWorldGaps(iface: MicrovmInterface, facts: WorkspaceFacts): string[] {
  const host = hostRunning(iface, facts);
  if (host === null) return facts.gaps.map((g) => g.message);
  const out: string[] = [];
  if (!host.isSystem) out.push(`\`${host.name}\` is a module, not a whole system: the system that imports it may attach the tap`);
  const gaps = host.gaps.filter((g) => !g.cannotMatter);
  const named = gaps.slice(0, GAPS_NAMED).map((g) => g.message);
  if (gaps.length > GAPS_NAMED) named.push(`${gaps.length - GAPS_NAMED} more parts of \`${host.name}\` could not be read or evaluated`);
  if (named.length) out.push(`not everything \`${host.name}\` imports could be evaluated (${named.join('; ')})`);
  return out;
}

export function resolveInterface(iface: MicrovmInterface, facts: WorkspaceFacts, worlds: Map<string, World>): Outcome {
  const base = { interface: iface, bridge: null, reasons: [] as Reason[] };
  const placement = iface.unplaced !== undefined ? [iface.unplaced] : [];
  const hypervisor = iface.hypervisor?.value;
  if (hypervisor !== undefined && iface.type !== null && supportsInterfaceType(hypervisor, iface.type) === false) {
    const what = iface.type === 'bridge' ? `no tap is attached to \`${iface.bridge ? displayPattern(iface.bridge.value) : '?'}\`` : 'no such interface exists';
    return { ...base, status: 'not-applicable', reasons: [`hypervisor \`${hypervisor}\` has no \`type = "${iface.type}"\` interfaces (microvm.nix throws at evaluation): ${what}`] };
  }
  switch (iface.type) {
    case 'macvtap':
    case 'user':
      return { ...base, status: 'not-applicable', reasons: [`a \`${iface.type}\` interface is not attached to a bridge by the host`, ...placement] };
    case 'bridge':
      return resolveQemuBridge(iface);
    case 'tap':
      if (iface.unplaced !== undefined) return { ...base, status: 'unknown', reasons: placement };
      break;
    default:
      return { ...base, status: 'unknown', reasons: [iface.unevaluated ?? 'the interface type is not statically known'] };
  }
  const lookup = worldFor(iface, facts, worlds);
  if (lookup.world === null) return { ...base, status: 'unknown', reasons: [lookup.reason] };
  const world = lookup.world;
  const tap = { name: iface.id.value, mac: iface.mac?.value ?? null };
  const scripts = scriptsFor(iface, world);
  const outside = { world, addresses: addressesFor(iface, world) };

  const certain = decide(iface, resolveNetworkd(world.units, tap), scripts, world.units, outside);
  if (world.networkdAssumed) {
    certain.reasons.push(`\`${world.host?.name}\` is a module, not a whole system, and does not say whether systemd-networkd runs: its units are taken as deployed`);
  }
  if (world.host?.networkdAssumption) certain.reasons.push(world.host.networkdAssumption);
  if (iface.assumed) certain.reasons.push(...iface.assumed);
  placementReason(certain, world, facts);
  if (world.conditionalUnits.length === 0) return certain;
  const ifEnabled = decide(iface, resolveNetworkd(world.unitsIfEnabled, tap), scripts, world.unitsIfEnabled, outside);
  if (certain.status === ifEnabled.status && certain.bridge === ifEnabled.bridge) return certain;
  return {
    ...base,
    status: 'unknown',
    reasons: [
      `depends on ${world.uncertainty.join(', and on ')}`,
      `with those units: ${ifEnabled.status}${ifEnabled.bridge ? ` on ${ifEnabled.bridge}` : ''}; without them: ${certain.status}`,
    ],
  };
}

/** A unit file that decides says why it applies on this host. */
function placementReason(outcome: Outcome, world: World, facts: WorkspaceFacts): void {
  const unit = outcome.winner;
  if (!unit || unit.source !== 'file' || !world.host || !facts.placement) return;
  outcome.reasons.push(facts.placement.why(unit, world.host.name));
}

/** Runners that start qemu-bridge-helper for `type = "bridge"` (supportsInterfaceType covers the others we know). */
const BRIDGE_HELPER_HYPERVISORS = new Set(['qemu', 'stratovirt']);

function resolveQemuBridge(iface: MicrovmInterface): Outcome {
  const bridge = iface.bridge ? knownText(iface.bridge.value) : undefined;
  const via: Via = { kind: 'qemu-bridge-helper', location: iface.bridge?.location ?? iface.location };
  if (iface.unplaced !== undefined) return { interface: iface, status: 'unknown', bridge: null, reasons: [iface.unplaced] };
  const hypervisor = iface.hypervisor?.value;
  if (hypervisor !== undefined && !BRIDGE_HELPER_HYPERVISORS.has(hypervisor)) {
    return { interface: iface, status: 'not-applicable', bridge: null, reasons: [`hypervisor \`${hypervisor}\` is not known to attach \`type = "bridge"\` interfaces (only qemu and stratovirt do)`] };
  }
  if (hypervisor === undefined) {
    return { interface: iface, status: 'unknown', bridge: null, via, reasons: ['the hypervisor is not statically known, and only qemu and stratovirt attach `type = "bridge"` interfaces'] };
  }
  if (bridge === undefined) {
    return { interface: iface, status: 'unknown', bridge: null, via, reasons: ['the bridge of this `type = "bridge"` interface is not statically known'] };
  }
  const invalid = interfaceNameProblem(bridge);
  if (invalid !== null) {
    return { interface: iface, status: 'bridge-undefined', bridge, via, reasons: [`qemu-bridge-helper cannot attach it: no bridge can exist by that name (${invalid})`] };
  }
  return {
    interface: iface,
    status: 'bridged',
    bridge,
    via,
    reasons: [`qemu-bridge-helper creates the tap and attaches it to \`${bridge}\``],
  };
}

interface ScriptMatch {
  script: ScriptAttachment;
  certainty: Tri;
}

function scriptsFor(iface: MicrovmInterface, world: World): ScriptMatch[] {
  const matches: ScriptMatch[] = [];
  const push = (script: ScriptAttachment, certainty: Tri) => {
    if (certainty !== 'no') matches.push({ script, certainty });
  };
  for (const script of world.scripts) push(script, targets(iface, script));
  for (const bridge of world.scriptedBridges) {
    for (const member of bridge.interfaces) {
      push(
        {
          kind: 'networking-bridges',
          tap: member.value,
          allTaps: false,
          bridge: { parts: [bridge.name] },
          location: member.location,
          host: bridge.host,
          vm: null,
          unit: `${bridge.name}-netdev.service`,
        },
        samePattern(member.value, iface.id.value),
      );
    }
  }
  return matches;
}

/** Whether a script (or udev rule) acts on this interface's tap. */
function targets(iface: MicrovmInterface, t: TapTarget): Tri {
  if (t.guest !== undefined && t.guest !== iface.guest) return 'no';
  let vm: Tri = 'yes';
  if (t.guest === undefined && t.vm !== null) vm = iface.vm === null ? 'maybe' : t.vm === iface.vm ? 'yes' : 'no';
  let tap: Tri;
  if (t.allTaps) tap = 'yes';
  else if (t.tapGlobs) tap = triOr(...t.tapGlobs.map((g) => matchPattern(g, iface.id.value)));
  else tap = t.tap ? samePattern(t.tap, iface.id.value) : 'maybe';
  const certainty = and(vm, tap);
  return t.uncertain !== undefined && certainty === 'yes' ? 'maybe' : certainty;
}

interface AddressMatch {
  assignment: AddressAssignment;
  certainty: Tri;
}

function addressesFor(iface: MicrovmInterface, world: World): AddressMatch[] {
  return world.addresses.map((assignment) => ({ assignment, certainty: targets(iface, assignment) })).filter((m) => m.certainty !== 'no');
}

function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'yes' && b === 'yes' ? 'yes' : 'maybe';
}

function viaForUnit(unit: UnitDefinition): Via {
  const kind: ViaKind =
    unit.source === 'file' ? 'networkd-file' : unit.source === 'nix' ? 'networkd-nix' : unit.source;
  return { kind, unit: unit.name, location: unit.location };
}

function viaForScript(script: ScriptAttachment | AddressAssignment): Via {
  return { kind: script.kind, unit: script.unit, location: script.location };
}

function name(unit: UnitDefinition): string {
  return `\`${unit.name}\``;
}

/** What acts on the tap outside networkd, besides `master` scripts. */
interface Outside {
  world: World;
  addresses: AddressMatch[];
}

/** Combines networkd's decision with the scripts that may attach the tap. */
function decide(iface: MicrovmInterface, d: NetworkdDecision, scripts: ScriptMatch[], units: UnitDefinition[], outside: Outside): Outcome {
  const out = (status: Outcome['status'], bridge: string | null, extra: Reason[] = [], via?: Via): Outcome => ({
    interface: iface,
    status,
    bridge,
    via,
    winner: d.winner,
    shadowedUnit: d.shadowed?.unit,
    unmanagedByUnit: d.unmanaged || undefined,
    reasons: [...d.reasons, ...extra],
  });
  const definite = scripts.find((s) => s.certainty === 'yes');
  const maybe = scripts.find((s) => s.certainty === 'maybe');
  const byScript = (): Outcome => {
    const s = definite!.script;
    const where = s.unit ? ` (${s.unit})` : '';
    const bridge = knownText(s.bridge);
    if (bridge === undefined) {
      return out('unknown', null, [located(`a ${s.kind} script${where} attaches it to a bridge whose name is not statically known`, s.location)], viaForScript(s));
    }
    const runs = located(`a ${s.kind} script${where} runs \`ip link set ... master ${bridge}\``, s.location);
    // A name no interface can have (a fix's placeholder left as it is) attaches nothing, certainly.
    const invalid = interfaceNameProblem(bridge);
    if (invalid !== null) return out('bridge-undefined', bridge, [located(`${reasonText(runs)}, which fails: no bridge can exist by that name (${invalid})`, s.location)], viaForScript(s));
    const other = scripts.find((m) => m.certainty === 'yes' && knownText(m.script.bridge) !== bridge)?.script;
    if (other) {
      const otherBridge = displayPattern(other.bridge);
      return out('unknown', null, [located(`${reasonText(runs)}, and ${other.unit ?? `a ${other.kind} script`} attaches it to \`${otherBridge}\`: which runs last is not statically known`, s.location)], viaForScript(s));
    }
    const exists = bridgeCreated(bridge, units, outside.world);
    if (exists.state === 'no') return out('bridge-undefined', bridge, [located(`${reasonText(runs)}, ${exists.reason}`, s.location)], viaForScript(s));
    if (exists.state === 'maybe') return out('unknown', null, [runs, exists.reason], viaForScript(s));
    return out('bridged', bridge, exists.assumed ? [runs, exists.assumed] : [runs], viaForScript(s));
  };
  const addressed = outside.addresses.find((a) => a.certainty === 'yes')?.assignment;
  const maybeAddressed = outside.addresses.find((a) => a.certainty === 'maybe')?.assignment;
  const describeAddressing = (a: AddressAssignment) =>
    `${a.kind === 'networking-interfaces' ? `\`${a.unit}\` (networking.interfaces)` : `a ${a.kind} script${a.unit ? ` (${a.unit})` : ''}`} puts ${a.what === 'address' ? 'an address' : 'a route'} on it`;
  const maybeScript = (): Outcome => {
    const s = maybe!.script;
    const where = s.unit ? ` (${s.unit})` : '';
    return out('unknown', null, [
      located(`a ${s.kind} script${where} may attach it (\`master ${displayPattern(s.bridge)}\`): ${s.uncertain ?? 'it depends on values not statically known'}`, s.location),
    ]);
  };

  if (d.match === 'unknown') return out('unknown', null);
  if (d.match === 'none' || d.unmanaged) {
    if (definite) return byScript();
    if (maybe) return maybeScript();
    if (addressed) return out('routed', null, [describeAddressing(addressed)], viaForScript(addressed));
    if (maybeAddressed) return out('unknown', null, [`${describeAddressing(maybeAddressed)}, maybe: ${maybeAddressed.uncertain ?? 'it depends on values not statically known'}`]);
    return out('unmanaged', null, d.match === 'none' ? [noMatchReason(units)] : []);
  }
  if (d.bridgeUnknown) return out('unknown', null);
  const winner = d.winner!;
  if (d.bridge) {
    if (d.bridge.netdev) return out('bridged', d.bridge.name, [], viaForUnit(winner));
    return out('bridge-undefined', d.bridge.name, [], viaForUnit(winner));
  }
  if (d.keepMaster && definite) return byScript();
  if (definite || maybe) {
    const s = (definite ?? maybe)!.script;
    return out('unknown', null, [
      located(`a ${s.kind} script attaches it, but networkd removes a master it did not set unless the unit says KeepMaster=yes; which happens last is a race`, s.location),
    ]);
  }
  const anyAddressed = addressed ?? maybeAddressed;
  if (anyAddressed && !d.routed) {
    return out('unknown', null, [
      `${describeAddressing(anyAddressed)}, but networkd removes addresses and routes it did not set on a link it manages; which happens last is a race`,
    ]);
  }
  if (d.shadowed) {
    return out('shadowed', null, [
      located(`${name(d.shadowed.unit)} would bridge it to \`${d.shadowed.bridge}\` but is never consulted: the first matching unit wins`, d.shadowed.unit.location),
    ]);
  }
  return out(d.routed ? 'routed' : 'unmanaged', null);
}

function noMatchReason(units: UnitDefinition[]): Reason {
  const bridging = units.filter(
    (u) => u.kind === 'network' && !u.masked && u.settings.some((s) => s.section === 'Network' && s.key === 'Bridge'),
  );
  if (bridging.length === 0) return 'no unit sets Bridge=';
  const described = bridging.slice(0, 3).map((u) => {
    const bridge = [...u.settings].reverse().find((s) => s.section === 'Network' && s.key === 'Bridge');
    return `${name(u)} bridges ${describeMatch(u)} to \`${bridge ? displayPattern(bridge.value) : '?'}\` but does not match it`;
  });
  return located(`${described.join('; ')}${bridging.length > 3 ? `; and ${bridging.length - 3} more` : ''}`, bridging[0].location);
}
