/**
 * Entry of `dist/server.js`. The transport comes from the command line as vscode-languageserver
 * reads it: `--stdio` for any LSP client, `--node-ipc` when the VS Code client forks us.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { debugEnabled, installWasmMemoryProbe } from './debug';
import { createLanguageService } from '../engine/workspace';
import { version } from '../../../package.json';
import { startServer } from './server';
import { commandLine } from './commandLine';

// --help, --version, or no transport: answered here, before vscode-languageserver would throw
// (and Node print the throwing line, which in the minified bundle is the whole bundle).
const early = commandLine(process.argv.slice(2), version);
if (early) {
  (early.code === 0 ? process.stdout : process.stderr).write(early.text);
  process.exit(early.code);
}

const connection = createConnection(ProposedFeatures.all);

// One bad promise in the engine must not take every open editor's diagnostics down with it.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

// MICROVM_NET_DEBUG=1 only (tests, benchmarks): before the engine starts tree-sitter's runtime.
const debug = debugEnabled();
if (debug) installWasmMemoryProbe();

startServer(connection, { createService: createLanguageService, name: 'microvm-net-lsp', version, debug });
