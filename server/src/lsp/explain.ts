/**
 * `workspace/executeCommand` `microvm-net.explainTap`: the decision chain of a tap, by id
 * (`{ tap }`) or by the id under a cursor (`{ uri, position }`), with each step's location as a
 * URI and range, and the whole as plain text (the CLI's `explain` prints the same text).
 */
import { ErrorCodes, ResponseError, type CancellationToken, type ExecuteCommandParams, type Location as LspLocation } from 'vscode-languageserver/node';
import { explanationText } from '../engine/explain';
import { EXPLAIN_TAP_COMMAND } from '../protocol/protocol';
import { toLspLocation, uriToPath, type UriMap } from './convert';
import { withService } from './request';
import type { ServiceHost } from './serviceHost';

export interface ExplainStepResult {
  text: string;
  depth: number;
  location?: LspLocation;
}

export interface ExplainResult {
  taps: { tap: string; vm: string | null; host: string | null; destination: string; steps: ExplainStepResult[]; text: string }[];
}

export function executeCommandHandler(host: ServiceHost, uris: UriMap) {
  return (params: ExecuteCommandParams, token: CancellationToken): Promise<ExplainResult> => {
    if (params.command !== EXPLAIN_TAP_COMMAND) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
    const query = queryOf(params.arguments?.[0]);
    if (typeof query === 'string') throw new ResponseError(ErrorCodes.InvalidParams, query);
    return withService(host, token, (service) => ({
      taps: service.explain(query).map((e) => ({
        tap: e.tap,
        vm: e.vm,
        host: e.host,
        destination: e.destination,
        steps: e.steps.map((s) => (s.at ? { text: s.text, depth: s.depth, location: toLspLocation(s.at, uris) } : { text: s.text, depth: s.depth })),
        text: explanationText(e),
      })),
    }));
  };
}

function queryOf(arg: unknown): { tap: string } | { file: string; position: { line: number; character: number } } | string {
  if (typeof arg === 'string') return { tap: arg };
  if (typeof arg !== 'object' || arg === null) return 'expected { tap } or { uri, position }';
  const a = arg as Record<string, unknown>;
  if (typeof a.tap === 'string') return { tap: a.tap };
  const p = a.position as Record<string, unknown> | undefined;
  if (typeof a.uri === 'string' && p && Number.isInteger(p.line) && Number.isInteger(p.character)) {
    const file = uriToPath(a.uri);
    if (file === null) return 'uri must be a file: URI';
    return { file, position: { line: p.line as number, character: p.character as number } };
  }
  return 'expected { tap } or { uri, position }';
}
