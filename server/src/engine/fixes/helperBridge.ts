/**
 * For `bridge-not-defined` on a `type = "bridge"` interface (qemu-bridge-helper's bridge exists
 * nowhere): create it with `networking.bridges.<br>.interfaces = [ ];` in a module of the host
 * that already configures its network. NixOS makes that bridge under networkd and under scripted
 * networking alike; the interface's own file may be a guest module, so it is never the target.
 */
import type { Outcome } from '../model';
import { insideRoots } from '../roots';
import type { AnalysisSnapshot, Fix } from '../service';
import { LineIndex } from '../text';
import { applyOffsetEdits } from './edits';
import { withSha256, type FixEnv } from './common';
import { insertPath, moduleBody } from './nixEdit';

/** Bridge names that are safe in a Nix attribute path and string as they are. */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/;

function hostNetworkFiles(snapshot: AnalysisSnapshot, host: string): string[] {
  const { units, bridges } = snapshot.facts;
  const files = [
    ...units.filter((u) => u.source === 'nix' && u.host === host).map((u) => u.location.file),
    ...bridges.filter((b) => b.host === host).map((b) => b.location.file),
  ];
  return [...new Set(files)].filter((f) => f.endsWith('.nix'));
}

export function helperBridgeFixes(snapshot: AnalysisSnapshot, code: string, outcome: Outcome, env: FixEnv): Fix[] {
  const bridge = outcome.bridge;
  const host = outcome.interface.host;
  if (outcome.via?.kind !== 'qemu-bridge-helper' || outcome.status !== 'bridge-undefined' || !bridge || !host || !PLAIN_NAME.test(bridge)) return [];
  for (const file of hostNetworkFiles(snapshot, host)) {
    const text = env.textOf(file);
    if (text === null || !insideRoots(env.roots, file)) continue;
    const parsed = env.parseNix(file, text);
    const body = moduleBody(parsed);
    if (!body) continue;
    const result = insertPath(parsed, body.attrs, ['networking', 'bridges', bridge, 'interfaces'], () => '[ ]');
    if ('conflict' in result) continue;
    if (env.addsSyntaxErrors(file, text, [result.edit], applyOffsetEdits(text, [result.edit]))) continue;
    const lines = new LineIndex(text);
    const name = file.slice(file.lastIndexOf('/') + 1);
    return [
      {
        title: `Create bridge \`${bridge}\` for qemu-bridge-helper: networking.bridges.${bridge} in ${name} (bridge ${bridge})`,
        diagnosticCode: code,
        diagnosticLocation: outcome.interface.id.location,
        preferred: true,
        edit: { changes: [{ file, edits: [{ range: lines.rangeAt(result.edit.start, result.edit.end), newText: result.edit.newText }], ...withSha256(env, file) }], creates: [] },
      },
    ];
  }
  return [];
}
