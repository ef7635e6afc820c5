// Preloaded (`node --require`) into the CLI and language-server bundles by safety.test.ts.
// Any attempt to start a process, a worker or a VM context, or to compile code from a string
// through the global eval / Function, is recorded to $MICROVM_NET_GUARD_LOG and refused.
'use strict';
const fs = require('node:fs');
const log = process.env.MICROVM_NET_GUARD_LOG;
let armed = false;
function violation(what) {
  const line = `${what}\n${new Error('guard').stack}\n----\n`;
  if (log) fs.appendFileSync(log, line);
  throw new Error(`microvm-net safety guard: ${what} is not allowed`);
}
function wrap(obj, name, label) {
  const original = obj[name];
  if (typeof original !== 'function') return;
  obj[name] = function guarded(...args) {
    if (armed) violation(`${label}.${name}(${JSON.stringify(args[0] ?? '').slice(0, 80)})`);
    return original.apply(this, args);
  };
}
const cp = require('node:child_process');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) wrap(cp, name, 'child_process');
const wt = require('node:worker_threads');
const OriginalWorker = wt.Worker;
wt.Worker = function Worker() {
  violation('worker_threads.Worker');
  return new OriginalWorker(...arguments);
};
const vm = require('node:vm');
for (const name of ['runInContext', 'runInNewContext', 'runInThisContext', 'compileFunction', 'createContext']) wrap(vm, name, 'vm');
vm.Script = function Script() {
  violation('vm.Script');
};
// The global eval and Function constructor. web-tree-sitter's Emscripten loader evaluates the
// EM_ASM snippets compiled into tree-sitter.wasm (ours, trusted) from its loader functions:
// only those frames may.
const LOADER = /\b(addEmAsm|loadWebAssemblyModule|loadDylibs|getDylinkMetadata)\b/;
function fromLoader() {
  return LOADER.test(new Error('where').stack ?? '');
}
const originalEval = globalThis.eval;
globalThis.eval = function guardedEval(src) {
  if (armed && !fromLoader()) violation(`eval(${JSON.stringify(String(src)).slice(0, 80)})`);
  return originalEval(src);
};
const OriginalFunction = globalThis.Function;
function GuardedFunction(...args) {
  if (armed && !fromLoader()) violation(`Function(${JSON.stringify(args.join(',')).slice(0, 80)})`);
  return OriginalFunction(...args);
}
GuardedFunction.prototype = OriginalFunction.prototype;
globalThis.Function = GuardedFunction;
armed = true;
