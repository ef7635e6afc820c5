/**
 * Which documents the server gets. We never define the `nix` language ourselves (nix-ide and
 * friends do), so `.nix` files are selected by language when some extension defines it and by
 * file pattern otherwise. Unit files are selected by our language and by file pattern, so they
 * still reach the server when another extension (systemd-conf, systemd-network, …) gives them its
 * own language id.
 */
import * as vscode from 'vscode';
import type { DocumentSelector } from 'vscode-languageclient/node';

export function nixLanguageDefined(): boolean {
  return vscode.extensions.all.some((ext) => {
    const languages: unknown = ext.packageJSON?.contributes?.languages;
    return Array.isArray(languages) && languages.some((l: { id?: unknown }) => l?.id === 'nix');
  });
}

export const UNIT_FILES = '**/*.{network,netdev,link}';
export const UNIT_DROP_INS = '**/*.{network,netdev,link}.d/*.conf';

export function documentSelector(nixDefined: boolean): DocumentSelector {
  return [
    nixDefined ? { scheme: 'file', language: 'nix' } : { scheme: 'file', pattern: '**/*.nix' },
    { scheme: 'file', language: 'systemd-network' },
    { scheme: 'file', pattern: UNIT_FILES },
    { scheme: 'file', pattern: UNIT_DROP_INS },
  ];
}
