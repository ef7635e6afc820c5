// Times loading the client bundle and activate() in plain node (no tsx hooks in the way), with a
// minimal `vscode` stub. Prints one JSON line: { require, activate, startAfter } in ms.
// Usage: node test/lsp/client/measureActivation.js dist/client/extension.js
'use strict';
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

class Disposable {
  constructor(fn) { this.fn = fn || (() => {}); }
  static from(...items) { return new Disposable(() => items.forEach((i) => i.dispose())); }
  dispose() { this.fn(); }
}
class EventEmitter {
  constructor() { this.listeners = []; this.event = (l) => { this.listeners.push(l); return new Disposable(); }; }
  fire(e) { this.listeners.forEach((l) => l(e)); }
  dispose() {}
}
const channel = () => ({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, append() {}, appendLine() {}, show() {}, dispose() {} });
const explicit = {
  Disposable,
  EventEmitter,
  window: {
    createOutputChannel: channel,
    registerTreeDataProvider: () => new Disposable(),
    createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
  },
  extensions: { all: [], onDidChange: new EventEmitter().event },
  workspace: { registerTextDocumentContentProvider: () => new Disposable() },
  languages: { createLanguageStatusItem: () => ({ dispose() {} }) },
  commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ThemeColor: class ThemeColor {
    constructor(id) {
      this.id = id;
    }
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
};
const fallback = new Map();
const vscode = new Proxy(explicit, {
  get(target, key) {
    if (key in target) return target[key];
    if (key === '__esModule' || key === 'then' || typeof key === 'symbol') return undefined;
    if (!fallback.has(key)) fallback.set(key, class {});
    return fallback.get(key);
  },
});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? __filename : resolve.call(this, request, ...rest);
};

const bundle = require('node:path').resolve(process.argv[2]);
module.exports = vscode; // what require('vscode') gets
const t0 = performance.now();
const extension = require(bundle);
const t1 = performance.now();
let startAt = 0;
const context = { subscriptions: [], asAbsolutePath() { startAt = performance.now(); throw new Error('measurement only'); } };
const result = extension.activate(context);
const t2 = performance.now();
Promise.resolve(result)
  .catch(() => undefined)
  .then(() => new Promise((r) => setTimeout(r, 300)))
  .then(() => {
    const ms = (x) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({ require: ms(t1 - t0), activate: ms(t2 - t1), startAfter: startAt ? ms(startAt - t2) : null }));
    process.exit(0);
  });
