/**
 * Debug-only introspection, enabled by `MICROVM_NET_DEBUG=1` in the server's environment (never
 * in normal use): the custom request `microvmNet/debugMemory` reports the JS heap (after a full
 * GC when the process runs with `--expose-gc`) and the WebAssembly memory web-tree-sitter holds.
 *
 * The WASM figure: web-tree-sitter's emscripten runtime creates its linear memory with
 * `new WebAssembly.Memory(...)` (the grammar, a side module, shares it). `installWasmMemoryProbe`
 * wraps that constructor (and watches `instantiate` results for an exported memory) before the
 * runtime initialises, so the probe needs nothing from the engine; `buffer.byteLength` is the
 * memory's current size. WASM memory only ever grows, so a leak of trees or parsers shows as
 * growth across many edits.
 */
import type { Connection } from 'vscode-languageserver/node';

export const DEBUG_ENV = 'MICROVM_NET_DEBUG';
export const DEBUG_MEMORY_METHOD = 'microvmNet/debugMemory';

export interface DebugMemoryParams {
  /** Run `global.gc()` first (only possible under `--expose-gc`). Default true. */
  gc?: boolean;
}

export interface DebugMemoryResult {
  /** `process.memoryUsage()` after the optional GC. */
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Whether a full GC ran before measuring. */
  gc: boolean;
  /** Bytes of all WebAssembly memories seen (tree-sitter's), null before the runtime started. */
  wasmMemory: number | null;
  wasmMemories: number;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEBUG_ENV] === '1';
}

/** The parts of the WebAssembly global used here (the project's lib settings omit its types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmNamespace = Record<string, unknown> & { Memory: new (...args: unknown[]) => WasmMemory };

const wasm = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;
const OriginalMemory = wasm.Memory;
const memories: WasmMemory[] = [];
let installed = false;

function remember(memory: unknown): void {
  if (memory instanceof OriginalMemory && !memories.includes(memory)) memories.push(memory);
}

/** Wraps `WebAssembly.Memory` and `WebAssembly.instantiate*` to see the memories created. Idempotent. */
export function installWasmMemoryProbe(): void {
  if (installed) return;
  installed = true;
  wasm.Memory = new Proxy(OriginalMemory, {
    construct(target, args) {
      const memory = Reflect.construct(target, args) as WasmMemory;
      remember(memory);
      return memory;
    },
  });
  const watchExports = (result: unknown) => {
    type Instance = { exports?: Record<string, unknown> };
    const instance = (result as { instance?: Instance } | undefined)?.instance ?? (result as Instance | undefined);
    const exports = instance?.exports;
    if (exports && typeof exports === 'object') for (const value of Object.values(exports)) remember(value);
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const original = wasm[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof original !== 'function') continue;
    wasm[name] = (...args: unknown[]) => {
      for (const arg of args) {
        const env = (arg as { env?: Record<string, unknown> } | undefined)?.env;
        if (env && typeof env === 'object') remember(env.memory);
      }
      return original.apply(wasm, args).then(watchExports);
    };
  }
}

export function measureMemory(params: DebugMemoryParams | undefined): DebugMemoryResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = params?.gc !== false && typeof gc === 'function';
  if (collect) {
    // Twice: the first pass can leave finalizer-held objects for the second.
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  return {
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
    gc: collect,
    wasmMemory: memories.length ? memories.reduce((sum, m) => sum + m.buffer.byteLength, 0) : null,
    wasmMemories: memories.length,
  };
}

export function registerDebugRequests(connection: Connection): void {
  connection.onRequest(DEBUG_MEMORY_METHOD, (params: DebugMemoryParams | undefined) => measureMemory(params));
}
