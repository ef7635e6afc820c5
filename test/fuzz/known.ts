/**
 * Crashes the fuzzer finds in code this suite may not change, reported to its owners and
 * replayed by test/unit/robustness/regressions.test.ts (as todo tests until fixed). The bounded
 * fuzz test lists them without failing; anything else fails it. Keep signatures narrow.
 */
export interface KnownCrash {
  id: string;
  summary: string;
  matches(crash: { error: string; stack: string }): boolean;
}

export const KNOWN_CRASHES: readonly KnownCrash[] = [
  {
    id: 'module-returns-its-arguments',
    summary:
      'a NixOS module that returns its own arguments (`x: x`, `args: { inherit (args) config; }`, or `{(x: x)` after error recovery) ' +
      'sends nix/modules.ts Configuration.keysAt <-> liveDefsAt into unbounded recursion: RangeError out of analyze()',
    matches: (c) => c.error.includes('Maximum call stack size exceeded') && /Configuration\.(keysAt|liveDefsAt|defsAt)/.test(c.stack),
  },
];

export function knownCrash(crash: { error: string; stack: string }): KnownCrash | undefined {
  return KNOWN_CRASHES.find((k) => k.matches(crash));
}
