import type { UnitDefinition, UnitSetting } from '../model';
import type { StrPattern } from '../pattern';
import type { Tri } from './match';
export interface TapIdentity { name: StrPattern; mac: StrPattern | null }
export interface NetworkdDecision {
  match: 'none' | 'unit' | 'unknown';
  winner?: UnitDefinition;
  candidates: UnitDefinition[];
  unmanaged: boolean;
  bridge: { name: string; setting: UnitSetting; netdev: UnitDefinition | null } | null;
  bridgeUnknown: boolean;
  keepMaster: boolean;
  routed: boolean;
  shadowed?: { unit: UnitDefinition; bridge: string };
  reasons: string[];
}
export function resolveNetworkd(_units: UnitDefinition[], _tap: TapIdentity): NetworkdDecision {
  return { match: 'unknown', candidates: [], unmanaged: false, bridge: null, bridgeUnknown: false, keepMaster: false, routed: false, reasons: [] };
}
export function sortUnits(units: UnitDefinition[]): UnitDefinition[] { return [...units]; }
export function findNetdev(_units: UnitDefinition[], _name: string): UnitDefinition | null { return null; }
export function describeMatch(_unit: UnitDefinition): string { return ''; }
export function matchUnit(_unit: UnitDefinition, _tap: TapIdentity): Tri { return 'maybe'; }
export function nameGlobsCatching(_unit: UnitDefinition, _tap: StrPattern): string[] { return []; }
export function interfaceNameProblem(_name: string): string | null { return null; }
