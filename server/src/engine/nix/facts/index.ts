/** What a workspace's Nix says: configurations and the facts the resolver needs (extraction.ts). */
export { extractNixFacts, IncrementalNixFacts, type NixFacts, type NixFactsInput, type NixMicrovmInterface, type NoticeKind } from './extraction';
export { referencedFiles } from './references';
