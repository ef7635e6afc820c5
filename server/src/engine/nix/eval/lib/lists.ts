/** `lib.lists`. */
import { ready, unknown, type AttrsValue, type ListValue, type Thunk, type Value } from '../../value';
import { apply, attrs, fn, fn2, fn3, force, int } from '../helpers';
import { valuesEqual } from '../ops';
import { filterList, foldl } from '../builtins/lists';
import { MAX_LIST, asInt, callNow, lazyApply, mkList, unknownFrom, type BuiltinHost } from '../builtins/support';

export function listLib(host: BuiltinHost, builtins: AttrsValue): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  const listFn1 = (name: string, f: (v: ListValue) => Value) =>
    def(name, fn(name, (x) => {
      const v = force(x);
      return v.kind === 'list' ? f(v) : unknownFrom(v, name);
    }));
  def('range', fn2('range', (a, c) => {
    const x = asInt(force(a));
    const y = asInt(force(c));
    if (x === undefined || y === undefined) return unknown('range');
    const n = Math.max(0, y - x + 1);
    if (n > MAX_LIST || !host.charge(n)) return unknown('range too long');
    const items: Thunk[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = ready(int(x + i));
    return mkList(items);
  }));
  const imap = (name: string, base: number) =>
    def(name, fn2(name, (f, x) => {
      const fv = force(f);
      const v = force(x);
      if (v.kind !== 'list') return unknownFrom(v, name);
      if (!host.charge(v.items.length)) return unknown('budget exhausted');
      return mkList(v.items.map((t, i) => lazyApply(host, fv, ready(int(i + base)), t)), v.complete, v.location);
    }));
  imap('imap0', 0);
  imap('imap1', 1);
  def('forEach', fn2('forEach', (x, f) => apply(force(builtins.attrs.get('map')!.thunk), f, x)));
  def('optional', fn2('optional', (c, x) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkList([], false);
    return mkList(v.value ? [x] : []);
  }));
  def('optionals', fn2('optionals', (c, x) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkList([], false);
    return v.value ? force(x) : mkList([]);
  }));
  def('foldl', fn3('foldl', (op, nul, x) => foldl(host, force(op), nul, force(x))));
  def('foldr', fn3('foldr', (op, nul, x) => foldr(host, force(op), nul, force(x))));
  def('fold', entries.foldr);
  listFn1('flatten', (v) => {
    const out: Thunk[] = [];
    let complete = v.complete;
    const walk = (x: ListValue, depth: number) => {
      for (const t of x.items) {
        const y = force(t);
        if (y.kind === 'list' && depth < 32) {
          if (!y.complete) complete = false;
          walk(y, depth + 1);
        } else if (y.kind === 'unknown') complete = false;
        else out.push(t);
      }
    };
    walk(v, 0);
    return mkList(out, complete, v.location);
  });
  listFn1('last', (v) => (v.complete && v.items.length ? force(v.items[v.items.length - 1]) : unknown('last')));
  listFn1('init', (v) => (v.complete && v.items.length ? mkList(v.items.slice(0, -1)) : unknown('init')));
  listFn1('reverseList', (v) => (v.complete ? mkList(v.items.slice().reverse()) : unknown('reverseList')));
  listFn1('unique', (v) => {
    const out: Thunk[] = [];
    const vals: Value[] = [];
    for (const t of v.items) {
      if (!host.charge(vals.length + 1)) return unknown('budget exhausted');
      const x = force(t);
      let dup: boolean | undefined = false;
      for (const y of vals) {
        const r = valuesEqual(x, y);
        if (r === true) {
          dup = true;
          break;
        }
        if (r === undefined) dup = undefined;
      }
      if (dup === undefined) return unknown('unique');
      if (!dup) {
        out.push(t);
        vals.push(x);
      }
    }
    return mkList(out, v.complete);
  });
  def('take', fn2('take', (n, x) => {
    const c = asInt(force(n));
    const v = force(x);
    if (c === undefined || v.kind !== 'list') return unknown('take');
    if (!v.complete && c > v.items.length) return unknown('take');
    return mkList(v.items.slice(0, Math.max(0, c)), true, v.location);
  }));
  def('drop', fn2('drop', (n, x) => {
    const c = asInt(force(n));
    const v = force(x);
    if (c === undefined || v.kind !== 'list' || !v.complete) return unknown('drop');
    return mkList(v.items.slice(Math.max(0, c)), true, v.location);
  }));
  def('sublist', fn3('sublist', (s, n, x) => {
    const a = asInt(force(s));
    const c = asInt(force(n));
    const v = force(x);
    if (a === undefined || c === undefined || v.kind !== 'list' || !v.complete) return unknown('sublist');
    return mkList(v.items.slice(Math.max(0, a), Math.max(0, a) + Math.max(0, c)), true, v.location);
  }));
  def('count', fn2('count', (p, x) => {
    const r = filterList(host, force(p), force(x));
    return r.kind === 'list' && r.complete ? int(r.items.length) : unknown('count');
  }));
  def('zipListsWith', fn3('zipListsWith', (f, a, c) => {
    const fv = force(f);
    const x = force(a);
    const y = force(c);
    if (x.kind !== 'list' || y.kind !== 'list') return unknown('zipListsWith');
    const n = Math.min(x.items.length, y.items.length);
    const items: Thunk[] = [];
    for (let i = 0; i < n; i++) items.push(lazyApply(host, fv, x.items[i], y.items[i]));
    return mkList(items, x.complete && y.complete);
  }));
  def('zipLists', fn2('zipLists', (a, c) => {
    const x = force(a);
    const y = force(c);
    if (x.kind !== 'list' || y.kind !== 'list') return unknown('zipLists');
    const n = Math.min(x.items.length, y.items.length);
    const items: Thunk[] = [];
    for (let i = 0; i < n; i++) items.push(ready(attrs({ fst: x.items[i], snd: y.items[i] })));
    return mkList(items, x.complete && y.complete);
  }));
  def('findFirst', fn3('findFirst', (p, d, x) => {
    const pred = force(p);
    const v = force(x);
    if (v.kind !== 'list') return unknown('findFirst');
    for (const t of v.items) {
      const r = callNow(host, pred, t);
      if (r.kind !== 'bool') return unknown('findFirst');
      if (r.value) return force(t);
    }
    return v.complete ? force(d) : unknown('findFirst');
  }));
  def('toList', fn('toList', (x) => {
    const v = force(x);
    return v.kind === 'list' ? v : v.kind === 'unknown' ? v : mkList([x]);
  }));

  return entries;
}

export function foldr(host: BuiltinHost, op: Value, nul: Thunk, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'foldr');
  if (!l.complete) return unknown('foldr over an incomplete list');
  let acc: Value = force(nul);
  for (let i = l.items.length - 1; i >= 0; i--) {
    if (!host.charge(1)) return unknown('budget exhausted');
    acc = callNow(host, op, l.items[i], ready(acc));
  }
  return acc;
}
