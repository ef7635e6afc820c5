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

export const KNOWN_CRASHES: readonly KnownCrash[] = [];

export function knownCrash(crash: { error: string; stack: string }): KnownCrash | undefined {
  return KNOWN_CRASHES.find((k) => k.matches(crash));
}
