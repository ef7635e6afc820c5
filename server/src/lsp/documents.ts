/**
 * Open editor buffers, synced incrementally. We keep our own copy of each text (not only the
 * engine's) so a freshly created service can be handed every open buffer, and so code actions
 * can name the version an edit applies to.
 */
import type { Connection, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { Range } from '../engine/text';
import { applyContentChanges } from '../engine/textEdits';
import type { UriMap } from './convert';

export interface OpenDocument {
  file: string;
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

export interface DocumentListener {
  opened(doc: OpenDocument): void;
  changed(doc: OpenDocument, changes: { range?: Range; text: string }[]): void;
  closed(file: string): void;
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(
    private readonly uris: UriMap,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  listen(connection: Connection, listener: DocumentListener): void {
    connection.onDidOpenTextDocument(({ textDocument: td }) => {
      const file = this.uris.remember(td.uri);
      // Untitled and virtual documents have no place in the file set the engine models.
      if (file === null) return;
      const doc: OpenDocument = { file, uri: td.uri, languageId: td.languageId, version: td.version, text: td.text };
      this.docs.set(file, doc);
      listener.opened({ ...doc });
    });
    connection.onDidChangeTextDocument(({ textDocument: td, contentChanges }) => {
      const doc = this.byUri(td.uri);
      if (!doc) return;
      // Versions only grow (LSP). A change at or below the version we hold is stale or out of
      // order: its ranges refer to a text we no longer have, so applying it would corrupt the
      // buffer (and the engine ignores it too, so the two copies would part ways).
      if (td.version <= doc.version) {
        this.log(`ignored a stale change to ${td.uri}: version ${td.version}, have ${doc.version}`);
        return;
      }
      // The engine applies the same changes with the same function, so the two copies agree.
      const changes = contentChanges.map(toEngineChange);
      const updated: OpenDocument = { ...doc, version: td.version, text: applyContentChanges(doc.text, changes) };
      this.docs.set(doc.file, updated);
      listener.changed({ ...updated }, changes);
    });
    connection.onDidCloseTextDocument(({ textDocument: td }) => {
      const doc = this.byUri(td.uri);
      if (!doc) return;
      this.docs.delete(doc.file);
      this.uris.forget(doc.file);
      listener.closed(doc.file);
    });
  }

  get(file: string): OpenDocument | undefined {
    const doc = this.docs.get(file);
    return doc && { ...doc };
  }

  all(): OpenDocument[] {
    return [...this.docs.values()].map((d) => ({ ...d }));
  }

  private byUri(uri: string): OpenDocument | undefined {
    const file = this.uris.remember(uri);
    return file === null ? undefined : this.docs.get(file);
  }
}

function toEngineChange(change: TextDocumentContentChangeEvent): { range?: Range; text: string } {
  if ('range' in change && change.range) {
    return { range: { start: { ...change.range.start }, end: { ...change.range.end } }, text: change.text };
  }
  return { text: change.text };
}
