/**
 * The server and the CLI never start processes or evaluate workspace code (design: analysis is
 * static). Three layers:
 *
 * 1. Sources: every server/src/**\/*.ts file is parsed with the TypeScript compiler; importing or
 *    requiring child_process / worker_threads / vm / cluster (with or without `node:`), dynamic
 *    import(), calling `eval`, or `Function` / `new Function` fails the test.
 * 2. Bundles: dist/cli.js and dist/server.js (when built) and fresh bundles of the same entry
 *    points built here, split into their modules by esbuild's `// path` markers. The forbidden
 *    patterns may only appear in the listed third-party modules (vscode-languageserver's
 *    files.js helpers, which we never call, and web-tree-sitter's Emscripten loader `eval` of the
 *    EM_ASM snippets inside tree-sitter.wasm). Our code in the bundle must have none.
 * 3. Runtime: guard.cjs, preloaded with `node --require`, replaces child_process' spawners,
 *    worker_threads.Worker, vm's entry points, the global eval and Function with functions that
 *    log and throw (the Emscripten loader frames excepted). The fresh CLI bundle then checks
 *    every fixture plus a workspace full of code-execution attempts (`builtins.exec`, fetchers,
 *    `import <nixpkgs>`, `readFile /etc/...`), with `--fix` on a copy; the fresh server bundle
 *    answers initialize/didOpen/hover/codeAction/shutdown over stdio. The log must stay empty.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
const GUARD = join(__dirname, 'safety', 'guard.cjs');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'microvm-net-safety-'));
  made.push(d);
  return d;
}

const FORBIDDEN_MODULES = new Set(['child_process', 'worker_threads', 'vm', 'cluster'].flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Forbidden constructs in one TypeScript source, as `file:line: what`. */
export function forbiddenInSource(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const at = (node: ts.Node, what: string) => out.push(`${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (FORBIDDEN_MODULES.has(node.moduleSpecifier.text)) at(node, `imports ${node.moduleSpecifier.text}`);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e) && FORBIDDEN_MODULES.has(e.text)) at(node, `imports ${e.text}`);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) at(node, 'dynamic import()');
      if (ts.isIdentifier(callee) && callee.text === 'require') {
        const arg = node.arguments[0];
        if (!arg || !ts.isStringLiteral(arg)) at(node, 'require() of a computed name');
        else if (FORBIDDEN_MODULES.has(arg.text)) at(node, `requires ${arg.text}`);
      }
      if (ts.isIdentifier(callee) && (callee.text === 'eval' || callee.text === 'Function')) at(node, `${callee.text}(...)`);
      if (ts.isPropertyAccessExpression(callee) && ['eval', 'Function'].includes(callee.name.text) && ts.isIdentifier(callee.expression) && ['globalThis', 'global', 'window'].includes(callee.expression.text)) {
        at(node, `${callee.expression.text}.${callee.name.text}(...)`);
      }
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'process' && ['binding', 'dlopen', '_linkedBinding', 'execve'].includes(callee.name.text)) {
        at(node, `process.${callee.name.text}(...)`);
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') at(node, 'new Function(...)');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

test('sources: no process, worker, vm, eval or Function anywhere in server/src', () => {
  const files = sourceFiles(join(ROOT, 'server', 'src'));
  assert.ok(files.length > 50);
  const found = files.flatMap((f) => forbiddenInSource(f, readFileSync(f, 'utf8')));
  assert.deepEqual(found, []);
});

test('the source check catches what it must', () => {
  const bad = [
    "import { spawn } from 'node:child_process';",
    "import * as cp from 'child_process';",
    "import cp = require('child_process');",
    "const w = require('worker_threads');",
    "export { Script } from 'vm';",
    "const m = await import('./x');",
    'eval(code);',
    "globalThis.eval('1');",
    "const f = new Function('a', 'return a');",
    "const g = Function('return 1');",
    'require(name);',
  ];
  for (const src of bad) assert.equal(forbiddenInSource('/x.ts', src).length, 1, src);
  assert.deepEqual(forbiddenInSource('/x.ts', "const ev = { eval: () => 1 }; ev.eval(); this.eval(); import { x } from './child_process_notes';"), []);
});

// ---------------------------------------------------------------------------------------------
// Bundles

const ENTRIES = [
  { in: 'server/src/cli/main.ts', out: 'cli.js' },
  { in: 'server/src/lsp/main.ts', out: 'server.js' },
  { in: 'server/src/cli/fullRun.ts', out: 'cli-full.js' },
];

let fresh: Promise<string> | undefined;
/** Bundles the CLI and the server into a temp dir exactly as scripts/build.mjs does (no write to dist/). */
function freshBundles(): Promise<string> {
  fresh ??= (async () => {
    const dir = tempDir();
    for (const entry of ENTRIES) {
      await build({
        entryPoints: [join(ROOT, entry.in)],
        outfile: join(dir, entry.out),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        define: { 'import.meta.url': '__bundle_url' },
        banner: { js: "const __bundle_url = require('url').pathToFileURL(__filename).href;" },
        logLevel: 'silent',
      });
    }
    copyFileSync(join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(dir, 'tree-sitter.wasm'));
    copyFileSync(join(ROOT, 'node_modules/@cursorless/tree-sitter-wasms/out/tree-sitter-nix.wasm'), join(dir, 'tree-sitter-nix.wasm'));
    return dir;
  })();
  return fresh;
}

/** Third-party modules allowed to contain a pattern, and why. */
const ALLOWED: { module: RegExp; pattern: string; why: string }[] = [
  { module: /^node_modules\/vscode-languageserver\/lib\/node\/files\.js$/, pattern: 'child_process', why: 'resolveGlobalNodePath/resolveModulePath helpers, never called by us' },
  { module: /^node_modules\/web-tree-sitter\//, pattern: 'eval(', why: 'Emscripten loader evaluates the EM_ASM snippets of tree-sitter.wasm' },
];

const BUNDLE_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'child_process', re: /require\(["'](?:node:)?child_process["']\)/g },
  { name: 'worker_threads', re: /require\(["'](?:node:)?worker_threads["']\)/g },
  { name: 'vm', re: /require\(["'](?:node:)?vm["']\)/g },
  { name: 'cluster', re: /require\(["'](?:node:)?cluster["']\)/g },
  { name: 'eval(', re: /(?<![\w.$])eval\s*\(/g },
  { name: 'new Function', re: /new\s+Function\s*\(/g },
];

/** Forbidden patterns in a bundle, each attributed to the module (esbuild `// path` marker) holding it. */
function forbiddenInBundle(text: string): { module: string; pattern: string; line: number }[] {
  const markers: { at: number; module: string }[] = [{ at: 0, module: '(bundle prologue)' }];
  for (const m of text.matchAll(/^\/\/ ((?:node_modules|server|client|package\.json)[^\n]*)$/gm)) markers.push({ at: m.index!, module: m[1].trim() });
  const moduleAt = (offset: number) => {
    let lo = 0;
    let hi = markers.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (markers[mid].at <= offset) lo = mid;
      else hi = mid - 1;
    }
    return markers[lo].module;
  };
  const out: { module: string; pattern: string; line: number }[] = [];
  for (const p of BUNDLE_PATTERNS) {
    for (const m of text.matchAll(p.re)) out.push({ module: moduleAt(m.index!), pattern: p.name, line: text.slice(0, m.index!).split('\n').length });
  }
  return out;
}

async function checkBundle(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  assert.ok(/^\/\/ server\/src\//m.test(text), `${file}: no module markers (minified?); build without --minify to check it`);
  const found = forbiddenInBundle(text);
  const bad = found.filter((f) => !ALLOWED.some((a) => a.pattern === f.pattern && a.module.test(f.module)));
  assert.deepEqual(bad.map((f) => `${relative(ROOT, file)}:${f.line}: ${f.pattern} in ${f.module}`), []);
  // Our own modules never appear among the hits, allowed or not.
  assert.ok(!found.some((f) => f.module.startsWith('server/') || f.module.startsWith('client/')));
}

test('bundles: forbidden patterns only in the listed third-party modules (fresh build and dist/)', { timeout: 120_000 }, async (t) => {
  const dir = await freshBundles();
  for (const entry of ENTRIES) await checkBundle(join(dir, entry.out));
  for (const entry of ENTRIES) {
    const built = join(ROOT, 'dist', entry.out);
    if (existsSync(built)) await checkBundle(built);
    else t.diagnostic(`${relative(ROOT, built)} not built; checked the fresh bundle only`);
  }
});

test('the bundle check attributes hits to modules', () => {
  const text = '// server/src/engine/x.ts\nconst a = require("child_process");\n// node_modules/web-tree-sitter/tree-sitter.js\nx = eval(f);\n';
  assert.deepEqual(forbiddenInBundle(text), [
    { module: 'server/src/engine/x.ts', pattern: 'child_process', line: 2 },
    { module: 'node_modules/web-tree-sitter/tree-sitter.js', pattern: 'eval(', line: 4 },
  ]);
});

// ---------------------------------------------------------------------------------------------
// Runtime guard

function guarded(script: string, args: string[], log: string, input?: string) {
  return spawnSync(process.execPath, ['--require', GUARD, script, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, MICROVM_NET_GUARD_LOG: log },
    input,
    timeout: 240_000,
  });
}

test('the runtime guard refuses and logs', () => {
  const dir = tempDir();
  const log = join(dir, 'guard.log');
  for (const src of [
    "require('child_process').spawnSync('true')",
    "require('node:child_process').exec('true')",
    "new (require('worker_threads').Worker)('1', { eval: true })",
    "require('vm').runInNewContext('1')",
    "eval('1')",
    "new Function('return 1')()",
  ]) {
    const script = join(dir, 'probe.js');
    writeFileSync(script, src);
    const r = guarded(script, [], log);
    assert.notEqual(r.status, 0, src);
    assert.match(r.stderr, /microvm-net safety guard/, src);
  }
  assert.equal(readFileSync(log, 'utf8').split('----').length - 1, 6);
});

const EVIL: Record<string, string> = {
  'flake.nix': `{
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.h = nixpkgs.lib.nixosSystem { modules = [ ./host.nix ]; };
  };
}
`,
  'host.nix': `{ pkgs, lib, ... }:
let
  pwn = builtins.exec [ "sh" "-c" "touch /tmp/microvm-net-pwned" ];
  fetched = builtins.fetchurl "http://127.0.0.1:9/x";
  git = builtins.fetchGit { url = "file:///etc"; };
  ifd = import (pkgs.runCommand "x" { } "touch /tmp/microvm-net-pwned; echo {} > $out");
  secret = builtins.readFile /etc/passwd;
  shadow = builtins.readFile "/etc/shadow";
  np = import <nixpkgs> { };
  drv = derivation { name = "x"; builder = "/bin/sh"; args = [ "-c" "touch /tmp/microvm-net-pwned" ]; system = "x86_64-linux"; };
in {
  imports = [ (import /etc/nixos/configuration.nix) ];
  microvm.vms.web.config.microvm.interfaces = [
    { type = "tap"; id = "vm-\${builtins.substring 0 3 (toString pwn)}\${toString fetched}\${secret}\${toString drv}"; mac = "02:00:00:00:00:01"; }
    { type = "tap"; id = "vm-\${toString (builtins.length (builtins.attrNames np))}\${git.outPath or ""}\${toString ifd}"; mac = "02:00:00:00:00:02"; }
  ];
  systemd.services.x.script = "rm -rf /";
  system.activationScripts.x = "touch /tmp/microvm-net-pwned";
}
`,
};

test('runtime: the CLI bundle checks every fixture and hostile code (with --fix) without starting anything', { timeout: 300_000 }, async () => {
  const bundles = await freshBundles();
  const dir = tempDir();
  const log = join(dir, 'guard.log');
  const ws = join(dir, 'ws');
  cpSync(FIXTURES, ws, { recursive: true });
  const evil = join(ws, 'zz-evil');
  cpSync(join(ws, 'seed'), evil, { recursive: true });
  for (const [rel, text] of Object.entries(EVIL)) writeFileSync(join(evil, rel), text);
  rmSync('/tmp/microvm-net-pwned', { force: true });
  const roots = readdirSync(ws).map((n) => join(ws, n)).filter((p) => existsSync(join(p, 'flake.nix')) || existsSync(join(p, 'expected.json')));
  const check = guarded(join(bundles, 'cli.js'), ['check', ...roots, '--format', 'json', '--fail-on', 'never'], log);
  assert.equal(check.status, 0, check.stderr);
  const report = JSON.parse(check.stdout) as { interfaces: unknown[] };
  assert.ok(report.interfaces.length > 50);
  const fix = guarded(join(bundles, 'cli.js'), ['check', ...roots, '--fix', '--fail-on', 'never'], log);
  assert.equal(fix.status, 0, fix.stderr);
  assert.match(fix.stdout, /^fixed /m, 'the --fix run fixed something');
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
  assert.ok(!existsSync('/tmp/microvm-net-pwned'));
});

test('runtime: the server bundle answers an editor session without starting anything', { timeout: 120_000 }, async () => {
  const bundles = await freshBundles();
  const dir = tempDir();
  const log = join(dir, 'guard.log');
  const ws = join(dir, 'ws');
  cpSync(join(FIXTURES, 'seed'), ws, { recursive: true });
  for (const [rel, text] of Object.entries(EVIL)) writeFileSync(join(ws, rel === 'flake.nix' ? 'evil-flake.nix' : rel), text);
  const child = spawn(process.execPath, ['--require', GUARD, join(bundles, 'server.js'), '--stdio'], {
    env: { PATH: process.env.PATH, MICROVM_NET_GUARD_LOG: log },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const pending = new Map<number, (v: unknown) => void>();
  const notifications: { method: string; params: unknown }[] = [];
  let buffer = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())?.[1]);
      if (buffer.length < head + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString());
      buffer = buffer.subarray(head + 4 + length);
      if (msg.id !== undefined && msg.method === undefined) pending.get(msg.id)?.(msg);
      else if (msg.id !== undefined) send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? (msg.params.items as unknown[]).map(() => null) : null });
      else notifications.push(msg);
    }
  });
  const send = (msg: object) => {
    const body = JSON.stringify(msg);
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  let nextId = 1;
  const request = (method: string, params: unknown) =>
    new Promise<{ result?: unknown; error?: unknown }>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer (stderr: ${stderr.slice(-2000)})`)), 60_000);
      pending.set(id, (v) => {
        clearTimeout(timer);
        resolve(v as { result?: unknown });
      });
      send({ jsonrpc: '2.0', id, method, params });
    });
  const uri = (p: string) => `file://${p}`;
  try {
    const init = await request('initialize', { processId: process.pid, rootUri: uri(ws), workspaceFolders: [{ uri: uri(ws), name: 'ws' }], capabilities: {} });
    assert.ok(init.result, JSON.stringify(init));
    send({ jsonrpc: '2.0', method: 'initialized', params: {} });
    const vms = join(ws, 'hosts/hv/vms.nix');
    send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: uri(vms), languageId: 'nix', version: 1, text: readFileSync(vms, 'utf8') } } });
    const host = join(ws, 'host.nix');
    send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: uri(host), languageId: 'nix', version: 1, text: readFileSync(host, 'utf8') } } });
    const deadline = Date.now() + 60_000;
    while (!notifications.some((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri(vms)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(notifications.some((n) => n.method === 'textDocument/publishDiagnostics'), `no diagnostics published (stderr: ${stderr.slice(-2000)})`);
    const position = { line: 11, character: 19 };
    await request('textDocument/hover', { textDocument: { uri: uri(vms) }, position });
    await request('textDocument/codeAction', { textDocument: { uri: uri(vms) }, range: { start: position, end: position }, context: { diagnostics: [] } });
    await request('shutdown', null);
    send({ jsonrpc: '2.0', method: 'exit' });
    await new Promise((r) => child.once('exit', r));
  } finally {
    child.kill();
  }
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '', `guard log (stderr: ${stderr.slice(-1000)})`);
});
