/**
 * textDocument/prepareRename and textDocument/rename for bridges: the engine finds every place
 * the name is written and refuses when one cannot be renamed safely; a refusal reaches the user
 * as the request's error message.
 */
import {
  ErrorCodes,
  ResponseError,
  type CancellationToken,
  type PrepareRenameParams,
  type Range as LspRange,
  type RenameParams,
  type WorkspaceEdit as LspWorkspaceEdit,
} from 'vscode-languageserver/node';
import { toLspEdit, type EditCapabilities } from './codeActions';
import { toLspRange, uriToPath, type UriMap } from './convert';
import type { DocumentStore } from './documents';
import { withService } from './request';
import type { ServiceHost } from './serviceHost';

export function prepareRenameHandler(host: ServiceHost) {
  return (params: PrepareRenameParams, token: CancellationToken): Promise<{ range: LspRange; placeholder: string } | null> | null => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null) return null;
    return withService(host, token, (service) => {
      const target = service.prepareRename(file, params.position);
      // An error, not null: clients show its message ("nothing to rename" is no help).
      if (!target) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only a bridge name can be renamed here (a .netdev Name=, a Bridge=, networking.bridges.<name> or a script\'s master word).');
      return { range: toLspRange(target.range), placeholder: target.name };
    });
  };
}

export function renameHandler(host: ServiceHost, uris: UriMap, documents: DocumentStore, capabilities: () => EditCapabilities) {
  return (params: RenameParams, token: CancellationToken): Promise<LspWorkspaceEdit | null> | null => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null) return null;
    return withService(host, token, (service) => {
      const result = service.rename(file, params.position, params.newName);
      if (result === null) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only a bridge name can be renamed here.');
      if ('refused' in result) throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot rename: ${result.refused}`);
      const fix = { title: 'rename', diagnosticCode: '', diagnosticLocation: { file, range: { start: params.position, end: params.position } }, preferred: false, edit: result.edit };
      return toLspEdit(fix, uris, documents, { ...capabilities(), snippets: false });
    });
  };
}
