/**
 * For `bridge-not-defined`: the winning unit names a bridge no netdev defines, so networkd
 * ignores its Bridge=. Define it: `systemd.network.netdevs."<n>-<br>".netdevConfig = { Kind =
 * "bridge"; Name = "<br>"; }` in the module of the winning Nix unit, or a `.netdev` file next to
 * the winning unit file. Offered only when the engine then bridges the tap and no other
 * interface of the host changes for the worse.
 */
import type { UnitDefinition } from '../model';
import { known } from '../pattern';
import { basename, bridgesTap, dirnameOf, fakeSetting, harmless, makeFix, type Candidate, type FixTarget } from './common';
import { eolOf, nixKey, nixString } from './edits';
import { attrsValue, insertPath, moduleBody } from './nixEdit';
import { interfaceNameRefusal, unitValueRefusal } from './quote';

export function defineBridgeFixes(t: FixTarget): Candidate[] {
  const winner = t.outcome.winner;
  const bridge = t.outcome.bridge;
  if (t.outcome.status !== 'bridge-undefined' || !winner || !bridge) return [];
  // The name comes from the winning unit, i.e. from the workspace: written only when valid.
  if (interfaceNameRefusal(bridge) !== null || unitValueRefusal(bridge) !== null) return [];
  const used = new Set(t.snapshot.facts.units.map((u) => u.name));
  const name = ['10', '20', '30', '40'].map((p) => `${p}-${bridge}`).find((n) => !used.has(`${n}.netdev`));
  if (!name) return [];
  const netdev: UnitDefinition = {
    kind: 'netdev',
    name: `${name}.netdev`,
    source: winner.source === 'nix' ? 'nix' : 'file',
    location: winner.location,
    masked: false,
    settings: [fakeSetting('NetDev', 'Name', known(bridge), winner.location), fakeSetting('NetDev', 'Kind', known('bridge'), winner.location)],
    sections: [{ name: 'NetDev', location: winner.location }],
    complete: true,
    issues: [],
    host: winner.source === 'nix' ? winner.host : null,
  };
  const change = { units: (all: UnitDefinition[]) => [...all, netdev] };
  if (!bridgesTap(t.snapshot.facts, change, t.iface, bridge)) return [];
  if (!harmless(t.snapshot, change, t.iface, bridge)) return [];
  const mark = { ...t, bridge: { name: bridge, why: 'named by the winning unit' } };

  if (winner.source === 'file') {
    const dir = dirnameOf(winner.location.file);
    const eol = eolOf(t.env.textOf(winner.location.file) ?? '');
    const text = ['[NetDev]', `Name=${bridge}`, 'Kind=bridge', ''].join(eol);
    const fix = makeFix(mark, `Create ${name}.netdev defining bridge \`${bridge}\` (named by ${winner.name})`, [], [{ file: `${dir}/${name}.netdev`, text }]);
    return fix ? [{ kind: 'define-bridge', fix }] : [];
  }
  if (winner.source !== 'nix') return [];
  const file = winner.location.file;
  const text = t.env.textOf(file);
  if (text === null) return [];
  const parsed = t.env.parseNix(file, text);
  const body = moduleBody(parsed);
  if (!body) return [];
  const value = attrsValue([
    ['netdevConfig.Kind', '"bridge"'],
    ['netdevConfig.Name', nixString(bridge)],
  ]);
  const result = insertPath(parsed, body.attrs, ['systemd', 'network', 'netdevs', name], value);
  if ('conflict' in result) return [];
  const where = result.path.map(nixKey).join('.');
  const fix = makeFix(mark, `Define bridge \`${bridge}\` (named by ${winner.name}): ${where} in ${basename(file)}`, [
    { file, text, edits: [result.edit], nix: true },
  ]);
  return fix ? [{ kind: 'define-bridge', fix }] : [];
}
