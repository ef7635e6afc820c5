/**
 * `builtins`, implemented natively over abstract values. Everything is total: bad or unknown
 * input gives `unknown` (or an unknown string / incomplete list / incomplete attrset where that
 * keeps more facts). Each family module defines its own entries; this assembles the set.
 */
import { ready, type AttrsValue, type Binding, type Value } from '../../value';
import { arithmeticBuiltins } from './arithmetic';
import { attrsetBuiltins } from './attrsets';
import { evaluationBuiltins } from './evaluation';
import { jsonBuiltins } from './json';
import { listBuiltins } from './lists';
import { pathBuiltins } from './paths';
import { stringBuiltins } from './strings';
import { mkAttrs, type BuiltinHost } from './support';
import { typeBuiltins } from './types';

export type { BuiltinHost, ModuleSystemHooks } from './support';
export { catastrophicRegex } from './strings';

export function createBuiltins(host: BuiltinHost): AttrsValue {
  const entries: Record<string, Value> = {
    ...evaluationBuiltins(),
    ...typeBuiltins(),
    ...arithmeticBuiltins(),
    ...stringBuiltins(host),
    ...jsonBuiltins(),
    ...pathBuiltins(host),
    ...listBuiltins(host),
    ...attrsetBuiltins(host),
  };
  const m = new Map<string, Binding>();
  for (const [k, v] of Object.entries(entries)) m.set(k, { thunk: ready(v) });
  const set = mkAttrs(m, true);
  m.set('builtins', { thunk: ready(set) });
  return set;
}
