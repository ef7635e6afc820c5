/**
 * Fix #5 (qemu / stratovirt only): turn the interface into `type = "bridge"; bridge = "<br>";`,
 * so qemu's bridge helper creates and attaches its own tap. The `type` value is replaced and
 * `bridge` added (or its value replaced); `bridge` is never added to a tap (upstream assertion).
 */
import { displayPattern, known } from '../pattern';
import { basename, bridgesTap, makeFix, simulationBridge, tapId, type Candidate, type FixTarget } from './common';
import { bridgeSlot, type OffsetEdit } from './edits';
import { chainAt, insertBindingText, staticPath } from './nixEdit';

const SUPPORTED = new Set(['qemu', 'stratovirt']);

export function qemuBridgeFixes(t: FixTarget): Candidate[] {
  const hypervisor = t.iface.hypervisor?.value;
  if (!hypervisor || !SUPPORTED.has(hypervisor)) return [];
  const bridge = simulationBridge(t);
  const changed = { ...t.iface, type: 'bridge', bridge: { value: known(bridge), location: t.iface.location } };
  if (!bridgesTap(t.snapshot.facts, { interfaces: (all) => all.map((i) => (i === t.iface ? changed : i)) }, changed, bridge)) return [];

  const file = t.iface.location.file;
  const text = t.env.textOf(file);
  if (text === null) return [];
  const parsed = t.env.parseNix(file, text);
  const start = parsed.lines.offsetAt(t.iface.location.range.start);
  const end = parsed.lines.offsetAt(t.iface.location.range.end);
  const steps = chainAt(parsed.root, start, end);
  const attrs = steps[steps.length - 1].node;
  if (attrs.kind !== 'attrs' || attrs.start !== start || attrs.end !== end) return [];
  let typeBinding;
  let bridgeBinding;
  for (const b of attrs.bindings) {
    if (b.kind !== 'bind') continue;
    const keys = staticPath(b)?.join('.');
    if (keys === 'type') typeBinding = b;
    if (keys === 'bridge') bridgeBinding = b;
  }
  if (!typeBinding || typeBinding.value.kind !== 'str') return [];
  const edits: OffsetEdit[] = [{ start: typeBinding.value.start, end: typeBinding.value.end, newText: '"bridge"' }];
  const value = `"${bridgeSlot('nix-string')}"`;
  if (bridgeBinding) edits.push({ start: bridgeBinding.value.start, end: bridgeBinding.value.end, newText: value });
  else edits.push(insertBindingText(parsed, attrs, typeBinding, 'bridge = ', () => value));
  const id = tapId(t.iface) ?? displayPattern(t.iface.id.value);
  const settingText = t.bridge.name === null ? 'type = "bridge" with a bridge to fill in' : `type = "bridge"; bridge = ${JSON.stringify(t.bridge.name)};`;
  const fix = makeFix(t, `Let ${hypervisor} attach \`${id}\` itself: ${settingText} (${basename(file)})`, [
    { file, text, edits, nix: true },
  ]);
  return fix ? [{ kind: 'qemu-bridge', fix }] : [];
}
