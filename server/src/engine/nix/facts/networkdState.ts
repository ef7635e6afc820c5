/**
 * Whether systemd-networkd runs on a configuration: `systemd.network.enable` or
 * `networking.useNetworkd`, true, false (and whether some definition says so, or it is the
 * default), or unknown — with where it is decided, or the first unit for messages.
 */
import type { HostFacts } from '../../model';
import type { Location } from '../../text';
import { DEFAULT_PRIORITY, type Configuration } from '../modules';
import { keyLoc } from './common';

export function networkdState(cfg: Configuration, fallback: Location): Pick<HostFacts, 'networkdEnabled' | 'networkdLocation' | 'networkdExplicit'> {
  const state = (path: string[]): { state: boolean | 'unknown'; location: Location | null } => {
    const s = cfg.scalarAt(path);
    const set = s.def && s.def.prio < 1500 ? keyLoc(s.def, fallback) : null;
    if (s.value.kind === 'bool' && !s.conditional) return { state: s.value.value, location: set };
    if (cfg.liveDefsAt(path).length === 0) return { state: false, location: null };
    return { state: 'unknown', location: set ?? (s.def ? keyLoc(s.def, fallback) : null) };
  };
  const a = state(['systemd', 'network', 'enable']);
  const b = state(['networking', 'useNetworkd']);
  let enabled: boolean | 'unknown';
  let location: Location | null;
  if (a.state === true || b.state === true) {
    enabled = true;
    location = a.state === true ? a.location : b.location;
  } else if (a.state === 'unknown' || b.state === 'unknown') {
    enabled = 'unknown';
    location = a.state === 'unknown' ? a.location : b.location;
  } else {
    enabled = false;
    location = a.location ?? b.location;
  }
  const explicit = location !== null;
  if (!location) {
    const first = [...cfg.liveDefsAt(['systemd', 'network', 'networks']), ...cfg.liveDefsAt(['systemd', 'network', 'netdevs'])].find(
      (d) => d.def.prio === DEFAULT_PRIORITY || d.def.prio < 1500,
    );
    if (first) {
      const v = first.def.value;
      const firstKey = v.kind === 'attrs' ? [...v.attrs.values()][0]?.keyLocation : undefined;
      location = firstKey ?? keyLoc(first.def, fallback);
    }
  }
  return { networkdEnabled: enabled, networkdLocation: location, networkdExplicit: explicit };
}
