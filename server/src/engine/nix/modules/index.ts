/** The NixOS module system, statically (see configuration.ts for what is modelled and how). */
export { Configuration, OPTION_LIKE_KEYS, type CollectedModule, type ConfigurationOptions, type Gap, type GapKind, type ModuleSource } from './configuration';
export {
  Conditions,
  DEFAULT_ORDER,
  DEFAULT_PRIORITY,
  normalize,
  OPTION_DEFAULT_PRIORITY,
  selectByPriority,
  sortByOrder,
  type CondState,
  type Def,
  type Selected,
} from './definitions';
export { LazyMap, lazyAttrs, lazyThunk } from '../eval/lazy';
export { concatLists, mergeAttrs, ModuleWorld, type Marker, type MarkerKind, type SystemCall } from './world';
