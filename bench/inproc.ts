// One measurement in a fresh process. bench/run.mjs bundles this file with esbuild (like dist/)
// and runs it; it prints one JSON line.
//   raw <ws>                read every .nix file, then web-tree-sitter-parse each (tree deleted at once)
//   analyze <ws>            createLanguageService + scan + analyze (cold), like `microvm-net check`
//   edit <ws> <file> <n>    engine-only: n one-character edits of <file> (open in the service), each
//                           followed by analyze(); then n hovers on the edited id
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { scanRoots } from '../server/src/engine/files';
import { NixParser, wasmHeapBytes } from '../server/src/engine/nix/parser';
import { DEFAULT_SETTINGS } from '../server/src/protocol/settings';
import { createLanguageService } from '../server/src/engine/workspace';
import { LineIndex } from '../server/src/engine/text';

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

/** The edit site: the first `id = "vm-` in the file; toggling `m`↔`x` changes diagnostics. */
export function editSite(text: string): { offset: number; line: number; character: number } {
  const at = text.indexOf('id = "vm-');
  if (at < 0) throw new Error('no id = "vm-... in the edited file');
  const offset = at + 'id = "v'.length;
  const pos = new LineIndex(text).positionAt(offset);
  return { offset, line: pos.line, character: pos.character };
}

async function main(): Promise<void> {
  const [mode, ws, file, count] = process.argv.slice(2);
  const out: Record<string, unknown> = { mode };
  if (mode === 'raw') {
    const scan = await scanRoots({ roots: [ws], exclude: [], maxFiles: 1e9 });
    const nix = scan.files.filter((f) => f.kind === 'nix').map((f) => f.path);
    const t0 = performance.now();
    const texts = nix.map((p) => readFileSync(p, 'utf8'));
    const t1 = performance.now();
    const parser = await NixParser.create();
    const t2 = performance.now();
    let chars = 0;
    for (const text of texts) {
      const tree = parser.parse(text);
      chars += text.length;
      tree.delete();
    }
    const t3 = performance.now();
    Object.assign(out, { files: nix.length, chars, readMs: t1 - t0, initMs: t2 - t1, parseMs: t3 - t2, totalMs: t3 - t0 });
  } else if (mode === 'analyze') {
    const t0 = performance.now();
    const service = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
    const t1 = performance.now();
    await service.scan();
    const t2 = performance.now();
    const snap = service.analyze();
    const t3 = performance.now();
    Object.assign(out, {
      initMs: t1 - t0,
      scanMs: t2 - t1,
      analyzeMs: t3 - t2,
      totalMs: t3 - t0,
      interfaces: snap.facts.interfaces.length,
      diagnostics: [...snap.diagnostics.values()].reduce((n, l) => n + l.length, 0),
    });
  } else if (mode === 'edit') {
    const n = Number(count ?? 200);
    const service = await createLanguageService({ roots: [ws], settings: DEFAULT_SETTINGS });
    await service.scan();
    const t0 = performance.now();
    service.analyze();
    out.coldMs = performance.now() - t0;
    const gc0 = (globalThis as { gc?: () => void }).gc;
    if (gc0) {
      gc0();
      out.heapAfterColdGcMB = process.memoryUsage().heapUsed / 1048576;
    }
    const text0 = readFileSync(file, 'utf8');
    service.openDocument(file, text0, 1);
    const t1 = performance.now();
    const base = service.analyze();
    out.openMs = performance.now() - t1;
    const site = editSite(text0);
    const range = { start: { line: site.line, character: site.character }, end: { line: site.line, character: site.character + 1 } };
    const edits: number[] = [];
    const editCpu: number[] = [];
    const counts = new Set<number>();
    const kinds: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      service.changeDocument(file, i + 2, [{ range, text: i % 2 === 0 ? 'x' : 'm' }]);
      const snap = service.analyze();
      edits.push(performance.now() - t);
      const dc = process.cpuUsage(c);
      editCpu.push((dc.user + dc.system) / 1000);
      counts.add((snap.diagnostics.get(file) ?? []).length);
      kinds[service.lastNixFacts] = (kinds[service.lastNixFacts] ?? 0) + 1;
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      out.heapAfterEditsGcMB = process.memoryUsage().heapUsed / 1048576;
    }
    // Back to the original text (even n), then hovers on the id.
    service.analyze();
    const hovers: number[] = [];
    let hovered = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const h = service.hover(file, { line: site.line, character: site.character + 2 });
      hovers.push(performance.now() - t);
      if (h) hovered++;
    }
    Object.assign(out, {
      edits: n,
      edit: stats(edits),
      editCpu: stats(editCpu),
      nixFacts: kinds,
      diagnosticCounts: [...counts].sort((a, b) => a - b),
      baseDiagnostics: (base.diagnostics.get(file) ?? []).length,
      hover: stats(hovers),
      hoverAnswered: hovered,
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const cpu = process.cpuUsage();
  out.cpuMs = (cpu.user + cpu.system) / 1000;
  out.maxRssMB = process.resourceUsage().maxRSS / 1024;
  out.wasmHeapMB = (wasmHeapBytes() ?? 0) / 1048576;
  out.heapUsedMB = process.memoryUsage().heapUsed / 1048576;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
