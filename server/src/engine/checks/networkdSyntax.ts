/** Unit-file pitfalls networkd silently ignores or misreads (networkd.md §3), from the parser. */
import type { Diagnostic } from '../model';
import { definitionOf, DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

export const networkdSyntaxCheck: Check = {
  codes: [
    DIAGNOSTICS.networkdSyntaxQuotedName,
    DIAGNOSTICS.networkdSyntaxInlineComment,
    DIAGNOSTICS.networkdSyntaxMiscased,
    DIAGNOSTICS.networkdSyntaxEmptyMatch,
    DIAGNOSTICS.networkdSyntaxInvalidLine,
  ],
  run({ facts }) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const unit of facts.units) {
      for (const issue of unit.issues) {
        const key = `${issue.code}\0${issue.location.file}\0${issue.location.range.start.line}\0${issue.location.range.start.character}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // The parser's codes are typed as registry codes, so the entry exists.
        out.push(diagnostic(definitionOf(issue.code)!, issue.message, issue.location));
      }
    }
    return out;
  },
};
