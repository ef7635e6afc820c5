/**
 * Quick-fix builders (docs/domain/microvm.md §5 "Quick-fix forms that are valid today").
 *
 * For each diagnostic touching the requested range whose code the registry marks fixable
 * (`tap-without-bridge`, `tap-shadowed`, `bridge-not-defined`), every fix kind is tried on the
 * outcome the diagnostic reports:
 *   1. add-name        add the id (or a covering glob) to Name= of the unit setting the bridge
 *   2. create-unit     a new unit sorting before anything that matches the tap
 *   3. tap-up          guest `microvm.binScripts.tap-up = lib.mkAfter ''...''`
 *   4. service-override host `microvm-tap-interfaces@` override, form by microvm.nix layout
 *   5. qemu-bridge     `type = "bridge"; bridge = "<br>";` (qemu / stratovirt)
 * and, for bridge-not-defined, define-bridge: the missing netdev for the bridge the winning
 * unit names (preferred there, since that unit already says which bridge is meant).
 * Diagnostics that are not about where a tap ends up have builders of their own, tried alone:
 * macvtap settings (macvtapSettings.ts) and qemu-bridge-helper's missing bridge (helperBridge.ts).
 * The guest-side codes (guest-nic-unconfigured, guest-veth-captured) are not about a bridge:
 * only guest-unit builds their fixes, a new unit in the guest's own module (guestUnit.ts).
 * A kind is offered only when the engine's own resolver, re-run on the changed facts, bridges
 * the tap to the intended bridge, and when every edited Nix file still parses with no more
 * syntax errors. Exactly one fix is preferred per diagnostic: define-bridge, else #1, else #2,
 * else #3, else the first. Builders return WorkspaceEdits only; nothing here writes to disk.
 *
 * Names are validated before any builder runs: a tap id or an intended bridge that is not a
 * valid interface name is never written; the diagnostic gets one disabled Fix saying why.
 */
import { DIAGNOSTIC_DEFINITIONS, DIAGNOSTICS } from '../checks/codes';
import type { Diagnostic, Outcome } from '../model';
import type { AnalysisSnapshot, Fix } from '../service';
import { comparePositions, type Range } from '../text';
import { addNameFixes } from './addName';
import { intendedBridge, tapId, worldOf, type Candidate, type FixEnv, type FixKind, type FixTarget, type IntendedBridge } from './common';
import { createUnitFixes } from './createUnit';
import { defineBridgeFixes } from './defineBridge';
import { guestUnitFixes } from './guestUnit';
import { helperBridgeFixes } from './helperBridge';
import { hostServiceFixes } from './hostService';
import { macvtapSettingsFixes } from './macvtapSettings';
import { qemuBridgeFixes } from './qemuBridge';
import { displayName, interfaceNameRefusal } from './quote';
import { visibleText } from '../text';
import { tapUpFixes } from './tapUp';

export { applyWorkspaceEdit, applyTextEdits, expandSnippet } from './edits';

/** What fixes read of the workspace (one shape for the fix builders and the views that call them). */
export type FixContext = FixEnv;

export const FIXABLE_CODES: ReadonlySet<string> = new Set(DIAGNOSTIC_DEFINITIONS.filter((d) => d.fixable).map((d) => d.code));

const BUILDERS: readonly ((t: FixTarget) => Candidate[])[] = [defineBridgeFixes, addNameFixes, createUnitFixes, tapUpFixes, hostServiceFixes, qemuBridgeFixes];

/** Codes about the guest's own links: bridging fixes would answer another question. */
const GUEST_BUILDERS: ReadonlyMap<string, readonly ((t: FixTarget) => Candidate[])[]> = new Map([
  ['guest-nic-unconfigured', [guestUnitFixes]],
  ['guest-veth-captured', [guestUnitFixes]],
]);

/** Fixable codes whose fixes change the guest, not where a tap ends up. */
export const GUEST_FIX_CODES: ReadonlySet<string> = new Set(GUEST_BUILDERS.keys());

/** `define-bridge` only exists for bridge-not-defined, where the unit already names the bridge it wants. */
const PREFERENCE: readonly FixKind[] = ['define-bridge', 'add-name', 'create-unit', 'tap-up'];

/** Fixes for diagnostics the tap builders have nothing to say about; null for the others. */
function ownFixes(snapshot: AnalysisSnapshot, code: string, outcome: Outcome, ctx: FixContext): Fix[] | null {
  if (code === DIAGNOSTICS.macvtapLinkMissing.code || code === DIAGNOSTICS.macvtapModeMissing.code) {
    return macvtapSettingsFixes(snapshot, code, outcome.interface, ctx);
  }
  if (outcome.via?.kind === 'qemu-bridge-helper') return helperBridgeFixes(snapshot, code, outcome, ctx);
  return null;
}

function touches(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

export function buildFixes(snapshot: AnalysisSnapshot, file: string, range: Range, ctx: FixContext, memo?: WeakMap<Diagnostic, Fix[]>): Fix[] {
  const out: Fix[] = [];
  for (const diagnostic of snapshot.diagnostics.get(file) ?? []) {
    if (!diagnostic.outcome || !FIXABLE_CODES.has(diagnostic.code) || !touches(diagnostic.location.range, range)) continue;
    let fixes = memo?.get(diagnostic);
    if (!fixes) {
      fixes = fixesOf(snapshot, diagnostic, ctx);
      memo?.set(diagnostic, fixes);
    }
    out.push(...fixes);
  }
  return out;
}

/** The fixes of one diagnostic: a function of the snapshot and the texts it saw, so views keep them. */
function fixesOf(snapshot: AnalysisSnapshot, diagnostic: Diagnostic, ctx: FixContext): Fix[] {
  const outcome = diagnostic.outcome!;
  const own = ownFixes(snapshot, diagnostic.code, outcome, ctx);
  if (own) return own;
  const world = worldOf(snapshot.facts, outcome.interface);
  if (!world) return [];
  const bridge = intendedBridge(snapshot, outcome, world, ctx.settings);
  const guest = GUEST_BUILDERS.get(diagnostic.code);
  // A guest fix writes neither the tap id nor a bridge: their names cannot refuse it.
  const refusal = guest ? null : nameRefusal(tapId(outcome.interface), bridge);
  if (refusal !== null) return [declined(diagnostic, refusal)];
  const target: FixTarget = { snapshot, env: ctx, diagnostic, outcome, iface: outcome.interface, world, bridge };
  const candidates: Candidate[] = [];
  for (const build of guest ?? BUILDERS) {
    try {
      candidates.push(...build(target));
    } catch {
      // A builder that cannot handle some shape of the workspace offers nothing; the others still do.
    }
  }
  if (candidates.length === 0) return [];
  const best = PREFERENCE.map((k) => candidates.find((c) => c.kind === k)).find((c) => c) ?? candidates[0];
  return candidates.map((c) => ({ ...c.fix, preferred: c === best }));
}

/** Why no fix may be written for this tap and bridge, or null. */
function nameRefusal(id: string | undefined, bridge: IntendedBridge): string | null {
  if (id !== undefined) {
    const problem = interfaceNameRefusal(id);
    if (problem !== null) return `the tap id is not a valid Linux interface name (${problem}); no fix writes it`;
  }
  if (bridge.name !== null) {
    const problem = interfaceNameRefusal(bridge.name);
    if (problem !== null) return `the bridge ${displayName(bridge.name)} (${visibleText(bridge.why)}) is not a valid Linux interface name (${problem}); no fix writes it`;
  }
  return null;
}

function declined(diagnostic: Diagnostic, reason: string): Fix {
  return {
    title: `No quick fix for ${diagnostic.code}`,
    diagnosticCode: diagnostic.code,
    diagnosticLocation: diagnostic.location,
    preferred: false,
    edit: { changes: [], creates: [] },
    disabled: { reason },
  };
}
