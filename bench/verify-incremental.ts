// Dev check (not a test): edits Nix files of a generated workspace in one long-lived service
// and compares every analysis with a fresh service's full analysis of the same texts.
//   node --import tsx bench/verify-incremental.ts bench/workspaces/ws-1000-s1 [edits]
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { scanRoots } from '../server/src/engine/files';
import { DEFAULT_SETTINGS } from '../server/src/protocol/settings';
import { createLanguageService } from '../server/src/engine/workspace';
import { LineIndex } from '../server/src/engine/text';

function view(snap: { facts: unknown; outcomes: unknown; diagnostics: Map<string, unknown[]> }): unknown {
  return JSON.parse(JSON.stringify({ facts: snap.facts, outcomes: snap.outcomes, diagnostics: [...snap.diagnostics] }));
}

async function main(): Promise<void> {
  const [ws, n = '30'] = process.argv.slice(2);
  const live = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
  await live.scan();
  live.analyze();
  const files = (await scanRoots({ roots: [ws], exclude: [], maxFiles: 1e9 })).files.filter((f) => f.kind === 'nix').map((f) => f.path).sort();
  // Edits that matter: ids, imports, module bodies, lets; deterministic choice of files.
  const edits: [RegExp, string][] = [
    [/"vm-\$\{name\}"/, '"vx-${name}"'],
    [/mem = \d+;/, 'mem = 4096;'],
    [/imports = \[/, 'imports = [ ./nope.nix'],
    [/enable = true;/, 'enable = false;'],
    [/Bridge = bridge;/, 'Bridge = "br9";'],
    [/\{ lib, \.\.\. \}:/, '{ lib, config, ... }:'],
    [/in\n/, 'in builtins.trace 1\n'],
    [/;\n\}/, ';\n  x = ;\n}'],
  ];
  let version = 1;
  let bad = 0;
  const kinds: Record<string, number> = {};
  for (let i = 0; i < Number(n); i++) {
    const [re, repl] = edits[i % edits.length];
    let file = '';
    let text = '';
    let m: RegExpExecArray | null = null;
    for (let k = 0; k < files.length && !m; k++) {
      file = files[(i * 7919 + k * 104729) % files.length];
      text = readFileSync(file, 'utf8');
      m = re.exec(text);
    }
    if (!m) continue;
    const lines = new LineIndex(text);
    const range = { start: lines.positionAt(m.index), end: lines.positionAt(m.index + m[0].length) };
    live.openDocument(file, text, ++version);
    live.changeDocument(file, ++version, [{ range, text: repl }]);
    const got = view(live.analyze());
    kinds[live.lastNixFacts] = (kinds[live.lastNixFacts] ?? 0) + 1;
    const fresh = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
    await fresh.scan();
    fresh.openDocument(file, text.slice(0, m.index) + repl + text.slice(m.index + m[0].length), 1);
    const want = view(fresh.analyze());
    fresh.dispose();
    if (!isDeepStrictEqual(got, want)) {
      bad++;
      console.log('MISMATCH after editing', file, re);
    }
    live.closeDocument(file);
    const back = view(live.analyze());
    const fresh2 = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
    await fresh2.scan();
    const want2 = view(fresh2.analyze());
    fresh2.dispose();
    if (!isDeepStrictEqual(back, want2)) {
      bad++;
      console.log('MISMATCH after closing', file);
    }
  }
  console.log(`${n} edits checked, ${bad} mismatches; nix facts after edits:`, kinds);
  process.exit(bad ? 1 : 0);
}
main();
