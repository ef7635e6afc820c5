/**
 * What each microvm.nix runner does with an interface (docs/domain/microvm.md §8, from `lib/runners/*.nix`):
 * the types it accepts (any other throws when the runner is built), whether it opens taps with
 * one queue per vCPU, and who honours `tap.vhost`. Hypervisors not listed here are unknown to
 * us: nothing is concluded about them.
 */
import type { InterfaceType } from './model';

export const INTERFACE_TYPES: Readonly<Record<string, readonly InterfaceType[]>> = {
  qemu: ['user', 'tap', 'macvtap', 'bridge'],
  stratovirt: ['user', 'tap', 'macvtap', 'bridge'],
  'cloud-hypervisor': ['tap', 'macvtap'],
  crosvm: ['tap', 'macvtap'],
  kvmtool: ['user', 'tap', 'macvtap'],
  firecracker: ['tap'],
  alioth: ['tap'],
  vfkit: ['user'],
};

/** false: the runner throws for this type; undefined: the hypervisor or type is not one we know. */
export function supportsInterfaceType(hypervisor: string, type: string): boolean | undefined {
  const types = Object.prototype.hasOwnProperty.call(INTERFACE_TYPES, hypervisor) ? INTERFACE_TYPES[hypervisor] : undefined;
  if (!types || !['user', 'tap', 'macvtap', 'bridge'].includes(type)) return undefined;
  return types.includes(type as InterfaceType);
}

/** Runners that set `tapMultiQueue = vcpu > 1`; every other runner creates single-queue taps. */
const MULTI_QUEUE = new Set(['qemu', 'cloud-hypervisor', 'stratovirt']);

/** Whether tap-up creates this VM's taps with `multi_queue`; undefined when not statically known. */
export function tapMultiQueue(hypervisor: string | undefined, vcpu: number | null | undefined): boolean | undefined {
  if (hypervisor === undefined || !Object.prototype.hasOwnProperty.call(INTERFACE_TYPES, hypervisor)) return undefined;
  if (!MULTI_QUEUE.has(hypervisor)) return false;
  return vcpu === null || vcpu === undefined ? undefined : vcpu > 1;
}

/** Only the qemu runner reads `tap.vhost` (and only for `type = "tap"`). */
export const VHOST_HYPERVISOR = 'qemu';
