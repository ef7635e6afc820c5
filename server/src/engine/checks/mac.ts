/**
 * Guest MAC addresses (docs/domain/networkd.md §5): six hex octets; unicast; locally administered is
 * expected for generated guests; unique per machine. Upstream validates none of this.
 */
import type { Diagnostic, MicrovmInterface } from '../model';
import { knownText } from '../pattern';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, tapLabel } from './context';
import { findDuplicates } from './duplicates';

const { macInvalid, macMulticast, macNotLocal, duplicateMac } = DIAGNOSTICS;

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export const macCheck: Check = {
  codes: [macInvalid, macMulticast, macNotLocal, duplicateMac],
  run: () => [],
  // Duplicates are per machine (duplicates.ts), so a machine's interfaces are all the rule reads.
  perHost(_ctx, { interfaces }) {
    const out: Diagnostic[] = [];
    for (const iface of interfaces) {
      if (!iface.mac) continue;
      const mac = knownText(iface.mac.value);
      if (mac === undefined) continue;
      const at = iface.mac.location;
      if (!MAC.test(mac)) {
        out.push(diagnostic(macInvalid, `MAC address \`${mac}\` of ${tapLabel(iface)} is not six colon-separated hex octets`, at));
        continue;
      }
      if (/^(00:){5}00$/.test(mac)) {
        out.push(diagnostic(macInvalid, `MAC address \`${mac}\` of ${tapLabel(iface)} is all zeros, which no NIC may use`, at));
        continue;
      }
      const first = parseInt(mac.slice(0, 2), 16);
      if (first & 1) {
        out.push(diagnostic(macMulticast, `MAC address \`${mac}\` of ${tapLabel(iface)} is a multicast address (lowest bit of the first octet set); a NIC needs a unicast address`, at));
      } else if ((first & 2) === 0) {
        out.push(
          diagnostic(macNotLocal, `MAC address \`${mac}\` of ${tapLabel(iface)} is not locally administered; guest MACs usually are (second hex digit 2, 6, A or E)`, at),
        );
      }
    }
    const validMac = (i: MicrovmInterface) => {
      const mac = i.mac ? knownText(i.mac.value) : undefined;
      return mac !== undefined && MAC.test(mac) ? mac.toLowerCase() : undefined;
    };
    for (const { iface, others } of findDuplicates(interfaces, validMac)) {
      const mac = knownText(iface.mac!.value)!;
      out.push(
        diagnostic(duplicateMac, `MAC address \`${mac}\` of ${tapLabel(iface)} is also used by ${others.map(tapLabel).join(', ')}`, iface.mac!.location, {
          related: others.map((o) => ({ location: o.mac!.location, message: `also used by ${tapLabel(o)}` })),
        }),
      );
    }
    return out;
  },
};
