// Dev check (not a test): edits files of a generated workspace in one long-lived service and
// compares every analysis with a fresh service's full analysis of the same texts (facts,
// outcomes, diagnostics, suppressed findings).
//   node --import tsx bench/verify-incremental.ts bench/workspaces/ws-1000-s1 [edits]
// Edited files stay open for a few edits (so edits of several hosts are pending together, and
// per-host results of one host must follow another host's edit), then all are closed.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { scanRoots } from '../server/src/engine/files';
import { DEFAULT_SETTINGS } from '../server/src/protocol/settings';
import { createLanguageService } from '../server/src/engine/workspace';
import { LineIndex } from '../server/src/engine/text';

function view(snap: { facts: unknown; outcomes: unknown; diagnostics: Map<string, unknown[]>; suppressed?: unknown[] }): unknown {
  return JSON.parse(JSON.stringify({ facts: snap.facts, outcomes: snap.outcomes, diagnostics: [...snap.diagnostics], suppressed: snap.suppressed ?? [] }));
}

/** Edits that matter: ids, imports, module bodies, lets, and what the per-host checks read. */
const EDITS: [RegExp, string][] = [
  [/"vm-\$\{name\}"/, '"vx-${name}"'],
  [/mem = \d+;/, 'mem = 4096;'],
  [/imports = \[/, 'imports = [ ./nope.nix'],
  [/enable = true;/, 'enable = false;'],
  [/Bridge = bridge;/, 'Bridge = "br9";'],
  [/\{ lib, \.\.\. \}:/, '{ lib, config, ... }:'],
  [/in\n/, 'in builtins.trace 1\n'],
  [/;\n\}/, ';\n  x = ;\n}'],
  // Duplicate MACs and ids among one host's VMs (duplicate-mac, duplicate-interface-id).
  [/mac = "02:00:00:(\w\w):\$\{[^}]*\}:01";/, 'mac = "02:00:00:05:07:01";'],
  [/id = "vm-\$\{name\}";/, 'id = "vm-same";'],
  // A bridge whose only ports are taps and that waits for a carrier (bridge-no-carrier).
  [/"enp1s0" "vm-\*"/, '"vm-*"'],
  [/IPv6AcceptRA = true;/, 'Address = "10.0.0.1/24";'],
  // Unit files on disk: a port unit, a netdev's kind, a drop-in.
  [/Bridge=br-h\d+/, 'Bridge=br-none'],
  [/Kind=bridge/, 'Kind=tap'],
  [/Name=enp1s0/, 'Name=vm-*'],
  [/MTUBytes=9000/, 'MTUBytes=1500\n[Network]\nConfigureWithoutCarrier=no\nAddress=10.1.0.1/24'],
  // An interface written where no configuration reads it (an unplaced literal), and taken away.
  [/system\.stateVersion = "24\.11";/, 'draft = { type = "tap"; id = "vm-draft"; mac = "02:00:00:00:ee:01"; };\n  system.stateVersion = "24.11";'],
  [/id = "vm-\$\{name\}";\n/, '\n'],
  // A suppression comment.
  [/networking\.useDHCP = false;/, 'networking.useDHCP = false; # microvm-net: ignore tap-without-bridge -- test'],
];

async function freshView(ws: string, open: Map<string, string>): Promise<unknown> {
  const fresh = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
  await fresh.scan();
  for (const [file, text] of open) fresh.openDocument(file, text, 1);
  const v = view(fresh.analyze());
  fresh.dispose();
  return v;
}

async function main(): Promise<void> {
  const [ws, n = '30'] = process.argv.slice(2);
  const live = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
  await live.scan();
  live.analyze();
  const files = (await scanRoots({ roots: [ws], exclude: [], maxFiles: 1e9 })).files.map((f) => f.path).sort();
  let version = 1;
  let bad = 0;
  const kinds: Record<string, number> = {};
  const open = new Map<string, string>();
  for (let i = 0; i < Number(n); i++) {
    const [re, repl] = EDITS[i % EDITS.length];
    let file = '';
    let text = '';
    let m: RegExpExecArray | null = null;
    // Deterministic choice of files.
    for (let k = 0; k < files.length && !m; k++) {
      file = files[(i * 7919 + k * 104729) % files.length];
      text = open.get(file) ?? readFileSync(file, 'utf8');
      m = re.exec(text);
    }
    if (!m) continue;
    const lines = new LineIndex(text);
    const range = { start: lines.positionAt(m.index), end: lines.positionAt(m.index + m[0].length) };
    if (!open.has(file)) live.openDocument(file, text, ++version);
    live.changeDocument(file, ++version, [{ range, text: repl }]);
    open.set(file, text.slice(0, m.index) + repl + text.slice(m.index + m[0].length));
    const got = view(live.analyze());
    kinds[live.lastNixFacts] = (kinds[live.lastNixFacts] ?? 0) + 1;
    if (!isDeepStrictEqual(got, await freshView(ws, open))) {
      bad++;
      console.log('MISMATCH after editing', file, re, `(${open.size} open)`);
    }
    if (i % 3 !== 2) continue;
    for (const f of open.keys()) live.closeDocument(f);
    open.clear();
    if (!isDeepStrictEqual(view(live.analyze()), await freshView(ws, open))) {
      bad++;
      console.log('MISMATCH after closing, last', file);
    }
  }
  console.log(`${n} edits checked, ${bad} mismatches; nix facts after edits:`, kinds);
  process.exit(bad ? 1 : 0);
}
main();
