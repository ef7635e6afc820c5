// Bundles the CLI, the language server and the VS Code client into dist/ and copies the two
// WASM files the parser needs (web-tree-sitter's runtime and the tree-sitter-nix grammar).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const entries = [
  // The CLI is two bundles: cli.js answers a warm `check --cache` alone and requires cli-full.js
  // (the parser, the evaluator, the checks) for anything else (server/src/cli/main.ts).
  { in: 'server/src/cli/main.ts', out: 'cli.js', split: { './fullRun': './cli-full.js' } },
  { in: 'server/src/cli/fullRun.ts', out: 'cli-full.js' },
  { in: 'server/src/lsp/main.ts', out: 'server.js' },
  { in: 'client/src/extension.ts', out: 'client/extension.js', external: ['vscode'] },
];

/** Resolves each listed import to another bundle of dist/, left for node to load at run time. */
function separateBundles(map) {
  const filter = new RegExp(`^(${Object.keys(map).map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'separate-bundles',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: map[args.path], external: true }));
    },
  };
}

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
for (const entry of entries) {
  const input = join(root, entry.in);
  if (!existsSync(input)) throw new Error(`build: entry point ${entry.in} is missing`);
  await build({
    entryPoints: [input],
    outfile: join(dist, entry.out),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    minify,
    external: entry.external ?? [],
    plugins: entry.split ? [separateBundles(entry.split)] : [],
    // web-tree-sitter locates itself with createRequire(import.meta.url), which a CJS bundle
    // does not have: give it the bundle's own URL.
    define: { 'import.meta.url': '__bundle_url' },
    banner: { js: "const __bundle_url = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
}

// The map page runs in a webview (a browser): its own bundle, loaded under a strict CSP.
mkdirSync(join(dist, 'webview'), { recursive: true });
await build({
  entryPoints: [join(root, 'client/webview/map.ts')],
  outfile: join(dist, 'webview', 'map.js'),
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  // Written into the page (client/src/networkMap.ts): no source map URL for the page to fetch.
  sourcemap: false,
  minify,
  logLevel: 'warning',
});
copyFileSync(join(root, 'client/webview/map.css'), join(dist, 'webview', 'map.css'));

const wasm = [
  ['node_modules/web-tree-sitter/tree-sitter.wasm', 'tree-sitter.wasm'],
  ['node_modules/@cursorless/tree-sitter-wasms/out/tree-sitter-nix.wasm', 'tree-sitter-nix.wasm'],
];
for (const [from, to] of wasm) copyFileSync(join(root, from), join(dist, to));
if (!watch) console.log(`built ${entries.length} bundles into dist/`);
