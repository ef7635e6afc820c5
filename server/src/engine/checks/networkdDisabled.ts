/**
 * `systemd.network.*` units in a host that never enables networkd are silently inert
 * (docs/domain/networkd.md §4). When the host imports modules from other flake inputs, one of them
 * may enable it, so the finding drops to information; when part of the host's own code could not
 * be evaluated, nothing is said (open world).
 */
import type { Diagnostic, UnitDefinition } from '../model';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

const { networkdDisabled } = DIAGNOSTICS;

export const networkdDisabledCheck: Check = {
  codes: [networkdDisabled],
  run({ facts }) {
    const out: Diagnostic[] = [];
    let byHost: Map<string, UnitDefinition[]> | undefined;
    const unitsOf = (name: string): UnitDefinition[] => {
      if (!byHost) {
        byHost = new Map();
        for (const u of facts.units) {
          if (u.source !== 'nix' || u.masked || u.host === null) continue;
          const list = byHost.get(u.host);
          if (list) list.push(u);
          else byHost.set(u.host, [u]);
        }
      }
      return byHost.get(name) ?? [];
    };
    for (const host of facts.hosts) {
      if (host.networkdEnabled !== false) continue;
      // A lone module is combined with others we cannot see: only whole systems are judged.
      if (!host.isSystem) continue;
      // Workspace code that could not be evaluated may be exactly what enables networkd.
      if (host.gaps.some((g) => g.kind !== 'external-module')) continue;
      const units = unitsOf(host.name);
      if (units.length === 0) continue;
      const first = units[0];
      const names = units.slice(0, 3).map((u) => `\`${u.name}\``).join(', ') + (units.length > 3 ? ', …' : '');
      const maybeElsewhere = host.importsExternalModules;
      const message = maybeElsewhere
        ? `host \`${host.name}\` defines systemd.network units (${names}) but nothing in the workspace sets systemd.network.enable or networking.useNetworkd; a module from another flake input may enable it`
        : `host \`${host.name}\` defines systemd.network units (${names}) but never enables systemd-networkd (systemd.network.enable or networking.useNetworkd), so NixOS does not generate them`;
      out.push(
        diagnostic(networkdDisabled, message, host.networkdLocation ?? first.location, {
          related: [
            ...(host.networkdLocation ? [{ location: first.location, message: `${first.name} is defined here` }] : []),
            { location: host.location, message: `host \`${host.name}\`` },
          ],
          severity: maybeElsewhere ? networkdDisabled.otherSeverity.severity : undefined,
        }),
      );
    }
    return out;
  },
};
