/**
 * Connection wiring: capabilities, registrations, and which handler answers what. Handlers live
 * in their own modules and only translate; the engine lives behind `ServiceFactory`.
 */
import {
  CodeLensRefreshRequest,
  InlayHintRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import type { AnalysisSnapshot } from '../engine/service';
import {
  AnalysisSummaryNotification,
  RescanRequest,
  TapReportRequest,
  NetworkGraphRequest,
  type AnalysisSummary,
  type RescanResult,
} from '../protocol/protocol';
import { SETTINGS_SECTION, mergeSettings, type Settings } from '../protocol/settings';
import { clientFeatures, serverCapabilities, WATCHED_GLOBS, type ClientFeatures } from './capabilities';
import { codeActionHandler } from './codeActions';
import { pathToUri, UriMap, uriToPath } from './convert';
import { registerDebugRequests } from './debug';
import { DiagnosticsPublisher } from './diagnostics';
import { DocumentStore } from './documents';
import { hoverHandler } from './hover';
import { DiskWatcher } from './diskWatcher';
import { inlayHintHandler } from './inlayHints';
import { prepareRenameHandler, renameHandler } from './rename';
import { executeCommandHandler } from './explain';
import {
  codeLensHandler,
  completionHandler,
  definitionHandler,
  documentSymbolHandler,
  referencesHandler,
  workspaceSymbolHandler,
} from './navigation';
import { networkGraph } from './networkGraph';
import { ProgressReporter } from './progress';
import { summarize, tapReport } from './report';
import { background, withService } from './request';
import { ServiceHost, type ServiceFactory } from './serviceHost';
import { validated } from './params';
import { pushedSettings, sameSettings, SettingsSource, withValidGlobs } from './settings';

export interface ServerOptions {
  createService: ServiceFactory;
  name?: string;
  version?: string;
  /** Answer the debug-only requests (debug.ts); set from MICROVM_NET_DEBUG=1. */
  debug?: boolean;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const log = (msg: string) => connection.console.log(msg);
  let features: ClientFeatures = clientFeatures({});
  let folders: WorkspaceFolder[] = [];
  let settings: Settings = mergeSettings(undefined);
  let scanning = false;
  let lastSnapshot: AnalysisSnapshot | null = null;
  let lastSummary = '';
  /** The last maxFiles warning shown, so re-scans that stop at the same place do not repeat it. */
  let lastTruncation = '';
  /** Bumped whenever published diagnostics change, so views re-fetch even if counts did not. */
  let revision = 0;

  const uris = new UriMap();
  const documents = new DocumentStore(uris, log);
  const progress = new ProgressReporter(connection, () => features.workDoneProgress);
  const settingsSource = new SettingsSource(connection, () => features.configuration);
  /** The settings as the engine may take them, each refused glob shown once until it changes. */
  let lastGlobProblems = '';
  const usable = (raw: Settings): Settings => {
    const { settings: valid, problems: globProblems } = withValidGlobs(raw);
    const problems = [...globProblems, ...settingsSource.problems];
    const key = problems.join('\n');
    if (key !== lastGlobProblems && problems.length > 0) {
      for (const message of problems) {
        background(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `MicroVM network: ${message}` }), log, 'showMessage');
      }
    }
    lastGlobProblems = key;
    return valid;
  };

  const sendSummary = () => {
    const summary: AnalysisSummary = { ...summarize(lastSnapshot, host.scanReport, scanning), revision };
    const json = JSON.stringify(summary);
    if (json === lastSummary) return;
    lastSummary = json;
    background(connection.sendNotification(AnalysisSummaryNotification, summary), log, 'analysis summary');
  };

  const host: ServiceHost = new ServiceHost(options.createService, () => documents.all(), progress, log, {
    scanning(active) {
      scanning = active;
      sendSummary();
    },
    changed() {
      diagnostics.schedule();
    },
    scanned(report) {
      if (report.truncated === 0) {
        lastTruncation = '';
        return;
      }
      // The log line alone is easy to miss, and a partial workspace silently misses problems.
      const message =
        `MicroVM network: the workspace scan stopped at microvmNet.maxFiles (${settings.maxFiles} files); ` +
        `${report.truncated} more files were not analysed, so diagnostics cover only the files scanned. ` +
        'Raise microvmNet.maxFiles or exclude folders with microvmNet.exclude.';
      if (message === lastTruncation) return;
      lastTruncation = message;
      background(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message }), log, 'showMessage');
    },
    failed(error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      connection.console.error(`analysis engine failed: ${detail}`);
      const first = error instanceof Error ? error.message : String(error);
      // A notification: showErrorMessage would send a request, and nothing waits for its answer.
      const message = `MicroVM network analysis failed: ${first}`;
      background(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message }), log, 'showMessage');
    },
  });

  const diagnostics = new DiagnosticsPublisher({
    connection,
    uris,
    service: () => host.current,
    relatedInformation: () => features.relatedInformation,
    log,
    analyzed(snapshot, changed) {
      lastSnapshot = snapshot;
      if (changed) revision++;
      sendSummary();
      if (changed && features.codeLensRefresh) background(connection.sendRequest(CodeLensRefreshRequest.type), log, 'codeLens/refresh');
      if (changed && features.inlayHintRefresh) background(connection.sendRequest(InlayHintRefreshRequest.type), log, 'inlayHint/refresh');
    },
  });

  const roots = () => folders.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== null);
  // A client that cannot watch files for us (no dynamic didChangeWatchedFiles) gets our own watching.
  const disk = new DiskWatcher(
    {
      changed: (file) => host.current?.fileChanged(file),
      deleted: (file) => host.current?.fileDeleted(file),
      settled: () => diagnostics.schedule(),
    },
    log,
  );
  const watchDisk = () => {
    if (!features.dynamicWatchedFiles) disk.watch(roots(), settings.exclude);
  };

  documents.listen(connection, {
    opened(doc) {
      host.current?.openDocument(doc.file, doc.text, doc.version);
      diagnostics.schedule();
    },
    changed(doc, changes) {
      host.current?.changeDocument(doc.file, doc.version, changes);
      diagnostics.schedule();
    },
    closed(file) {
      host.current?.closeDocument(file);
      diagnostics.schedule();
    },
  });

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    features = clientFeatures(params.capabilities);
    folders = initialFolders(params);
    return {
      capabilities: serverCapabilities(features),
      serverInfo: { name: options.name ?? 'microvm-net-lsp', version: options.version },
    };
  });

  connection.onInitialized(async () => {
    if (features.dynamicConfiguration) {
      background(connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }), log, 'register');
    }
    if (features.dynamicWatchedFiles) {
      const watchers = WATCHED_GLOBS.map((globPattern) => ({ globPattern }));
      background(connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }), log, 'register');
    }
    if (features.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async ({ added, removed }) => {
        const gone = new Set(removed.map((f) => f.uri));
        folders = [...folders.filter((f) => !gone.has(f.uri)), ...added];
        log(`workspace folders: ${roots().join(', ') || '(none)'}`);
        settings = usable(await settingsSource.pull(folders.map((f) => f.uri)));
        watchDisk();
        await host.configure(roots(), settings);
      });
    }
    settings = usable(await settingsSource.pull(folders.map((f) => f.uri)));
    log(`${options.name ?? 'microvm-net-lsp'} ${options.version ?? ''} starting over ${roots().join(', ') || '(no workspace folder)'}`);
    watchDisk();
    await host.configure(roots(), settings);
  });

  connection.onDidChangeConfiguration(async (params) => {
    const next = usable(features.configuration ? await settingsSource.pull(folders.map((f) => f.uri)) : pushedSettings(params, settingsSource));
    if (sameSettings(next, settings)) return;
    const onlySeverity = sameSettings({ ...next, severity: {} }, { ...settings, severity: {} });
    // Inlay hints are a view: turning them on or off asks the client again, the engine is untouched.
    const onlyHints = sameSettings({ ...next, inlayHints: true }, { ...settings, inlayHints: true });
    settings = next;
    if (onlyHints) {
      if (features.inlayHintRefresh) background(connection.sendRequest(InlayHintRefreshRequest.type), log, 'inlayHint/refresh');
      return;
    }
    log(`settings changed: ${JSON.stringify(settings)}`);
    // Severity is applied by the engine's analysis: a new level needs no re-scan, only a re-publish.
    watchDisk();
    if (onlySeverity) await host.updateAnalysisSettings(roots(), settings);
    else await host.updateSettings(roots(), settings);
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    const service = host.current;
    if (!service) return;
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (file === null) continue;
      if (change.type === FileChangeType.Deleted) service.fileDeleted(file);
      else service.fileChanged(file);
    }
    // The project file's `exclude` decides what the scan takes: re-scan when it changes on disk.
    if (changes.some((c) => c.uri.endsWith('/microvm-net.toml'))) background(host.rescan(), log, 'rescan');
    diagnostics.schedule();
  });

  connection.onHover(validated('position', hoverHandler(host, () => features.markdownHover)));
  connection.onCodeAction(
    validated(
      'range',
      codeActionHandler(host, uris, documents, (uri) => diagnostics.current(uri), () => ({
        documentChanges: features.documentChanges,
        createFiles: features.createFiles,
        snippets: features.snippetEdits,
        disabledActions: features.codeActionDisabled,
      })),
    ),
  );
  connection.onDefinition(validated('position', definitionHandler(host, uris)));
  connection.onReferences(validated('position', referencesHandler(host, uris)));
  connection.onDocumentSymbol(validated('document', documentSymbolHandler(host, uris, () => features.hierarchicalSymbols)));
  connection.onWorkspaceSymbol(validated('query', workspaceSymbolHandler(host, uris)));
  connection.onCodeLens(validated('document', codeLensHandler(host, uris)));
  connection.onCompletion(validated('position', completionHandler(host)));
  connection.languages.inlayHint.on(validated('range', inlayHintHandler(host, () => settings.inlayHints)));
  const editCapabilities = () => ({ documentChanges: features.documentChanges, createFiles: features.createFiles, snippets: false, disabledActions: false });
  connection.onPrepareRename(validated('position', prepareRenameHandler(host)));
  connection.onRenameRequest(validated('position', renameHandler(host, uris, documents, editCapabilities)));
  connection.onExecuteCommand(executeCommandHandler(host, uris));

  // Declared without params; a client that sends some anyway gets them before the token.
  connection.onRequest(TapReportRequest.method, (...args: unknown[]) =>
    withService(host, args[args.length - 1] as CancellationToken, (service) => tapReport(service.analyze(), uris, host.scanReport)),
  );
  connection.onRequest(NetworkGraphRequest.method, (...args: unknown[]) =>
    withService(host, args[args.length - 1] as CancellationToken, (service) => networkGraph(service.analyze(), uris)),
  );
  connection.onRequest(RescanRequest, async (): Promise<RescanResult> => {
    const report = await host.rescan();
    return {
      files: report.files,
      truncated: report.truncated,
      skipped: report.skipped.map((s) => ({ uri: uris.uri(s.file), kind: s.kind, reason: s.message })),
    };
  });

  if (options.debug) registerDebugRequests(connection);

  connection.onShutdown(() => {
    disk.dispose();
    diagnostics.dispose();
    host.dispose();
  });

  connection.listen();
}

function initialFolders(params: InitializeParams): WorkspaceFolder[] {
  if (params.workspaceFolders) return params.workspaceFolders;
  if (params.rootUri) return [{ uri: params.rootUri, name: params.rootUri }];
  if (params.rootPath) return [{ uri: pathToUri(params.rootPath), name: params.rootPath }];
  return [];
}
