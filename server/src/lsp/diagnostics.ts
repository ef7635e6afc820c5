/**
 * Publishes diagnostics as soon as the engine is free, coalescing bursts. A change schedules an
 * analysis a turn or two of the event loop later (setImmediate), so a single edit on an idle
 * server is analysed at once. Changes that arrive while it is pending — messages queued while the
 * previous (synchronous) analysis ran are dispatched one per turn by the connection — push the
 * analysis back one more turn, until a turn passes with no new change or `MAX_COALESCE_MS` has
 * gone by since the first of them — or, when analyses take longer, four times as long as the last
one took (at most `MAX_HOLD_MS`): a flood of edits is then mostly drained between analyses instead
of each analysis holding up the edits and requests queued behind it (requests are answered from
the last snapshot meanwhile, lsp/request.ts `withServiceNow`); and a turn without changes then
waits for a quiet moment of a quarter of the last analysis (at most `MAX_QUIET_MS`) when changes
come closer together than half an analysis, since a stream of them arrives in chunks with empty
turns between. Analysis reads the service's state when it runs, so the last
 * edit is always included. Only files whose diagnostics changed are sent; files that lost all of
 * theirs get an empty list once.
 */
import type { Connection, Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { AnalysisSnapshot, LanguageService } from '../engine/service';
import { toLspDiagnostic, type UriMap } from './convert';
import { background } from './request';

/** Longest a burst of changes can hold back an analysis (a steady stream still gets answers). */
export const MAX_COALESCE_MS = 50;
/** Longest hold however slow analyses are. */
export const MAX_HOLD_MS = 1000;
/** Longest quiet period waited for before a slow analysis. */
export const MAX_QUIET_MS = 50;

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
  private timer: { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timeout'; handle: NodeJS.Timeout } | null = null;
  /** When the last change arrived: a slow analysis also waits for a short quiet period. */
  private lastChangeAt = -Infinity;
  private streaming = false;
  /** When the pending analysis was first requested, and changes seen since its last turn. */
  private pendingSince = 0;
  private changesSinceTurn = 0;
  /** Last published diagnostics per URI, as JSON, to skip unchanged files. */
  private readonly published = new Map<string, string>();
  private latest: Map<string, LspDiagnostic[]> = new Map();
  /** How long the last analysis took: a burst is held back at most that long. */
  private lastAnalysisMs = 0;

  constructor(private readonly opts: DiagnosticsOptions) {}

  /** Something changed: analyse and publish once the engine is free (see the class comment). */
  schedule(): void {
    const now = performance.now();
    // Changes closer together than half an analysis are a stream (a flood, a replayed burst):
    // an isolated edit on an idle server is still analysed at once.
    const streaming = now - this.lastChangeAt < this.lastAnalysisMs / 2;
    this.lastChangeAt = now;
    if (this.timer) {
      this.changesSinceTurn++;
      this.streaming ||= streaming;
      return;
    }
    this.streaming = streaming;
    this.pendingSince = this.lastChangeAt;
    // Counts itself: the first turn always waits one more, to see whether others follow.
    this.changesSinceTurn = 1;
    this.timer = { kind: 'immediate', handle: setImmediate(this.turn) };
  }

  private readonly turn = (): void => {
    this.timer = null;
    const now = performance.now();
    const hold = Math.min(MAX_HOLD_MS, Math.max(MAX_COALESCE_MS, 4 * this.lastAnalysisMs));
    if (now - this.pendingSince < hold) {
      if (this.changesSinceTurn > 0) {
        // More changes were dispatched this turn: others may still be queued behind them.
        this.changesSinceTurn = 0;
        this.timer = { kind: 'immediate', handle: setImmediate(this.turn) };
        return;
      }
      // A turn without changes may only mean the next ones are still in the pipe: when an
      // analysis is slow enough to hold them up, wait a quarter of it for a quiet moment.
      const wait = Math.min(MAX_QUIET_MS, this.lastAnalysisMs / 4) - (now - this.lastChangeAt);
      if (this.streaming && wait >= 1) {
        this.timer = { kind: 'timeout', handle: setTimeout(this.turn, wait) };
        return;
      }
    }
    this.flush();
  };

  private cancelTimer(): void {
    if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    else if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    this.timer = null;
  }

  /** Diagnostics last published for a URI (code actions match their fixes against these). */
  current(uri: string): LspDiagnostic[] {
    return this.latest.get(uri) ?? [];
  }

  flush(): void {
    this.cancelTimer();
    const service = this.opts.service();
    if (!service) return;
    let snapshot: AnalysisSnapshot;
    const started = performance.now();
    try {
      snapshot = service.analyze();
      this.lastAnalysisMs = performance.now() - started;
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
    this.cancelTimer();
  }
}
