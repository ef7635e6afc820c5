/** Workspace regexes run on a backtracking engine: catastrophic shapes are refused (unknown). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catastrophicRegex } from '../../../../server/src/engine/nix/eval/builtins';

test('nested quantifiers, quantified alternations, back-references and long quantifier runs are refused', () => {
  for (const r of ['(a*)*b', '(a|aa)+', '(a+)+', '(.*)*', '(x)\\1', '((ab)*c)*', 'a*a*a*a*a*b']) assert.equal(catastrophicRegex(r), true, r);
});

test('the regexes real configurations use are kept', () => {
  for (const r of ['vm-([0-9]+)', '([a-z]+)-([0-9]+)', '[[:alpha:]]+', '(a|b)', '.*\\.nix', '([^/]+)\\.nix', 'a{2,3}', '[(]+', '(vm|tap)-.*']) {
    assert.equal(catastrophicRegex(r), false, r);
  }
});
