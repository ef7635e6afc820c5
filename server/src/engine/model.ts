/**
 * The domain (docs/architecture.md, "Bird's eye view"). Facts from Nix and from unit files land in these shapes; the
 * resolver turns them into an Outcome per interface; checks turn outcomes into diagnostics.
 * Nothing here knows about LSP or VS Code.
 */
import type { NetworkdSyntaxCode } from './checks/codes';
import type { NoticeKind as NixNoticeKind } from './nix/facts';
import type { StrPattern } from './pattern';
import type { Location } from './text';

// ---------------------------------------------------------------------------------------------
// systemd-networkd units, whatever wrote them (a file, `systemd.network.*` in Nix, or the units
// NixOS generates for `networking.bridges`).

export type UnitKind = 'network' | 'netdev';
export type UnitSource = 'file' | 'nix' | 'networking-bridges' | 'networking-interfaces';

/**
 * One `Key=value` assignment in the order networkd reads it (main file, then drop-ins).
 * `value` is the raw value after continuation joining, quotes and inline `#` included, because
 * networkd's own handling of those is part of what we model. From Nix a value can be a pattern.
 */
export interface UnitSetting {
  section: string;
  key: string;
  value: StrPattern;
  keyLocation: Location;
  valueLocation: Location;
  /** The setting comes from a drop-in file (`foo.network.d/x.conf`). */
  dropIn?: string;
}

export interface UnitSection {
  name: string;
  location: Location;
}

/** A problem in how a unit is written that networkd silently ignores or misreads. */
export interface UnitSyntaxIssue {
  code: NetworkdSyntaxCode;
  message: string;
  location: Location;
}

export interface UnitDefinition {
  kind: UnitKind;
  /** Basename with extension (`10-lan.network`): the strcmp sort key. */
  name: string;
  source: UnitSource;
  /** Where the unit is defined: the unit file, or the Nix attribute name. */
  location: Location;
  /** Empty file, `/dev/null` symlink, or `enable = false` in Nix. */
  masked: boolean;
  settings: UnitSetting[];
  sections: UnitSection[];
  /**
   * False when some settings could not be known statically (e.g. `matchConfig = someFunction x`).
   * An incomplete unit never yields a definite outcome where its unknown part could matter.
   */
  complete: boolean;
  /** Directory precedence rank for files mirroring etc/ run/ usr/local/lib/ usr/lib/ (0 = etc). */
  directoryRank?: number;
  dropIns?: string[];
  issues: UnitSyntaxIssue[];
  /**
   * Set when systemd-networkd refuses to load the unit at all (e.g. a malformed `[Section` header
   * in the file or one of its drop-ins: "Failed to parse file"). Such a unit never matches.
   */
  rejected?: string;
  /** Why the file or one of its drop-ins could not be read; the unit is then incomplete. */
  unreadable?: string;
  /** The NixOS configuration that defines it; null for files on disk (they serve every host). */
  host: string | null;
}

// ---------------------------------------------------------------------------------------------
// MicroVM interfaces and the other ways a tap reaches a bridge.

export type InterfaceType = 'tap' | 'macvtap' | 'user' | 'bridge';

export interface ValueAt<T> {
  value: T;
  location: Location;
}

export interface MicrovmInterface {
  /** Unknown type (not statically known) is null. */
  type: InterfaceType | string | null;
  id: ValueAt<StrPattern>;
  mac: ValueAt<StrPattern> | null;
  bridge: ValueAt<StrPattern> | null;
  /** The interface attrset in the list. */
  location: Location;
  /** Name of the VM (`microvm.vms.<name>`, or the guest's nixosConfiguration name). */
  vm: string | null;
  /** Name of the host configuration that runs this VM, when known. */
  host: string | null;
  hypervisor: ValueAt<string> | { value: string; location: null } | null;
  /** Stable key of the guest configuration this interface belongs to. */
  guest: string;
  /** Defined under a `mkIf` whose condition is not statically known: it may not exist. */
  conditional?: boolean;
  /**
   * Found as written but reached by no configuration: why it could not be placed (its outcome is
   * then `unknown` with this reason, never a guess).
   */
  unplaced?: string;
  /** An entry of `microvm.interfaces` whose value could not be evaluated: why. */
  unevaluated?: string;
  /** `type = "macvtap"` only: its `macvtap.link` and `macvtap.mode` (docs/domain/microvm.md §8). */
  macvtap?: MacvtapSettings;
  /** Where `tap.vhost = true` is written, when it certainly is. */
  vhost?: Location;
  /** Settings of the VM this interface belongs to, shared by all of its interfaces. */
  vmSettings?: GuestVmSettings;
}

/** microvm.nix declares both without a default: a macvtap interface without either fails evaluation. */
export interface MacvtapSettings {
  /** null: not set. A pattern with holes when not statically known. */
  link: ValueAt<StrPattern> | null;
  mode: ValueAt<StrPattern> | null;
}

/** What the device checks need of a VM beyond its interfaces (docs/domain/microvm.md §8). */
export interface GuestVmSettings {
  /** `microvm.vcpu` (default 1); null when not statically known. */
  vcpu: number | null;
  /** Where a certainly non-empty `microvm.forwardPorts` is defined; null otherwise. */
  forwardPorts: Location | null;
  /** Every `microvm.interfaces` entry is known to exist, unconditionally. */
  interfacesComplete: boolean;
}

export type ScriptKind = 'bin-script' | 'service-override' | 'custom-service' | 'networking-bridges';

/** Which taps a script (or a udev rule) acts on, and where it is written. */
export interface TapTarget {
  /** The device named in the command (a literal or a pattern); null when `allTaps` or `tapGlobs` say. */
  tap: StrPattern | null;
  /** It iterates the VM's taps (`$id` in the old tap loop). */
  allTaps: boolean;
  /** udev: `KERNEL==` globs (fnmatch, `|` alternatives split) of the devices it runs for. */
  tapGlobs?: string[];
  location: Location;
  host: string | null;
  /** The VM the script belongs to (guest `binScripts`, `microvm-tap-interfaces@<vm>`); null = every VM of the host. */
  vm: string | null;
  /** The systemd unit carrying it (or `udev`), for messages. */
  unit?: string;
  /** For guest-side scripts (`binScripts.tap-up`): the guest configuration key it belongs to. */
  guest?: string;
  /**
   * Why it may not happen (a template unit nothing is known to instantiate, a udev condition we
   * cannot evaluate, a command we cannot see into): it can make an answer unknown, never definite.
   */
  uncertain?: string;
}

/** `ip link set [dev] <tap> master <br>` (or `brctl addif`) run by a script, unit or udev rule. */
export interface ScriptAttachment extends TapTarget {
  kind: ScriptKind;
  bridge: StrPattern;
}

/**
 * An address or route put on a tap outside networkd: `networking.interfaces.<tap>` under scripted
 * networking, or a script's `ip addr add ... dev <tap>` / `ip route add ... dev <tap>`.
 */
export interface AddressAssignment extends TapTarget {
  kind: ScriptKind | 'networking-interfaces';
  what: 'address' | 'route';
}

/** A link something creates on a host, so that `master <name>` can work: bridges above all. */
export interface CreatedLink {
  name: StrPattern;
  /** `bridge`, another link kind, or null when not known. */
  kind: string | null;
  /** What creates it, for messages: `br0.service`, `networking.ifstate`, `NetworkManager`. */
  by: string;
  /** Why it may not exist (made at run time from configuration we cannot see). */
  uncertain?: string;
  location: Location;
  host: string | null;
}

/** `networking.interfaces.<name>`: what NixOS turns into `40-<name>.network` or scripted addressing. */
export interface InterfaceDeclaration {
  /** The attribute name; a pattern when it is computed (`"vm-${name}"`). */
  name: StrPattern;
  /** `ipv4.addresses` and (IPv6 enabled) `ipv6.addresses`, as `Address=` values. */
  addresses: ValueAt<StrPattern>[];
  /** `ipv4.routes` and `ipv6.routes`, as `[Route] Destination=` values (a hole when not known). */
  routes: ValueAt<StrPattern>[];
  /** What `DHCP=` NixOS renders: `useDHCP`, else `networking.useDHCP` when there is no IPv4 address. */
  dhcp: boolean | 'unknown';
  /** Some of its addresses or routes could not be known. */
  complete: boolean;
  location: Location;
  host: string | null;
}

/** `networking.bridges.<name>.interfaces = [ ... ]`. */
export interface BridgeDeclaration {
  name: string;
  interfaces: ValueAt<StrPattern>[];
  /** The interface list could not be fully known. */
  interfacesComplete: boolean;
  location: Location;
  host: string | null;
}

export interface HostFacts {
  /** Configuration name (nixosConfigurations.<name>), or a name derived from the root file. */
  name: string;
  location: Location;
  /** `systemd.network.enable` / `networking.useNetworkd`: true, false, or unknown. */
  networkdEnabled: boolean | 'unknown';
  /** Where something sets it, or the first `systemd.network.*` definition for the message. */
  networkdLocation: Location | null;
  /** Some definition decides `networkdEnabled` (false: it is the option default, nobody set it). */
  networkdExplicit?: boolean;
  /** The host imports modules from flake inputs other than nixpkgs/microvm.nix. */
  importsExternalModules: boolean;
  /**
   * What could not be read or evaluated in this configuration (open world): a module there may
   * define units, bridges or scripts, so no negative conclusion may rest on its absence.
   */
  gaps: { kind: string; message: string; file?: string; cannotMatter?: boolean }[];
  /** VM names this host runs (`microvm.vms` keys, `microvm.autostart`); null when unknown. */
  vms: string[] | null;
  isMicrovmHost: boolean;
  /**
   * `microvm.host.enable` is certainly false: microvm.nix's host module (`config = mkIf
   * config.microvm.host.enable …`) then installs and starts none of the VMs declared here and
   * creates none of their taps.
   */
  microvmHostDisabled?: boolean;
  /** A whole system (`nixosConfigurations.<n>`), not just a root module whose siblings we cannot see. */
  isSystem: boolean;
  /**
   * The directory of this configuration's own modules (its first module file no other
   * configuration uses), when it has one below the workspace root: unit files there are its.
   */
  directory?: string | null;
  /** Unit files this configuration installs through `environment.etc."systemd/network/…"`. */
  etcUnits?: EtcUnit[];
  /** What besides networkd makes or guards network devices on this host (devices.md). */
  devices?: HostDevices;
}

export interface HostDevices {
  /** `/etc/qemu/bridge.conf` as qemu-bridge-helper reads it; null when not statically known. */
  bridgeHelperAcl: BridgeHelperAcl | null;
  /** Why devices may exist that the workspace does not describe (NetworkManager…); null if none. */
  devicesMadeElsewhere: string | null;
  /** `ip tuntap add` in the host's services, other than microvm.nix's own tap unit. */
  tuntapCommands: TuntapCommand[];
}

export interface BridgeHelperAcl {
  text: string;
  /** Where the winning definition is written; null for microvm.nix's own default. */
  location: Location | null;
  origin: 'microvm.nix default' | 'virtualisation.libvirtd' | 'configuration';
}

export interface TuntapCommand {
  name: StrPattern;
  /** `multi_queue` given; null when a word of the command is not statically known. */
  multiQueue: boolean | null;
  location: Location;
  unit: string;
}

/** An `environment.etc` entry under `systemd/network`: a workspace file, or the unit's text. */
export interface EtcUnit {
  /** The unit's file name (`10-lan.network`); null for the whole directory. */
  name: string | null;
  /** `source`: an absolute workspace path (a file, or for `name: null` a directory). */
  sourcePath?: string;
  /** `text`: the unit itself. */
  text?: StrPattern;
  location: Location;
  /** Defined under a condition that is not statically known. */
  conditional: boolean;
}

/**
 * A guest's own side of its network (docs/domain/microvm.md §9): what it runs, the units its networkd reads
 * and the `networking.interfaces` it declares. One per guest configuration that has interfaces.
 */
export interface GuestNetwork {
  /** The guest configuration's key (`MicrovmInterface.guest`). */
  guest: string;
  location: Location;
  /** systemd-networkd runs in the guest (`systemd.network.enable` or `networking.useNetworkd`). */
  networkd: boolean | 'unknown';
  /** Some definition decides `networkd` (false: it is the option's default). */
  networkdSet: boolean;
  /** `networking.useNetworkd`: NixOS then renders `networking.*` (and `useDHCP`) as networkd units. */
  useNetworkd: boolean | 'unknown';
  /** `networking.useDHCP` (default true). */
  useDHCP: boolean | 'unknown';
  /** dhcpcd runs (scripted networking with DHCP): it configures every Ethernet link it is not told to leave. */
  dhcpcd: boolean | 'unknown';
  /** NetworkManager runs in the guest: it configures links from its own state, which we cannot see. */
  networkManager: boolean | 'unknown';
  /** The guest's `systemd.network` units (host field: the guest key). */
  units: UnitDefinition[];
  /** The guest's `networking.interfaces.<name>` (host field: the guest key). */
  interfaceDeclarations: InterfaceDeclaration[];
  /** `networking.defaultGateway` / `defaultGateway6`, when set. */
  defaultGateways: { address: ValueAt<StrPattern>; interface: StrPattern | null }[];
  /** Kernel naming: `eth` when `net.ifnames=0` (or `usePredictableInterfaceNames = false`), else predictable. */
  kernelNames: 'eth' | 'predictable' | 'unknown';
  /** Something may rename links (`.link` units, udev `NAME=`): a NIC's name is then anybody's guess. */
  renamesLinks: boolean;
  /** Container engines that create veth links in the guest. */
  containers: { by: 'Docker' | 'Podman'; location: Location; certain: boolean }[];
  /** DHCP servers the guest runs (a router VM may serve its bridge). */
  dhcpServers: ServiceFact[];
  /** Modules that could not be read or evaluated, or come from unknown inputs: no conclusion from absence. */
  open: boolean;
}

/** A service a configuration enables: `certain` false when the switch is not statically known. */
export interface ServiceFact {
  by: string;
  location: Location;
  certain: boolean;
}

/** What a MicroVM host runs around its bridges and taps: DHCP, NAT, forwarding, Wi-Fi. */
export interface HostServices {
  host: string;
  dhcpServers: ServiceFact[];
  /** `networking.nat`, when something enables it. */
  nat: NatFacts | null;
  /** `net.ipv4.ip_forward` / `net.ipv6.conf.all.forwarding` sysctls (networkd's own switches are in units). */
  forwarding: { ipv4: boolean | 'unknown'; ipv6: boolean | 'unknown' };
  /** Masquerading written by hand (nftables ruleset, firewall extraCommands): true, false or unknown. */
  handWrittenMasquerade: boolean | 'unknown';
  /** NixOS containers or VM managers run, which may put links of their own on the host's bridges. */
  otherGuests: boolean;
  /** hostapd: a wireless device in a bridge is then an access point, which works. */
  hostapd: boolean | 'unknown';
  open: boolean;
}

export interface NatFacts {
  enabled: true | 'unknown';
  enableIPv6: boolean | 'unknown';
  internalInterfaces: ValueAt<StrPattern>[];
  internalIPs: ValueAt<StrPattern>[];
  internalIPv6s: ValueAt<StrPattern>[];
  /** Every list above is fully known. */
  complete: boolean;
  location: Location;
}

/** Everything the engine learned from the workspace, before resolution. */
export interface WorkspaceFacts {
  hosts: HostFacts[];
  interfaces: MicrovmInterface[];
  units: UnitDefinition[];
  bridges: BridgeDeclaration[];
  scripts: ScriptAttachment[];
  /** Addresses and routes put on taps outside networkd (absent: none found). */
  addresses?: AddressAssignment[];
  /** Links hosts create outside networkd: bridges made by scripts, ifstate, services (absent: none found). */
  links?: CreatedLink[];
  /** `networking.interfaces.<name>` of each host (absent: none found). */
  interfaceDeclarations?: InterfaceDeclaration[];
  /** Each guest's own network configuration (absent: none found). */
  guestNetworks?: GuestNetwork[];
  /** What each MicroVM host runs around its bridges (absent: none found). */
  hostServices?: HostServices[];
  /** `nodes.microvm.locked.lastModified` from flake.lock (seconds since epoch), when present. */
  microvmLastModified: number | null;
  files: FileReport[];
  /** What the workspace as a whole could not show (a flake whose outputs could not be evaluated). */
  gaps: { kind: string; message: string; file?: string; cannotMatter?: boolean }[];
  /** Which host each unit file serves (unitPlacement.ts); absent: every file serves every host. */
  placement?: UnitPlacement;
  /** Device names as written anywhere in the workspace (devices.md "defined nowhere"); absent: unknown. */
  mentions?: NameMentions;
}

export interface NameMentions {
  /** `name` appears as a whole word in some workspace text outside the `except` locations. */
  elsewhere(name: string, except: readonly Location[]): boolean;
}

/** Which unit files on disk serve which host. */
export interface UnitPlacement {
  /** File units that certainly apply on `host`. */
  placed(host: string): readonly UnitDefinition[];
  /** File units no rule places: each may apply on any host. */
  readonly unplaced: readonly UnitDefinition[];
  /** Why a file unit applies on `host`, in words. */
  why(unit: UnitDefinition, host: string): string;
}

export interface FileReport {
  file: string;
  kind: 'nix' | 'networkd' | 'other';
  /** Tree-sitter found ERROR/MISSING nodes; analysis went on as far as the tree allowed. */
  syntaxErrors: number;
  /** Why the file was skipped or only partly read (too large, binary, unreadable, budget...). */
  problems: FileProblem[];
}

/** What the file stage could not do: read, decode, parse or reach a file. */
export type FileNoticeKind =
  | 'syntax-error'
  | 'parse-incomplete'
  | 'file-too-large'
  | 'file-skipped'
  | 'file-unreadable'
  | 'file-not-utf8'
  | 'symlink-not-followed'
  | 'scan-truncated';

/** What kind of thing the analysis could not do: notices are grouped and counted by it. */
export type NoticeKind = FileNoticeKind | NixNoticeKind;

export interface FileProblem {
  kind: NoticeKind;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Outcomes (docs/cli.md §4 lists the statuses) and diagnostics (checks/codes.ts).

export type OutcomeStatus =
  | 'bridged'
  | 'bridge-undefined'
  | 'routed'
  | 'shadowed'
  | 'unmanaged'
  | 'unknown'
  | 'not-applicable';

export type ViaKind =
  | 'networkd-file'
  | 'networkd-nix'
  | 'networking-bridges'
  | 'bin-script'
  | 'service-override'
  | 'custom-service'
  | 'qemu-bridge-helper'
  | 'networking-interfaces';

export interface Via {
  kind: ViaKind;
  /** Unit name (`20-vms.network`) or systemd service name. */
  unit?: string;
  location?: Location;
}

/**
 * One step of an outcome's explanation. A located reason rests on what it names (a unit, a
 * script, a switch); a bare string rests on the interface definition itself, which is where a
 * reader goes to see it (`reasonLocation` in reasons.ts).
 */
export type Reason = string | LocatedReason;

export interface LocatedReason {
  text: string;
  at: Location;
}

export interface Outcome {
  interface: MicrovmInterface;
  status: OutcomeStatus;
  bridge: string | null;
  via?: Via;
  /** The unit networkd applies (first match), if any. */
  winner?: UnitDefinition;
  /** The winning unit says `Unmanaged=yes`: deliberately left to something else, so no warning. */
  unmanagedByUnit?: boolean;
  /** For `shadowed`: the later unit that would have bridged the tap. */
  shadowedUnit?: UnitDefinition;
  /** Human-readable reason chain, most decisive first; never empty. */
  reasons: Reason[];
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface RelatedInfo {
  location: Location;
  message: string;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  location: Location;
  related: RelatedInfo[];
  /**
   * The outcome this diagnostic reports, for those about where a tap ends up: quick fixes start
   * from it. Engine-internal: no output format prints it.
   */
  outcome?: Outcome;
}
