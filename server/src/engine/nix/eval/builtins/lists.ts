/** List builtins. Bulk work is charged to the host's step budget. */
import { ready, unknown, type Binding, type Thunk, type Value } from '../../value';
import { FALSE, TRUE, attrs, bool, fn, fn2, fn3, force, int } from '../helpers';
import { valuesEqual } from '../ops';
import { MAX_LIST, asInt, asText, callNow, lazyApply, mkAttrs, mkList, thrown, unknownFrom, type BuiltinHost } from './support';

export function listBuiltins(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('length', fn('length', (l) => {
    const v = force(l);
    return v.kind === 'list' && v.complete ? int(v.items.length) : unknownFrom(v.kind === 'list' ? unknown('length of incomplete list') : v, 'length');
  }));
  def('head', fn('head', (l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'head');
    return v.items.length && v.complete ? force(v.items[0]) : v.items.length ? unknown('head of incomplete list') : thrown('head of empty list');
  }));
  def('tail', fn('tail', (l) => {
    const v = force(l);
    if (v.kind !== 'list' || !v.complete) return unknownFrom(v, 'tail');
    if (v.items.length === 0) return thrown('tail of empty list');
    return mkList(v.items.slice(1), true, v.location);
  }));
  def('elemAt', fn2('elemAt', (l, n) => {
    const v = force(l);
    const i = asInt(force(n));
    if (v.kind !== 'list' || i === undefined || !v.complete) return unknownFrom(v.kind === 'list' ? unknown('elemAt') : v, 'elemAt');
    if (i < 0 || i >= v.items.length) return thrown('elemAt out of range');
    return force(v.items[i]);
  }));
  def('map', fn2('map', (f, l) => {
    const fv = force(f);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'map');
    if (!host.charge(v.items.length)) return unknown('budget exhausted');
    return mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete, v.location);
  }));
  def('filter', fn2('filter', (f, l) => filterList(host, force(f), force(l))));
  def('elem', fn2('elem', (x, l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'elem');
    const needle = force(x);
    let sawUnknown = !v.complete;
    for (const t of v.items) {
      if (!host.charge(1)) return unknown('budget exhausted');
      const r = valuesEqual(needle, force(t));
      if (r === true) return TRUE;
      if (r === undefined) sawUnknown = true;
    }
    return sawUnknown ? unknown('elem') : FALSE;
  }));
  def('genList', fn2('genList', (f, n) => genList(host, force(f), force(n))));
  def('concatLists', fn('concatLists', (l) => concatLists(host, force(l))));
  def('concatMap', fn2('concatMap', (f, l) => {
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'concatMap');
    const fv = force(f);
    return concatLists(host, mkList(v.items.map((t) => lazyApply(host, fv, t)), v.complete));
  }));
  def("foldl'", fn3("foldl'", (op, nul, l) => foldl(host, force(op), nul, force(l))));
  def('any', fn2('any', (p, l) => anyAll(host, force(p), force(l), true)));
  def('all', fn2('all', (p, l) => anyAll(host, force(p), force(l), false)));
  def('sort', fn2('sort', (c, l) => {
    const cmp = force(c);
    const v = force(l);
    if (v.kind !== 'list' || !v.complete) return unknownFrom(v, 'sort');
    if (!host.charge(v.items.length * Math.max(1, Math.log2(v.items.length + 1)))) return unknown('budget exhausted');
    let bad = false;
    const sorted = v.items.slice().sort((a, d) => {
      if (bad) return 0;
      const r1 = callNow(host, cmp, a, d);
      if (r1.kind !== 'bool') {
        bad = true;
        return 0;
      }
      if (r1.value) return -1;
      const r2 = callNow(host, cmp, d, a);
      if (r2.kind !== 'bool') {
        bad = true;
        return 0;
      }
      return r2.value ? 1 : 0;
    });
    return bad ? unknown('sort with unknown comparisons') : mkList(sorted, true, v.location);
  }));
  def('partition', fn2('partition', (p, l) => {
    const pred = force(p);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'partition');
    const right: Thunk[] = [];
    const wrong: Thunk[] = [];
    let complete = v.complete;
    for (const t of v.items) {
      const r = callNow(host, pred, t);
      if (r.kind !== 'bool') complete = false;
      else (r.value ? right : wrong).push(t);
    }
    return attrs({ right: mkList(right, complete), wrong: mkList(wrong, complete) });
  }));
  def('groupBy', fn2('groupBy', (f, l) => {
    const fv = force(f);
    const v = force(l);
    if (v.kind !== 'list') return unknownFrom(v, 'groupBy');
    const groups = new Map<string, Thunk[]>();
    let complete = v.complete;
    for (const t of v.items) {
      const k = asText(callNow(host, fv, t));
      if (k === undefined) {
        complete = false;
        continue;
      }
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(t);
    }
    const m = new Map<string, Binding>();
    for (const [k, items] of groups) m.set(k, { thunk: ready(mkList(items, complete)) });
    return mkAttrs(m, complete);
  }));

  return entries;
}

export function filterList(host: BuiltinHost, pred: Value, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'filter');
  const out: Thunk[] = [];
  let complete = l.complete;
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const r = callNow(host, pred, t);
    if (r.kind !== 'bool') complete = false;
    else if (r.value) out.push(t);
  }
  return mkList(out, complete, l.location);
}

export function genList(host: BuiltinHost, f: Value, n: Value): Value {
  const count = asInt(n);
  if (count === undefined) return unknownFrom(n, 'genList');
  if (count < 0) return thrown('genList with a negative length');
  if (count > MAX_LIST || !host.charge(count)) return unknown('genList too long');
  const items: Thunk[] = new Array(count);
  for (let i = 0; i < count; i++) items[i] = lazyApply(host, f, ready(int(i)));
  return mkList(items, true);
}

export function concatLists(host: BuiltinHost, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'concatLists');
  const items: Thunk[] = [];
  let complete = l.complete;
  for (const t of l.items) {
    const v = force(t);
    if (v.kind !== 'list') {
      complete = false;
      continue;
    }
    if (!host.charge(v.items.length + 1)) return unknown('budget exhausted');
    for (const item of v.items) items.push(item);
    if (!v.complete) complete = false;
  }
  return mkList(items, complete, l.location);
}

export function foldl(host: BuiltinHost, op: Value, nul: Thunk, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'foldl');
  if (!l.complete) return unknown('foldl over an incomplete list');
  let acc: Value = force(nul);
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    acc = callNow(host, op, ready(acc), t);
  }
  return acc;
}

export function anyAll(host: BuiltinHost, pred: Value, l: Value, isAny: boolean): Value {
  if (l.kind !== 'list') return unknownFrom(l, isAny ? 'any' : 'all');
  let sawUnknown = !l.complete;
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const r = callNow(host, pred, t);
    if (r.kind !== 'bool') sawUnknown = true;
    else if (r.value === isAny) return bool(isAny);
  }
  return sawUnknown ? unknown(isAny ? 'any' : 'all') : bool(!isAny);
}
