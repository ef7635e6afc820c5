/**
 * 10,000 edit cycles through the built server with flat memory. The server runs with
 * `--expose-gc` and `MICROVM_NET_DEBUG=1`, which enables `microvmNet/debugMemory`
 * (server/src/lsp/debug.ts): JS heap after a full GC and the size of tree-sitter's WebAssembly
 * memory. Each cycle is an incremental edit of the seed's id (alternating between the seed id
 * and a too-long one, so the diagnostics change every time) plus a hover that forces the
 * re-analysis; every 500 cycles the debounced diagnostics are awaited too. A warm-up comes
 * before the first measurement (caches, JIT, WASM growth to the working size). This is a
 * memory property, not a timing one: growth must stay within 10%.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { BUILT_SERVER, ensureBuilt, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

interface Memory {
  heapUsed: number;
  wasmMemory: number | null;
  gc: boolean;
}

const CYCLES = 10_000;
const WARM_UP = 1_000;
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

test(`${CYCLES} edit cycles keep the JS heap and tree-sitter's WASM memory flat (within 10%)`, { timeout: 300_000 }, async () => {
  const root = copyWorkspace('seed');
  const client = await LspClient.start({
    roots: [root],
    command: [process.execPath, '--expose-gc', BUILT_SERVER, '--stdio'],
    env: { MICROVM_NET_DEBUG: '1' },
  });
  try {
    const uri = await client.openFile(join(root, 'hosts', 'hv', 'vms.nix'));
    const warning = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
    const idRange = warning.range;
    const memory = () => client.connection.sendRequest('microvmNet/debugMemory', { gc: true }) as Promise<Memory>;

    let long = false;
    const cycles = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const range = long
          ? { start: idRange.start, end: { line: idRange.end.line, character: idRange.end.character + 6 } }
          : idRange;
        long = !long;
        await client.change(uri, [{ range, text: long ? '"my-microvm-long1"' : '"my-microvm"' }]);
        const hover = await client.hover(uri, { line: idRange.start.line, character: idRange.start.character + 2 });
        assert.ok(hover, `hover after edit ${i}`);
        if (i % 500 === 499) {
          const code = long ? 'interface-name-too-long' : 'tap-without-bridge';
          await client.waitForDiagnostic(uri, (d) => d.code === code && d.severity !== DiagnosticSeverity.Hint, 30_000);
        }
      }
    };

    await cycles(WARM_UP);
    const start = await memory();
    assert.equal(start.gc, true, 'the server runs with --expose-gc');
    assert.ok(start.wasmMemory !== null && start.wasmMemory > 0, 'the WASM memory of web-tree-sitter is visible');
    const started = Date.now();
    await cycles(CYCLES);
    const seconds = (Date.now() - started) / 1000;
    const end = await memory();

    const heapGrowth = (end.heapUsed - start.heapUsed) / start.heapUsed;
    const wasmGrowth = (end.wasmMemory! - start.wasmMemory!) / start.wasmMemory!;
    console.log(
      `memory over ${CYCLES} edit cycles (${seconds.toFixed(1)} s, after ${WARM_UP} warm-up cycles): ` +
        `JS heap ${MB(start.heapUsed)} -> ${MB(end.heapUsed)} (${(heapGrowth * 100).toFixed(1)}%), ` +
        `WASM ${MB(start.wasmMemory!)} -> ${MB(end.wasmMemory!)} (${(wasmGrowth * 100).toFixed(1)}%)`,
    );
    assert.ok(heapGrowth <= 0.1, `JS heap grew ${(heapGrowth * 100).toFixed(1)}%`);
    assert.ok(wasmGrowth <= 0.1, `WASM memory grew ${(wasmGrowth * 100).toFixed(1)}%`);
    // The last state is the one published.
    assert.ok(client.text(uri)!.includes(long ? '"my-microvm-long1"' : '"my-microvm"'));
  } finally {
    await client.stop();
  }
});

test('without MICROVM_NET_DEBUG the debug request does not exist', async () => {
  const root = copyWorkspace('seed');
  const client = await LspClient.start({ roots: [root], env: { MICROVM_NET_DEBUG: '' } });
  try {
    await assert.rejects(client.connection.sendRequest('microvmNet/debugMemory', {}), /Unhandled method microvmNet\/debugMemory/);
  } finally {
    await client.stop();
  }
});
