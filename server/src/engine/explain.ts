/**
 * "Explain tap": the whole decision chain behind one tap's outcome, step by step, each step
 * with the place it rests on — the tap, the host whose world judges it, every `.network` unit
 * in networkd's order with whether it matches (the first match wins, later ones are shadowed),
 * the winner's `Bridge=` and the netdev defining it, scripts and `networking.bridges`, and the
 * gaps that keep an answer open. Read from one snapshot; the CLI prints it, the server returns it.
 */
import { findNetdev, matchUnit, sortUnits } from './networkd';
import type { Outcome, UnitDefinition } from './model';
import { displayPattern, knownText, samePattern } from './pattern';
import { reasonLocation, reasonText } from './reasons';
import type { AnalysisSnapshot } from './service';
import { rangeContains, type Location, type Position } from './text';
import { worldFor, type World } from './world';
import { destinationLabel } from './inlayHints';

export interface ExplainStep {
  text: string;
  at?: Location;
  /** Nesting under the step before: 0 for a heading, 1 for its items. */
  depth: 0 | 1;
}

export interface TapExplanation {
  tap: string;
  vm: string | null;
  host: string | null;
  /** `→ br0`, `→ no bridge`, …: the same words as the inlay hint. */
  destination: string;
  steps: ExplainStep[];
}

/** Every outcome whose id is `id` (as written, holes shown as `*`), or those at a position. */
export function outcomesNamed(snapshot: AnalysisSnapshot, id: string): Outcome[] {
  return snapshot.outcomes.filter((o) => displayPattern(o.interface.id.value) === id);
}

export function outcomesAt(snapshot: AnalysisSnapshot, file: string, position: Position): Outcome[] {
  return snapshot.outcomes.filter((o) => o.interface.id.location.file === file && rangeContains(o.interface.id.location.range, position));
}

export function explainOutcome(snapshot: AnalysisSnapshot, o: Outcome): TapExplanation {
  const iface = o.interface;
  const steps: ExplainStep[] = [];
  const push = (depth: 0 | 1, text: string, at?: Location) => steps.push(at ? { text, at, depth } : { text, depth });
  const id = displayPattern(iface.id.value);
  push(0, `tap ${id}${iface.vm ? ` of VM ${iface.vm}` : ''}${iface.host ? ` on host ${iface.host}` : ''} (type ${iface.type ?? 'not known'})`, iface.id.location);
  push(0, `outcome: ${(destinationLabel(o) ?? 'not a host tap').replace(/^→ /, '')} (${o.status})`);
  for (const r of o.reasons) push(1, reasonText(r), reasonLocation(r, iface));

  const lookup = iface.type === 'tap' ? worldFor(iface, snapshot.facts, new Map()) : null;
  if (lookup && lookup.world) {
    const world = lookup.world;
    unitSteps(world, o, push);
    scriptSteps(world, o, push);
    gapSteps(world, push);
  } else if (lookup) {
    push(0, `no host world: ${lookup.reason}`);
  }
  return { tap: id, vm: iface.vm, host: iface.host, destination: destinationLabel(o) ?? '→ not a host tap', steps };
}

type Push = (depth: 0 | 1, text: string, at?: Location) => void;

function unitSteps(world: World, o: Outcome, push: Push): void {
  const networks = sortUnits(world.units).filter((u) => u.kind === 'network');
  const host = world.host ? `host ${world.host.name}` : 'the workspace';
  const networkd = world.networkd === true ? 'runs' : world.networkd === false ? 'does not run' : 'may run';
  push(0, `systemd-networkd ${networkd} on ${host}; its .network units in the order it reads them (first match wins):`, world.host?.location);
  if (networks.length === 0) push(1, 'none');
  const tap = { name: o.interface.id.value, mac: o.interface.mac?.value ?? null };
  let decided = false;
  for (const unit of networks) {
    const state = unit.masked ? 'masked' : unit.rejected ? `rejected by networkd: ${unit.rejected}` : null;
    const match = state ? 'no' : matchUnit(unit, tap);
    let verdict: string;
    if (state) verdict = state;
    else if (match === 'no') verdict = 'does not match';
    else if (decided) verdict = match === 'yes' ? 'matches too, but an earlier unit won (shadowed)' : 'may match, after the winner';
    else verdict = match === 'yes' ? `matches: the winner${bridgeOf(unit)}` : 'may match: not statically known';
    if (match === 'yes' && !state) decided = true;
    push(1, `${unit.name}: ${verdict}`, unit.location);
  }
  const winner = o.winner;
  const bridge = winner ? knownText(winner.settings.filter((s) => s.section === 'Network' && s.key === 'Bridge').pop()?.value ?? { parts: [] }) : undefined;
  if (winner && bridge) {
    const netdev = findNetdev(world.units, bridge.trim());
    push(0, netdev ? `bridge ${bridge} is defined by ${netdev.name}` : `no .netdev with Kind=bridge defines ${bridge}`, netdev?.location ?? settingLocation(winner));
  }
}

function bridgeOf(unit: UnitDefinition): string {
  const b = unit.settings.filter((s) => s.section === 'Network' && s.key === 'Bridge').pop();
  return b ? `, Bridge=${displayPattern(b.value)}` : ', sets no Bridge=';
}

function settingLocation(unit: UnitDefinition): Location {
  return unit.settings.find((s) => s.section === 'Network' && s.key === 'Bridge')?.valueLocation ?? unit.location;
}

function scriptSteps(world: World, o: Outcome, push: Push): void {
  const scripts = world.scripts.filter((s) => s.allTaps || (s.tap !== null && samePattern(s.tap, o.interface.id.value) !== 'no') || (s.tapGlobs?.length ?? 0) > 0);
  const bridges = world.scriptedBridges.filter((b) => b.interfaces.some((i) => samePattern(i.value, o.interface.id.value) !== 'no'));
  if (scripts.length === 0 && bridges.length === 0) {
    push(0, 'no script, service or networking.bridges entry attaches it');
    return;
  }
  push(0, 'scripts and networking.bridges that may attach it:');
  for (const s of scripts) push(1, `${s.unit ?? s.kind}: master ${displayPattern(s.bridge)}${s.uncertain ? ` (${s.uncertain})` : ''}`, s.location);
  for (const b of bridges) push(1, `networking.bridges.${b.name} lists it`, b.location);
}

function gapSteps(world: World, push: Push): void {
  const gaps = (world.host?.gaps ?? []).filter((g) => !g.cannotMatter);
  if (world.uncertainty.length === 0 && gaps.length === 0) return;
  push(0, 'what the analysis could not see on this host:');
  for (const u of world.uncertainty) push(1, u);
  for (const g of gaps.slice(0, 20)) push(1, g.message, g.file ? { file: g.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } : undefined);
}

/** Plain text, one step a line, each with `file:line` (relative to `base` when given). */
export function explanationText(e: TapExplanation, relative: (file: string) => string = (f) => f): string {
  return e.steps
    .map((s) => `${s.depth ? '  - ' : ''}${s.text}${s.at ? `  (${relative(s.at.file)}:${s.at.range.start.line + 1})` : ''}`)
    .join('\n');
}
