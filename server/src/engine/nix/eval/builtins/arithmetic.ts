/** Arithmetic, rounding, bitwise operations and `lessThan`. */
import { unknown, type Value } from '../../value';
import { fn, fn2, force, int } from '../helpers';
import { lessThan } from '../ops';
import { asInt, thrown, triBool } from './support';

export function arithmeticBuiltins(): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  const arith = (name: string, op: (a: number, b: number) => number | undefined) =>
    def(name, fn2(name, (x, y) => {
      const a = force(x);
      const c = force(y);
      if ((a.kind !== 'int' && a.kind !== 'float') || (c.kind !== 'int' && c.kind !== 'float')) return unknown(name);
      const r = op(a.value, c.value);
      if (r === undefined) return thrown('division by zero');
      const kind = a.kind === 'float' || c.kind === 'float' ? 'float' : 'int';
      return { kind, value: kind === 'int' ? Math.trunc(r) : r };
    }));
  arith('add', (a, c) => a + c);
  arith('sub', (a, c) => a - c);
  arith('mul', (a, c) => a * c);
  arith('div', (a, c) => (c === 0 ? undefined : a / c));
  def('lessThan', fn2('lessThan', (x, y) => triBool(lessThan(force(x), force(y)), 'lessThan')));
  def('ceil', fn('ceil', (x) => {
    const v = force(x);
    return v.kind === 'int' || v.kind === 'float' ? int(Math.ceil(v.value)) : unknown('ceil');
  }));
  def('floor', fn('floor', (x) => {
    const v = force(x);
    return v.kind === 'int' || v.kind === 'float' ? int(Math.floor(v.value)) : unknown('floor');
  }));
  def('bitAnd', fn2('bitAnd', (x, y) => {
    const a = asInt(force(x));
    const c = asInt(force(y));
    return a === undefined || c === undefined ? unknown('bitAnd') : int(Number(BigInt(a) & BigInt(c)));
  }));
  def('bitOr', fn2('bitOr', (x, y) => {
    const a = asInt(force(x));
    const c = asInt(force(y));
    return a === undefined || c === undefined ? unknown('bitOr') : int(Number(BigInt(a) | BigInt(c)));
  }));

  return entries;
}
