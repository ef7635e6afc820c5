/**
 * Owns the one LanguageService behind the server: creates it for the current roots and
 * settings, runs scans with progress, and replaces it when the roots change (or settings
 * change and the service cannot take them live). Reconfigurations run one at a time; a newer
 * one cancels the scan of an older one. Requests keep being answered by the current service
 * while a replacement scans, so nothing waits on a re-scan except the very first one.
 */
import type { LanguageService, ScanReport } from '../engine/service';
import type { Settings } from '../protocol/settings';
import type { OpenDocument } from './documents';
import type { ProgressReporter } from './progress';

export type ServiceFactory = (opts: {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
}) => Promise<LanguageService>;

/** The optional live-settings hook the engine may offer. */
type UpdatableService = LanguageService & { updateSettings?(settings: Settings): void };

export interface ServiceHostEvents {
  /** A scan started (true) or ended (false). */
  scanning(active: boolean): void;
  /** The service's results may have changed: re-publish. */
  changed(): void;
  /** Creating or re-scanning a service threw; the previous service (if any) stays. */
  failed(error: unknown): void;
  /** A scan finished (not cancelled by a newer configuration). */
  scanned?(report: ScanReport): void;
}

export class ServiceHost {
  private service: UpdatableService | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  /** Requests that arrived before any service existed. */
  private waiters: { resolve(s: LanguageService): void; reject(e: unknown): void }[] = [];
  /** Why the last attempt to create a service failed, while there is none. */
  private failure: unknown = null;
  private disposed = false;
  private lastReport: ScanReport = { files: 0, truncated: 0, skipped: [] };

  constructor(
    private readonly factory: ServiceFactory,
    private readonly openDocuments: () => OpenDocument[],
    private readonly progress: ProgressReporter,
    private readonly log: (msg: string) => void,
    private readonly events: ServiceHostEvents,
  ) {}

  /** The current service, or null before the first one is created. */
  get current(): LanguageService | null {
    return this.service;
  }

  get scanReport(): ScanReport {
    return this.lastReport;
  }

  /**
   * Resolves once the first service has scanned; afterwards immediately. Rejects when creating
   * it failed, so requests get an error instead of waiting forever.
   */
  ready(): Promise<LanguageService> {
    if (this.service) return Promise.resolve(this.service);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** New roots (or the first start): always a new service. Never rejects: failures are reported. */
  configure(roots: string[], settings: Settings): Promise<void> {
    const generation = ++this.generation;
    return this.enqueue(() => this.replace(roots, settings, generation)).catch((e: unknown) => this.failed(e));
  }

  /** New settings for the same roots: live when the service allows it. Never rejects. */
  updateSettings(roots: string[], settings: Settings): Promise<void> {
    const generation = ++this.generation;
    return this.enqueue(async () => {
      const service = this.service;
      if (service?.updateSettings) {
        service.updateSettings(settings);
        await this.scan(service, generation, 'Re-scanning for MicroVM network changes');
        return;
      }
      await this.replace(roots, settings, generation);
    }).catch((e: unknown) => this.failed(e));
  }

  /**
   * Settings that only change what analysis reports (`severity`): handed to the service live and
   * re-published, without a re-scan. Queued behind (and not cancelling) any reconfiguration in
   * flight, which the new settings then apply to. Never rejects.
   */
  updateAnalysisSettings(roots: string[], settings: Settings): Promise<void> {
    return this.enqueue(async () => {
      const service = this.service;
      if (service?.updateSettings) {
        service.updateSettings(settings);
        this.events.changed();
        return;
      }
      await this.replace(roots, settings, ++this.generation);
    }).catch((e: unknown) => this.failed(e));
  }

  rescan(): Promise<ScanReport> {
    const generation = this.generation;
    return this.enqueue(async () => {
      const service = await this.ready();
      await this.scan(service, generation, 'Re-scanning MicroVM network files');
      return this.lastReport;
    });
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.service?.dispose();
    this.service = null;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private failed(e: unknown): void {
    this.events.failed(e);
    if (this.service) return;
    this.failure = e;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(e);
  }

  private async replace(roots: string[], settings: Settings, generation: number): Promise<void> {
    if (this.disposed || generation !== this.generation) return;
    const next: UpdatableService = await this.factory({ roots, settings, log: this.log });
    const replayed = new Map<string, number>();
    const replay = () => {
      for (const doc of this.openDocuments()) {
        if (replayed.get(doc.file) === doc.version) continue;
        next.openDocument(doc.file, doc.text, doc.version);
        replayed.set(doc.file, doc.version);
      }
    };
    replay();
    try {
      await this.scan(next, generation, 'Scanning MicroVM network files');
    } catch (e) {
      next.dispose();
      throw e;
    }
    if (this.disposed || generation !== this.generation) {
      next.dispose();
      return;
    }
    // Edits that reached the old service while this one scanned.
    replay();
    const old = this.service;
    this.service = next;
    old?.dispose();
    this.failure = null;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(next);
    this.events.changed();
  }

  private async scan(service: LanguageService, generation: number, title: string): Promise<void> {
    const handle = await this.progress.begin(title);
    this.events.scanning(true);
    const started = Date.now();
    try {
      const report = await service.scan(
        (p) => handle.report(p.done, p.total, p.message),
        () => handle.cancelled || this.disposed || generation !== this.generation,
      );
      this.lastReport = report;
      const truncated = report.truncated ? `, ${report.truncated} left out by microvmNet.maxFiles` : '';
      this.log(`scanned ${report.files} files in ${Date.now() - started} ms${truncated}`);
      for (const s of report.skipped) this.log(`skipped ${s.file}: ${s.message}`);
      if (generation === this.generation && !this.disposed) this.events.scanned?.(report);
    } finally {
      handle.end();
      this.events.scanning(false);
    }
    if (service === this.service) this.events.changed();
  }
}
