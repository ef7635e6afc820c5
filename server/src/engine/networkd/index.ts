/**
 * systemd-networkd part of the engine: unit-file parsing with exact positions, loading of unit
 * files (drop-ins, directory precedence, masking), fnmatch and `[Match]` semantics, and the
 * resolution of which `.network` unit a tap gets and which bridge it joins.
 */
export { parseUnitText, splitSystemdLines } from './parser';
export type { ParsedUnitText, ParsedEntry, ParsedSectionHeader } from './parser';
export { loadUnitFiles, compareBytes, NETWORK_DIRS } from './units';
export type { UnitFileInput } from './units';
export { fnmatch, matchPattern, triAll, triAnd, triAny, triOr, triNot } from './match';
export type { Tri } from './match';
export { readMatch, evaluateMatch, evaluateMatchOn, ifnameValid, parseHwAddr } from './matchconf';
export type { LinkFacts, MatchConfig, MatchList, MatchWord } from './matchconf';
export {
  resolveNetworkd,
  sortUnits,
  findNetdev,
  describeMatch,
  matchUnit,
  nameGlobsCatching,
  interfaceNameProblem,
} from './resolve';
export type { NetworkdDecision, TapIdentity } from './resolve';
