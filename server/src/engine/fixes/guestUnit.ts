/**
 * Guest-side fixes (docs/domain/microvm.md §9), each a new `systemd.network.networks` unit in the guest's own
 * module, offered only when the engine, given the new unit, decides as intended:
 *  - guest-nic-unconfigured: a unit matching the NIC by `MACAddress=` (the interface's `mac`)
 *    with `DHCP=yes`, inserted beside `microvm.interfaces` (with `systemd.network.enable = true`
 *    in a guest that leaves networkd at its default, off);
 *  - guest-veth-captured: `{ matchConfig.Name = "veth*"; linkConfig.Unmanaged = true; }` under a
 *    name sorting before the capturing catch-all, inserted beside it.
 */
import type { GuestNetwork, UnitDefinition } from '../model';
import { compareBytes, parseHwAddr } from '../networkd';
import type { AstAttrBinding, NodeOf, ParsedNixFile } from '../nix/ast';
import { known, knownText } from '../pattern';
import { chooseUnit, guestNetworkdUnits, VETH_LINK } from '../sides';
import { nicConfig } from '../sides/guestSide';
import { lastBoolOf } from '../sides/unitReading';
import { basename, fakeSetting, makeFix, unitStem, type Candidate, type FixTarget } from './common';
import { nixKey, nixString } from './edits';
import { attrsValue, bindingAtKey, chainAt, insertPath, staticPath, type Step, type ValueText } from './nixEdit';

const NETWORKS = ['systemd', 'network', 'networks'];

export function guestUnitFixes(t: FixTarget): Candidate[] {
  const g = (t.snapshot.facts.guestNetworks ?? []).find((x) => x.guest === t.iface.guest);
  // A guest nobody told whether networkd runs may have it switched on beside the unit; one that
  // says "off" somewhere would get conflicting definitions.
  if (!g || g.open || !(g.networkd === true || (g.networkd === false && !g.networkdSet))) return [];
  const fix = t.diagnostic.code === 'guest-nic-unconfigured' ? nicUnit(t, g) : t.diagnostic.code === 'guest-veth-captured' ? vethUnmanaged(t, g) : null;
  return fix ? [{ kind: 'guest-unit', fix }] : [];
}

function unitOf(name: string, g: GuestNetwork, t: FixTarget, entries: [string, string, string][]): UnitDefinition {
  const at = t.iface.location;
  return {
    kind: 'network',
    name: `${name}.network`,
    source: 'nix',
    location: at,
    masked: false,
    settings: entries.map(([section, key, value]) => fakeSetting(section, key, known(value), at)),
    sections: [...new Set(entries.map(([section]) => section))].map((section) => ({ name: section, location: at })),
    complete: true,
    issues: [],
    host: g.guest,
  };
}

function nicCount(t: FixTarget): number {
  const seen = new Set(t.snapshot.facts.interfaces.filter((i) => i.guest === t.iface.guest).map((i) => `${i.location.file}:${i.location.range.start.line}:${i.location.range.start.character}`));
  return seen.size;
}

function nicUnit(t: FixTarget, g: GuestNetwork): ReturnType<typeof makeFix> {
  const macText = t.iface.mac ? knownText(t.iface.mac.value) : undefined;
  const mac = macText !== undefined ? parseHwAddr(macText) : null;
  if (!mac || macText === undefined) return null;
  const used = new Set(g.units.map((u) => u.name));
  const base = `10-${(t.iface.vm ?? knownText(t.iface.id.value) ?? 'microvm').replace(/[^A-Za-z0-9_.@-]/g, '-')}-nic`;
  const name = [base, `${base}-${mac.replace(/:/g, '')}`].find((n) => !used.has(`${n}.network`));
  if (!name) return null;
  const unit = unitOf(name, g, t, [
    ['Match', 'MACAddress', macText],
    ['Network', 'DHCP', 'yes'],
  ]);
  const enable = g.networkd === false;
  const after = nicConfig(t.iface, { ...g, networkd: true, units: [...g.units, unit] }, nicCount(t));
  if (after.state !== 'unit' || after.unit?.name !== unit.name) return null;
  const module = guestModule(t);
  if (!module) return null;
  const value = attrsValue([
    ['matchConfig.MACAddress', nixString(macText)],
    ['networkConfig.DHCP', nixString('yes')],
  ]);
  // Switching networkd on goes into the same `systemd.network` binding as the unit: one edit.
  const withEnable: ValueText = (nl, unit) => `{${nl}${unit}enable = true;${nl}${unit}networks.${nixKey(name)} = ${value(nl + unit, unit)};${nl}}`;
  const result = enable ? insertPath(module.parsed, module.attrs, ['systemd', 'network'], withEnable) : insertPath(module.parsed, module.attrs, [...NETWORKS, name], value);
  if ('conflict' in result) return null;
  const where = [...NETWORKS, name].map(nixKey).join('.');
  const also = enable ? ' and turn systemd-networkd on' : '';
  return makeFix(t, `Configure the guest's NIC ${macText} by DHCP: add ${where} (MACAddress=${macText})${also} in ${basename(module.parsed.file)}`, [
    { file: module.parsed.file, text: module.parsed.text, edits: [result.edit], nix: true },
  ]);
}

/** The guest module defining the interface: the attrset whose `microvm.interfaces` list holds it. */
function guestModule(t: FixTarget): { parsed: ParsedNixFile; attrs: NodeOf<'attrs'> } | null {
  const file = t.iface.location.file;
  const text = t.env.textOf(file);
  if (text === null) return null;
  const parsed = t.env.parseNix(file, text);
  const start = parsed.lines.offsetAt(t.iface.location.range.start);
  const steps = chainAt(parsed.root, start, start);
  const list = steps.map((s) => s.node.kind).lastIndexOf('list');
  if (list < 1) return null;
  let path: string[] = [];
  for (let k = list; k >= 1; k--) {
    const via = steps[k].via;
    if (via) {
      const keys = staticPath(via);
      if (!keys) return null;
      path = [...keys, ...path];
    }
    const parent = steps[k - 1].node;
    if (path.join('.') === 'microvm.interfaces' && parent.kind === 'attrs' && !parent.rec) return { parsed, attrs: parent };
    if (path.length > 2) return null;
  }
  return null;
}

function vethUnmanaged(t: FixTarget, g: GuestNetwork): ReturnType<typeof makeFix> {
  if (g.networkd !== true) return null;
  const units = guestNetworkdUnits(g);
  const choice = chooseUnit(units, VETH_LINK);
  const winner = choice.match === 'unit' ? choice.winner : undefined;
  if (!winner || winner.source !== 'nix') return null;
  const used = new Set(units.map((u) => u.name));
  const name = ['00', '01', '05', '09', '0'].map((p) => `${p}-containers-veth`).find((n) => !used.has(`${n}.network`) && compareBytes(`${n}.network`, winner.name) < 0);
  if (!name) return null;
  const unit = unitOf(name, g, t, [
    ['Match', 'Name', 'veth*'],
    ['Link', 'Unmanaged', 'true'],
  ]);
  const after = chooseUnit([...units, unit], VETH_LINK);
  if (after.winner?.name !== unit.name || lastBoolOf(unit, 'Link', 'Unmanaged') !== true) return null;
  const anchor = unitAnchor(t, winner);
  if (!anchor) return null;
  const value = attrsValue([
    ['matchConfig.Name', nixString('veth*')],
    ['linkConfig.Unmanaged', 'true'],
  ]);
  const result = insertPath(anchor.parsed, anchor.attrs, [...anchor.prefix, name], value, { after: anchor.binding });
  if ('conflict' in result) return null;
  return makeFix(t, `Leave container veth links to Docker/Podman: add the unit ${name} (Name=veth*, Unmanaged=yes) before ${unitStem(winner)} in ${basename(anchor.parsed.file)}`, [
    { file: anchor.parsed.file, text: anchor.parsed.text, edits: [result.edit], nix: true },
  ]);
}

/** Where a Nix unit is defined, as a binding whose static path ends in the unit's name under `networks`. */
function unitAnchor(t: FixTarget, unit: UnitDefinition): { parsed: ParsedNixFile; attrs: NodeOf<'attrs'>; prefix: string[]; binding: AstAttrBinding } | null {
  const file = unit.location.file;
  const text = t.env.textOf(file);
  if (text === null) return null;
  const parsed = t.env.parseNix(file, text);
  const found = bindingAtKey(parsed.root, parsed.lines.offsetAt(unit.location.range.start));
  if (!found) return null;
  const keys = staticPath(found.binding);
  const k = keys ? keys.lastIndexOf(unitStem(unit)) : -1;
  if (!keys || k < 0) return null;
  const prefix = keys.slice(0, k);
  const last: Step = found.steps[found.steps.length - 1];
  const parentKey = last.via ? (staticPath(last.via) ?? []).join('.') : '';
  const underNetworks = prefix[prefix.length - 1] === 'networks' || (prefix.length === 0 && /(^|\.)networks$/.test(parentKey));
  if (last.node.kind !== 'attrs' || !underNetworks) return null;
  return { parsed, attrs: last.node, prefix, binding: found.binding };
}
