/**
 * Shared plumbing for request handlers: wait for the first service, give pending `$/cancelRequest`
 * notifications a chance to arrive (engine calls are synchronous, so a cancel can only be seen
 * between them), and answer a cancelled request with RequestCancelled as LSP asks.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import type { LanguageService } from '../engine/service';
import type { ServiceHost } from './serviceHost';

export async function withService<T>(
  host: ServiceHost,
  token: CancellationToken,
  run: (service: LanguageService) => T,
): Promise<T> {
  const service = host.current ?? (await untilCancelled(host.ready(), token));
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (!service || token.isCancellationRequested) throw cancelled();
  return run(service);
}

/**
 * Like `withService`, but once a service exists the answer is computed at once, without a turn
 * for a cancel: for requests the engine answers from its last snapshot in well under a
 * millisecond, which would otherwise queue behind a pending analysis.
 */
export function withServiceNow<T>(
  host: ServiceHost,
  token: CancellationToken,
  run: (service: LanguageService) => T,
): T | Promise<T> {
  const service = host.current;
  if (!service) return withService(host, token, run);
  if (token.isCancellationRequested) throw cancelled();
  return run(service);
}

export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

function untilCancelled<T>(promise: Promise<T>, token: CancellationToken): Promise<T | null> {
  if (token.isCancellationRequested) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      resolve(null);
    });
    promise.then(
      (v) => {
        sub.dispose();
        resolve(v);
      },
      (e: unknown) => {
        sub.dispose();
        reject(e);
      },
    );
  });
}

/**
 * Runs a message we do not wait for; a client refusing it (unknown method, closed pipe) is
 * logged rather than left as an unhandled rejection that would end the process.
 */
export function background(promise: Promise<unknown>, log: (msg: string) => void, what: string): void {
  promise.catch((e: unknown) => log(`${what} failed: ${e instanceof Error ? e.message : String(e)}`));
}
