/** `lib.trivial` (and `lib.fix`): identity, combinators, min/max/mod. */
import { ready, unknown, type Thunk, type Value } from '../../value';
import { fn, fn2, fn3, force, int, str, unknownString } from '../helpers';
import { lessThan } from '../ops';
import { asInt, callNow, lazy, type BuiltinHost } from '../builtins/support';

export function trivialLib(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('id', fn('id', (x) => force(x)));
  def('const', fn2('const', (x) => force(x)));
  def('flip', fn3('flip', (f, a, c) => callNow(host, force(f), c, a)));
  def('pipe', fn2('pipe', (x, fs) => {
    const v = force(fs);
    if (v.kind !== 'list' || !v.complete) return unknown('pipe');
    let acc: Thunk = x;
    for (const t of v.items) acc = ready(callNow(host, force(t), acc));
    return force(acc);
  }));
  def('boolToString', fn('boolToString', (x) => {
    const v = force(x);
    return v.kind === 'bool' ? str(v.value ? 'true' : 'false') : unknownString();
  }));
  def('min', fn2('min', (a, c) => {
    const r = lessThan(force(a), force(c));
    return r === undefined ? unknown('min') : force(r ? a : c);
  }));
  def('max', fn2('max', (a, c) => {
    const r = lessThan(force(a), force(c));
    return r === undefined ? unknown('max') : force(r ? c : a);
  }));
  def('mod', fn2('mod', (a, c) => {
    const x = asInt(force(a));
    const y = asInt(force(c));
    return x === undefined || y === undefined || y === 0 ? unknown('mod') : int(x - y * Math.trunc(x / y));
  }));
  def('fix', fn('fix', (f) => {
    const fv = force(f);
    let self: Thunk;
    const result = lazy(() => callNow(host, fv, self));
    self = result;
    return result.force();
  }));

  return entries;
}
