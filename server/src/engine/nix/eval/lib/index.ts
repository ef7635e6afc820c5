/**
 * The subset of nixpkgs `lib` real microvm.nix configurations use, implemented natively over
 * abstract values (total, like the builtins). Each family module defines its own entries; this
 * assembles the set and its namespaced aliases.
 */
import { ready, type AttrsValue, type Binding, type Value } from '../../value';
import { apply, fn, force } from '../helpers';
import { lazy, mkAttrs, type BuiltinHost } from '../builtins/support';
import { lazyAttrs } from '../lazy';
import { PRELUDE_FILE, PRELUDE_NAMES, PRELUDE_TEXT } from './prelude';
import { attrsetLib } from './attrsets';
import { listLib } from './lists';
import { moduleLib } from './modules';
import { pathLib } from './paths';
import { stringLib } from './strings';
import { trivialLib } from './trivial';
import { typeLib } from './types';

/** What `lib` needs from the evaluator: the builtins' host, and the builtins it re-exports. */
export type LibHost = BuiltinHost & { readonly builtins: AttrsValue; evalSource(file: string, text: string): Value };

/** `lib.x = builtins.x`. */
const REEXPORTED_BUILTINS = [
  'attrNames', 'attrValues', 'hasAttr', 'getAttr', 'removeAttrs', 'intersectAttrs', 'catAttrs', 'listToAttrs', 'mapAttrs',
  'isAttrs', 'isList', 'isString', 'isInt', 'isFloat', 'isBool', 'isPath', 'isFunction', 'elem', 'length', 'head', 'tail',
  'elemAt', 'genList', 'concatLists', 'concatMap', "foldl'", 'any', 'all', 'sort', 'partition', 'groupBy', 'filter', 'map',
  'toString', 'substring', 'stringLength', 'replaceStrings', 'concatStringsSep', 'match', 'split', 'typeOf', 'seq', 'deepSeq',
  'trace', 'throw', 'abort', 'tryEval', 'toJSON', 'fromJSON', 'baseNameOf', 'dirOf', 'readFile', 'readDir', 'pathExists',
  'functionArgs', 'zipAttrsWith', 'add', 'sub', 'mul', 'div', 'lessThan', 'compareVersions', 'isNull', 'hashString', 'warn',
] as const;

/**
 * Namespaced aliases (lib.strings.hasPrefix, lib.lists.imap1, lib.attrsets.mapAttrs', ...) point
 * at lib itself: harmless supersets of the real sub-libraries.
 */
const NAMESPACES = ['strings', 'lists', 'attrsets', 'trivial', 'modules', 'options', 'fixedPoints', 'debug', 'meta', 'versions', 'asserts', 'filesystem'] as const;

export function createLib(host: LibHost): AttrsValue {
  const reexported: Record<string, Value> = {};
  for (const name of REEXPORTED_BUILTINS) reexported[name] = force(host.builtins.attrs.get(name)!.thunk);
  const types = typeLib();
  const entries: Record<string, Value> = {
    ...reexported,
    ...trivialLib(host),
    ...listLib(host, host.builtins),
    ...stringLib(host),
    ...attrsetLib(host),
    ...moduleLib(host, types),
    ...pathLib(),
    types,
  };
  const m = new Map<string, Binding>();
  for (const [k, v] of Object.entries(entries)) m.set(k, { thunk: ready(v) });
  const lib = mkAttrs(m, true);
  for (const ns of NAMESPACES) m.set(ns, { thunk: ready(lib) });
  m.set('builtins', { thunk: ready(host.builtins) });
  m.set('extend', { thunk: ready(extendFunction(lib)) });
  // Functions written in Nix (prelude.ts), evaluated once, on first use of any of them.
  const prelude = lazy(() => host.evalSource(PRELUDE_FILE, PRELUDE_TEXT));
  for (const name of PRELUDE_NAMES) {
    if (m.has(name)) continue;
    m.set(name, {
      thunk: lazy(() => {
        const p = force(prelude);
        return p.kind === 'attrs' ? force(p.attrs.get(name)?.thunk) : p;
      }),
    });
  }
  return lib;
}

/**
 * `lib.extend f` = `fix (extends f (_: lib))`: `f self super`'s attributes over `lib`, where
 * `self` is the result itself (so a workspace library added as `lib.my` sees `lib.my`), and the
 * result can be extended again.
 */
export function extendFunction(base: AttrsValue): Value {
  return fn('extend', (overlay) => {
    let result: AttrsValue;
    const self = lazy(() => result);
    const added = lazy(() => apply(force(overlay), self, ready(base)));
    const addedAttrs = (): Map<string, Binding> => {
      const v = force(added);
      return v.kind === 'attrs' ? v.attrs : new Map();
    };
    const keys = [...base.attrs.keys()];
    result = lazyAttrs(
      () => [...new Set([...keys, ...addedAttrs().keys()])],
      (k) => {
        if (k === 'extend') return { thunk: ready(extendFunction(result)) };
        return addedAttrs().get(k) ?? base.attrs.get(k);
      },
      () => force(added).kind === 'attrs' && (force(added) as AttrsValue).complete,
    );
    return result;
  });
}
