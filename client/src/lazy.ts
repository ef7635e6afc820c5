/**
 * The client's heavy modules, loaded on first use. vscode-languageclient (with the protocol and
 * JSON-RPC libraries under it) takes tens of milliseconds to evaluate, and activation must not
 * wait for it. esbuild evaluates a bundled module where it is first `require`d, so as long as
 * nothing in client/src imports a *value* from these modules at the top level (`import type` is
 * fine), they load only when these functions are first called.
 */
export type LanguageClientModule = typeof import('vscode-languageclient/node');
export type ProtocolModule = typeof import('../../server/src/protocol/protocol');
export type ClientFactoryModule = typeof import('./languageClient');

export function languageClientModule(): LanguageClientModule {
  return require('vscode-languageclient/node') as LanguageClientModule;
}

/** The custom protocol (request and notification types, status categories). */
export function protocol(): ProtocolModule {
  return require('../../server/src/protocol/protocol') as ProtocolModule;
}

/** The LanguageClient factory (imports vscode-languageclient). */
export function clientFactory(): ClientFactoryModule {
  return require('./languageClient') as ClientFactoryModule;
}

/** Same as the protocol's SHOW_REFERENCES_COMMAND (a test keeps them equal): needed at activation. */
export const SHOW_REFERENCES_COMMAND = 'microvmNet.showReferences';
