/** `lib.types`: enough structure for `types.X` and `types.f args` to be (unknown) values. */
import { ready, type AttrsValue, type Binding } from '../../value';
import { attrs, fn, str } from '../helpers';
import { mkAttrs } from '../builtins/support';

export function typeLib(): AttrsValue {
  const m = new Map<string, Binding>();
  const simple = (name: string) => attrs({ _type: str('option-type'), name: str(name) });
  for (const name of ['str', 'bool', 'int', 'float', 'path', 'package', 'anything', 'raw', 'unspecified', 'lines', 'port', 'attrs', 'number', 'singleLineStr', 'nonEmptyStr', 'ints', 'strMatching']) {
    m.set(name, { thunk: ready(simple(name)) });
  }
  const ctor = (name: string) => fn(name, () => simple(name));
  for (const name of ['listOf', 'attrsOf', 'nullOr', 'lazyAttrsOf', 'submodule', 'enum', 'either', 'oneOf', 'uniq', 'functionTo', 'coercedTo', 'separatedString', 'submoduleWith', 'deferredModuleWith', 'addCheck']) {
    m.set(name, { thunk: ready(ctor(name)) });
  }
  return mkAttrs(m, false);
}
