/** Attribute-set builtins. Names that cannot be computed become `unknownKeys` where that keeps facts. */
import { HOLE, knownText, pattern } from '../../../pattern';
import { ready, unknown, type AttrsValue, type Binding, type Thunk, type Value } from '../../value';
import { FALSE, TRUE, fn, fn2, force, str } from '../helpers';
import { sortedKeys } from '../ops';
import { asText, lazyApply, mkAttrs, mkList, thrown, unknownFrom, type BuiltinHost } from './support';

export function attrsetBuiltins(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('attrNames', fn('attrNames', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrNames');
    return mkList(
      sortedKeys(v.attrs.keys()).map((k) => ready(str(k, v.attrs.get(k)!.keyLocation))),
      v.complete,
      v.location,
    );
  }));
  def('attrValues', fn('attrValues', (s) => {
    const v = force(s);
    if (v.kind !== 'attrs') return unknownFrom(v, 'attrValues');
    return mkList(sortedKeys(v.attrs.keys()).map((k) => v.attrs.get(k)!.thunk), v.complete, v.location);
  }));
  def('hasAttr', fn2('hasAttr', (n, s) => {
    const name = asText(force(n));
    const v = force(s);
    if (name === undefined || v.kind !== 'attrs') return unknownFrom(v.kind === 'attrs' ? unknown('hasAttr') : v, 'hasAttr');
    return v.attrs.has(name) ? TRUE : v.complete ? FALSE : unknown('hasAttr on incomplete attrset');
  }));
  def('getAttr', fn2('getAttr', (n, s) => {
    const name = asText(force(n));
    const v = force(s);
    if (name === undefined || v.kind !== 'attrs') return unknownFrom(v.kind === 'attrs' ? unknown('getAttr') : v, 'getAttr');
    const bnd = v.attrs.get(name);
    return bnd ? force(bnd.thunk) : v.complete ? thrown(`missing attribute ${name}`) : unknown(`attribute ${name} not known`);
  }));
  def('removeAttrs', fn2('removeAttrs', (s, l) => {
    const v = force(s);
    const names = force(l);
    if (v.kind !== 'attrs') return unknownFrom(v, 'removeAttrs');
    if (names.kind !== 'list') return unknown('removeAttrs');
    const m = new Map(v.attrs);
    let complete = v.complete && names.complete;
    for (const t of names.items) {
      const n = asText(force(t));
      if (n === undefined) complete = false;
      else m.delete(n);
    }
    if (!names.complete || complete !== (v.complete && names.complete)) {
      // Some removed names are unknown: the remaining values are still right, but maybe absent.
      return mkAttrs(m, false, v.location);
    }
    return mkAttrs(m, complete, v.location, v.unknownKeys);
  }));
  def('intersectAttrs', fn2('intersectAttrs', (a, s) => {
    const x = force(a);
    const y = force(s);
    if (x.kind !== 'attrs' || y.kind !== 'attrs') return unknown('intersectAttrs');
    const m = new Map<string, Binding>();
    for (const [k, bnd] of y.attrs) if (x.attrs.has(k)) m.set(k, bnd);
    return mkAttrs(m, x.complete && y.complete, y.location);
  }));
  def('catAttrs', fn2('catAttrs', (n, l) => {
    const name = asText(force(n));
    const v = force(l);
    if (name === undefined || v.kind !== 'list') return unknown('catAttrs');
    const out: Thunk[] = [];
    let complete = v.complete;
    for (const t of v.items) {
      const x = force(t);
      if (x.kind !== 'attrs') {
        complete = false;
        continue;
      }
      const bnd = x.attrs.get(name);
      if (bnd) out.push(bnd.thunk);
      else if (!x.complete) complete = false;
    }
    return mkList(out, complete);
  }));
  def('listToAttrs', fn('listToAttrs', (l) => listToAttrs(host, force(l))));
  def('mapAttrs', fn2('mapAttrs', (f, s) => mapAttrs(host, force(f), force(s))));
  def('functionArgs', fn('functionArgs', (f) => {
    const v = force(f);
    if (v.kind !== 'function') return unknownFrom(v, 'functionArgs');
    const m = new Map<string, Binding>();
    for (const name of v.formals?.names ?? []) m.set(name, { thunk: ready(unknown('has default?')) });
    return mkAttrs(m, v.formals !== undefined || v.name !== undefined);
  }));
  def('zipAttrsWith', fn2('zipAttrsWith', (f, l) => zipAttrsWith(host, force(f), force(l))));
  def('genericClosure', fn('genericClosure', () => unknown('genericClosure')));

  return entries;
}

export function listToAttrs(host: BuiltinHost, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'listToAttrs');
  const m = new Map<string, Binding>();
  let complete = l.complete;
  const unknownKeys: NonNullable<AttrsValue['unknownKeys']> = [];
  for (const t of l.items) {
    if (!host.charge(1)) return unknown('budget exhausted');
    const item = force(t);
    if (item.kind !== 'attrs') {
      complete = false;
      continue;
    }
    const nb = item.attrs.get('name');
    const vb = item.attrs.get('value');
    if (!nb || !vb) {
      complete = false;
      continue;
    }
    const nv = force(nb.thunk);
    const binding: Binding = {
      thunk: vb.thunk,
      keyLocation: nv.kind === 'string' ? nv.location ?? nb.valueLocation : nb.valueLocation,
      valueLocation: vb.valueLocation,
    };
    const name = nv.kind === 'string' ? knownText(nv.value) : undefined;
    if (name === undefined) {
      complete = false;
      if (nv.kind === 'string' || nv.kind === 'unknown') unknownKeys.push({ key: nv.kind === 'string' ? nv.value : pattern([HOLE]), binding });
      continue;
    }
    if (!m.has(name)) m.set(name, binding);
  }
  return mkAttrs(m, complete, l.location, unknownKeys);
}

export function mapAttrs(host: BuiltinHost, f: Value, s: Value): Value {
  if (s.kind !== 'attrs') return unknownFrom(s, 'mapAttrs');
  if (!host.charge(s.attrs.size)) return unknown('budget exhausted');
  const m = new Map<string, Binding>();
  for (const [k, bnd] of s.attrs) {
    m.set(k, { thunk: lazyApply(host, f, ready(str(k, bnd.keyLocation)), bnd.thunk), keyLocation: bnd.keyLocation, valueLocation: bnd.valueLocation });
  }
  const uk = s.unknownKeys?.map(({ key, binding }) => ({
    key,
    binding: { thunk: lazyApply(host, f, ready(str(key, binding.keyLocation)), binding.thunk), keyLocation: binding.keyLocation, valueLocation: binding.valueLocation },
  }));
  return mkAttrs(m, s.complete, s.location, uk);
}

export function zipAttrsWith(host: BuiltinHost, f: Value, l: Value): Value {
  if (l.kind !== 'list') return unknownFrom(l, 'zipAttrsWith');
  const groups = new Map<string, Thunk[]>();
  let complete = l.complete;
  for (const t of l.items) {
    const v = force(t);
    if (v.kind !== 'attrs') {
      complete = false;
      continue;
    }
    if (!v.complete) complete = false;
    for (const [k, bnd] of v.attrs) {
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(bnd.thunk);
    }
  }
  const m = new Map<string, Binding>();
  for (const [k, items] of groups) m.set(k, { thunk: lazyApply(host, f, ready(str(k)), ready(mkList(items, complete))) });
  return mkAttrs(m, complete);
}
