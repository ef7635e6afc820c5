/**
 * Scan progress on stderr: "scanning 1200/5000 files…". On a terminal one line is rewritten in
 * place at most every 100 ms and erased at the end; with `--progress` on a non-terminal, plain
 * lines at most once a second. Disabled, it writes nothing.
 */
import type { ScanProgress } from '../engine/service';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  update(p: ScanProgress): void;
  /** Erases the in-place line (terminal) so later output starts clean. */
  done(): void;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Shown only when the stream is a terminal, unless forced. */
  force: boolean;
  disabled: boolean;
  now?: () => number;
  /** Minimum time between two updates. */
  intervalMs?: number;
}

export function formatProgress(p: ScanProgress): string {
  return p.total > 0 ? `scanning ${p.done}/${p.total} files…` : `scanning ${p.done} files…`;
}

export function createProgress(options: ProgressOptions): Progress {
  const tty = options.stream.isTTY === true;
  const enabled = !options.disabled && (tty || options.force);
  if (!enabled) return { update() {}, done() {} };
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? (tty ? 100 : 1000);
  let last = -Infinity;
  let shown = false;
  return {
    update(p) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      const line = formatProgress(p);
      if (tty) options.stream.write(`\r\x1b[2K${line}`);
      else options.stream.write(`${line}\n`);
      shown = true;
    },
    done() {
      if (tty && shown) options.stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
