/**
 * What a guest configuration says about its own MicroVM interfaces: the `microvm.interfaces`
 * entries (with where each value is written) and the hypervisor.
 */
import type { InterfaceType, MicrovmInterface, ValueAt } from '../../model';
import type { StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { knownString, unknown } from '../eval/helpers';
import type { Configuration } from '../modules';
import type { Value } from '../value';
import { fileStart, locOfValue, plainValue, stringPattern, valueLoc } from './common';

/** An interface as the guest defines it, before it is placed on a host and a VM. */
export type GuestInterface = Omit<MicrovmInterface, 'vm' | 'host' | 'hypervisor' | 'guest'>;

export function hypervisorOf(cfg: Configuration): MicrovmInterface['hypervisor'] {
  const h = cfg.scalarAt(['microvm', 'hypervisor']);
  const text = knownString(h.value);
  if (text === undefined || h.conditional) return null;
  if (!h.def || h.def.prio >= 1500) return { value: text, location: null };
  return { value: text, location: valueLoc(h.def, fileStart(cfg.name)) };
}

export function interfacesOf(cfg: Configuration, fallback: Location, problem: (file: string, message: string) => void): GuestInterface[] {
  const path = ['microvm', 'interfaces'];
  const out: GuestInterface[] = [];
  if (cfg.liveDefsAt(path).every((d) => d.def.prio >= 1500)) return out;
  const { items, complete } = cfg.listAt(path);
  if (!complete) problem(fallback.file, `${cfg.name}: microvm.interfaces could not be fully evaluated`);
  for (const item of items) {
    const { value, conditional } = plainValue(item.thunk);
    const location = item.thunk.location ?? locOfValue(value) ?? valueLoc(item.def, fallback);
    if (value.kind !== 'attrs') {
      const why = value.kind === 'unknown' && value.reason ? value.reason : `it is a ${value.kind}`;
      problem(location.file, `${cfg.name}: a microvm.interfaces entry could not be evaluated`);
      // Still an interface of this VM (no silent loss): reported unknown, with why.
      out.push({
        type: null,
        id: { value: stringPattern(unknown()).pattern, location },
        mac: null,
        bridge: null,
        location,
        unevaluated: `this microvm.interfaces entry could not be evaluated (${why})`,
        ...(item.conditional || conditional || cfg.conditional ? { conditional: true } : {}),
      });
      continue;
    }
    const field = (name: string): { v: Value; loc: Location; conditional: boolean } | null => {
      const b = value.attrs.get(name);
      if (!b) return value.complete ? null : { v: unknown(`${name} not known`), loc: location, conditional: false };
      const pv = plainValue(b.thunk, b);
      const loc = b.valueLocation ?? locOfValue(pv.value) ?? b.keyLocation ?? location;
      return { v: pv.value, loc, conditional: pv.conditional };
    };
    const type = field('type');
    const id = field('id');
    const mac = field('mac');
    const bridge = field('bridge');
    const typeText = type ? knownString(type.v) : undefined;
    const valueAt = (f: { v: Value; loc: Location } | null): ValueAt<StrPattern> | null =>
      f && f.v.kind !== 'null' ? { value: stringPattern(f.v).pattern, location: f.loc } : null;
    const idAt = valueAt(id) ?? { value: stringPattern(unknown()).pattern, location };
    const iface: GuestInterface = {
      type: typeText === undefined ? null : (typeText as InterfaceType),
      id: idAt,
      mac: valueAt(mac),
      bridge: valueAt(bridge),
      location,
    };
    const cond = item.conditional || conditional || cfg.conditional || !!type?.conditional || !!id?.conditional;
    if (cond) iface.conditional = true;
    out.push(iface);
  }
  return out;
}
