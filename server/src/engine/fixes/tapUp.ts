/**
 * Fix #3 (guest side): `microvm.binScripts.tap-up = lib.mkAfter '' ... ip link set dev '<id>'
 * master '<br>' '';` next to the `microvm.interfaces` that defines the tap (inside the VM's
 * `config` for `microvm.vms.<n>.config`), the form documented upstream today (docs/domain/microvm.md §5).
 * `lib` and `pkgs` are added to the enclosing module function's formals when missing; in a
 * plain attrset module (no function to add them to) the fix is not offered, since `lib.mkAfter`
 * is what orders the line after the tap's creation.
 */
import type { AstAttrBinding, NodeOf, ParsedNixFile } from '../nix/ast';
import { basename, bridgesTap, makeFix, scriptFor, simulationBridge, tapId, type Candidate, type FixTarget } from './common';
import { BRIDGE_MARK, bridgeSlot, eolOf, lineIndentAt, lineStartOf, startsLine, type OffsetEdit } from './edits';
import { nixIndentedLine, shellWord } from './quote';
import { chainAt, ensureNames, findPath, indentedString, insertPath, staticPath, type Step } from './nixEdit';

export const IP_EXE = `\${lib.getExe' pkgs.iproute2 "ip"}`;

export function tapUpFixes(t: FixTarget): Candidate[] {
  const id = tapId(t.iface);
  if (id === undefined) return [];
  const bridge = simulationBridge(t);
  const script = scriptFor(t.iface, bridge, 'bin-script', { guest: t.iface.guest, unit: 'tap-up' });
  if (!bridgesTap(t.snapshot.facts, { scripts: [script] }, t.iface, bridge)) return [];

  const file = t.iface.location.file;
  const text = t.env.textOf(file);
  if (text === null) return [];
  const parsed = t.env.parseNix(file, text);
  const site = interfacesSite(parsed, t);
  if (!site) return [];
  // IP_EXE is our own antiquotation; everything after it is shell words quoted for the `''` string.
  const line = `${IP_EXE}${nixIndentedLine(` link set dev ${shellWord(id)} master `, { lineStart: false })}${bridgeSlot('shell-word-in-indented-string')}`;
  const names = ensureNames(parsed, site.steps, ['lib', 'pkgs']);
  if (names === null) return [];
  const path = [...site.prefix, 'binScripts', 'tap-up'];
  let edit: OffsetEdit | null = null;
  const result = insertPath(parsed, site.attrs, path, (nl, unit) => 'lib.mkAfter ' + indentedString([line])(nl, unit), { after: site.binding });
  if ('edit' in result) edit = result.edit;
  else edit = appendToExisting(parsed, site.attrs, path, line);
  if (!edit) return [];
  const fix = makeFix(t, `Attach \`${id}\` to ${BRIDGE_MARK} in the guest's microvm.binScripts.tap-up (${basename(file)})`, [
    { file, text, edits: [...names, edit], nix: true },
  ]);
  return fix ? [{ kind: 'tap-up', fix }] : [];
}

interface Site {
  steps: Step[];
  attrs: NodeOf<'attrs'>;
  binding: AstAttrBinding;
  /** Path from `attrs` to the `microvm` options (e.g. `["microvm"]`, or `[]` inside `microvm = { ... }`). */
  prefix: string[];
}

/** The attrset holding `microvm.interfaces` (or `interfaces` inside `microvm = { ... }`) for this interface. */
function interfacesSite(parsed: ParsedNixFile, t: FixTarget): Site | null {
  const start = parsed.lines.offsetAt(t.iface.location.range.start);
  const end = parsed.lines.offsetAt(t.iface.location.range.end);
  const steps = chainAt(parsed.root, start, end);
  for (let i = steps.length - 1; i > 0; i--) {
    const via = steps[i].via;
    if (!via) continue;
    const keys = staticPath(via);
    if (!keys || keys[keys.length - 1] !== 'interfaces') continue;
    const attrs = steps[i - 1].node;
    if (attrs.kind !== 'attrs') return null;
    const prefix = keys.slice(0, -1);
    const parentVia = steps[i - 1].via ? staticPath(steps[i - 1].via!) : null;
    const inMicrovm = prefix[prefix.length - 1] === 'microvm' || (prefix.length === 0 && parentVia?.[parentVia.length - 1] === 'microvm');
    if (!inMicrovm) return null;
    return { steps: steps.slice(0, i), attrs, binding: via, prefix };
  }
  return null;
}

/** Adds the line to an existing `binScripts.tap-up = lib.mkAfter '' ... '';` in the same attrset. */
function appendToExisting(parsed: ParsedNixFile, attrs: NodeOf<'attrs'>, path: string[], line: string): OffsetEdit | null {
  const found = findPath(attrs, path);
  if (!found) return null;
  let value = found.binding.value;
  if (value.kind === 'apply' && value.fn.kind === 'select' && value.fn.path.map((k) => k.name).join('.') === 'mkAfter') value = value.arg;
  else if (value.kind === 'apply' && value.fn.kind === 'var' && value.fn.name === 'mkAfter') value = value.arg;
  else return null;
  const text = parsed.text;
  if (value.kind !== 'str' || !text.startsWith("''", value.start)) return null;
  const close = value.end - 2;
  if (!startsLine(text, close)) return null;
  const bodyStart = text.indexOf('\n', value.start);
  const indent = bodyStart >= 0 && bodyStart < close ? lineIndentAt(text, bodyStart + 1) : lineIndentAt(text, close) + '  ';
  const at = lineStartOf(text, close);
  return { start: at, end: at, newText: indent + line + eolOf(text) };
}
