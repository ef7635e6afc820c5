/** The LanguageClient: the bundled server over IPC, our selector, output and error handling. */
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ReportingErrorHandler } from './errorHandler';
import { documentSelector } from './selector';
import { revealEditsMiddleware } from './revealEdits';

export const CLIENT_ID = 'microvmNet';

/**
 * The server's V8 heap limit, from bench/README.md (issue 19): live heap after GC is ~187 MB on the
 * 10,000-file bench workspace and ~356 MB on the 20,000-file one (the default microvmNet.maxFiles),
 * after the cold analysis and after edits alike, since fact extraction keeps one host's module
 * instances at a time. 1024 MB is nearly three times the larger, and keeps V8 from letting garbage
 * grow towards its default limit (4 GB on a 24 GB machine) during long editing sessions: 10,000
 * edits peaked at 538 MB RSS with it (652 MB with 1536 on an earlier build of the same round).
 */
export const SERVER_HEAP_LIMIT = '--max-old-space-size=1024';

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  nixDefined: boolean,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [SERVER_HEAP_LIMIT] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [SERVER_HEAP_LIMIT, '--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(nixDefined),
    outputChannel: output,
    errorHandler: new ReportingErrorHandler(output),
    // The server shows scan progress and logs; a failed request is not worth a popup.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    markdown: { isTrusted: false, supportHtml: false },
    middleware: revealEditsMiddleware,
  };
  // `microvmNet.trace.server` is read by languageclient from the client id.
  const client = new LanguageClient(CLIENT_ID, 'MicroVM Network', serverOptions, clientOptions);
  client.onDidChangeState(({ newState }) => output.info(`language server ${State[newState].toLowerCase()}`));
  return client;
}
