/** `lib.attrsets`. */
import { HOLE, concatPatterns, known, knownText, pattern } from '../../../pattern';
import { ready, unknown, type AttrsValue, type Binding, type Thunk, type Value } from '../../value';
import { FALSE, TRUE, apply, attrs, bool, fn, fn2, fn3, force, list, str, unknownString } from '../helpers';
import { sortedKeys, toStringPattern } from '../ops';
import { listToAttrs, zipAttrsWith } from '../builtins/attrsets';
import { asText, callNow, lazy, lazyApply, mkAttrs, mkList, thrown, unknownFrom, type BuiltinHost } from '../builtins/support';
import { foldr } from './lists';

export function attrsetLib(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('isDerivation', fn('isDerivation', (x) => {
    const v = force(x);
    if (v.kind !== 'attrs') return v.kind === 'unknown' ? unknown('isDerivation') : FALSE;
    const t = v.attrs.get('type');
    if (!t) return v.complete ? FALSE : unknown('isDerivation');
    const tv = force(t.thunk);
    return tv.kind === 'string' ? bool(knownText(tv.value) === 'derivation') : unknown('isDerivation');
  }));
  def('nameValuePair', fn2('nameValuePair', (n, v) => attrs({ name: n, value: v })));
  def('genAttrs', fn2('genAttrs', (names, f) => {
    const v = force(names);
    if (v.kind !== 'list') return unknownFrom(v, 'genAttrs');
    const fv = force(f);
    const items = v.items.map((t) => {
      const nv = force(t);
      return ready(attrs({ name: nv, value: lazyApply(host, fv, t) }));
    });
    return listToAttrs(host, mkList(items, v.complete, v.location));
  }));
  def("mapAttrs'", fn2("mapAttrs'", (f, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, "mapAttrs'");
    const fv = force(f);
    const items: Thunk[] = [];
    for (const k of sortedKeys(v.attrs.keys())) {
      const bnd = v.attrs.get(k)!;
      items.push(lazyApply(host, fv, ready(str(k, bnd.keyLocation)), bnd.thunk));
    }
    for (const u of v.unknownKeys ?? []) items.push(lazyApply(host, fv, ready(str(u.key, u.binding.keyLocation)), u.binding.thunk));
    return listToAttrs(host, mkList(items, v.complete, v.location));
  }));
  def('mapAttrsToList', fn2('mapAttrsToList', (f, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'mapAttrsToList');
    const fv = force(f);
    if (!host.charge(v.attrs.size)) return unknown('budget exhausted');
    const items = sortedKeys(v.attrs.keys()).map((k) => {
      const bnd = v.attrs.get(k)!;
      return lazyApply(host, fv, ready(str(k, bnd.keyLocation)), bnd.thunk);
    });
    for (const u of v.unknownKeys ?? []) items.push(lazyApply(host, fv, ready(str(u.key, u.binding.keyLocation)), u.binding.thunk));
    return mkList(items, v.complete, v.location);
  }));
  def('attrsToList', fn('attrsToList', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrsToList');
    return mkList(sortedKeys(v.attrs.keys()).map((k) => ready(attrs({ name: str(k, v.attrs.get(k)!.keyLocation), value: v.attrs.get(k)!.thunk }))), v.complete);
  }));
  def('filterAttrs', fn2('filterAttrs', (p, s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'filterAttrs');
    const pred = force(p);
    const m = new Map<string, Binding>();
    let complete = v.complete;
    for (const [k, bnd] of v.attrs) {
      if (!host.charge(1)) return unknown('budget exhausted');
      const r = callNow(host, pred, ready(str(k, bnd.keyLocation)), bnd.thunk);
      if (r.kind !== 'bool') complete = false;
      else if (r.value) m.set(k, bnd);
    }
    return mkAttrs(m, complete, v.location);
  }));
  def('optionalAttrs', fn2('optionalAttrs', (c, s) => {
    const v = force(c);
    if (v.kind !== 'bool') return mkAttrs(new Map(), false);
    return v.value ? force(s) : mkAttrs(new Map());
  }));
  def('recursiveUpdate', fn2('recursiveUpdate', (a, c) => recursiveUpdate(force(a), force(c), 0)));
  def('attrByPath', fn3('attrByPath', (p, d, s) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('attrByPath');
    let cur = force(s);
    for (const t of path.items) {
      const name = asText(force(t));
      if (name === undefined) return unknown('attrByPath');
      if (cur.kind === 'unknown') return cur;
      if (cur.kind !== 'attrs') return force(d);
      const bnd = cur.attrs.get(name);
      if (!bnd) return cur.complete ? force(d) : unknown(`attribute ${name} not known`);
      cur = force(bnd.thunk);
    }
    return cur;
  }));
  def('getAttrFromPath', fn2('getAttrFromPath', (p, s) => apply(entries.attrByPath, p, ready(thrown('getAttrFromPath: missing')), s)));
  def('hasAttrByPath', fn2('hasAttrByPath', (p, s) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('hasAttrByPath');
    let cur = force(s);
    for (const t of path.items) {
      const name = asText(force(t));
      if (name === undefined || cur.kind === 'unknown') return unknown('hasAttrByPath');
      if (cur.kind !== 'attrs') return FALSE;
      const bnd = cur.attrs.get(name);
      if (!bnd) return cur.complete ? FALSE : unknown('hasAttrByPath');
      cur = force(bnd.thunk);
    }
    return TRUE;
  }));
  def('setAttrByPath', fn2('setAttrByPath', (p, v) => {
    const path = force(p);
    if (path.kind !== 'list' || !path.complete) return unknown('setAttrByPath');
    let cur: Thunk = v;
    for (let i = path.items.length - 1; i >= 0; i--) {
      const name = asText(force(path.items[i]));
      if (name === undefined) return unknown('setAttrByPath');
      cur = ready(attrs({ [name]: cur }));
    }
    return force(cur);
  }));
  def('mapAttrsRecursive', fn2('mapAttrsRecursive', (f, s) => mapAttrsRecursive(host, force(f), force(s), [])));
  def('foldAttrs', fn3('foldAttrs', (op, nul, x) => {
    const v = force(x);
    if (v.kind !== 'list' || !v.complete) return unknown('foldAttrs');
    const groups = new Map<string, Thunk[]>();
    for (const t of v.items) {
      const a = force(t);
      if (a.kind !== 'attrs' || !a.complete) return unknown('foldAttrs');
      for (const [k, bnd] of a.attrs) {
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(bnd.thunk);
      }
    }
    const opv = force(op);
    const m = new Map<string, Binding>();
    for (const [k, items] of groups) m.set(k, { thunk: lazy(() => foldr(host, opv, nul, mkList(items))) });
    return mkAttrs(m);
  }));
  def('mergeAttrsList', fn('mergeAttrsList', (x) => {
    const v = force(x);
    if (v.kind !== 'list') return unknown('mergeAttrsList');
    let acc: Value = mkAttrs(new Map());
    for (const t of v.items) acc = updateAttrs(acc, force(t));
    return v.complete ? acc : acc.kind === 'attrs' ? mkAttrs(acc.attrs, false, acc.location) : acc;
  }));
  def('zipAttrs', fn('zipAttrs', (x) => zipAttrsWith(host, fn2('zipAttrs', (_n, vs) => force(vs)), force(x))));
  def('getExe', fn('getExe', (p) => {
    const v = force(p);
    const out = v.kind === 'attrs' ? v.attrs.get('outPath') : undefined;
    const base = v.kind === 'string' ? v.value : out ? toStringPattern(force(out.thunk)) : pattern([HOLE]);
    return str(concatPatterns(base, known('/bin/'), pattern([HOLE])));
  }));
  def("getExe'", fn2("getExe'", (p, n) => {
    const v = force(p);
    const name = force(n);
    const out = v.kind === 'attrs' ? v.attrs.get('outPath') : undefined;
    const base = v.kind === 'string' ? v.value : out ? toStringPattern(force(out.thunk)) : pattern([HOLE]);
    return str(concatPatterns(base, known('/bin/'), name.kind === 'string' ? name.value : pattern([HOLE])), name.kind === 'string' ? name.location : undefined);
  }));
  def('getBin', fn('getBin', (p) => {
    const v = force(p);
    return v.kind === 'string' ? v : unknownString();
  }));

  return entries;
}

function updateAttrs(a: Value, b: Value): Value {
  if (a.kind !== 'attrs' || b.kind !== 'attrs') return unknown('mergeAttrs');
  const m = new Map(a.attrs);
  for (const [k, bnd] of b.attrs) m.set(k, bnd);
  return mkAttrs(m, a.complete && b.complete, b.location ?? a.location);
}

function recursiveUpdate(a: Value, b: Value, depth: number): Value {
  if (b.kind === 'unknown') return b;
  if (a.kind === 'unknown') return b.kind === 'attrs' ? mkAttrs(b.attrs, false, b.location) : b;
  if (a.kind !== 'attrs' || b.kind !== 'attrs' || depth > 64) return b;
  const m = new Map(a.attrs);
  for (const [k, bnd] of b.attrs) {
    const old = a.attrs.get(k);
    if (!old) {
      m.set(k, bnd);
      continue;
    }
    m.set(k, {
      thunk: lazy(() => {
        const x = force(old.thunk);
        const y = force(bnd.thunk);
        if (x.kind === 'attrs' && y.kind === 'attrs' && !isDerivationLike(x) && !isDerivationLike(y)) return recursiveUpdate(x, y, depth + 1);
        return y;
      }),
      keyLocation: bnd.keyLocation,
      valueLocation: bnd.valueLocation,
    });
  }
  return mkAttrs(m, a.complete && b.complete, b.location ?? a.location);
}

function isDerivationLike(v: AttrsValue): boolean {
  return v.attrs.has('outPath') && v.attrs.has('type');
}

function mapAttrsRecursive(host: BuiltinHost, f: Value, s: Value, path: string[]): Value {
  if (s.kind !== 'attrs') return unknownFrom(s, 'mapAttrsRecursive');
  if (path.length > 64) return unknown('mapAttrsRecursive too deep');
  const m = new Map<string, Binding>();
  for (const [k, bnd] of s.attrs) {
    const p = [...path, k];
    m.set(k, {
      thunk: lazy(() => {
        const v = force(bnd.thunk);
        if (v.kind === 'attrs' && !isDerivationLike(v)) return mapAttrsRecursive(host, f, v, p);
        return callNow(host, f, list(p.map((x) => str(x))), ready(v));
      }),
      keyLocation: bnd.keyLocation,
      valueLocation: bnd.valueLocation,
    });
  }
  return mkAttrs(m, s.complete, s.location);
}
