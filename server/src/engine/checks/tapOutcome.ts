/**
 * The outcome family: a tap with no bridge, a tap shadowed by an earlier unit, and a winning
 * unit naming a bridge no netdev defines. `unknown` outcomes never warn (precision first).
 */
import type { Diagnostic, Outcome, RelatedInfo, UnitDefinition } from '../model';
import { worldFor, type World } from '../world';
import { describeMatch } from '../networkd';
import { reasonTexts } from '../reasons';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, tapLabel } from './context';

const { tapWithoutBridge, tapShadowed, bridgeNotDefined } = DIAGNOSTICS;

function unitRelated(unit: UnitDefinition, message: string): RelatedInfo {
  return { location: unit.location, message };
}

function bridgingUnitsNear(units: UnitDefinition[]): RelatedInfo[] {
  return units
    .filter((u) => u.kind === 'network' && !u.masked && u.settings.some((s) => s.section === 'Network' && s.key === 'Bridge'))
    .slice(0, 5)
    .map((u) => unitRelated(u, `${u.name} sets Bridge= but its [Match] (${describeMatch(u)}) does not cover this tap`));
}

function diagnose(outcome: Outcome, bridging: (outcome: Outcome) => RelatedInfo[]): Diagnostic | null {
  const iface = outcome.interface;
  const at = iface.id.location;
  const because = reasonTexts(outcome.reasons).join('; ');
  switch (outcome.status) {
    case 'unmanaged': {
      // Unmanaged=yes hands the tap to something outside networkd, which we may not see.
      if (outcome.unmanagedByUnit) return null;
      const related = outcome.winner
        ? [unitRelated(outcome.winner, `${outcome.winner.name} matches this tap first`)]
        : bridging(outcome);
      return diagnostic(tapWithoutBridge, `tap ${tapLabel(iface)} has no bridge: ${because}`, at, { related, outcome });
    }
    case 'shadowed': {
      const related: RelatedInfo[] = [];
      if (outcome.winner) related.push(unitRelated(outcome.winner, `${outcome.winner.name} matches first and sets no Bridge=`));
      if (outcome.shadowedUnit) related.push(unitRelated(outcome.shadowedUnit, `${outcome.shadowedUnit.name} would bridge this tap`));
      return diagnostic(tapShadowed, `tap ${tapLabel(iface)} is shadowed: ${because}`, at, { related, outcome });
    }
    case 'bridge-undefined': {
      const related = outcome.winner ? [unitRelated(outcome.winner, `${outcome.winner.name} sets Bridge=${outcome.bridge}`)] : [];
      return diagnostic(bridgeNotDefined, `tap ${tapLabel(iface)} has no bridge: ${because}`, at, { related, outcome });
    }
    default:
      return null;
  }
}

export const tapOutcomeCheck: Check = {
  codes: [tapWithoutBridge, tapShadowed, bridgeNotDefined],
  run: () => [],
  perHost({ facts }, { outcomes }) {
    // Only units certainly on the tap's own host: another configuration's units, or files that
    // are merely possible there, are no hint for this tap. Computed once per world, when needed.
    const worlds = new Map<string, World>();
    const near = new Map<World, RelatedInfo[]>();
    const bridging = (o: Outcome): RelatedInfo[] => {
      const world = worldFor(o.interface, facts, worlds).world;
      if (!world) return [];
      let related = near.get(world);
      if (!related) near.set(world, (related = bridgingUnitsNear(world.units)));
      return related.slice();
    };
    return outcomes.flatMap((o) => diagnose(o, bridging) ?? []);
  },
};
