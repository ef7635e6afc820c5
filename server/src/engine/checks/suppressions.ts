/**
 * A `# microvm-net: ignore <code>` comment that silences nothing is reported, so suppressions do
 * not outlive the finding they were written for. Reviewed after every other check: a comment is
 * used when some check reported its code on its line (or, for ignore-file, in its file),
 * whatever severity the settings then give that code.
 */
import { suppressionOf } from '../suppressions/comments';
import { visibleText } from '../text';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

const { suppressionUnused } = DIAGNOSTICS;

export const suppressionCheck: Check = {
  codes: [suppressionUnused],
  run: () => [],
  review({ facts }, findings) {
    const comments = facts.suppressions ?? [];
    if (comments.length === 0) return [];
    const used = new Set(findings.map((d) => suppressionOf(d, comments)).filter((c) => c !== undefined));
    return comments
      .filter((c) => !used.has(c))
      .map((c) => {
        const where = c.scope === 'file' ? 'in this file' : `on line ${c.appliesToLine + 1}`;
        return diagnostic(suppressionUnused, `suppression of \`${visibleText(c.code)}\` is unused: nothing reports it ${where}`, c.location);
      });
  },
};
