/** What fact extraction emits, per top-level configuration and for the whole workspace. */
import type { NixFacts } from './extraction';

/** What one top-level configuration (with its nested guests) emitted. */
export type Slice = Omit<NixFacts, 'problems' | 'gaps'> & {
  /** Calls of `problem()` while emitting (problems make a slice non-reusable: their order is global). */
  problemCalls: number;
};

export function emptySlice(): Slice {
  return { ...noHostFacts(), problemCalls: 0 };
}

export function noHostFacts(): Omit<NixFacts, 'problems' | 'gaps'> {
  return { hosts: [], interfaces: [], units: [], bridges: [], scripts: [], addresses: [], links: [], interfaceDeclarations: [], guestNetworks: [], hostServices: [] };
}
