/**
 * The "MicroVM network map" webview: draws the server's network map (microvmNet/networkGraph,
 * the engine's graph) with the bundled dist/webview/map.js. One panel; it re-fetches after each
 * analysis the server announces and, while open, shortly after an edit (unsaved edits are
 * analysed too). The page loads nothing at all: the bundled script and stylesheet are read from
 * dist/webview and written into the page under a per-page nonce, and the CSP allows nothing else
 * (no remote or local resources, no inline code without the nonce, no eval).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { NetworkGraphResult, ProtocolLocation } from '../../server/src/protocol/protocol';
import { protocol } from './lazy';
import type { ClientSession } from './session';

type FromPage = { type: 'ready' } | { type: 'open'; location: ProtocolLocation };

const EDIT_DELAY_MS = 400;

export class NetworkMapPanel implements vscode.Disposable {
  private static current: NetworkMapPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private editTimer: NodeJS.Timeout | undefined;
  private pending = 0;
  private disposed = false;

  static show(session: ClientSession, log: vscode.LogOutputChannel): void {
    if (NetworkMapPanel.current) {
      NetworkMapPanel.current.panel.reveal();
      void NetworkMapPanel.current.refresh();
      return;
    }
    const root = vscode.Uri.joinPath(session.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('microvmNet.map', 'MicroVM network map', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    NetworkMapPanel.current = new NetworkMapPanel(panel, root, session, log);
  }

  /** After an analysis: redraw an open map. */
  static refreshOpen(): void {
    void NetworkMapPanel.current?.refresh();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly root: vscode.Uri,
    private readonly session: ClientSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    void this.html().then(
      (html) => {
        if (!this.disposed) panel.webview.html = html;
      },
      (e: unknown) => log.error(`the network map page could not be built (is dist/webview built?): ${e instanceof Error ? e.message : String(e)}`),
    );
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromPage) => this.received(message)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'file' || e.contentChanges.length === 0) return;
        clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => void this.refresh(), EDIT_DELAY_MS);
      }),
    );
  }

  async refresh(): Promise<void> {
    const client = this.session.current;
    if (this.disposed || !client?.isRunning()) return;
    const request = ++this.pending;
    try {
      const graph: NetworkGraphResult = await client.sendRequest(protocol().NetworkGraphRequest);
      // A slower, older answer must not replace a newer one; a closed map takes none (posting to
      // a disposed webview throws).
      if (request === this.pending && !this.disposed) await this.panel.webview.postMessage({ type: 'graph', graph });
    } catch (e) {
      this.log.warn(`network map request failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async received(message: FromPage): Promise<void> {
    if (message.type === 'ready') {
      await this.session.ready();
      await this.refresh();
      return;
    }
    if (message.type === 'open') {
      const { start, end } = message.location.range;
      const selection = new vscode.Range(start.line, start.character, end.line, end.character);
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(message.location.uri));
      await vscode.window.showTextDocument(document, { selection, viewColumn: vscode.ViewColumn.One, preview: false });
    }
  }

  private async html(): Promise<string> {
    const nonce = randomBytes(16).toString('base64');
    const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.root, name)));
    // A `</script` or `</style` inside would end the element early (the bundles hold none today).
    const closing = /<\/(script|style)/gi;
    const script = (await read('map.js')).replace(closing, '<\\/$1');
    const style = (await read('map.css')).replace(closing, '');
    const csp = ["default-src 'none'", `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${style}</style>
<title>MicroVM network map</title>
</head>
<body>
<header id="legend"></header>
<main id="map" aria-live="polite"><p class="empty">Waiting for the analysis…</p></main>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (NetworkMapPanel.current === this) NetworkMapPanel.current = undefined;
    clearTimeout(this.editTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
