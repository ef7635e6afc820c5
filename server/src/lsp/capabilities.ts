/** What the client can do (read once at initialize) and what the server offers in return. */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { EXPLAIN_TAP_COMMAND } from '../protocol/protocol';

export interface ClientFeatures {
  configuration: boolean;
  workspaceFolders: boolean;
  dynamicConfiguration: boolean;
  dynamicWatchedFiles: boolean;
  workDoneProgress: boolean;
  relatedInformation: boolean;
  markdownHover: boolean;
  hierarchicalSymbols: boolean;
  codeActionLiterals: boolean;
  /** Code actions may carry `disabled: { reason }` (a fix we cannot offer, with why). */
  codeActionDisabled: boolean;
  documentChanges: boolean;
  createFiles: boolean;
  snippetEdits: boolean;
  codeLensRefresh: boolean;
  inlayHintRefresh: boolean;
  /** The client sends textDocument/prepareRename. */
  prepareRename: boolean;
}

export function clientFeatures(c: ClientCapabilities): ClientFeatures {
  const edit = c.workspace?.workspaceEdit;
  return {
    configuration: c.workspace?.configuration === true,
    workspaceFolders: c.workspace?.workspaceFolders === true,
    dynamicConfiguration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    dynamicWatchedFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    workDoneProgress: c.window?.workDoneProgress === true,
    relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
    markdownHover: c.textDocument?.hover?.contentFormat?.includes('markdown') ?? false,
    hierarchicalSymbols: c.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
    codeActionLiterals: c.textDocument?.codeAction?.codeActionLiteralSupport !== undefined,
    codeActionDisabled: c.textDocument?.codeAction?.disabledSupport === true,
    documentChanges: edit?.documentChanges === true,
    createFiles: edit?.resourceOperations?.includes('create') ?? false,
    // LSP 3.18 (`snippetEditSupport`); absent from the 3.17 types this server is built against.
    snippetEdits: (edit as { snippetEditSupport?: boolean } | undefined)?.snippetEditSupport === true,
    codeLensRefresh: c.workspace?.codeLens?.refreshSupport === true,
    inlayHintRefresh: c.workspace?.inlayHint?.refreshSupport === true,
    prepareRename: c.textDocument?.rename?.prepareSupport === true,
  };
}

export function serverCapabilities(f: ClientFeatures): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    hoverProvider: true,
    // Without literal support a client can only take commands, and our fixes are edits.
    codeActionProvider: f.codeActionLiterals ? { codeActionKinds: [CodeActionKind.QuickFix] } : false,
    definitionProvider: true,
    referencesProvider: true,
    documentSymbolProvider: { label: 'MicroVM network' },
    workspaceSymbolProvider: true,
    codeLensProvider: { resolveProvider: false },
    completionProvider: { triggerCharacters: ['=', '"'], resolveProvider: false },
    inlayHintProvider: true,
    renameProvider: f.prepareRename ? { prepareProvider: true } : true,
    executeCommandProvider: { commands: [EXPLAIN_TAP_COMMAND] },
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
  };
}

/** Globs the client watches for us: the files the engine reads from disk. */
export const WATCHED_GLOBS = ['**/*.nix', '**/*.network', '**/*.netdev', '**/*.network.d/*.conf', '**/*.netdev.d/*.conf', '**/flake.lock', '**/microvm-net.toml'];
