/**
 * Open editor buffers, synced incrementally. We keep our own copy of each text (not only the
 * engine's) so a freshly created service can be handed every open buffer, and so code actions
 * can name the version an edit applies to.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { Range } from '../engine/text';
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
  private readonly docs = new Map<string, TextDocument & { file: string }>();

  constructor(
    private readonly uris: UriMap,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  listen(connection: Connection, listener: DocumentListener): void {
    connection.onDidOpenTextDocument(({ textDocument: td }) => {
      const file = this.uris.remember(td.uri);
      // Untitled and virtual documents have no place in the file set the engine models.
      if (file === null) return;
      const doc = Object.assign(TextDocument.create(td.uri, td.languageId, td.version, td.text), { file });
      this.docs.set(file, doc);
      listener.opened(this.snapshot(doc));
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
      const updated = Object.assign(TextDocument.update(doc, contentChanges, td.version), { file: doc.file });
      this.docs.set(doc.file, updated);
      listener.changed(this.snapshot(updated), contentChanges.map(toEngineChange));
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
    return doc && this.snapshot(doc);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()].map((d) => this.snapshot(d));
  }

  private byUri(uri: string): (TextDocument & { file: string }) | undefined {
    const file = this.uris.remember(uri);
    return file === null ? undefined : this.docs.get(file);
  }

  private snapshot(doc: TextDocument & { file: string }): OpenDocument {
    return { file: doc.file, uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() };
  }
}

function toEngineChange(change: TextDocumentContentChangeEvent): { range?: Range; text: string } {
  if ('range' in change && change.range) {
    return { range: { start: { ...change.range.start }, end: { ...change.range.end } }, text: change.text };
  }
  return { text: change.text };
}
