/**
 * What a host configuration says about network devices besides networkd units (devices.md):
 * the `/etc/qemu/bridge.conf` qemu-bridge-helper will read, whether something outside the
 * workspace may create devices (NetworkManager), and `ip tuntap add` run by its services.
 */
import type { BridgeHelperAcl, HostDevices, TuntapCommand } from '../../model';
import { displayPattern, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force, knownBool, knownString } from '../eval/helpers';
import { DEFAULT_PRIORITY, sortByOrder, type Configuration } from '../modules';
import { parseTuntapAdds } from '../tuntap';
import type { Value } from '../value';
import { scriptLineLocation, valueLoc } from './common';

/** microvm.nix's host module: `environment.etc."qemu/bridge.conf".text = lib.mkDefault "allow all\n"`. */
const MICROVM_DEFAULT = { prio: 1000, text: 'allow all\n' };
const BRIDGE_CONF = 'qemu/bridge.conf';
const TAP_SERVICE = 'microvm-tap-interfaces@';
const SCRIPT_FIELDS = ['script', 'preStart', 'postStart', 'reload', 'preStop', 'postStop'];

export function hostDevices(cfg: Configuration, fallback: Location, isMicrovmHost: boolean, readText: (file: string) => string | undefined): HostDevices {
  return {
    bridgeHelperAcl: bridgeHelperAcl(cfg, fallback, isMicrovmHost),
    devicesMadeElsewhere: devicesMadeElsewhere(cfg),
    tuntapCommands: tuntapCommands(cfg, fallback, readText),
  };
}

interface AclDefinition {
  prio: number;
  text: string;
  location: Location | null;
  origin: BridgeHelperAcl['origin'];
}

/**
 * `environment.etc.<name>.text` is `types.lines`: the definitions of the strongest priority are
 * joined. nixpkgs' libvirtd module defines it at normal priority from `allowedBridges`
 * (default `[ "virbr0" ]`), which beats microvm.nix's `mkDefault`. Anything unsure: null.
 */
function bridgeHelperAcl(cfg: Configuration, fallback: Location, isMicrovmHost: boolean): BridgeHelperAcl | null {
  const etc = cfg.keysAt(['environment', 'etc']);
  if (!etc.complete || etc.patternKeys.length > 0) return null;
  const defs: AclDefinition[] = [];
  for (const key of etc.keys.filter((k) => k.replace(/^\/+/, '') === BRIDGE_CONF)) {
    const base = ['environment', 'etc', key];
    const others = cfg.keysAt(base);
    if (!others.complete || others.keys.some((k) => k !== 'text')) return null;
    for (const { def, conditional } of cfg.liveDefsAt([...base, 'text'])) {
      const text = knownString(def.value);
      if (conditional || text === undefined) return null;
      defs.push({ prio: def.prio, text, location: valueLoc(def, fallback), origin: 'configuration' });
    }
  }
  const libvirtd = cfg.scalarAt(['virtualisation', 'libvirtd', 'enable']);
  const libvirtdOn = cfg.liveDefsAt(['virtualisation', 'libvirtd', 'enable']).length === 0 ? false : libvirtd.conditional ? undefined : knownBool(libvirtd.value);
  if (libvirtdOn === undefined) return null;
  if (libvirtdOn) {
    const bridges = allowedBridges(cfg);
    if (bridges === null) return null;
    defs.push({
      prio: DEFAULT_PRIORITY,
      text: bridges.map((b) => `allow ${b}`).join('\n'),
      location: libvirtd.def ? valueLoc(libvirtd.def, fallback) : null,
      origin: 'virtualisation.libvirtd',
    });
  }
  if (isMicrovmHost) defs.push({ ...MICROVM_DEFAULT, location: null, origin: 'microvm.nix default' });
  if (defs.length === 0) return null;
  const best = Math.min(...defs.map((d) => d.prio));
  const winners = defs.filter((d) => d.prio === best);
  const origin = winners.find((d) => d.origin === 'configuration') ?? winners[0];
  return { text: winners.map((d) => d.text).join('\n'), location: origin.location, origin: origin.origin };
}

function allowedBridges(cfg: Configuration): string[] | null {
  const path = ['virtualisation', 'libvirtd', 'allowedBridges'];
  if (cfg.liveDefsAt(path).every((d) => d.def.prio >= 1500)) return ['virbr0'];
  const { items, complete } = cfg.listAt(path);
  if (!complete || items.some((i) => i.conditional)) return null;
  const names = items.map((i) => knownString(force(i.thunk)));
  return names.every((n): n is string => n !== undefined) ? names : null;
}

/**
 * NetworkManager makes devices from profiles that usually live outside the workspace. Desktop
 * modules of nixpkgs enable it by default, and their effect is not evaluated: a desktop counts.
 */
function devicesMadeElsewhere(cfg: Configuration): string | null {
  const why = 'NetworkManager may run on this host, and it creates devices from profiles the workspace may not hold';
  const path = ['networking', 'networkmanager', 'enable'];
  if (cfg.liveDefsAt(path).length > 0) {
    const nm = cfg.scalarAt(path);
    if (nm.conditional || knownBool(nm.value) !== false) return why;
  }
  const desktop = [['services', 'xserver', 'enable'], ['services', 'xserver', 'desktopManager'], ['services', 'desktopManager'], ['services', 'displayManager']];
  return desktop.some((p) => cfg.liveDefsAt(p).length > 0) ? why : null;
}

interface ScriptText {
  value: StrPattern;
  location: Location;
}

function scriptTexts(cfg: Configuration, path: string[], fallback: Location): ScriptText[] {
  const out: ScriptText[] = [];
  const push = (v: Value, location: Location): void => {
    if (v.kind === 'string' && displayPattern(v.value).includes('tuntap')) out.push({ value: v.value, location: v.location ?? location });
    else if (v.kind === 'list') for (const item of v.items) push(force(item), item.location ?? location);
  };
  for (const s of sortByOrder(cfg.selectAt(path))) push(s.def.value, valueLoc(s.def, fallback));
  return out;
}

/** microvm.nix's own tap unit (and overrides of it) creates the taps; every other service is a second creator. */
function tuntapCommands(cfg: Configuration, fallback: Location, readText: (file: string) => string | undefined): TuntapCommand[] {
  const root = ['systemd', 'services'];
  const out: TuntapCommand[] = [];
  for (const svc of cfg.keysAt(root).keys) {
    if (svc.startsWith(TAP_SERVICE)) continue;
    const base = [...root, svc];
    const texts = SCRIPT_FIELDS.flatMap((f) => scriptTexts(cfg, [...base, f], fallback));
    const serviceConfig = [...base, 'serviceConfig'];
    for (const k of cfg.keysAt(serviceConfig).keys) if (k.startsWith('Exec')) texts.push(...scriptTexts(cfg, [...serviceConfig, k], fallback));
    for (const text of texts) {
      for (const add of parseTuntapAdds(text.value)) {
        out.push({ name: add.name, multiQueue: add.multiQueue, location: scriptLineLocation(text.location, add.line, readText), unit: `${svc}.service` });
      }
    }
  }
  return out;
}
