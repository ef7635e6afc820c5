/**
 * For `macvtap-link-missing` / `macvtap-mode-missing`: add what the interface lacks, in its own
 * attrset — `macvtap = { link = "<uplink>"; mode = "bridge"; };`, or the one missing key beside
 * the other. The uplink is the link the host's other macvtaps use, else its one physical
 * interface configured on its own; when neither is known, a snippet placeholder.
 * Self-contained text: link names are checked to need no Nix or snippet escaping.
 */
import { certainLinkMaster, mayExistWithoutConfiguration } from '../hostLinks';
import type { MicrovmInterface, UnitDefinition } from '../model';
import { readMatch } from '../networkd';
import { knownText } from '../pattern';
import type { AnalysisSnapshot, Fix } from '../service';
import { LineIndex } from '../text';
import { insideRoots } from '../roots';
import { worldFor } from '../world';
import { applyOffsetEdits, type OffsetEdit } from './edits';
import { attrsValue, chainAt, insertPath } from './nixEdit';
import { withSha256, type FixEnv } from './common';

/** Interface names that are safe inside a Nix string and a snippet as they are. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const PHYSICAL = /^(en|eth|wl)/;
/** Not a valid interface name: left as it is, the link is still reported missing. */
const PLACEHOLDER = '<set-uplink-name>';
const DEFAULT_MODE = 'bridge';

function knownLink(iface: MicrovmInterface): string | undefined {
  const link = iface.macvtap?.link ? knownText(iface.macvtap.link.value) : undefined;
  return link !== undefined && PLAIN_NAME.test(link) ? link : undefined;
}

/** A physical NIC configured by its own unit (one literal Name=, L3 settings, no Bridge=). */
function ownConfiguredNic(unit: UnitDefinition): string | undefined {
  if (unit.kind !== 'network' || unit.masked || !unit.complete) return undefined;
  const names = readMatch(unit.settings).lists.get('Name');
  if (!names?.known || names.words.length !== 1 || names.words[0].negative) return undefined;
  const name = names.words[0].word;
  if (!PLAIN_NAME.test(name) || !PHYSICAL.test(name) || !mayExistWithoutConfiguration(name)) return undefined;
  const network = unit.settings.filter((s) => s.section === 'Network');
  if (network.some((s) => s.key === 'Bridge' || s.key === 'Bond')) return undefined;
  return network.some((s) => s.key === 'Address' || s.key === 'DHCP' || s.key === 'Gateway') ? name : undefined;
}

/** The host's uplink for macvtaps, with why, or null. */
export function uplinkFor(snapshot: AnalysisSnapshot, iface: MicrovmInterface): { name: string; why: string } | null {
  const counts = new Map<string, number>();
  for (const other of snapshot.facts.interfaces) {
    if (other === iface || other.type !== 'macvtap' || other.host !== iface.host || (iface.host === null && other.guest !== iface.guest)) continue;
    const link = knownLink(other);
    if (link !== undefined) counts.set(link, (counts.get(link) ?? 0) + 1);
  }
  if (counts.size) {
    const [name] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return { name, why: 'the link of the other macvtaps' };
  }
  const world = iface.host === null ? null : worldFor(iface, snapshot.facts, new Map()).world;
  if (!world) return null;
  const nics = new Set(world.units.map(ownConfiguredNic).filter((n): n is string => n !== undefined));
  const free = [...nics].filter((n) => certainLinkMaster(n, world) === null);
  return free.length === 1 ? { name: free[0], why: `${free[0]} is the host's own configured interface` } : null;
}

export function macvtapSettingsFixes(snapshot: AnalysisSnapshot, code: string, iface: MicrovmInterface, env: FixEnv): Fix[] {
  const settings = iface.macvtap;
  if (!settings) return [];
  const linkMissing = settings.link === null;
  const modeMissing = settings.mode === null;
  // Both missing: one fix adds both, offered once (for the link).
  if (code === 'macvtap-mode-missing' && linkMissing) return [];
  const file = iface.location.file;
  const text = env.textOf(file);
  if (text === null || !insideRoots(env.roots, file)) return [];
  const parsed = env.parseNix(file, text);
  const lines = new LineIndex(text);
  const start = lines.offsetAt(iface.location.range.start);
  const end = lines.offsetAt(iface.location.range.end);
  const steps = chainAt(parsed.root, start, end);
  const attrs = steps[steps.length - 1]?.node;
  if (!attrs || attrs.kind !== 'attrs' || attrs.start !== start || attrs.end !== end) return [];

  const uplink = linkMissing ? uplinkFor(snapshot, iface) : null;
  const snippet = linkMissing && uplink === null;
  const linkText = snippet ? `"\${1:${PLACEHOLDER}}"` : `"${uplink?.name}"`;
  const modeText = `"${DEFAULT_MODE}"`;
  const result =
    linkMissing && modeMissing
      ? insertPath(parsed, attrs, ['macvtap'], attrsInline([['link', linkText], ['mode', modeText]]))
      : linkMissing
        ? insertPath(parsed, attrs, ['macvtap', 'link'], () => linkText)
        : insertPath(parsed, attrs, ['macvtap', 'mode'], () => modeText);
  if ('conflict' in result) return [];
  const edit: OffsetEdit = snippet ? { ...result.edit, newText: escapeSnippetExceptPlaceholder(result.edit.newText) } : result.edit;
  const expanded = snippet ? { ...result.edit, newText: result.edit.newText.replace(`\${1:${PLACEHOLDER}}`, PLACEHOLDER) } : result.edit;
  const after = applyOffsetEdits(text, [expanded]);
  if (env.parseNix(`${file}#microvm-net-fix-preview`, after).syntaxErrors > parsed.syntaxErrors) return [];

  const added = [linkMissing ? `link = ${uplink ? `"${uplink.name}"` : 'the uplink'}` : null, modeMissing ? `mode = "${DEFAULT_MODE}"` : null].filter((x) => x);
  const why = uplink ? ` (${uplink.why})` : '';
  return [
    {
      title: `Add macvtap ${added.join(' and ')} to \`${knownText(iface.id.value) ?? 'the interface'}\`${why}`,
      diagnosticCode: code,
      diagnosticLocation: iface.id.location,
      preferred: true,
      edit: { changes: [{ file, edits: [{ range: lines.rangeAt(edit.start, edit.end), newText: edit.newText }], ...withSha256(env, file) }], creates: [] },
      ...(snippet ? { isSnippet: true } : {}),
    },
  ];
}

/** `{ link = …; mode = …; }` on one line: a short setting reads best where it is written. */
function attrsInline(entries: readonly [string, string][]): ReturnType<typeof attrsValue> {
  return () => `{ ${entries.map(([k, v]) => `${k} = ${v};`).join(' ')} }`;
}

function escapeSnippetExceptPlaceholder(text: string): string {
  const placeholder = `\${1:${PLACEHOLDER}}`;
  return text
    .split(placeholder)
    .map((part) => part.replace(/[\\$}]/g, (c) => `\\${c}`))
    .join(placeholder);
}
