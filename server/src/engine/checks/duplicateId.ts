/**
 * The same interface id twice in one VM (an upstream assertion) or on two VMs of one host
 * (both VMs would fight over one tap; upstream does not check this).
 */
import { knownText } from '../pattern';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, tapLabel } from './context';
import { findDuplicates } from './duplicates';

const { duplicateInterfaceId } = DIAGNOSTICS;

export const duplicateIdCheck: Check = {
  codes: [duplicateInterfaceId],
  run: () => [],
  // Duplicates are per machine (duplicates.ts), so a machine's interfaces are all the rule reads.
  perHost(_ctx, { interfaces }) {
    return findDuplicates(interfaces, (i) => knownText(i.id.value)).map(({ iface, others, sameVm }) => {
      const where = sameVm
        ? 'twice in the same VM (microvm.nix rejects this)'
        : `also by ${others.map((o) => `VM \`${o.vm ?? o.guest}\``).join(', ')} on the same host`;
      return diagnostic(duplicateInterfaceId, `interface id ${tapLabel(iface)} is used ${where}`, iface.id.location, {
        related: others.map((o) => ({ location: o.id.location, message: `also used here${o.vm ? ` by VM \`${o.vm}\`` : ''}` })),
      });
    });
  },
};
