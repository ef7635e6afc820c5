/**
 * textDocument/codeAction: each engine Fix becomes one `quickfix` tied to the diagnostic it
 * answers. Creates need `documentChanges` with resource operations; a client without them
 * is not offered fixes it could not apply.
 */
import {
  CodeActionKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic as LspDiagnostic,
  type TextDocumentEdit,
  type CreateFile,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit as LspWorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Fix, TextEdit, WorkspaceEdit } from '../engine/service';
import type { Range } from '../engine/text';
import { DIAGNOSTIC_SOURCE, plainText, snippetToPlain, toLspRange, uriToPath, type UriMap } from './convert';
import type { DocumentStore } from './documents';
import { withServiceNow } from './request';
import type { ServiceHost } from './serviceHost';

export interface EditCapabilities {
  documentChanges: boolean;
  createFiles: boolean;
  /** LSP 3.18 snippet text edits inside workspace edits. */
  snippets: boolean;
  /** The client shows `disabled` code actions (greyed out, with the reason). */
  disabledActions: boolean;
}

export function codeActionHandler(
  host: ServiceHost,
  uris: UriMap,
  documents: DocumentStore,
  published: (uri: string) => LspDiagnostic[],
  capabilities: () => EditCapabilities,
) {
  return (params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> | CodeAction[] => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null || !wantsQuickFixes(params.context.only)) return [];
    return withServiceNow(host, token, (service) => {
      const caps = capabilities();
      const actions: CodeAction[] = [];
      // Both from the last complete analysis when edits are pending: code actions are asked for on
      // every cursor move, and must not run the analysis the edits are waiting for.
      const repairs = service.quickFixes ? service.quickFixes(file, params.range) : service.fixes(file, params.range);
      const suppressions = (service.quickSuppressionFixes ?? service.suppressionFixes)?.call(service, file, params.range) ?? [];
      // Repairs first; silencing the finding comes last.
      for (const fix of [...repairs, ...suppressions]) {
        const diagnostic =
          findDiagnostic(params.context.diagnostics, fix) ?? findDiagnostic(published(uris.uri(fix.diagnosticLocation.file)), fix);
        if (fix.disabled) {
          if (caps.disabledActions) {
            actions.push({ title: plainText(fix.title), kind: CodeActionKind.QuickFix, diagnostics: diagnostic ? [diagnostic] : undefined, disabled: { reason: plainText(fix.disabled.reason) } });
          }
          continue;
        }
        const edit = toLspEdit(fix, uris, documents, caps);
        if (!edit) continue;
        actions.push({
          title: plainText(fix.title),
          kind: CodeActionKind.QuickFix,
          isPreferred: fix.preferred,
          diagnostics: diagnostic ? [diagnostic] : undefined,
          edit,
        });
      }
      return actions;
    });
  };
}

function wantsQuickFixes(only: string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((kind) => kind === '' || CodeActionKind.QuickFix === kind || CodeActionKind.QuickFix.startsWith(kind + '.'));
}

function findDiagnostic(diagnostics: LspDiagnostic[], fix: Fix): LspDiagnostic | undefined {
  return diagnostics.find(
    (d) =>
      d.code === fix.diagnosticCode &&
      (d.source === undefined || d.source === DIAGNOSTIC_SOURCE) &&
      sameRange(d.range, fix.diagnosticLocation.range),
  );
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** Null when the client cannot apply this edit. */
export function toLspEdit(fix: Fix, uris: UriMap, documents: DocumentStore, caps: EditCapabilities): LspWorkspaceEdit | null {
  const edit: WorkspaceEdit = fix.edit;
  // Snippet edits only exist inside documentChanges.
  const snippet = fix.isSnippet === true && caps.snippets && caps.documentChanges;
  const text = (t: string) => (fix.isSnippet && !snippet ? snippetToPlain(t) : t);
  const toEdits = (edits: TextEdit[]): LspTextEdit[] =>
    edits.map((e) =>
      snippet
        ? // 3.18's SnippetTextEdit; typed loosely because this protocol version predates it.
          ({ range: toLspRange(e.range), snippet: { kind: 'snippet', value: e.newText } } as unknown as LspTextEdit)
        : { range: toLspRange(e.range), newText: text(e.newText) },
    );

  if (!caps.documentChanges) {
    if (edit.creates.length) return null;
    const changes: Record<string, LspTextEdit[]> = {};
    for (const change of edit.changes) {
      const uri = uris.uri(change.file);
      (changes[uri] ??= []).push(...toEdits(change.edits));
    }
    return { changes };
  }
  if (edit.creates.length && !caps.createFiles) return null;

  const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
  for (const create of edit.creates) {
    const uri = uris.uri(create.file);
    // Never clobber: if the file appeared meanwhile, the client fails the edit instead.
    documentChanges.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } });
    const start = { line: 0, character: 0 };
    documentChanges.push({
      textDocument: { uri, version: null },
      edits: toEdits([{ range: { start, end: start }, newText: create.text }]),
    });
  }
  for (const change of edit.changes) {
    documentChanges.push({
      textDocument: { uri: uris.uri(change.file), version: documents.get(change.file)?.version ?? null },
      edits: toEdits(change.edits),
    });
  }
  return { documentChanges };
}
