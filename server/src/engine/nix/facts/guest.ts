/**
 * What a guest configuration says about its own MicroVM interfaces: the `microvm.interfaces`
 * entries (with where each value is written), the hypervisor, and the VM settings the device
 * checks read (vcpu, forwardPorts).
 */
import type { GuestVmSettings, InterfaceType, MacvtapSettings, MicrovmInterface, ValueAt } from '../../model';
import type { StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force, knownBool, knownString, unknown } from '../eval/helpers';
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

/** `microvm.vcpu` and `microvm.forwardPorts` as far as they are certain (docs/domain/microvm.md §8). */
function vmSettingsOf(cfg: Configuration, interfacesComplete: boolean): GuestVmSettings {
  const vcpuPath = ['microvm', 'vcpu'];
  const vcpu = cfg.scalarAt(vcpuPath);
  const vcpuSet = cfg.liveDefsAt(vcpuPath).some((d) => d.def.prio < 1500);
  const vcpuValue = !vcpuSet ? 1 : vcpu.value.kind === 'int' && !vcpu.conditional ? vcpu.value.value : null;
  const ports = cfg.listAt(['microvm', 'forwardPorts']).items.find((i) => !i.conditional);
  return {
    vcpu: vcpuValue,
    forwardPorts: ports ? ports.thunk.location ?? valueLoc(ports.def, fileStart(cfg.name)) : null,
    interfacesComplete,
  };
}

export function interfacesOf(cfg: Configuration, fallback: Location, problem: (file: string, message: string) => void): GuestInterface[] {
  const path = ['microvm', 'interfaces'];
  const out: GuestInterface[] = [];
  if (cfg.liveDefsAt(path).every((d) => d.def.prio >= 1500)) return out;
  const { items, complete } = cfg.listAt(path);
  if (!complete) problem(fallback.file, `${cfg.name}: microvm.interfaces could not be fully evaluated`);
  const vmSettings = vmSettingsOf(cfg, complete && !cfg.conditional && items.every((i) => !i.conditional));
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
    if (iface.type === 'macvtap') iface.macvtap = macvtapOf(field('macvtap'), valueAt);
    const vhost = field('tap');
    if (vhost?.v.kind === 'attrs' && !vhost.conditional) {
      const b = vhost.v.attrs.get('vhost');
      if (b && knownBool(force(b.thunk)) === true) iface.vhost = b.valueLocation ?? b.keyLocation ?? vhost.loc;
    }
    iface.vmSettings = vmSettings;
    out.push(iface);
  }
  return out;
}

type Field = { v: Value; loc: Location; conditional: boolean } | null;

/** Missing keys are null only where the attrset is complete; anything unsure is a hole. */
function macvtapOf(macvtap: Field, valueAt: (f: Field) => ValueAt<StrPattern> | null): MacvtapSettings {
  if (!macvtap) return { link: null, mode: null };
  const unsure = (): ValueAt<StrPattern> => ({ value: stringPattern(unknown()).pattern, location: macvtap.loc });
  if (macvtap.v.kind !== 'attrs' || macvtap.conditional) return { link: unsure(), mode: unsure() };
  const attrs = macvtap.v;
  const key = (name: string): ValueAt<StrPattern> | null => {
    const b = attrs.attrs.get(name);
    if (!b) return attrs.complete ? null : unsure();
    const pv = plainValue(b.thunk, b);
    const at = valueAt({ v: pv.value, loc: b.valueLocation ?? locOfValue(pv.value) ?? b.keyLocation ?? macvtap.loc, conditional: pv.conditional });
    return pv.conditional || at === null ? unsure() : at;
  };
  return { link: key('link'), mode: key('mode') };
}
