/**
 * The registry of every diagnostic code the engine emits: the one place a code is defined.
 * Check modules emit diagnostics through these entries; the CLI's SARIF rules, the quick-fix
 * builders and the README's "Diagnostics" table (scripts/diagnostics-table.ts, tied by
 * test/unit/checks/registry.test.ts) all read it. Order here is the README's order.
 */
import type { Severity } from '../model';

export interface DiagnosticDefinition {
  /** Stable: users' `microvmNet.severity` settings, SARIF rule ids and CI baselines name it. */
  readonly code: string;
  /** The level a check reports it at unless `otherSeverity` applies. */
  readonly severity: Severity;
  /** When a check reports it at another level instead, and why (shown in the README). */
  readonly otherSeverity?: { readonly severity: Severity; readonly when: string };
  /** One line of plain text (SARIF `shortDescription`). */
  readonly shortDescription: string;
  /** Plain text: what is wrong and what it leads to (SARIF `fullDescription`). */
  readonly fullDescription: string;
  /** Markdown, one line: when it is reported (the README table's last column). */
  readonly reportedWhen: string;
  /** Diagnostics with this code come from an outcome the quick-fix builders can repair. */
  readonly fixable: boolean;
  /** The README anchor of this code's row in the "Diagnostics" table. */
  readonly docsAnchor: string;
}

export const DIAGNOSTICS = {
  tapWithoutBridge: {
    code: 'tap-without-bridge',
    severity: 'warning',
    shortDescription: 'Tap interface without a bridge',
    fullDescription:
      'No systemd-networkd unit matches this tap and no script, service or networking.bridges entry attaches it, so it stays unattached to any bridge.',
    reportedWhen: 'no unit matches the tap (or the first match sets no `Bridge=` and nothing else attaches it)',
    fixable: true,
    docsAnchor: 'tap-without-bridge',
  },
  tapShadowed: {
    code: 'tap-shadowed',
    severity: 'warning',
    shortDescription: 'Tap captured by an earlier network unit',
    fullDescription:
      'An earlier .network unit (by file-name order) without Bridge= matches this tap first, so the later unit that would bridge it is never applied.',
    reportedWhen: 'an earlier unit without `Bridge=` wins over a later one that would bridge the tap',
    fixable: true,
    docsAnchor: 'tap-shadowed',
  },
  bridgeNotDefined: {
    code: 'bridge-not-defined',
    severity: 'warning',
    shortDescription: 'Bridge= names no known netdev',
    fullDescription:
      'The network unit that wins for this tap sets Bridge= to a name no .netdev (or networking.bridges) defines; systemd-networkd ignores it.',
    reportedWhen: "the winning unit's `Bridge=` names no `.netdev` with `Kind=bridge`",
    fixable: true,
    docsAnchor: 'bridge-not-defined',
  },
  networkdDisabled: {
    code: 'networkd-disabled',
    severity: 'warning',
    otherSeverity: { severity: 'info', when: 'a module from another flake input may enable it' },
    shortDescription: 'systemd.network units while networkd is off',
    fullDescription:
      'The configuration defines systemd.network units but never enables systemd-networkd, so NixOS does not generate them.',
    reportedWhen: '`systemd.network` units on a host that never enables networkd',
    fixable: false,
    docsAnchor: 'networkd-disabled',
  },
  interfaceNameTooLong: {
    code: 'interface-name-too-long',
    severity: 'error',
    shortDescription: 'Interface name longer than 15 bytes',
    fullDescription: 'Linux interface names are at most 15 bytes (IFNAMSIZ 16); microvm.nix asserts this at evaluation.',
    reportedWhen: 'id longer than 15 bytes',
    fixable: false,
    docsAnchor: 'interface-name-too-long',
  },
  interfaceNameInvalid: {
    code: 'interface-name-invalid',
    severity: 'error',
    shortDescription: 'Invalid interface name',
    fullDescription: 'Interface names must be printable ASCII without ":", "/" or "%", and not ".", "..", "all", "default" or all digits.',
    reportedWhen: 'id with forbidden characters, or a reserved name',
    fixable: false,
    docsAnchor: 'interface-name-invalid',
  },
  duplicateInterfaceId: {
    code: 'duplicate-interface-id',
    severity: 'error',
    shortDescription: 'Interface id used twice',
    fullDescription: 'The same interface id is used twice in one VM (a microvm.nix assertion) or on two VMs of the same host.',
    reportedWhen: 'same id twice in a VM, or on two VMs of one host',
    fixable: false,
    docsAnchor: 'duplicate-interface-id',
  },
  macInvalid: {
    code: 'mac-invalid',
    severity: 'error',
    shortDescription: 'Invalid MAC address',
    fullDescription: 'The MAC address is not six colon-separated hexadecimal octets, or is all zeros.',
    reportedWhen: 'MAC not six hex octets, or all zero',
    fixable: false,
    docsAnchor: 'mac-invalid',
  },
  macMulticast: {
    code: 'mac-multicast',
    severity: 'error',
    shortDescription: 'Multicast MAC address',
    fullDescription: 'The multicast bit of the first octet is set; a network card needs a unicast address.',
    reportedWhen: 'MAC with the multicast bit (lowest bit of the first octet) set',
    fixable: false,
    docsAnchor: 'mac-multicast',
  },
  macNotLocal: {
    code: 'mac-not-local',
    severity: 'info',
    shortDescription: 'MAC address not locally administered',
    fullDescription: 'Guest MAC addresses should be locally administered unicast: the second hex digit of the first octet is 2, 6, A or E.',
    reportedWhen: 'MAC not locally administered',
    fixable: false,
    docsAnchor: 'mac-not-local',
  },
  duplicateMac: {
    code: 'duplicate-mac',
    severity: 'warning',
    shortDescription: 'MAC address used twice',
    fullDescription: 'Two interfaces use the same MAC address.',
    reportedWhen: 'the same MAC on two interfaces of one host',
    fixable: false,
    docsAnchor: 'duplicate-mac',
  },
  bridgeOnNonBridgeInterface: {
    code: 'bridge-on-non-bridge-interface',
    severity: 'error',
    shortDescription: 'bridge set on a non-bridge interface',
    fullDescription: 'microvm.nix asserts that only interfaces with type = "bridge" set bridge.',
    reportedWhen: '`bridge = ...` on a tap/macvtap/user interface (upstream assertion)',
    fixable: false,
    docsAnchor: 'bridge-on-non-bridge-interface',
  },
  bridgeTypeUnsupported: {
    code: 'bridge-type-unsupported',
    severity: 'error',
    shortDescription: 'type = "bridge" with an unsupported hypervisor',
    fullDescription:
      'Only qemu and stratovirt support bridge interfaces (qemu-bridge-helper); the other runners throw at evaluation. The bridge row of interface-type-unsupported, kept under its own code.',
    reportedWhen: '`type = "bridge"` with a hypervisor other than qemu/stratovirt (the `bridge` row of `interface-type-unsupported`, code kept for existing settings)',
    fixable: false,
    docsAnchor: 'bridge-type-unsupported',
  },
  interfaceTypeUnsupported: {
    code: 'interface-type-unsupported',
    severity: 'error',
    shortDescription: 'Interface type the hypervisor does not support',
    fullDescription:
      "The VM's hypervisor runner throws at evaluation for this interface type: qemu and stratovirt take user, tap, macvtap and bridge; cloud-hypervisor and crosvm tap and macvtap; kvmtool user, tap and macvtap; firecracker and alioth tap only; vfkit user only.",
    reportedWhen: '`type` not supported by the hypervisor (`user` on cloud-hypervisor, `macvtap` on firecracker, `tap` on vfkit, …)',
    fixable: false,
    docsAnchor: 'interface-type-unsupported',
  },
  forwardPortsNeedUser: {
    code: 'forward-ports-need-user',
    severity: 'error',
    shortDescription: 'forwardPorts without qemu user networking',
    fullDescription: 'microvm.nix asserts that microvm.forwardPorts is only used with the qemu hypervisor and an interface of type = "user".',
    reportedWhen: '`microvm.forwardPorts` on a VM that is not qemu or has no `type = "user"` interface (upstream assertion)',
    fixable: false,
    docsAnchor: 'forward-ports-need-user',
  },
  tapVhostIgnored: {
    code: 'tap-vhost-ignored',
    severity: 'info',
    shortDescription: 'tap.vhost has no effect here',
    fullDescription: 'Only the qemu runner reads tap.vhost, and only for type = "tap" interfaces; elsewhere the setting is silently ignored.',
    reportedWhen: '`tap.vhost = true` on a hypervisor other than qemu, or on an interface that is not `type = "tap"`',
    fixable: false,
    docsAnchor: 'tap-vhost-ignored',
  },
  macvtapLinkMissing: {
    code: 'macvtap-link-missing',
    severity: 'error',
    shortDescription: 'macvtap interface without macvtap.link',
    fullDescription: 'macvtap.link has no default in microvm.nix: a macvtap interface without it fails evaluation.',
    reportedWhen: '`type = "macvtap"` without `macvtap.link` (no default upstream)',
    fixable: true,
    docsAnchor: 'macvtap-link-missing',
  },
  macvtapModeMissing: {
    code: 'macvtap-mode-missing',
    severity: 'error',
    shortDescription: 'macvtap interface without macvtap.mode',
    fullDescription: 'macvtap.mode has no default in microvm.nix: a macvtap interface without it fails evaluation.',
    reportedWhen: '`type = "macvtap"` without `macvtap.mode` (no default upstream)',
    fixable: true,
    docsAnchor: 'macvtap-mode-missing',
  },
  macvtapLinkUndefined: {
    code: 'macvtap-link-undefined',
    severity: 'warning',
    shortDescription: 'macvtap.link names no interface of the host',
    fullDescription:
      "The macvtap's link is not a name the kernel or a common service gives, and nothing in the workspace creates or renames an interface to it, so microvm.nix's macvtap-up cannot create the macvtap.",
    reportedWhen: '`macvtap.link` names an interface nothing in the workspace defines, renames or mentions, and that is not a kernel-style name (`en*`, `eth*`, `wl*`, …)',
    fixable: false,
    docsAnchor: 'macvtap-link-undefined',
  },
  macvtapLinkIsBridgePort: {
    code: 'macvtap-link-is-bridge-port',
    severity: 'error',
    shortDescription: 'macvtap on a bridge port',
    fullDescription:
      'The link is enslaved to a bridge by its winning systemd-networkd unit (or networking.bridges); the kernel refuses a macvtap on a bridge port ("Device or resource busy"), and refuses to enslave a link that carries one.',
    reportedWhen: "the link's winning `.network` sets `Bridge=` (with its netdev), or `networking.bridges` lists the link",
    fixable: false,
    docsAnchor: 'macvtap-link-is-bridge-port',
  },
  macvtapPassthruConflict: {
    code: 'macvtap-passthru-conflict',
    severity: 'error',
    otherSeverity: { severity: 'warning', when: 'the macvtaps belong to different VMs, which fail only while running together' },
    shortDescription: 'passthru macvtap sharing its link',
    fullDescription:
      'A macvtap in passthru mode must be the only macvtap on its link: the kernel refuses a second passthru macvtap, and any macvtap beside a passthru one ("Invalid argument").',
    reportedWhen: 'a `passthru` macvtap and another macvtap on the same link of one host',
    fixable: false,
    docsAnchor: 'macvtap-passthru-conflict',
  },
  tapPrecreatedConflict: {
    code: 'tap-precreated-conflict',
    severity: 'warning',
    shortDescription: 'Tap created twice with incompatible settings',
    fullDescription:
      "Something else creates a device with this tap's name: a .netdev that is not a tap or has the other queue mode, or a service's ip tuntap add without the VM's multi_queue setting. microvm.nix's tap-up then fails to replace it (\"ioctl(TUNSETIFF): Invalid argument\") and the VM does not start; the other way round networkd fails to create its netdev.",
    reportedWhen: 'a `.netdev` or a service\'s `ip tuntap add` makes the tap\'s name in another kind or queue mode than the VM needs',
    fixable: false,
    docsAnchor: 'tap-precreated-conflict',
  },
  bridgeHelperDenied: {
    code: 'bridge-helper-denied',
    severity: 'error',
    shortDescription: 'qemu-bridge-helper will deny the bridge',
    fullDescription:
      "The host's /etc/qemu/bridge.conf (microvm.nix's default allow all, replaced by virtualisation.libvirtd's allowedBridges or your own text) allows no rule for this bridge, so qemu fails with \"access denied by acl file\".",
    reportedWhen: "`type = \"bridge\"` and the host's effective `/etc/qemu/bridge.conf` has no `allow` for the bridge",
    fixable: false,
    docsAnchor: 'bridge-helper-denied',
  },
  bridgeNoCarrier: {
    code: 'bridge-no-carrier',
    severity: 'info',
    shortDescription: 'Bridge without carrier until a VM runs',
    fullDescription:
      'All ports of this bridge are MicroVM taps, which have no carrier until their VM runs; systemd-networkd leaves the bridge unconfigured (no Address=, no DHCP server) until then unless its unit sets ConfigureWithoutCarrier=yes.',
    reportedWhen: "a bridge whose only ports are taps, with `Address=`/`DHCPServer=` and no `ConfigureWithoutCarrier=yes`",
    fixable: false,
    docsAnchor: 'bridge-no-carrier',
  },
  networkdSyntaxQuotedName: {
    code: 'networkd-syntax-quoted-name',
    severity: 'warning',
    shortDescription: 'Quoted Name= in [Match]',
    fullDescription: 'systemd-networkd does not strip quotes in Name=, so a quoted glob matches nothing.',
    reportedWhen: '`Name="vm-*"`: networkd keeps the quotes, so it matches nothing',
    fixable: false,
    docsAnchor: 'networkd-syntax-quoted-name',
  },
  networkdSyntaxInlineComment: {
    code: 'networkd-syntax-inline-comment',
    severity: 'warning',
    shortDescription: 'Inline comment in a unit value',
    fullDescription:
      'Comments are only recognised at the start of a line; a trailing "# ..." becomes part of the value, which is then usually invalid and ignored.',
    reportedWhen: '`Bridge=br0 # lan`: the comment is part of the value, which becomes invalid',
    fixable: false,
    docsAnchor: 'networkd-syntax-inline-comment',
  },
  networkdSyntaxMiscased: {
    code: 'networkd-syntax-miscased',
    severity: 'warning',
    shortDescription: 'Miscased section or key',
    fullDescription: 'Section and key names are case-sensitive; a miscased one is ignored.',
    reportedWhen: '`[match]`, `name=`, `bridge=`: ignored by networkd',
    fixable: false,
    docsAnchor: 'networkd-syntax-miscased',
  },
  networkdSyntaxEmptyMatch: {
    code: 'networkd-syntax-empty-match',
    severity: 'warning',
    shortDescription: 'Empty [Match] section',
    fullDescription: 'A unit whose [Match] section has no valid condition is ignored by systemd-networkd.',
    reportedWhen: 'a `[Match]` section with no valid condition: networkd ignores the whole file',
    fixable: false,
    docsAnchor: 'networkd-syntax-empty-match',
  },
  networkdSyntaxInvalidLine: {
    code: 'networkd-syntax-invalid-line',
    severity: 'warning',
    shortDescription: 'Unit line systemd-networkd cannot read',
    fullDescription: 'The line is neither a section header, an assignment nor a comment.',
    reportedWhen: 'a line that is neither a section, a `Key=value` nor a comment',
    fixable: false,
    docsAnchor: 'networkd-syntax-invalid-line',
  },
  // Networking doctor, part 2: the guest's side, addresses, routed networks and NAT (docs/domain/microvm.md §9).
  guestNicUnconfigured: {
    code: 'guest-nic-unconfigured',
    severity: 'warning',
    otherSeverity: { severity: 'info', when: 'networkd is not certainly enabled in the guest' },
    shortDescription: "Nothing in the guest configures this interface's NIC",
    fullDescription:
      "No networkd unit of the guest matches the virtio NIC of this interface (by MACAddress=, Type=ether or a Name= glob its name fits), and no networking.interfaces entry, dhcpcd or NetworkManager configures it, so the NIC stays without addresses.",
    reportedWhen: "the guest's networkd runs and no unit matches the NIC (by `MACAddress=`, `Type=ether` or a `Name=` its name fits), nor does anything else configure it",
    fixable: true,
    docsAnchor: 'guest-nic-unconfigured',
  },
  guestAddressOutsideSubnet: {
    code: 'guest-address-outside-subnet',
    severity: 'warning',
    otherSeverity: { severity: 'info', when: 'a port other than taps may bring that subnet onto the bridge' },
    shortDescription: "Guest address outside the bridge's subnets",
    fullDescription:
      "The guest's static address on this interface lies in none of the subnets the host's bridge has an address in, so the guest and the host cannot reach each other directly on that bridge.",
    reportedWhen: "a static guest address lies in none of the prefixes of the bridge its tap joins",
    fixable: false,
    docsAnchor: 'guest-address-outside-subnet',
  },
  guestGatewayUnreachable: {
    code: 'guest-gateway-unreachable',
    severity: 'warning',
    shortDescription: "Guest gateway not reachable on its link",
    fullDescription:
      "The guest's gateway is not on a subnet the guest's NIC is on (without GatewayOnLink=), or not on the bridge's subnet, or, where the host is the only router on the bridge or the routed tap, not one of the host's addresses there.",
    reportedWhen: "the guest's gateway is off its own subnet, off the bridge's, or not the host's address where the host is the only router",
    fixable: false,
    docsAnchor: 'guest-gateway-unreachable',
  },
  duplicateGuestAddress: {
    code: 'duplicate-guest-address',
    severity: 'warning',
    shortDescription: 'Guest address used twice on one bridge',
    fullDescription: "Two MicroVMs on the same bridge of one host, or a MicroVM and the host's bridge, use the same IP address.",
    reportedWhen: "two VMs on one bridge of a host, or a VM and that bridge, have the same address",
    fixable: false,
    docsAnchor: 'duplicate-guest-address',
  },
  guestDhcpNoServer: {
    code: 'guest-dhcp-no-server',
    severity: 'info',
    shortDescription: 'Guest asks for DHCP on a bridge nothing serves',
    fullDescription:
      "The guest configures this interface by DHCP, but the bridge's unit has no DHCPServer=, the host runs no Kea, dnsmasq or dhcpd, no other VM on the bridge serves DHCP, and no port but taps is on the bridge. An external server is still possible, hence information only.",
    reportedWhen: "the guest uses DHCP and the bridge has no `DHCPServer=`, no DHCP service, no serving VM and no uplink port",
    fixable: false,
    docsAnchor: 'guest-dhcp-no-server',
  },
  routedNoHostRoute: {
    code: 'routed-no-host-route',
    severity: 'warning',
    shortDescription: 'Routed tap without a route to its guest',
    fullDescription:
      "The tap is routed (its unit sets addresses or routes and no bridge), but neither a [Route] Destination=, an Address= prefix nor a Peer= of that unit covers the guest's address, so the host does not send the guest's traffic to this tap.",
    reportedWhen: "a routed tap's unit has no route, prefix or `Peer=` covering the guest's address",
    fixable: false,
    docsAnchor: 'routed-no-host-route',
  },
  duplicateVmIndex: {
    code: 'duplicate-vm-index',
    severity: 'warning',
    shortDescription: 'Two routed VMs with the same address',
    fullDescription:
      "Two routed taps of one host lead to the same guest address: two VMs were given the same index, so one host route (and one address) serves both.",
    reportedWhen: "two routed VMs of one host share an address (the same index in generated routed units)",
    fixable: false,
    docsAnchor: 'duplicate-vm-index',
  },
  natMissing: {
    code: 'nat-missing',
    severity: 'warning',
    otherSeverity: { severity: 'info', when: 'the host forwards (or may), so an upstream router could route the subnet back' },
    shortDescription: 'Guest routes out through a host that neither forwards nor masquerades',
    fullDescription:
      "The guest has a private address and a default route through the host, but the host has no networking.nat covering the bridge, the tap or the address, no IPMasquerade= on that link and no hand-written masquerading, so its traffic cannot leave with an address the outside answers.",
    reportedWhen: "a guest with a private address routes out via the host, and no `networking.nat`, `IPMasquerade=` or masquerade rule covers it",
    fixable: false,
    docsAnchor: 'nat-missing',
  },
  guestVethCaptured: {
    code: 'guest-veth-captured',
    severity: 'warning',
    shortDescription: "A guest unit captures Docker's or Podman's veth links",
    fullDescription:
      "Docker or Podman runs in the guest and the first guest unit matching their veth links is a Type=ether catch-all, so networkd configures (and takes over) the containers' links; a Name=veth* unit with Unmanaged=yes before it leaves them to the container engine.",
    reportedWhen: "Docker or Podman runs in the guest and a `Type=ether` unit is the first to match `veth*` links",
    fixable: true,
    docsAnchor: 'guest-veth-captured',
  },
  wirelessBridgePort: {
    code: 'wireless-bridge-port',
    severity: 'warning',
    shortDescription: 'Wireless device put into a bridge',
    fullDescription:
      "A host unit puts a Wi-Fi device (Type=wlan, or Name=wl*) into a bridge while no access point runs: a Wi-Fi client link cannot carry frames of other MAC addresses, so the bridge's taps get no connectivity through it.",
    reportedWhen: "a unit sets `Bridge=` for a `Type=wlan` or `wl*` device and the host runs no hostapd",
    fixable: false,
    docsAnchor: 'wireless-bridge-port',
  },
  // The project file and inline suppressions (issue 18).
  configInvalid: {
    code: 'config-invalid',
    severity: 'error',
    shortDescription: 'microvm-net.toml is not valid',
    fullDescription:
      'The project file is not valid TOML, or a key, a diagnostic code or a severity in it is not one the schema (schemas/microvm-net.schema.json) allows; the invalid part is ignored.',
    reportedWhen: '`microvm-net.toml` has a TOML syntax error, an unknown key or code, or a value of the wrong type',
    fixable: false,
    docsAnchor: 'config-invalid',
  },
  assumptionContradicted: {
    code: 'assumption-contradicted',
    severity: 'warning',
    shortDescription: 'An [assume] fact contradicts the workspace',
    fullDescription:
      'An [assume] entry of microvm-net.toml says something the workspace shows otherwise (a host that sets the networkd switch the other way, a link of another kind by the assumed bridge name, a host whose VM list is known and lacks the VM) or names a host the workspace does not define. The assumption is still applied.',
    reportedWhen: 'an `[assume]` entry contradicts what the workspace shows, or names a host it does not define',
    fixable: false,
    docsAnchor: 'assumption-contradicted',
  },
  suppressionUnused: {
    code: 'suppression-unused',
    severity: 'info',
    shortDescription: 'Suppression comment that suppresses nothing',
    fullDescription:
      'A `# microvm-net: ignore` comment names a code that is not reported on the line below it (or, for ignore-file, anywhere in the file), so it no longer does anything and can be removed.',
    reportedWhen: 'a `# microvm-net: ignore` or `ignore-file` comment names a code nothing reports there',
    fixable: false,
    docsAnchor: 'suppression-unused',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

type Entry = (typeof DIAGNOSTICS)[keyof typeof DIAGNOSTICS];

/** Every code the registry defines, as a type: a check cannot name anything else. */
export type DiagnosticCode = Entry['code'];

/** The codes the networkd unit parser reports (`UnitSyntaxIssue`). */
export type NetworkdSyntaxCode = Extract<DiagnosticCode, `networkd-syntax-${string}`>;

export const DIAGNOSTIC_DEFINITIONS: readonly DiagnosticDefinition[] = Object.values(DIAGNOSTICS);

const BY_CODE: ReadonlyMap<string, DiagnosticDefinition> = new Map(DIAGNOSTIC_DEFINITIONS.map((d) => [d.code, d]));

/** The registry entry for a code; undefined for codes the engine does not emit. */
export function definitionOf(code: string): DiagnosticDefinition | undefined {
  return BY_CODE.get(code);
}
