/**
 * What each diagnostic code means (design.md §3), for SARIF rule metadata. Codes the engine
 * emits that are not listed here still work: they get a generic description and the level of
 * their first result.
 */
import type { Severity } from '../engine/model';

export interface RuleInfo {
  short: string;
  full: string;
  severity: Severity;
}

export const RULES: Readonly<Record<string, RuleInfo>> = {
  'tap-without-bridge': {
    short: 'Tap interface without a bridge',
    full: 'No systemd-networkd unit matches this tap and no script, service or networking.bridges entry attaches it, so it stays unattached to any bridge.',
    severity: 'warning',
  },
  'tap-shadowed': {
    short: 'Tap captured by an earlier network unit',
    full: 'An earlier .network unit (by file-name order) without Bridge= matches this tap first, so the later unit that would bridge it is never applied.',
    severity: 'warning',
  },
  'bridge-not-defined': {
    short: 'Bridge= names no known netdev',
    full: 'The network unit that wins for this tap sets Bridge= to a name no .netdev (or networking.bridges) defines; systemd-networkd ignores it.',
    severity: 'warning',
  },
  'networkd-disabled': {
    short: 'systemd.network units while networkd is off',
    full: 'The configuration defines systemd.network units but never enables systemd-networkd, so NixOS does not generate them.',
    severity: 'warning',
  },
  'interface-name-too-long': {
    short: 'Interface name longer than 15 bytes',
    full: 'Linux interface names are at most 15 bytes (IFNAMSIZ 16); microvm.nix asserts this at evaluation.',
    severity: 'error',
  },
  'interface-name-invalid': {
    short: 'Invalid interface name',
    full: 'Interface names must be printable ASCII without ":", "/" or "%", and not ".", "..", "all", "default" or all digits.',
    severity: 'error',
  },
  'duplicate-interface-id': {
    short: 'Interface id used twice',
    full: 'The same interface id is used twice in one VM (a microvm.nix assertion) or on two VMs of the same host.',
    severity: 'error',
  },
  'mac-invalid': {
    short: 'Invalid MAC address',
    full: 'The MAC address is not six colon-separated hexadecimal octets, or is all zeros.',
    severity: 'error',
  },
  'mac-multicast': {
    short: 'Multicast MAC address',
    full: 'The multicast bit of the first octet is set; a network card needs a unicast address.',
    severity: 'error',
  },
  'mac-not-local': {
    short: 'MAC address not locally administered',
    full: 'Guest MAC addresses should be locally administered unicast: the second hex digit of the first octet is 2, 6, A or E.',
    severity: 'info',
  },
  'duplicate-mac': {
    short: 'MAC address used twice',
    full: 'Two interfaces use the same MAC address.',
    severity: 'warning',
  },
  'bridge-on-non-bridge-interface': {
    short: 'bridge set on a non-bridge interface',
    full: 'microvm.nix asserts that only interfaces with type = "bridge" set bridge.',
    severity: 'error',
  },
  'bridge-type-unsupported': {
    short: 'type = "bridge" with an unsupported hypervisor',
    full: 'Only qemu and stratovirt support bridge interfaces (qemu-bridge-helper).',
    severity: 'error',
  },
  'networkd-syntax-quoted-name': {
    short: 'Quoted Name= in [Match]',
    full: 'systemd-networkd does not strip quotes in Name=, so a quoted glob matches nothing.',
    severity: 'warning',
  },
  'networkd-syntax-inline-comment': {
    short: 'Inline comment in a unit value',
    full: 'Comments are only recognised at the start of a line; a trailing "# ..." becomes part of the value, which is then usually invalid and ignored.',
    severity: 'warning',
  },
  'networkd-syntax-miscased': {
    short: 'Miscased section or key',
    full: 'Section and key names are case-sensitive; a miscased one is ignored.',
    severity: 'warning',
  },
  'networkd-syntax-empty-match': {
    short: 'Empty [Match] section',
    full: 'A unit whose [Match] section has no valid condition is ignored by systemd-networkd.',
    severity: 'warning',
  },
  'networkd-syntax-invalid-line': {
    short: 'Unit line systemd-networkd cannot read',
    full: 'The line is neither a section header, an assignment nor a comment.',
    severity: 'warning',
  },
};

export function ruleInfo(code: string, fallback: Severity): RuleInfo {
  return (
    RULES[code] ?? {
      short: code,
      full: `microvm-net diagnostic ${code}.`,
      severity: fallback,
    }
  );
}
