/**
 * Engine ↔ LSP conversions. Engine positions are already 0-based UTF-16 like LSP, so ranges
 * copy through; the real work is URIs and the few enums that differ.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity,
  SymbolKind,
  type Diagnostic as LspDiagnostic,
  type Location as LspLocation,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { Diagnostic, Severity } from '../engine/model';
import { codeDocsUrl } from '../protocol/docs';
import type { SymbolInfo } from '../engine/service';
import type { Location, Range } from '../engine/text';

export const DIAGNOSTIC_SOURCE = 'microvm-net';

/**
 * `file://` URI for an absolute path, encoded the way VS Code's `Uri.file().toString()` does
 * (every byte outside RFC 3986 "unreserved" and `/` percent-encoded, drive letter lowercased
 * with its colon encoded), so URIs we mint compare equal to the ones clients send.
 */
export function pathToUri(file: string): string {
  let p = file;
  // A backslash separates only on Windows; on POSIX it is an ordinary file name character.
  if (/^[a-zA-Z]:[\\/]/.test(p) || (process.platform === 'win32' && p.includes('\\'))) p = p.replace(/\\/g, '/');
  if (/^[a-zA-Z]:/.test(p)) p = '/' + p[0].toLowerCase() + p.slice(1);
  if (p.startsWith('//')) {
    // UNC path: the server name becomes the authority.
    const end = p.indexOf('/', 2);
    const host = end === -1 ? p.slice(2) : p.slice(2, end);
    const rest = end === -1 ? '/' : p.slice(end);
    return `file://${encodeSegment(host.toLowerCase())}${encodePath(rest)}`;
  }
  return `file://${encodePath(p)}`;
}

function encodePath(p: string): string {
  return p.split('/').map(encodeSegment).join('/');
}

function encodeSegment(segment: string): string {
  // encodeURIComponent leaves !'()* alone; VS Code does not.
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Absolute path of a `file:` URI; null for other schemes (untitled:, vscode-notebook-cell:...). */
export function uriToPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return null;
  }
}

/**
 * Remembers the exact URI a client used for each path it opened, so replies about that file
 * carry the client's spelling even where our encoding would differ (`%3a` vs `%3A`, `:` kept).
 */
export class UriMap {
  private readonly byPath = new Map<string, string>();

  remember(uri: string): string | null {
    const file = uriToPath(uri);
    if (file !== null) this.byPath.set(file, uri);
    return file;
  }

  forget(file: string): void {
    this.byPath.delete(file);
  }

  uri(file: string): string {
    return this.byPath.get(file) ?? pathToUri(file);
  }
}

export function toLspRange(range: Range): LspRange {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

export function toLspLocation(location: Location, uris: UriMap): LspLocation {
  return { uri: uris.uri(location.file), range: toLspRange(location.range) };
}

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}

/**
 * Engine text marks names as code spans (`br0`) for markdown faces (hover, SARIF). The Problems
 * panel, quick-fix menus and most editors' message lines show text raw, so there each span
 * becomes a quoted name and no literal backtick is left but one that is part of a name.
 */
export function plainText(text: string): string {
  const ESCAPED = '\u0000';
  return text
    .replace(/\\`/g, ESCAPED)
    .replace(/`([^`]*)`/g, "'$1'")
    .replace(/`/g, "'")
    .split(ESCAPED)
    .join('`');
}

export function toLspDiagnostic(d: Diagnostic, uris: UriMap, withRelated: boolean): LspDiagnostic {
  const out: LspDiagnostic = {
    range: toLspRange(d.location.range),
    severity: toLspSeverity(d.severity),
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: plainText(d.message),
  };
  const href = codeDocsUrl(d.code);
  if (href) out.codeDescription = { href };
  if (withRelated && d.related.length) {
    out.relatedInformation = d.related.map((r) => ({ location: toLspLocation(r.location, uris), message: plainText(r.message) }));
  } else if (d.related.length) {
    // Clients without related-information support still learn which files are involved.
    out.message += '\n' + d.related.map((r) => `${plainText(r.message)} (${r.location.file}:${r.location.range.start.line + 1})`).join('\n');
  }
  return out;
}

export function toLspSymbolKind(kind: SymbolInfo['kind']): SymbolKind {
  switch (kind) {
    case 'vm':
      return SymbolKind.Module;
    case 'tap':
    case 'interface':
      return SymbolKind.Interface;
    case 'bridge':
      return SymbolKind.Struct;
    case 'unit':
      return SymbolKind.File;
    case 'netdev':
      return SymbolKind.Class;
    case 'section':
      return SymbolKind.Namespace;
    case 'key':
      return SymbolKind.Property;
  }
}

/**
 * The text a snippet inserts once its placeholders keep their defaults: for clients that cannot
 * take snippet edits. Follows the TextMate/LSP snippet grammar: `$1`, `${1}`, `${1:default}`
 * (nested), `${1|a,b|}` (first choice), `$VAR`/`${VAR:default}`, `\$ \} \\` escapes.
 */
export function snippetToPlain(snippet: string): string {
  let i = 0;
  const parse = (stopAtBrace: boolean): string => {
    let out = '';
    while (i < snippet.length) {
      const c = snippet[i];
      if (c === '\\' && i + 1 < snippet.length && '$}\\'.includes(snippet[i + 1])) {
        out += snippet[i + 1];
        i += 2;
      } else if (stopAtBrace && c === '}') {
        return out;
      } else if (c === '$') {
        out += parseDollar();
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  const parseDollar = (): string => {
    const m = /^\$(\d+|[A-Za-z_][A-Za-z0-9_]*)/.exec(snippet.slice(i));
    if (m) {
      i += m[0].length;
      return '';
    }
    const open = /^\$\{(\d+|[A-Za-z_][A-Za-z0-9_]*)/.exec(snippet.slice(i));
    if (!open) {
      i++;
      return '$';
    }
    i += open[0].length;
    let text = '';
    if (snippet[i] === ':') {
      i++;
      text = parse(true);
    } else if (snippet[i] === '|') {
      const end = snippet.indexOf('|}', i + 1);
      const choices = snippet.slice(i + 1, end === -1 ? snippet.length : end);
      text = choices.split(',')[0].replace(/\\([,|\\])/g, '$1');
      i = end === -1 ? snippet.length : end + 1;
    } else if (snippet[i] === '/') {
      // Variable transforms have no meaning without the variable's value.
      while (i < snippet.length && snippet[i] !== '}') {
        if (snippet[i] === '\\') i++;
        i++;
      }
    }
    if (snippet[i] === '}') i++;
    return text;
  };
  return parse(false);
}
