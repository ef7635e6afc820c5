/**
 * Work-done progress for scans. Uses server-initiated progress (`window/workDoneProgress/create`)
 * when the client supports it; otherwise scans run silently apart from a log line.
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

export interface ProgressHandle {
  report(done: number, total: number, message: string): void;
  /** The user pressed cancel in the client's progress UI. */
  readonly cancelled: boolean;
  end(): void;
}

/** Reports at most this often: a scan reports per file, and each report is a message. */
const REPORT_INTERVAL_MS = 100;

export class ProgressReporter {
  constructor(
    private readonly connection: Connection,
    private readonly supported: () => boolean,
  ) {}

  async begin(title: string): Promise<ProgressHandle> {
    if (!this.supported()) return silentHandle;
    let reporter: WorkDoneProgressServerReporter;
    try {
      reporter = await this.connection.window.createWorkDoneProgress();
    } catch (e) {
      // A client may refuse the token; the scan still has to run.
      this.connection.console.warn(`progress unavailable: ${String(e)}`);
      return silentHandle;
    }
    reporter.begin(title, 0, undefined, true);
    let lastReport = 0;
    let ended = false;
    return {
      report(done, total, message) {
        const now = Date.now();
        if (ended || now - lastReport < REPORT_INTERVAL_MS) return;
        lastReport = now;
        const percentage = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
        reporter.report(percentage ?? 0, message);
      },
      get cancelled() {
        return reporter.token.isCancellationRequested;
      },
      end() {
        if (ended) return;
        ended = true;
        reporter.done();
      },
    };
  }
}

const silentHandle: ProgressHandle = {
  report() {},
  cancelled: false,
  end() {},
};
