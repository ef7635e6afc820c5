/**
 * The language server's own command line. vscode-languageserver reads the transport from argv
 * (`--stdio`, `--node-ipc`, `--socket=N`, `--pipe=NAME`); everything else a person might type is
 * answered here with text and an exit code instead of a stack trace.
 */
export const LSP_USAGE = `Usage: microvm-net-lsp --stdio | --node-ipc | --socket=PORT | --pipe=NAME
       microvm-net-lsp --help | --version

The MicroVM network language server. An editor starts it and speaks LSP over the
chosen transport; to check a workspace from a shell, use "microvm-net check".
`;

const TRANSPORT = /^--(stdio|node-ipc|socket=\d+|pipe=.+)$/;

/** What to print and the exit code, or null when the server should start. */
export function commandLine(args: readonly string[], version: string): { text: string; code: number } | null {
  if (args.includes('--help') || args.includes('-h')) return { text: LSP_USAGE, code: 0 };
  if (args.includes('--version')) return { text: `microvm-net-lsp ${version}\n`, code: 0 };
  if (!args.some((a) => TRANSPORT.test(a))) return { text: `microvm-net-lsp: no transport given\n\n${LSP_USAGE}`, code: 2 };
  return null;
}
