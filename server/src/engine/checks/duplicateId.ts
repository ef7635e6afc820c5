/**
 * The same interface id twice in one VM (an upstream assertion) or on two VMs of one host
 * (both VMs would fight over one tap; upstream does not check this).
 */
import type { Diagnostic, MicrovmInterface } from '../model';
import { knownText } from '../pattern';
import { type Check, diagnostic, machineKey, tapLabel } from './context';

export const duplicateIdCheck: Check = {
  codes: ['duplicate-interface-id'],
  run({ facts }) {
    const out: Diagnostic[] = [];
    const seen = new Map<string, MicrovmInterface>();
    for (const iface of facts.interfaces) {
      const id = knownText(iface.id.value);
      if (id === undefined) continue;
      const key = `${machineKey(iface)}\0${id}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, iface);
        continue;
      }
      const sameVm = first.guest === iface.guest;
      const where = sameVm
        ? 'twice in the same VM (microvm.nix rejects this)'
        : `also by VM \`${first.vm ?? first.guest}\` on the same host`;
      out.push(
        diagnostic('duplicate-interface-id', 'error', `interface id ${tapLabel(iface)} is used ${where}`, iface.id.location, [
          { location: first.id.location, message: `first use of \`${id}\`` },
        ]),
      );
    }
    return out;
  },
};
