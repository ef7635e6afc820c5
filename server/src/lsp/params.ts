/**
 * Request params are client input: a null position or range must be answered with
 * InvalidParams (-32602) and a message, not reach the engine and come back as an internal error
 * with a TypeError's text. Each handler is wrapped with the shape it needs.
 */
import { ErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';

export type ParamsShape = 'document' | 'position' | 'range' | 'query';

type Handler<P, R> = (params: P, token: CancellationToken) => R;

export function validated<P, R>(shape: ParamsShape, handler: Handler<P, R>): Handler<P, R> {
  return (params, token) => {
    const problem = paramsProblem(shape, params);
    if (problem !== null) throw new ResponseError(ErrorCodes.InvalidParams, `invalid params: ${problem}`);
    return handler(params, token);
  };
}

export function paramsProblem(shape: ParamsShape, params: unknown): string | null {
  if (!isObject(params)) return 'params must be an object';
  if (shape === 'query') return typeof params.query === 'string' ? null : '`query` must be a string';
  const doc = params.textDocument;
  if (!isObject(doc) || typeof doc.uri !== 'string') return '`textDocument.uri` must be a string';
  if (shape === 'position') return positionProblem('position', params.position);
  if (shape === 'range') {
    const range = params.range;
    if (!isObject(range)) return '`range` must be an object';
    return positionProblem('range.start', range.start) ?? positionProblem('range.end', range.end);
  }
  return null;
}

function positionProblem(what: string, p: unknown): string | null {
  if (!isObject(p) || !isIndex(p.line) || !isIndex(p.character)) return `\`${what}\` must be { line, character } with non-negative integers`;
  return null;
}

function isIndex(x: unknown): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
