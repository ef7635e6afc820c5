/**
 * Publishes diagnostics after a quiet period. Every edit restarts the timer, and analysis reads
 * the service's state when the timer fires, so the last edit is always included. Only files
 * whose diagnostics changed are sent; files that lost all of theirs get an empty list once.
 */
import type { Connection, Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { AnalysisSnapshot, LanguageService } from '../engine/service';
import { toLspDiagnostic, type UriMap } from './convert';
import { background } from './request';

export const DIAGNOSTICS_DELAY_MS = 150;

export interface DiagnosticsOptions {
  connection: Connection;
  uris: UriMap;
  service: () => LanguageService | null;
  relatedInformation: () => boolean;
  /** Called with every fresh analysis (status counts, tree refresh); `changed`: something was published. */
  analyzed(snapshot: AnalysisSnapshot, changed: boolean): void;
  log(msg: string): void;
}

export class DiagnosticsPublisher {
  private timer: NodeJS.Timeout | null = null;
  /** Last published diagnostics per URI, as JSON, to skip unchanged files. */
  private readonly published = new Map<string, string>();
  private latest: Map<string, LspDiagnostic[]> = new Map();

  constructor(private readonly opts: DiagnosticsOptions) {}

  schedule(delay = DIAGNOSTICS_DELAY_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delay);
  }

  /** Diagnostics last published for a URI (code actions match their fixes against these). */
  current(uri: string): LspDiagnostic[] {
    return this.latest.get(uri) ?? [];
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const service = this.opts.service();
    if (!service) return;
    let snapshot: AnalysisSnapshot;
    try {
      snapshot = service.analyze();
    } catch (e) {
      this.opts.log(`analysis failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return;
    }
    const next = new Map<string, LspDiagnostic[]>();
    const related = this.opts.relatedInformation();
    // The engine has already applied `microvmNet.severity` (levels changed, `off` dropped).
    for (const [file, diagnostics] of snapshot.diagnostics) {
      const lsp = diagnostics.map((d) => toLspDiagnostic(d, this.opts.uris, related));
      if (lsp.length) next.set(this.opts.uris.uri(file), lsp);
    }
    let changed = false;
    for (const [uri, diagnostics] of next) {
      const json = JSON.stringify(diagnostics);
      if (this.published.get(uri) === json) continue;
      this.published.set(uri, json);
      this.send(uri, diagnostics);
      changed = true;
    }
    for (const uri of [...this.published.keys()]) {
      if (next.has(uri)) continue;
      this.published.delete(uri);
      this.send(uri, []);
      changed = true;
    }
    this.latest = next;
    this.opts.analyzed(snapshot, changed);
  }

  /** Clears everything we published (service replaced by one over other roots, or shutdown). */
  clearAll(): void {
    for (const uri of this.published.keys()) this.send(uri, []);
    this.published.clear();
    this.latest = new Map();
  }

  private send(uri: string, diagnostics: LspDiagnostic[]): void {
    background(this.opts.connection.sendDiagnostics({ uri, diagnostics }), this.opts.log, 'publishDiagnostics');
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
