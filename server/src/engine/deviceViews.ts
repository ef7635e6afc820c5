/**
 * Hover text about the devices around a tap (devices.md): where a macvtap sits and what that
 * means for the host, the device findings on an interface with what each code means, and which
 * qemu-bridge-helper interfaces and macvtaps hang off a bridge or link. Reads one snapshot.
 */
import { DIAGNOSTICS } from './checks/codes';
import type { MicrovmInterface, Outcome, UnitDefinition, ValueAt } from './model';
import { matchUnit } from './networkd';
import { displayPattern, known, knownText, type StrPattern } from './pattern';
import type { AnalysisSnapshot } from './service';
import { rangeContains } from './text';

/** Observed on the kernel (test/oracle/devices.oracle.test.ts): nothing the host sends out of a link reaches a macvtap on it. */
const HOST_CANNOT_REACH =
  'the host itself cannot reach this guest over that link: what the host sends out of it never reaches a macvtap on it (only other machines on the LAN, and other macvtaps in bridge mode, can); give the host a macvlan on the same link, or reach the guest through another interface';

export function macvtapHoverLines(iface: MicrovmInterface): string[] {
  if (iface.type !== 'macvtap' || !iface.macvtap) return [];
  const show = (v: ValueAt<StrPattern> | null) => (v === null ? 'not set' : `\`${displayPattern(v.value)}\``);
  const link = iface.macvtap.link ? knownText(iface.macvtap.link.value) : undefined;
  const lines = [`macvtap on link ${show(iface.macvtap.link)}, mode ${show(iface.macvtap.mode)}`];
  if (link !== undefined) lines.push('', `ℹ️ ${HOST_CANNOT_REACH.replace('that link', `\`${link}\``)}`);
  return lines;
}

/** The device codes (the tap's own findings are already told by its status and reasons). */
const EXPLAINED = [
  DIAGNOSTICS.interfaceTypeUnsupported,
  DIAGNOSTICS.bridgeTypeUnsupported,
  DIAGNOSTICS.tapVhostIgnored,
  DIAGNOSTICS.macvtapLinkMissing,
  DIAGNOSTICS.macvtapModeMissing,
  DIAGNOSTICS.macvtapLinkUndefined,
  DIAGNOSTICS.macvtapLinkIsBridgePort,
  DIAGNOSTICS.macvtapPassthruConflict,
  DIAGNOSTICS.tapPrecreatedConflict,
  DIAGNOSTICS.bridgeHelperDenied,
];

/** Each device finding inside the interface's definition, once per code, with what the code means. */
export function findingLines(snapshot: AnalysisSnapshot, iface: MicrovmInterface): string[] {
  const inside = (snapshot.diagnostics.get(iface.location.file) ?? []).filter(
    (d) => rangeContains(iface.location.range, d.location.range.start) || rangeContains(iface.id.location.range, d.location.range.start),
  );
  const lines: string[] = [];
  for (const definition of EXPLAINED) {
    const found = inside.find((d) => d.code === definition.code);
    if (found) lines.push(`- \`${definition.code}\` (${found.severity}): ${definition.fullDescription}`);
  }
  return lines.length ? ['', '**Findings**', ...lines] : [];
}

const idOf = (o: Outcome): string => `\`${displayPattern(o.interface.id.value)}\`${o.interface.vm ? ` (VM \`${o.interface.vm}\`)` : ''}`;

/** qemu-bridge-helper interfaces attached to bridge `name`, and macvtaps whose link it is. */
export function devicesOnLines(snapshot: AnalysisSnapshot, name: string): string[] {
  const helper = snapshot.outcomes.filter((o) => o.via?.kind === 'qemu-bridge-helper' && o.bridge === name);
  const macvtaps = snapshot.outcomes.filter((o) => o.interface.macvtap?.link && knownText(o.interface.macvtap.link.value) === name);
  const lines: string[] = [];
  if (helper.length) lines.push('', `via qemu-bridge-helper (\`type = "bridge"\`): ${helper.length}`, ...helper.slice(0, 20).map((o) => `- ${idOf(o)} — ${o.status}`));
  if (macvtaps.length) lines.push('', `macvtaps on it: ${macvtaps.length}`, ...macvtaps.slice(0, 20).map((o) => `- ${idOf(o)}, mode ${o.interface.macvtap?.mode ? displayPattern(o.interface.macvtap.mode.value) : 'not set'}`));
  return lines;
}

/** macvtaps whose link the unit's [Match] certainly covers. */
export function macvtapsMatchedLines(snapshot: AnalysisSnapshot, unit: UnitDefinition): string[] {
  const on = snapshot.outcomes.filter((o) => {
    const link = o.interface.macvtap?.link ? knownText(o.interface.macvtap.link.value) : undefined;
    return link !== undefined && matchUnit(unit, { name: known(link), mac: null, notATap: true }) === 'yes';
  });
  if (!on.length) return [];
  return ['', `matches the link of ${on.length} macvtap${on.length === 1 ? '' : 's'}:`, ...on.slice(0, 20).map((o) => `- ${idOf(o)} on \`${knownText(o.interface.macvtap!.link!.value)}\``)];
}
