/**
 * Interface -> Outcome: which bridge each MicroVM interface really ends up on, and why.
 * networkd's choice (first match wins, last Bridge=, netdev required) combines with script
 * attachments: a script's `master` survives only when networkd leaves the tap alone or the
 * winning unit says KeepMaster=yes. Anything that cannot be decided statically is `unknown`.
 */
import type { MicrovmInterface, Outcome, ScriptAttachment, UnitDefinition, Via, ViaKind, WorkspaceFacts } from './model';
import { describeMatch, interfaceNameProblem, resolveNetworkd, type NetworkdDecision } from './networkd';
import { displayPattern, knownText, samePattern, type Tri } from './pattern';
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
  const named = host.gaps.slice(0, GAPS_NAMED).map((g) => g.message);
  if (host.gaps.length > GAPS_NAMED) named.push(`${host.gaps.length - GAPS_NAMED} more parts of \`${host.name}\` could not be read or evaluated`);
  if (named.length) out.push(`not everything \`${host.name}\` imports could be evaluated (${named.join('; ')})`);
  return out;
}

export function resolveInterface(iface: MicrovmInterface, facts: WorkspaceFacts, worlds: Map<string, World>): Outcome {
  const base = { interface: iface, bridge: null, reasons: [] as string[] };
  const placement = iface.unplaced !== undefined ? [iface.unplaced] : [];
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
      return { ...base, status: 'unknown', reasons: ['the interface type is not statically known'] };
  }
  const lookup = worldFor(iface, facts, worlds);
  if (lookup.world === null) return { ...base, status: 'unknown', reasons: [lookup.reason] };
  const world = lookup.world;
  const tap = { name: iface.id.value, mac: iface.mac?.value ?? null };
  const scripts = scriptsFor(iface, world);

  const certain = decide(iface, resolveNetworkd(world.units, tap), scripts, world.units);
  if (world.conditionalUnits.length === 0) return certain;
  const ifEnabled = decide(iface, resolveNetworkd(world.unitsIfEnabled, tap), scripts, world.unitsIfEnabled);
  if (certain.status === ifEnabled.status && certain.bridge === ifEnabled.bridge) return certain;
  return {
    ...base,
    status: 'unknown',
    reasons: [
      `depends on whether systemd-networkd is enabled on host \`${world.host?.name}\`: it may be enabled by a module outside the workspace`,
      `with networkd: ${ifEnabled.status}${ifEnabled.bridge ? ` on ${ifEnabled.bridge}` : ''}; without: ${certain.status}`,
    ],
  };
}

/** Hypervisors whose runner attaches a `type = "bridge"` interface (qemu-bridge-helper). */
const BRIDGE_HYPERVISORS = new Set(['qemu', 'stratovirt']);

function resolveQemuBridge(iface: MicrovmInterface): Outcome {
  const bridge = iface.bridge ? knownText(iface.bridge.value) : undefined;
  const via: Via = { kind: 'qemu-bridge-helper', location: iface.bridge?.location ?? iface.location };
  if (iface.unplaced !== undefined) return { interface: iface, status: 'unknown', bridge: null, reasons: [iface.unplaced] };
  const hypervisor = iface.hypervisor?.value;
  if (hypervisor !== undefined && !BRIDGE_HYPERVISORS.has(hypervisor)) {
    return {
      interface: iface,
      status: 'not-applicable',
      bridge: null,
      reasons: [`hypervisor \`${hypervisor}\` has no \`type = "bridge"\` interfaces (only qemu and stratovirt do): no tap is attached to \`${bridge ?? '?'}\``],
    };
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
  for (const script of world.scripts) {
    if (script.guest !== undefined && script.guest !== iface.guest) continue;
    let vm: Tri = 'yes';
    if (script.guest === undefined && script.vm !== null) vm = iface.vm === null ? 'maybe' : script.vm === iface.vm ? 'yes' : 'no';
    const tap: Tri = script.allTaps ? 'yes' : script.tap ? samePattern(script.tap, iface.id.value) : 'maybe';
    push(script, and(vm, tap));
  }
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

function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'yes' && b === 'yes' ? 'yes' : 'maybe';
}

function viaForUnit(unit: UnitDefinition): Via {
  const kind: ViaKind =
    unit.source === 'file' ? 'networkd-file' : unit.source === 'nix' ? 'networkd-nix' : 'networking-bridges';
  return { kind, unit: unit.name, location: unit.location };
}

function viaForScript(script: ScriptAttachment): Via {
  return { kind: script.kind, unit: script.unit, location: script.location };
}

function name(unit: UnitDefinition): string {
  return `\`${unit.name}\``;
}

/** Combines networkd's decision with the scripts that may attach the tap. */
function decide(iface: MicrovmInterface, d: NetworkdDecision, scripts: ScriptMatch[], units: UnitDefinition[]): Outcome {
  const out = (status: Outcome['status'], bridge: string | null, extra: string[] = [], via?: Via): Outcome => ({
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
      return out('unknown', null, [`a ${s.kind} script${where} attaches it to a bridge whose name is not statically known`], viaForScript(s));
    }
    const runs = `a ${s.kind} script${where} runs \`ip link set ... master ${bridge}\``;
    // A name no interface can have (a fix's placeholder left as it is) attaches nothing, certainly.
    const invalid = interfaceNameProblem(bridge);
    if (invalid !== null) return out('bridge-undefined', bridge, [`${runs}, which fails: no bridge can exist by that name (${invalid})`], viaForScript(s));
    return out('bridged', bridge, [runs], viaForScript(s));
  };
  const maybeScript = (): Outcome =>
    out('unknown', null, [
      `a ${maybe!.script.kind} script may attach it (\`master ${displayPattern(maybe!.script.bridge)}\`), depending on values not statically known`,
    ]);

  if (d.match === 'unknown') return out('unknown', null);
  if (d.match === 'none' || d.unmanaged) {
    if (definite) return byScript();
    if (maybe) return maybeScript();
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
      `a ${s.kind} script attaches it, but networkd removes a master it did not set unless the unit says KeepMaster=yes; which happens last is a race`,
    ]);
  }
  if (d.shadowed) {
    return out('shadowed', null, [
      `${name(d.shadowed.unit)} would bridge it to \`${d.shadowed.bridge}\` but is never consulted: the first matching unit wins`,
    ]);
  }
  return out(d.routed ? 'routed' : 'unmanaged', null);
}

function noMatchReason(units: UnitDefinition[]): string {
  const bridging = units.filter(
    (u) => u.kind === 'network' && !u.masked && u.settings.some((s) => s.section === 'Network' && s.key === 'Bridge'),
  );
  if (bridging.length === 0) return 'no unit sets Bridge=';
  const described = bridging.slice(0, 3).map((u) => {
    const bridge = [...u.settings].reverse().find((s) => s.section === 'Network' && s.key === 'Bridge');
    return `${name(u)} bridges ${describeMatch(u)} to \`${bridge ? displayPattern(bridge.value) : '?'}\` but does not match it`;
  });
  return `${described.join('; ')}${bridging.length > 3 ? `; and ${bridging.length - 3} more` : ''}`;
}
