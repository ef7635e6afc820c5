/**
 * `lib.types` with the structure nixpkgs gives them, as far as the module system needs it: every
 * type is `{ _type = "option-type"; name; nestedTypes; functor; getSubModules; … }`, so option
 * declarations say what their values are — above all which submodules (with their option defaults)
 * an `attrsOf (submodule …)` or `listOf (submodule …)` value is made of.
 */
import { ready, type AttrsValue, type Binding, type Thunk, type Value } from '../../value';
import { attrs, fn, fn2, fn3, force, list, NULL, str } from '../helpers';
import { mkAttrs } from '../builtins/support';

interface TypeParts {
  /** `nestedTypes.elemType` (listOf, attrsOf, nullOr, uniq, …). */
  elemType?: Thunk;
  /** `nestedTypes.left` / `.right` (either). */
  left?: Thunk;
  right?: Thunk;
  /** The modules of a submodule type (a list value). */
  modules?: Thunk;
  /** `specialArgs` of `submoduleWith`. */
  specialArgs?: Thunk;
  /** `functor.payload` (enum values, separator, …). */
  payload?: Thunk;
}

function optionType(name: string, parts: TypeParts = {}): AttrsValue {
  const nested: Record<string, Thunk> = {};
  if (parts.elemType) nested.elemType = parts.elemType;
  if (parts.left) nested.left = parts.left;
  if (parts.right) nested.right = parts.right;
  const functor: Record<string, Value | Thunk> = { name: str(name), payload: parts.payload ?? ready(NULL) };
  if (parts.elemType) functor.wrapped = parts.elemType;
  const record: Record<string, Value | Thunk> = {
    _type: str('option-type'),
    name: str(name),
    description: str(name),
    nestedTypes: attrs(nested),
    functor: attrs(functor),
    getSubModules: parts.modules ?? ready(NULL),
  };
  if (parts.specialArgs) record.specialArgs = parts.specialArgs;
  return attrs(record, { complete: false });
}

/** `submodule m` = `submoduleWith { modules = toList m; }`. */
function asModuleList(m: Thunk): Thunk {
  return {
    force() {
      const v = force(m);
      return v.kind === 'list' ? v : list([m]);
    },
  };
}

const SIMPLE = [
  'str', 'bool', 'int', 'float', 'path', 'pathInStore', 'package', 'anything', 'raw', 'unspecified', 'lines', 'commas', 'envVar',
  'port', 'attrs', 'number', 'singleLineStr', 'nonEmptyStr', 'string', 'shellPackage', 'optionType', 'boolByOr', 'luaInline',
  'externalPath', 'passwdEntry', 'nonEmptyListOf',
];

const WRAPPERS = ['listOf', 'attrsOf', 'lazyAttrsOf', 'nullOr', 'uniq', 'nonEmptyListOf', 'functionTo', 'loaOf'];

export function typeLib(): AttrsValue {
  const m = new Map<string, Binding>();
  const set = (name: string, v: Value) => m.set(name, { thunk: ready(v) });
  for (const name of SIMPLE) set(name, optionType(name));
  for (const name of WRAPPERS) set(name, fn(name, (elemType) => optionType(name, { elemType })));
  set('attrsWith', fn('attrsWith', (args) => {
    const a = force(args);
    const elemType = a.kind === 'attrs' ? a.attrs.get('elemType')?.thunk : undefined;
    const lazy = a.kind === 'attrs' ? a.attrs.get('lazy')?.thunk : undefined;
    return optionType(lazy && force(lazy).kind === 'bool' && (force(lazy) as { value: boolean }).value ? 'lazyAttrsOf' : 'attrsOf', { elemType });
  }));
  set('unique', fn2('unique', (_message, elemType) => optionType('unique', { elemType })));
  set('either', fn2('either', (left, right) => optionType('either', { left, right })));
  set('oneOf', fn('oneOf', (types) => oneOf(types)));
  set('coercedTo', fn3('coercedTo', (_from, _coerce, to) => optionType('coercedTo', { elemType: to })));
  set('addCheck', fn2('addCheck', (t) => force(t)));
  set('enum', fn('enum', (values) => optionType('enum', { payload: values })));
  set('separatedString', fn('separatedString', (sep) => optionType('separatedString', { payload: sep })));
  set('strMatching', fn('strMatching', (re) => optionType('strMatching', { payload: re })));
  set('submodule', fn('submodule', (modules) => optionType('submodule', { modules: asModuleList(modules) })));
  set('submoduleWith', fn('submoduleWith', (args) => {
    const a = force(args);
    const get = (k: string) => (a.kind === 'attrs' ? a.attrs.get(k)?.thunk : undefined);
    return optionType('submodule', { modules: get('modules') ?? ready(list([])), specialArgs: get('specialArgs') });
  }));
  set('deferredModule', optionType('deferredModule'));
  set('deferredModuleWith', fn('deferredModuleWith', () => optionType('deferredModule')));
  const ints = new Map<string, Binding>();
  for (const name of ['unsigned', 'positive', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 'between', 'port']) {
    const t = optionType('int');
    ints.set(name, { thunk: ready(name === 'between' ? fn2('between', () => t) : t) });
  }
  set('ints', mkAttrs(ints, false));
  set('numbers', attrs({ between: fn2('between', () => optionType('number')), nonnegative: optionType('number'), positive: optionType('number') }, { complete: false }));
  return mkAttrs(m, false);
}

/** `oneOf [ a b c ]` = `either a (either b c)`. */
function oneOf(types: Thunk): Value {
  const v = force(types);
  if (v.kind !== 'list' || v.items.length === 0) return optionType('oneOf');
  let t: Thunk = v.items[v.items.length - 1];
  for (let i = v.items.length - 2; i >= 0; i--) t = ready(optionType('either', { left: v.items[i], right: t }));
  return force(t);
}
