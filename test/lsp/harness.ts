/**
 * A scriptable LSP client for tests: spawns a server over stdio, answers the server's requests
 * (configuration, progress tokens, registrations, applyEdit), records what it is sent, keeps
 * the texts of the documents it opened and can apply a WorkspaceEdit to them and send the
 * result back, which is the loop every quick-fix test needs:
 *
 *   const client = await LspClient.start({ roots: [dir] });
 *   const uri = await client.openFile(join(dir, 'vms.nix'));
 *   const diag = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge');
 *   const [fix] = await client.codeActions(uri, diag);
 *   await client.applyWorkspaceEdit(fix.edit!);
 *   await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'));
 *   await client.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventEmitter } from 'node:events';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  CodeLensRefreshRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  FileChangeType,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageRequest,
  ShutdownRequest,
  UnregistrationRequest,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
  type ClientCapabilities,
  type CodeAction,
  type ConfigurationItem,
  type Diagnostic,
  type FileEvent,
  type Hover,
  type InitializeResult,
  type ProtocolConnection,
  type Range,
  type Registration,
  type TextDocumentContentChangeEvent,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
  type WorkspaceEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver-protocol/node';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

export const REPO = resolve(__dirname, '..', '..');
export const BUILT_SERVER = join(REPO, 'dist', 'server.js');
export const FAKE_SERVER = join(__dirname, 'fake', 'fakeServer.ts');

/** `node dist/server.js --stdio`: what the semantic tests run (build first). */
export function builtServerCommand(): string[] {
  return [process.execPath, BUILT_SERVER, '--stdio'];
}

/** Newest modification time (ms) of any file under `dirs` (recursively) and of `files`. */
function newestSource(dirs: string[], files: string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return; // Deleted meanwhile (others edit the tree concurrently).
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const d of dirs) visit(d);
  for (const f of files) visit(f);
  return newest;
}

/** Why dist/ needs a build (missing or older than a source), or null when it is current. */
export function staleBuild(): string | null {
  if (!existsSync(BUILT_SERVER)) return `${BUILT_SERVER} is missing`;
  const built = Math.min(
    ...[BUILT_SERVER, join(REPO, 'dist', 'client', 'extension.js')].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)),
  );
  const newest = newestSource(
    [join(REPO, 'server', 'src'), join(REPO, 'client', 'src')],
    [join(REPO, 'scripts', 'build.mjs'), join(REPO, 'package.json')],
  );
  return newest > built ? 'dist/ is older than server/src, client/src or scripts/build.mjs' : null;
}

/**
 * Builds dist/ (`node scripts/build.mjs`) when it is missing or older than the sources, so the
 * semantic tests always run the current server and are never skipped. Test files run in
 * parallel processes: a directory lock keeps two builds from writing the bundle at once, and
 * whoever waited re-checks instead of building again. Throws with the build output on failure.
 */
export function ensureBuilt(): void {
  const lock = join(REPO, 'dist', '.build-lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (staleBuild() === null) return;
    try {
      mkdirSync(lock);
    } catch {
      // Someone else builds; a lock older than a minute is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmdirSync(lock);
      } catch {
        // Gone meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
      continue;
    }
    try {
      const reason = staleBuild();
      if (reason === null) return;
      const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
      if (result.status !== 0) {
        throw new Error(`building dist/ failed (${reason}): node scripts/build.mjs exited ${result.status}\n${result.stdout}${result.stderr}`);
      }
      if (staleBuild() !== null && !existsSync(BUILT_SERVER)) throw new Error(`node scripts/build.mjs did not produce ${BUILT_SERVER}`);
      return;
    } finally {
      rmdirSync(lock);
    }
  }
}

/** The real LSP layer over a fake engine, straight from TypeScript. */
export function fakeServerCommand(): string[] {
  return [process.execPath, '--import', 'tsx', FAKE_SERVER, '--stdio'];
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

/** A request the server leaves unanswered fails the test instead of hanging it. */
const REQUEST_TIMEOUT_MS = 15_000;

/** Server notifications beyond diagnostics and logs that tests may wait for. */
export const RECORDED_NOTIFICATIONS = ['microvmNet/analysisSummary', 'window/showMessage', 'telemetry/event'];

export type SettingsProvider = (item: ConfigurationItem) => unknown;

export interface StartOptions {
  roots: string[];
  command?: string[];
  env?: Record<string, string>;
  /** `microvmNet` section per configuration item; default: `{}` (server defaults). */
  settings?: SettingsProvider;
  /** Deep-merged over `fullCapabilities()`; `false` drops a branch. */
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Send workspaceFolders (default) or only the first root as rootUri. */
  rootUriOnly?: boolean;
}

/** The capabilities of a capable editor: edits with resource operations, snippets, progress. */
export function fullCapabilities(): ClientCapabilities {
  return {
    workspace: {
      configuration: true,
      workspaceFolders: true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      workspaceEdit: {
        documentChanges: true,
        resourceOperations: ['create', 'rename', 'delete'],
        failureHandling: 'abort',
      },
      applyEdit: true,
      codeLens: { refreshSupport: true },
      symbol: {},
    },
    window: { workDoneProgress: true },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: false },
      publishDiagnostics: { relatedInformation: true, versionSupport: true },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      completion: { completionItem: { snippetSupport: true } },
      codeAction: {
        isPreferredSupport: true,
        codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } },
      },
      documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    },
  };
}

export interface ProgressEvent {
  token: string | number;
  value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;
}

interface OpenText {
  doc: TextDocument;
}

export class LspClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** Every publishDiagnostics in arrival order. */
  readonly publishes: { uri: string; diagnostics: Diagnostic[] }[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly progressTokens: (string | number)[] = [];
  readonly configurationRequests: ConfigurationItem[][] = [];
  readonly registrations: Registration[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly logs: string[] = [];
  readonly stderr: string[] = [];
  codeLensRefreshes = 0;
  initializeResult!: InitializeResult;

  private readonly texts = new Map<string, OpenText>();
  private readonly events = new EventEmitter();
  private settings: SettingsProvider;
  private exited = false;

  private constructor(
    readonly connection: ProtocolConnection,
    readonly child: ChildProcess,
    opts: StartOptions,
  ) {
    this.settings = opts.settings ?? (() => ({}));
    this.events.setMaxListeners(100);
    child.on('exit', () => {
      this.exited = true;
      this.events.emit('change');
    });
  }

  static async start(opts: StartOptions): Promise<LspClient> {
    const [cmd, ...args] = opts.command ?? builtServerCommand();
    if (cmd === process.execPath && args[0] === BUILT_SERVER && !existsSync(BUILT_SERVER)) {
      throw new Error(`${BUILT_SERVER} is missing: run \`node scripts/build.mjs\` first`);
    }
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child, opts);
    child.stderr!.on('data', (chunk: Buffer) => client.stderr.push(chunk.toString()));
    client.wire();
    connection.listen();

    const folders: WorkspaceFolder[] = opts.roots.map((root) => ({ uri: fileUri(root), name: root }));
    client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'microvm-net-test-client' },
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: opts.rootUriOnly ? null : folders,
      capabilities: mergeCapabilities(fullCapabilities(), opts.capabilities ?? {}),
      initializationOptions: opts.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private wire(): void {
    const c = this.connection;
    const changed = () => this.events.emit('change');
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishes.push({ uri: p.uri, diagnostics: p.diagnostics });
      changed();
    });
    c.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p.message);
      changed();
    });
    for (const method of RECORDED_NOTIFICATIONS) {
      c.onNotification(method, (params: unknown) => {
        this.notifications.push({ method, params });
        changed();
      });
    }
    c.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p.items);
      changed();
      return p.items.map((item) => this.settings(item) ?? null);
    });
    c.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      this.progressTokens.push(p.token);
      // jsonrpc routes `$/progress` by token, so listen on each token the server creates.
      c.onProgress(WorkDoneProgress.type, p.token, (value) => {
        this.progress.push({ token: p.token, value });
        changed();
      });
      changed();
      return null;
    });
    c.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      changed();
    });
    c.onRequest(UnregistrationRequest.type, () => undefined);
    c.onRequest(ShowMessageRequest.type, (p) => {
      this.notifications.push({ method: ShowMessageRequest.method, params: p });
      changed();
      return null;
    });
    c.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes++;
      return null;
    });
    c.onRequest(ApplyWorkspaceEditRequest.type, async (p) => {
      await this.applyWorkspaceEdit(p.edit);
      return { applied: true };
    });
  }

  /** Resolves when `check` returns a value; re-checked on every message from the server. */
  waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined && value !== false) {
          done();
          resolvePromise(value);
        } else if (this.exited) {
          done();
          reject(new Error(`server exited while waiting for ${what}\n${this.stderr.join('')}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}\nlogs:\n${this.logs.join('\n')}\nstderr:\n${this.stderr.join('')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.events.off('change', attempt);
      };
      this.events.on('change', attempt);
      attempt();
    });
  }

  waitForDiagnostics(uri: string, check: (ds: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.waitFor(`diagnostics of ${uri}`, () => {
      const ds = this.diagnostics.get(uri);
      return ds && check(ds) ? ds : undefined;
    }, timeoutMs);
  }

  waitForDiagnostic(uri: string, check: (d: Diagnostic) => boolean, timeoutMs?: number): Promise<Diagnostic> {
    return this.waitFor(`a diagnostic in ${uri}`, () => this.diagnostics.get(uri)?.find(check), timeoutMs);
  }

  /** The first notification of `method` (after `since` of them) whose params pass `check`. */
  waitForNotification<T>(method: string, check: (p: T) => boolean = () => true, timeoutMs?: number): Promise<T> {
    return this.waitFor(method, () => {
      const found = this.notifications.find((n) => n.method === method && check(n.params as T));
      return found ? (found.params as T) : undefined;
    }, timeoutMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Documents

  text(uri: string): string | undefined {
    return this.texts.get(uri)?.doc.getText();
  }

  version(uri: string): number | undefined {
    return this.texts.get(uri)?.doc.version;
  }

  async openFile(path: string, text = readFileSync(path, 'utf8')): Promise<string> {
    return this.open(fileUri(path), text);
  }

  async open(uri: string, text: string, languageId = languageOf(uri)): Promise<string> {
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.texts.set(uri, { doc });
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  /** Incremental edits, applied in order (each range is in the text left by the previous one). */
  async change(uri: string, changes: { range: Range; text: string }[]): Promise<void> {
    const open = this.texts.get(uri);
    if (!open) throw new Error(`${uri} is not open`);
    const version = open.doc.version + 1;
    open.doc = TextDocument.update(open.doc, changes, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes as TextDocumentContentChangeEvent[],
    });
  }

  /** Replaces `find` (first occurrence) with `replacement` as one incremental change. */
  async replaceText(uri: string, find: string, replacement: string): Promise<void> {
    const doc = this.texts.get(uri)?.doc;
    if (!doc) throw new Error(`${uri} is not open`);
    const offset = doc.getText().indexOf(find);
    if (offset === -1) throw new Error(`${JSON.stringify(find)} not in ${uri}`);
    await this.change(uri, [{ range: { start: doc.positionAt(offset), end: doc.positionAt(offset + find.length) }, text: replacement }]);
  }

  async close(uri: string): Promise<void> {
    this.texts.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /**
   * Applies an edit the way VS Code does: a CreateFile makes the (empty) file on disk, which the
   * file watcher reports, and opens it; text edits of one document apply together against its
   * current text and go back as one didChange (the buffer stays unsaved until `save`).
   * Documents not open yet are opened from disk first. Returns the URIs touched, in order.
   */
  async applyWorkspaceEdit(edit: WorkspaceEdit): Promise<string[]> {
    const touched: string[] = [];
    const created: FileEvent[] = [];
    const applyTextEdits = async (uri: string, edits: { range: Range; newText: string }[]) => {
      if (!this.texts.has(uri)) await this.open(uri, readFileSync(new URL(uri), 'utf8'));
      const doc = this.texts.get(uri)!.doc;
      const before = doc.getText();
      const after = TextDocument.applyEdits(doc, edits);
      const end = doc.positionAt(before.length);
      await this.change(uri, [{ range: { start: { line: 0, character: 0 }, end }, text: after }]);
      if (!touched.includes(uri)) touched.push(uri);
    };
    for (const change of edit.documentChanges ?? []) {
      if ('kind' in change) {
        if (change.kind !== 'create') throw new Error(`unsupported resource operation ${change.kind}`);
        const path = fileURLToPath(change.uri);
        if ((this.texts.has(change.uri) || existsSync(path)) && !change.options?.overwrite) {
          if (change.options?.ignoreIfExists) continue;
          throw new Error(`create of existing ${change.uri}`);
        }
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '');
        created.push({ uri: change.uri, type: FileChangeType.Created });
        await this.open(change.uri, '');
        touched.push(change.uri);
      } else {
        const open = this.texts.get(change.textDocument.uri);
        if (open && change.textDocument.version !== null && change.textDocument.version !== open.doc.version) {
          throw new Error(`edit for version ${change.textDocument.version} of ${change.textDocument.uri}, open is ${open.doc.version}`);
        }
        await applyTextEdits(change.textDocument.uri, change.edits as { range: Range; newText: string }[]);
      }
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) await applyTextEdits(uri, edits);
    if (created.length) await this.filesChanged(created);
    return touched;
  }

  /** Writes open buffers to disk and reports the saves as the file watcher would. */
  async save(uris: string[]): Promise<void> {
    const events: FileEvent[] = [];
    for (const uri of uris) {
      const text = this.text(uri);
      if (text === undefined) throw new Error(`${uri} is not open`);
      writeFileSync(fileURLToPath(uri), text);
      events.push({ uri, type: FileChangeType.Changed });
    }
    await this.filesChanged(events);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests and notifications

  hover(uri: string, position: { line: number; character: number }): Promise<Hover | null> {
    return withTimeout(this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }), REQUEST_TIMEOUT_MS);
  }

  /** Code actions at a diagnostic's range, passing it as context like an editor does. */
  async codeActions(uri: string, at: Diagnostic | Range, only?: string[]): Promise<CodeAction[]> {
    const range = 'range' in at ? at.range : at;
    const diagnostics = (this.diagnostics.get(uri) ?? []).filter((d) => overlaps(d.range, range));
    const result = await withTimeout(
      this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, only } }),
      REQUEST_TIMEOUT_MS,
    );
    return (result ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
  }

  setSettings(settings: SettingsProvider): void {
    this.settings = settings;
  }

  /** Pull-model change notification, as VS Code sends it (settings: null). */
  async configurationChanged(): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async foldersChanged(added: string[], removed: string[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
      event: {
        added: added.map((p) => ({ uri: fileUri(p), name: p })),
        removed: removed.map((p) => ({ uri: fileUri(p), name: p })),
      },
    });
  }

  async filesChanged(changes: FileEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  /** shutdown + exit; kills the process (by its PID) if it does not leave by itself. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 3000);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // The process is killed below.
      }
      const exited = await withTimeout(new Promise<void>((r) => (this.exited ? r() : this.child.once('exit', () => r()))), 3000).then(
        () => true,
        () => false,
      );
      if (!exited && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    }
    this.connection.dispose();
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }
}

export function languageOf(uri: string): string {
  return uri.endsWith('.nix') ? 'nix' : 'systemd-network';
}

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function mergeCapabilities<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isObject(base) || !isObject(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === false && isObject(out[key])) delete out[key];
    else out[key] = mergeCapabilities(out[key], value);
  }
  return out as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
