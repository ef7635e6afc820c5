/**
 * Which documents the server gets. We never define the `nix` language ourselves (nix-ide and
 * friends do), so `.nix` files are selected by language when some extension defines it and by
 * file pattern otherwise.
 */
import * as vscode from 'vscode';
import type { DocumentSelector } from 'vscode-languageclient/node';

export function nixLanguageDefined(): boolean {
  return vscode.extensions.all.some((ext) => {
    const languages: unknown = ext.packageJSON?.contributes?.languages;
    return Array.isArray(languages) && languages.some((l: { id?: unknown }) => l?.id === 'nix');
  });
}

export function documentSelector(nixDefined: boolean): DocumentSelector {
  return [
    nixDefined ? { scheme: 'file', language: 'nix' } : { scheme: 'file', pattern: '**/*.nix' },
    { scheme: 'file', language: 'systemd-network' },
    // The project file: its problems are shown as it is typed, and it applies before it is saved.
    { scheme: 'file', pattern: '**/microvm-net.toml' },
  ];
}
