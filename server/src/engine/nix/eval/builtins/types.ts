/** `typeOf` and the `is*` predicates. */
import { unknown, type Value } from '../../value';
import { bool, fn, force, isFunction, str, unknownString } from '../helpers';

/** The name `builtins.typeOf` gives; undefined for an unknown value. */
function typeName(v: Value): string | undefined {
  switch (v.kind) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
    case 'path':
      return 'path';
    case 'null':
      return 'null';
    case 'list':
      return 'list';
    case 'attrs':
      return 'set';
    case 'function':
      return 'lambda';
    default:
      return undefined;
  }
}

export function typeBuiltins(): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('typeOf', fn('typeOf', (x) => {
    const t = typeName(force(x));
    return t === undefined ? unknownString() : str(t);
  }));
  const isType = (name: string, t: string) =>
    def(name, fn(name, (x) => {
      const v = force(x);
      if (v.kind === 'unknown') return unknown(`${name} of unknown`);
      if (t === 'lambda') return bool(isFunction(v) && v.kind === 'function');
      return bool(typeName(v) === t);
    }));
  isType('isAttrs', 'set');
  isType('isList', 'list');
  isType('isString', 'string');
  isType('isInt', 'int');
  isType('isFloat', 'float');
  isType('isBool', 'bool');
  isType('isPath', 'path');
  isType('isNull', 'null');
  isType('isFunction', 'lambda');

  return entries;
}
