/**
 * Restarts a crashed server like languageclient's default handler (at most MAX_RESTARTS within
 * RESTART_WINDOW_MS), but says so in the output channel each time, so a crash loop is visible.
 */
import type * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type Message,
} from 'vscode-languageclient/node';

const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export class ReportingErrorHandler implements ErrorHandler {
  private readonly restarts: number[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  error(error: Error, message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    this.log.error(`connection error${message ? ` (${JSON.stringify(message).slice(0, 200)})` : ''}: ${error.message}`);
    // Same tolerance as the default: a few garbled messages are survivable, a stream of them is not.
    if (count !== undefined && count <= 3) return { action: ErrorAction.Continue, handled: true };
    return { action: ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts.push(now);
    while (this.restarts.length && now - this.restarts[0] > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.restarts.length <= MAX_RESTARTS) {
      this.log.warn(`the MicroVM network language server stopped unexpectedly; restarting it (${this.restarts.length} of ${MAX_RESTARTS} within 3 minutes)`);
      return { action: CloseAction.Restart, handled: true };
    }
    const message = `The MicroVM network language server crashed ${this.restarts.length} times in 3 minutes and will not be restarted. See the "MicroVM Network" output; run "MicroVM Network: Restart Language Server" to try again.`;
    this.log.error(message);
    return { action: CloseAction.DoNotRestart, message };
  }
}
