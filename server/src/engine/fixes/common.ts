/**
 * What every fix builder receives, and model-level helpers: the tap's world, the intended
 * bridge, units' Name=/Bridge= settings, and simulation (re-resolving a tap against changed
 * facts with the engine's own resolver, so a fix is only offered when it really works).
 */
import type { Settings } from '../../protocol/settings';
import type { CreatedLink, Diagnostic, MicrovmInterface, Outcome, ScriptAttachment, UnitDefinition, UnitSetting, WorkspaceFacts } from '../model';
import type { ParsedNixFile } from '../nix/ast';
import { displayPattern, known, knownText, type StrPattern } from '../pattern';
import { resolveInterface } from '../outcomes';
import { placeUnitFiles } from '../unitPlacement';
import type { AnalysisSnapshot, Fix, TextEdit, WorkspaceEdit } from '../service';
import { LineIndex } from '../text';
import { worldFor, type World } from '../world';
import { insideRoots, type RootGuard } from '../roots';
import { applyOffsetEdits, BRIDGE_MARK, finishText, hasBridgeSlot, PLACEHOLDER_DEFAULT, type OffsetEdit } from './edits';

export interface FixEnv {
  textOf: (path: string) => string | null;
  /** Parses Nix text with the workspace's parser (cached per file and text). */
  parseNix: (file: string, text: string) => ParsedNixFile;
  /** Whether `after` — Nix text `before` with `edits` applied — has more syntax errors: a fix must add none. */
  addsSyntaxErrors: (file: string, before: string, edits: readonly OffsetEdit[], after: string) => boolean;
  settings: Settings;
  /** Workspace roots: fixes never create or edit files outside them. */
  roots: readonly string[];
  /** Containment with symlinks followed: a fix never edits or creates a file a link leads out of the roots. */
  guard: RootGuard;
  /** SHA-256 of the disk bytes behind a file's current text (undefined for an editor buffer). */
  sha256Of: (path: string) => string | undefined;
}

export interface IntendedBridge {
  /** null: unknown, the fix leaves a snippet placeholder. */
  name: string | null;
  why: string;
}

export interface FixTarget {
  snapshot: AnalysisSnapshot;
  env: FixEnv;
  diagnostic: Diagnostic;
  outcome: Outcome;
  iface: MicrovmInterface;
  world: World;
  bridge: IntendedBridge;
}

export type FixKind = 'add-name' | 'create-unit' | 'tap-up' | 'service-override' | 'qemu-bridge' | 'define-bridge' | 'guest-unit';

export interface Candidate {
  kind: FixKind;
  fix: Fix;
}

/**
 * The bridge a simulation attaches the tap to: the intended one, or any valid name when the fix
 * will leave a placeholder (the simulation asks whether the attachment works, not where to).
 */
export function simulationBridge(t: FixTarget): string {
  return t.bridge.name ?? PLACEHOLDER_SIMULATION;
}

/**
 * The name a placeholder fix is simulated with: a valid interface name no workspace uses, taken as
 * an existing bridge (the user fills in one that exists; whether it does is checked once it is).
 */
const PLACEHOLDER_SIMULATION = 'mvn-placeholdr';

/** Display name of the bridge in titles. */
export function bridgeLabel(t: FixTarget): string {
  return t.bridge.name ?? 'a bridge';
}

export function tapId(iface: MicrovmInterface): string | undefined {
  return knownText(iface.id.value);
}

// ---------------------------------------------------------------------------------------------
// Units

export function lastSetting(unit: UnitDefinition, section: string, key: string): UnitSetting | undefined {
  for (let i = unit.settings.length - 1; i >= 0; i--) {
    const s = unit.settings[i];
    if (s.section === section && s.key === key) return s;
  }
  return undefined;
}

/** The bridge a network unit sets (last Bridge=), when statically known. */
export function unitBridge(unit: UnitDefinition): string | undefined {
  const s = lastSetting(unit, 'Network', 'Bridge');
  const text = s ? knownText(s.value) : undefined;
  return text === undefined || text === '' ? undefined : trimUnitValue(text);
}

export interface NameWord {
  word: string;
  negative: boolean;
  setting: UnitSetting;
}

/**
 * The effective `[Match] Name=` words of a unit in networkd's reading order: words split on
 * whitespace, a leading `!` negating the whole line, an empty value resetting the list.
 * Null when some value is not statically known.
 */
export function nameWords(unit: UnitDefinition): NameWord[] | null {
  let out: NameWord[] = [];
  for (const s of unit.settings) {
    if (s.section !== 'Match' || s.key !== 'Name') continue;
    const text = knownText(s.value);
    if (text === undefined) return null;
    let value = text.trim();
    if (value === '') {
      out = [];
      continue;
    }
    const negative = value.startsWith('!');
    if (negative) value = value.slice(1);
    for (const word of value.split(/\s+/)) if (word) out.push({ word, negative, setting: s });
  }
  return out;
}

/**
 * A value as systemd reads it from the line NixOS writes: spaces and tabs around it dropped. Other
 * control characters stay, so a name holding them is refused as a name instead of being changed
 * into a different one.
 */
function trimUnitValue(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

export function isBridgeNetdev(unit: UnitDefinition): string | undefined {
  if (unit.kind !== 'netdev' || unit.masked) return undefined;
  const kind = lastSetting(unit, 'NetDev', 'Kind');
  const name = lastSetting(unit, 'NetDev', 'Name');
  if (!kind || !name || knownText(kind.value)?.trim() !== 'bridge') return undefined;
  const text = knownText(name.value);
  return text === undefined ? undefined : trimUnitValue(text) || undefined;
}

export function unitStem(unit: UnitDefinition): string {
  return unit.name.replace(/\.(network|netdev)$/, '');
}

// ---------------------------------------------------------------------------------------------
// World and intended bridge

export function worldOf(facts: WorkspaceFacts, iface: MicrovmInterface): World | null {
  const lookup = worldFor(iface, facts, new Map());
  return lookup.world;
}

/** Bridges defined for the world: netdevs with Kind=bridge and `networking.bridges`. */
export function definedBridges(world: World): string[] {
  const names = new Set<string>();
  for (const u of [...world.units, ...world.conditionalUnits]) {
    const name = isBridgeNetdev(u);
    if (name) names.add(name);
  }
  for (const b of world.scriptedBridges) names.add(b.name);
  return [...names].sort();
}

export function intendedBridge(snapshot: AnalysisSnapshot, outcome: Outcome, world: World, settings: Settings): IntendedBridge {
  if (outcome.status === 'shadowed' && outcome.shadowedUnit) {
    const name = unitBridge(outcome.shadowedUnit);
    if (name) return { name, why: `${outcome.shadowedUnit.name} would bridge it to ${name}` };
  }
  const iface = outcome.interface;
  const counts = new Map<string, number>();
  for (const o of snapshot.outcomes) {
    if (o === outcome || o.status !== 'bridged' || !o.bridge) continue;
    if (o.interface.host !== iface.host) continue;
    if (o.interface.type !== 'tap' && o.interface.type !== 'bridge') continue;
    counts.set(o.bridge, (counts.get(o.bridge) ?? 0) + 1);
  }
  if (counts.size > 0) {
    const [name] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return { name, why: `the other taps of this host are on ${name}` };
  }
  const undefinedName = outcome.status === 'bridge-undefined' ? outcome.bridge : null;
  const defined = definedBridges(world).filter((b) => b !== undefinedName);
  if (defined.length === 1) return { name: defined[0], why: `${defined[0]} is the only bridge defined` };
  const fallback = trimUnitValue(settings.defaultBridge);
  if (fallback) return { name: fallback, why: 'microvmNet.defaultBridge' };
  return { name: null, why: 'no bridge could be inferred' };
}

/** The digest of the text an edit was computed on, so `--fix` writes only onto that very text. */
export function withSha256(env: { sha256Of: (path: string) => string | undefined }, file: string): { sha256?: string } {
  const sha256 = env.sha256Of(file);
  return sha256 !== undefined ? { sha256 } : {};
}

// ---------------------------------------------------------------------------------------------
// Simulation

export interface FactsChange {
  units?: (units: UnitDefinition[]) => UnitDefinition[];
  /** Links that exist after the change (the bridge a placeholder stands for). */
  links?: CreatedLink[];
  scripts?: ScriptAttachment[];
  interfaces?: (ifaces: MicrovmInterface[]) => MicrovmInterface[];
}

export function changedFacts(facts: WorkspaceFacts, change: FactsChange): WorkspaceFacts {
  const units = change.units ? change.units(facts.units) : facts.units;
  return {
    ...facts,
    units,
    // A unit file a fix creates serves the hosts the placement rules give it, as any file does.
    placement: change.units && facts.placement ? placeUnitFiles(units.filter((u) => u.source === 'file'), facts.hosts, (file) => file) : facts.placement,
    scripts: change.scripts ? [...facts.scripts, ...change.scripts] : facts.scripts,
    links: change.links ? [...(facts.links ?? []), ...change.links] : facts.links,
    interfaces: change.interfaces ? change.interfaces(facts.interfaces) : facts.interfaces,
  };
}

/** Whether the change leaves the tap bridged to `bridge`. */
export function bridgesTap(facts: WorkspaceFacts, change: FactsChange, iface: MicrovmInterface, bridge: string, winner?: string): boolean {
  const placeholder: CreatedLink[] =
    bridge === PLACEHOLDER_SIMULATION ? [{ name: known(bridge), kind: 'bridge', by: 'the bridge the placeholder stands for', location: iface.location, host: iface.host }] : [];
  const next = changedFacts(facts, { ...change, links: [...(change.links ?? []), ...placeholder] });
  const o = resolveInterface(iface, next, new Map());
  return o.status === 'bridged' && o.bridge === bridge && (winner === undefined || o.winner?.name === winner);
}

/**
 * Whether the change harms no other interface of the same host: every other outcome stays as it
 * was, or (for taps that had no bridge) becomes bridged to `bridge`.
 */
export function harmless(snapshot: AnalysisSnapshot, change: FactsChange, iface: MicrovmInterface, bridge: string): boolean {
  const next = changedFacts(snapshot.facts, change);
  const worlds = new Map();
  for (const before of snapshot.outcomes) {
    const other = before.interface;
    if (other === iface || other.host !== iface.host) continue;
    const after = resolveInterface(other, next, worlds);
    if (after.status === before.status && after.bridge === before.bridge) continue;
    const wasBroken = before.status === 'unmanaged' || before.status === 'shadowed' || before.status === 'bridge-undefined';
    if (wasBroken && after.status === 'bridged' && after.bridge === bridge) continue;
    return false;
  }
  return true;
}

export function fakeSetting(section: string, key: string, value: StrPattern, at: UnitSetting['keyLocation']): UnitSetting {
  return { section, key, value, keyLocation: at, valueLocation: at };
}

export function scriptFor(iface: MicrovmInterface, bridge: string, kind: ScriptAttachment['kind'], extra: Partial<ScriptAttachment> = {}): ScriptAttachment {
  return {
    kind,
    tap: iface.id.value,
    allTaps: false,
    bridge: known(bridge),
    location: iface.id.location,
    host: iface.host,
    vm: iface.vm,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// Building the Fix

/** Offset edits for one file, with bridge slots (edits.ts `bridgeSlot`) still in their text. */
export interface FileEdits {
  file: string;
  text: string;
  edits: OffsetEdit[];
  nix: boolean;
}

/**
 * Turns slotted offset edits into a Fix: fills the bridge, quoted for each slot (or a snippet
 * placeholder), checks that every edited Nix file re-parses with no more syntax errors than
 * before and that nothing lies outside the workspace roots, symlinks followed. Null when a check
 * fails. A file to create never holds a placeholder: an editor creates it without snippets.
 */
export function makeFix(
  t: FixTarget,
  title: string,
  files: FileEdits[],
  creates: { file: string; text: string }[] = [],
): Fix | null {
  const bridge = t.bridge.name;
  const changes: WorkspaceEdit['changes'] = [];
  for (const f of files) {
    if (!t.env.guard.contains(f.file)) return null;
    const edits = f.edits.filter((e) => e.newText !== '' || e.start !== e.end);
    if (edits.length === 0) continue;
    const filled = edits.map((e) => ({ ...e, newText: finishText(e.newText, bridge) }));
    if (f.nix) {
      // What the user gets when they accept the placeholder as it is must parse too.
      const concrete = edits.map((e) => ({ ...e, newText: finishText(e.newText, bridge ?? PLACEHOLDER_DEFAULT) }));
      let after: string;
      try {
        after = applyOffsetEdits(f.text, concrete);
      } catch {
        return null;
      }
      if (t.env.addsSyntaxErrors(f.file, f.text, concrete, after)) return null;
    }
    const lines = new LineIndex(f.text);
    const textEdits: TextEdit[] = filled.map((e) => ({ range: lines.rangeAt(e.start, e.end), newText: e.newText }));
    changes.push({ file: f.file, edits: textEdits, ...withSha256(t.env, f.file) });
  }
  for (const c of creates) {
    if (!t.env.guard.contains(c.file) || t.env.textOf(c.file) !== null) return null;
    if (bridge === null && hasBridgeSlot(c.text)) return null;
  }
  if (changes.length === 0 && creates.length === 0) return null;
  return {
    title: finishTitle(title, t),
    diagnosticCode: t.diagnostic.code,
    diagnosticLocation: t.diagnostic.location,
    preferred: false,
    edit: { changes, creates: creates.map((c) => ({ file: c.file, text: finishText(c.text, bridge) })) },
    ...(bridge === null && files.some((f) => f.edits.some((e) => hasBridgeSlot(e.newText))) ? { isSnippet: true } : {}),
  };
}

/** Where a fix may write (tests ask it directly). */
export { insideRoots };

function finishTitle(title: string, t: FixTarget): string {
  return title.split(BRIDGE_MARK).join(bridgeLabel(t));
}

export function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export function dirnameOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}

export function display(p: StrPattern): string {
  return displayPattern(p);
}
