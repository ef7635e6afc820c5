/**
 * Fix #2: a new network unit `{ matchConfig.Name = "<id>"; networkConfig.Bridge = "<br>"; }`
 * whose name sorts (strcmp byte order) before any unit that matches the tap today, e.g.
 * `05-microvm-web` before `10-lan`. In Nix when the host already defines network units in Nix
 * (inserted next to them, same dotted/nested style), else as a new `.network` file next to the
 * existing unit files. Offered only when the engine, given the new unit, bridges the tap.
 */
import type { UnitDefinition } from '../model';
import { known } from '../pattern';
import { basename, bridgesTap, dirnameOf, fakeSetting, makeFix, tapId, unitBridge, unitStem, type Candidate, type FixTarget } from './common';
import { bridgeSlot, eolOf, nixKey, nixString } from './edits';
import { unitComment, unitValueRefusal } from './quote';
import { attrsValue, bindingAtKey, insertPath, staticPath } from './nixEdit';

const PREFIXES = ['05', '01', '00', '0'];

export function createUnitFixes(t: FixTarget): Candidate[] {
  const bridge = t.bridge.name;
  const id = tapId(t.iface);
  // Name= unquotes and globs: only an id it reads back as exactly itself is written there.
  if (bridge === null || id === undefined || unitValueRefusal(id, { literalGlob: true }) !== null || unitValueRefusal(bridge) !== null) return [];
  const names = unitNames(t, id);
  const hostNix = [...t.world.units, ...t.world.conditionalUnits].filter(
    (u) => u.kind === 'network' && u.source === 'nix' && u.host !== null && u.host === t.iface.host && !u.masked,
  );
  if (hostNix.length > 0) {
    const fix = inNix(t, hostNix, names, id, bridge);
    if (fix) return [fix];
  }
  const fix = asFile(t, names, id, bridge);
  return fix ? [fix] : [];
}

/** Candidate unit names (without extension), not used by any existing unit. */
function unitNames(t: FixTarget, id: string): string[] {
  const used = new Set(t.snapshot.facts.units.map((u) => u.name));
  // A file name from a workspace-chosen name: a safe alphabet, and short enough for any file system.
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.@-]/g, '-').slice(0, 64);
  const bases = [...new Set([t.iface.vm ? `microvm-${clean(t.iface.vm)}` : null, `microvm-${clean(id)}`].filter((x): x is string => x !== null))];
  const out: string[] = [];
  for (const p of PREFIXES) {
    for (const b of bases) {
      const name = `${p}-${b}`;
      if (!used.has(`${name}.network`)) out.push(name);
    }
  }
  return out;
}

function newUnit(name: string, id: string, bridge: string, source: 'nix' | 'file', host: string | null, t: FixTarget): UnitDefinition {
  const at = t.iface.id.location;
  return {
    kind: 'network',
    name: `${name}.network`,
    source,
    location: at,
    masked: false,
    settings: [fakeSetting('Match', 'Name', known(id), at), fakeSetting('Network', 'Bridge', known(bridge), at)],
    sections: [
      { name: 'Match', location: at },
      { name: 'Network', location: at },
    ],
    complete: true,
    issues: [],
    host,
  };
}

/** The first candidate name with which the engine bridges the tap. */
function workingName(t: FixTarget, names: string[], id: string, bridge: string, source: 'nix' | 'file', host: string | null): string | null {
  for (const name of names) {
    const unit = newUnit(name, id, bridge, source, host, t);
    if (bridgesTap(t.snapshot.facts, { units: (all) => [...all, unit] }, t.iface, bridge, unit.name)) return name;
  }
  return null;
}

function inNix(t: FixTarget, hostNix: UnitDefinition[], names: string[], id: string, bridge: string): Candidate | null {
  const name = workingName(t, names, id, bridge, 'nix', t.iface.host);
  if (!name) return null;
  // Anchor: a unit definition we can find as a binding with a static attribute path.
  const seen = new Set<string>();
  for (const unit of [...hostNix].sort((a, b) => (unitBridge(b) === bridge ? 1 : 0) - (unitBridge(a) === bridge ? 1 : 0))) {
    const file = unit.location.file;
    const text = t.env.textOf(file);
    if (text === null) continue;
    const parsed = t.env.parseNix(file, text);
    const at = parsed.lines.offsetAt(unit.location.range.start);
    const found = bindingAtKey(parsed.root, at);
    if (!found) continue;
    const keys = staticPath(found.binding);
    if (!keys) continue;
    const k = keys.lastIndexOf(unitStem(unit));
    if (k < 0) continue;
    const prefix = keys.slice(0, k);
    const key = `${file}\u0000${prefix.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const attrs = found.steps[found.steps.length - 1].node;
    if (attrs.kind !== 'attrs') continue;
    // The prefix must lead to `systemd.network.networks` from here (checked loosely: it ends in `networks` or is empty under it).
    const parentKey = found.steps[found.steps.length - 1].via?.path.map((p) => p.name).join('.') ?? '';
    if (!(prefix[prefix.length - 1] === 'networks' || (prefix.length === 0 && /(^|\.)networks$/.test(parentKey)))) continue;
    const value = attrsValue([
      ['matchConfig.Name', nixString(id)],
      ['networkConfig.Bridge', `"${bridgeSlot('nix-string')}"`],
    ]);
    const result = insertPath(parsed, attrs, [...prefix, name], value, { after: lastSibling(attrs, prefix) });
    if ('conflict' in result) continue;
    const where = [...prefix, name].map(nixKey).join('.');
    const fix = makeFix(t, `Create ${where} in ${basename(file)} bridging \`${id}\` to ${bridge}`, [
      { file, text, edits: [result.edit], nix: true },
    ]);
    if (fix) return { kind: 'create-unit', fix };
  }
  return null;
}

function lastSibling(attrs: { bindings: readonly import('../nix/ast').AstBinding[] }, prefix: string[]) {
  let last: import('../nix/ast').AstAttrBinding | undefined;
  for (const b of attrs.bindings) {
    if (b.kind !== 'bind') continue;
    const keys = staticPath(b);
    if (keys && keys.length > prefix.length && prefix.every((p, i) => keys[i] === p)) last = b;
  }
  return last;
}

function asFile(t: FixTarget, names: string[], id: string, bridge: string): Candidate | null {
  const files = [...t.world.units, ...t.world.conditionalUnits].filter((u) => u.source === 'file' && u.kind === 'network');
  if (files.length === 0) return null;
  const pick =
    files.find((u) => unitBridge(u) === bridge) ?? (t.outcome.winner?.source === 'file' ? t.outcome.winner : undefined) ?? files[0];
  const dir = dirnameOf(pick.location.file);
  const name = workingName(t, names, id, bridge, 'file', null);
  if (!name) return null;
  const path = `${dir}/${name}.network`;
  if (t.env.textOf(path) !== null) return null;
  const sample = t.env.textOf(pick.location.file) ?? '';
  const eol = eolOf(sample);
  // The VM's name is any string the workspace chose: in a comment it is escaped to one inert line.
  const vm = t.iface.vm ? ` of MicroVM ${unitComment(t.iface.vm)}` : '';
  const bridgeValue = bridgeSlot('unit-value');
  const text = [`# Puts the tap ${id}${vm} on ${bridgeValue}; sorts before the units that would match it.`, '[Match]', `Name=${id}`, '', '[Network]', `Bridge=${bridgeValue}`, ''].join(eol);
  const fix = makeFix(t, `Create ${name}.network bridging \`${id}\` to ${bridge}`, [], [{ file: path, text }]);
  return fix ? { kind: 'create-unit', fix } : null;
}
