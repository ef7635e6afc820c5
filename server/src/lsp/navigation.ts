/**
 * Definition, references, symbols, code lenses and completion: each asks the engine and
 * converts the answer. Empty answers are empty arrays, never errors.
 */
import {
  CompletionItemKind,
  type CancellationToken,
  type CodeLens,
  type CodeLensParams,
  type CompletionItem,
  type CompletionParams,
  type DefinitionParams,
  type DocumentSymbol,
  type DocumentSymbolParams,
  type Location as LspLocation,
  type ReferenceParams,
  type SymbolInformation,
  type WorkspaceSymbolParams,
} from 'vscode-languageserver/node';
import type { LanguageService, SymbolInfo } from '../engine/service';
import { SHOW_REFERENCES_COMMAND, type ShowReferencesArgs } from '../protocol/protocol';
import { toLspLocation, toLspRange, toLspSymbolKind, uriToPath, type UriMap } from './convert';
import { withService } from './request';
import type { ServiceHost } from './serviceHost';

type Handler<P, R> = (params: P, token: CancellationToken) => Promise<R> | R;

/** Handlers for one document position or document: the file, or an empty answer. */
function perFile<P extends { textDocument: { uri: string } }, R>(
  host: ServiceHost,
  empty: R,
  answer: (file: string, params: P, service: LanguageService) => R,
): Handler<P, R> {
  return (params, token) => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null) return empty;
    return withService(host, token, (service) => answer(file, params, service));
  };
}

export function definitionHandler(host: ServiceHost, uris: UriMap): Handler<DefinitionParams, LspLocation[]> {
  return perFile(host, [], (file, params, service) =>
    service.definition(file, params.position).map((l) => toLspLocation(l, uris)),
  );
}

export function referencesHandler(host: ServiceHost, uris: UriMap): Handler<ReferenceParams, LspLocation[]> {
  return perFile(host, [], (file, params, service) =>
    service.references(file, params.position).map((l) => toLspLocation(l, uris)),
  );
}

export function documentSymbolHandler(
  host: ServiceHost,
  uris: UriMap,
  hierarchical: () => boolean,
): Handler<DocumentSymbolParams, DocumentSymbol[] | SymbolInformation[]> {
  return perFile<DocumentSymbolParams, DocumentSymbol[] | SymbolInformation[]>(host, [], (file, _params, service) => {
    const symbols = service.documentSymbols(file);
    return hierarchical() ? symbols.map(toDocumentSymbol) : flatten(symbols).map((s) => toSymbolInformation(s, uris));
  });
}

export function workspaceSymbolHandler(host: ServiceHost, uris: UriMap): Handler<WorkspaceSymbolParams, SymbolInformation[]> {
  return (params, token) =>
    withService(host, token, (service) => service.workspaceSymbols(params.query).map((s) => toSymbolInformation(s, uris)));
}

export function codeLensHandler(host: ServiceHost, uris: UriMap): Handler<CodeLensParams, CodeLens[]> {
  return perFile(host, [], (file, params, service) =>
    service.codeLenses(file).map((lens) => {
      const range = toLspRange(lens.range);
      const args: ShowReferencesArgs = [params.textDocument.uri, range.start, lens.targets.map((t) => toLspLocation(t, uris))];
      // A lens without targets is a label: an empty command id renders it unclickable.
      return {
        range,
        command: { title: lens.title, command: lens.targets.length ? SHOW_REFERENCES_COMMAND : '', arguments: args },
      };
    }),
  );
}

export function completionHandler(host: ServiceHost): Handler<CompletionParams, CompletionItem[]> {
  return perFile(host, [], (file, params, service) =>
    service.completions(file, params.position).map((c, i) => ({
      label: c.label,
      detail: c.detail,
      kind: CompletionItemKind.Value,
      // The engine's order (the host's own bridges first) survives clients that sort by label.
      sortText: String(i).padStart(4, '0'),
      textEdit: { range: toLspRange(c.range), newText: c.label },
    })),
  );
}

function toDocumentSymbol(s: SymbolInfo): DocumentSymbol {
  return {
    name: s.name || '(unnamed)',
    detail: s.detail,
    kind: toLspSymbolKind(s.kind),
    range: toLspRange(s.location.range),
    selectionRange: toLspRange(s.selectionRange),
    children: s.children?.map(toDocumentSymbol),
  };
}

function toSymbolInformation(s: SymbolInfo & { containerName?: string }, uris: UriMap): SymbolInformation {
  return {
    name: s.name || '(unnamed)',
    kind: toLspSymbolKind(s.kind),
    location: toLspLocation(s.location, uris),
    containerName: s.containerName ?? s.detail,
  };
}

function flatten(symbols: SymbolInfo[], container?: string): (SymbolInfo & { containerName?: string })[] {
  return symbols.flatMap((s) => [{ ...s, containerName: container }, ...flatten(s.children ?? [], s.name)]);
}
