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

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  nixDefined: boolean,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
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
