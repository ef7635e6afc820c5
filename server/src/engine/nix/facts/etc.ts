/**
 * Unit files a configuration installs itself through `environment.etc`: an entry under
 * `systemd/network/` whose `source` is a workspace file (that file is then this host's, not every
 * host's) or whose `text` is the unit (a unit of this host, parsed like a file), and a whole
 * directory `environment.etc."systemd/network".source = ./network`.
 */
import type { EtcUnit } from '../../model';
import type { Location } from '../../text';
import { force, knownString } from '../eval/helpers';
import type { Configuration } from '../modules';
import type { Value } from '../value';
import { keyLoc, plainValue, stringPattern } from './common';

const NETWORK_DIR = 'systemd/network';

export function etcUnits(cfg: Configuration, fallback: Location): EtcUnit[] {
  const out: EtcUnit[] = [];
  const etc = cfg.keysAt(['environment', 'etc']);
  for (const key of etc.keys) {
    const name = key.replace(/^\/+/, '');
    if (name !== NETWORK_DIR && !name.startsWith(`${NETWORK_DIR}/`)) continue;
    const base = ['environment', 'etc', key];
    const enable = cfg.scalarAt([...base, 'enable']);
    if (enable.value.kind === 'bool' && enable.value.value === false && !enable.conditional) continue;
    const at = keyLoc(cfg.selectAt(base)[0]?.def, fallback);
    const unitName = name === NETWORK_DIR ? null : name.slice(NETWORK_DIR.length + 1);
    const source = cfg.scalarAt([...base, 'source']);
    const sourcePath = pathOf(source.value);
    if (sourcePath !== undefined) {
      out.push({ name: unitName, sourcePath, location: at, conditional: source.conditional });
      continue;
    }
    const text = cfg.liveDefsAt([...base, 'text']);
    if (text.length > 0 && unitName !== null) {
      const { value, conditional } = plainValue({ force: () => cfg.view([...base, 'text']) });
      out.push({ name: unitName, text: stringPattern(value).pattern, location: at, conditional: conditional || text.some((d) => d.conditional) });
    }
  }
  return out;
}

function pathOf(v: Value): string | undefined {
  if (v.kind === 'path') return v.path;
  if (v.kind === 'string') {
    const t = knownString(v);
    return t !== undefined && t.startsWith('/') ? t : undefined;
  }
  if (v.kind === 'attrs') {
    const out = v.attrs.get('outPath');
    return out ? pathOf(force(out.thunk)) : undefined;
  }
  return undefined;
}
