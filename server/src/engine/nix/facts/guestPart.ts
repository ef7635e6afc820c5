/**
 * A configuration as a guest, split in two: what evaluating it says (its interfaces, hypervisor,
 * network and `tap-up` scripts), taken while its configuration is alive, and the facts per host
 * running it, made once every host's guests are known — without evaluating it again.
 */
import type { GuestNetwork } from '../../model';
import type { Evaluator } from '../eval/evaluator';
import type { Configuration } from '../modules';
import { fileStart } from './common';
import { hypervisorOf, interfacesOf, type GuestInterface } from './guest';
import { guestNetwork } from './guestNetwork';
import { addScriptFacts, type ScriptFacts } from './scriptFacts';
import { binScriptEffects, binScriptFacts, type BinScriptEffects } from './services';
import type { NixMicrovmInterface } from './extraction';

export interface GuestPart {
  guestKey: string;
  hypervisor: ReturnType<typeof hypervisorOf>;
  interfaces: GuestInterface[];
  network: GuestNetwork | null;
  binScripts: BinScriptEffects[];
}

export function guestPart(cfg: Configuration, guestKey: string, file: string, ev: Evaluator, problem: (file: string, message: string) => void): GuestPart {
  const fallback = fileStart(file);
  const interfaces = interfacesOf(cfg, fallback, problem);
  return {
    guestKey,
    hypervisor: hypervisorOf(cfg),
    interfaces,
    network: interfaces.length ? guestNetwork(cfg, guestKey, fallback) : null,
    binScripts: binScriptEffects(cfg, ev, fallback),
  };
}

export interface GuestSink extends ScriptFacts {
  interfaces: NixMicrovmInterface[];
  guestNetworks: GuestNetwork[];
}

/** The guest's facts once per host running it (`host: null` when none does). */
export function emitGuestPart(
  sink: GuestSink,
  part: GuestPart,
  defaultVm: string | null,
  pairs: { host: string | null; vm: string | null }[],
  readText: (file: string) => string | undefined,
): void {
  if (part.network) sink.guestNetworks.push(part.network);
  for (const pair of pairs) {
    const vm = pair.vm ?? defaultVm;
    for (const i of part.interfaces) sink.interfaces.push({ ...i, vm, host: pair.host, hypervisor: part.hypervisor, guest: part.guestKey });
    addScriptFacts(sink, binScriptFacts(part.binScripts, { host: pair.host, vm }, readText));
  }
}
