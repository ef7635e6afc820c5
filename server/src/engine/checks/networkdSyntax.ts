/** Unit-file pitfalls networkd silently ignores or misreads (networkd.md §3), from the parser. */
import type { Diagnostic } from '../model';
import { type Check, diagnostic } from './context';

export const networkdSyntaxCheck: Check = {
  codes: [
    'networkd-syntax-quoted-name',
    'networkd-syntax-inline-comment',
    'networkd-syntax-miscased',
    'networkd-syntax-empty-match',
    'networkd-syntax-invalid-line',
  ],
  run({ facts }) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const unit of facts.units) {
      for (const issue of unit.issues) {
        const key = `${issue.code}\0${issue.location.file}\0${issue.location.range.start.line}\0${issue.location.range.start.character}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(diagnostic(issue.code, 'warning', issue.message, issue.location));
      }
    }
    return out;
  },
};
