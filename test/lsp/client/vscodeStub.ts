/**
 * A stand-in for the `vscode` module, enough to load the client bundle and run `activate()`
 * outside VS Code: output channels record their lines, registrations are kept, and any other
 * member (vscode-languageclient touches many at load time) is a harmless class. Install it
 * with `installVscodeStub()` before requiring client code; it resolves `require('vscode')` here.
 */
import Module from 'node:module';
import { join } from 'node:path';

/** The file `require('vscode')` resolves to; it exports `vscodeStub`. */
const VSCODE_MODULE = join(__dirname, 'vscodeModule.ts');

export interface RecordedChannel {
  name: string;
  lines: { level: string; message: string }[];
}

export const recorded = {
  channels: [] as RecordedChannel[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as unknown[][],
  treeProviders: [] as string[],
  statusItems: [] as Record<string, unknown>[],
  /** Members outside the explicit stub that were read (vscode-languageclient reads many at load). */
  fallbackReads: [] as string[],
};

export function resetRecorded(): void {
  recorded.channels.length = 0;
  recorded.commands.clear();
  recorded.executed.length = 0;
  recorded.treeProviders.length = 0;
  recorded.statusItems.length = 0;
  recorded.fallbackReads.length = 0;
}

class Disposable {
  constructor(private readonly fn: () => void = () => {}) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

/** A LogOutputChannel that keeps what is written to it. */
export function fakeOutputChannel(name = 'test'): RecordedChannel & Record<string, unknown> {
  return makeChannel(name) as unknown as RecordedChannel & Record<string, unknown>;
}

function makeChannel(name: string) {
  const channel: RecordedChannel = { name, lines: [] };
  const log = (level: string) => (message: string) => channel.lines.push({ level, message });
  return Object.assign(channel, {
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter<number>().event,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: (e: string | Error) => channel.lines.push({ level: 'error', message: String(e instanceof Error ? e.message : e) }),
    append: log('append'),
    appendLine: log('append'),
    replace: log('replace'),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  });
}

const explicit: Record<string, unknown> = {
  Disposable,
  EventEmitter,
  version: '1.82.0',
  env: { appName: 'stub', language: 'en', machineId: 'stub', sessionId: 'stub', uiKind: 1 },
  window: {
    createOutputChannel(name: string) {
      const channel = fakeOutputChannel(name);
      recorded.channels.push(channel);
      return channel;
    },
    registerTreeDataProvider(id: string) {
      recorded.treeProviders.push(id);
      return new Disposable();
    },
    showWarningMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    showInformationMessage: async () => undefined,
    setStatusBarMessage: () => new Disposable(),
    createStatusBarItem(id: string) {
      const item: Record<string, unknown> = { id, show() {}, hide() {}, dispose() {} };
      recorded.statusItems.push(item);
      return item;
    },
  },
  extensions: {
    all: [],
    onDidChange: new EventEmitter<void>().event,
    getExtension: () => undefined,
  },
  languages: {
    createLanguageStatusItem(id: string) {
      const item: Record<string, unknown> = { id, dispose() {} };
      recorded.statusItems.push(item);
      return item;
    },
  },
  commands: {
    registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
      recorded.commands.set(id, fn);
      return new Disposable(() => recorded.commands.delete(id));
    },
    executeCommand: async (...args: unknown[]) => {
      recorded.executed.push(args);
      return undefined;
    },
  },
  workspace: {
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (_k: string, d?: unknown) => d, has: () => false, inspect: () => undefined, update: async () => {} }),
    onDidChangeConfiguration: new EventEmitter<unknown>().event,
    registerTextDocumentContentProvider: () => new Disposable(),
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ThemeColor: class ThemeColor {
    constructor(readonly id: string) {}
  },
};

/** Unknown members: a class (for `extends vscode.X` at load time) that is also an empty enum. */
const fallback = new Map<PropertyKey, unknown>();
export const vscodeStub: Record<string, unknown> = new Proxy(explicit, {
  get(target, key) {
    if (key in target) return target[key as string];
    if (key === '__esModule' || key === 'then' || typeof key === 'symbol') return undefined;
    recorded.fallbackReads.push(key);
    if (!fallback.has(key)) fallback.set(key, class {});
    return fallback.get(key);
  },
});

let installed = false;

/** Makes `require('vscode')` resolve to this stub (idempotent). */
export function installVscodeStub(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return VSCODE_MODULE;
    return original.call(this, request, ...rest);
  };
}
