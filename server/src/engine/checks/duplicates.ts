/**
 * Finds values used more than once among interfaces of one machine. Within one VM only the later
 * uses are flagged (the first is the original); across VMs every use is, since no VM owns it.
 */
import type { MicrovmInterface } from '../model';
import { machineKey } from './context';

export interface Duplicate {
  iface: MicrovmInterface;
  others: MicrovmInterface[];
  sameVm: boolean;
}

export function findDuplicates(interfaces: MicrovmInterface[], valueOf: (i: MicrovmInterface) => string | undefined): Duplicate[] {
  const groups = new Map<string, MicrovmInterface[]>();
  for (const iface of interfaces) {
    const value = valueOf(iface);
    if (value === undefined) continue;
    const key = `${machineKey(iface)}\0${value}`;
    groups.set(key, [...(groups.get(key) ?? []), iface]);
  }
  const out: Duplicate[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.forEach((iface, index) => {
      const others = group.filter((o) => o !== iface);
      const crossVm = others.some((o) => o.guest !== iface.guest);
      const earlierSameVm = group.slice(0, index).some((o) => o.guest === iface.guest);
      if (crossVm || earlierSameVm) out.push({ iface, others, sameVm: !crossVm });
    });
  }
  return out;
}
