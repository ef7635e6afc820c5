import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnmatch, matchPattern } from '../../../server/src/engine/networkd';
import { HOLE, known, pattern, type StrPart } from '../../../server/src/engine/pattern';

test('fnmatch agrees with glibc fnmatch(3) (flags 0) on the recorded corpus', () => {
  // fixtures/gen_fnmatch.py calls glibc through ctypes; brackets, classes, escapes, oddities.
  const cases = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'fnmatch-glibc.json'), 'utf8')) as [string, string, boolean][];
  assert.ok(cases.length > 5000);
  const wrong = cases.filter(([g, s, want]) => fnmatch(g, s) !== want);
  assert.deepEqual(wrong.slice(0, 10), []);
});

test('fnmatch basics', () => {
  const yes: [string, string][] = [
    ['vm-*', 'vm-a'], ['*', ''], ['*', '.x'], ['a/*', 'a/b/c'], ['?', '/'], ['vm-[0-9]', 'vm-7'], ['vm-[!0-9]', 'vm-x'],
    ['vm-[^0-9]', 'vm-x'], ['[]]', ']'], ['[!]]', 'x'], ['[a-]', '-'], ['\\*', '*'], ['[\\]]', ']'], ['[[:digit:]]x', '1x'],
    ['[a', '[a'], ['[', '['], ['*[', 'x['], ['g[0-9]*', 'g12'],
  ];
  const no: [string, string][] = [
    ['vm-*', 'VM-a'], ['?', ''], ['vm-[0-9]', 'vm-x'], ['vm-[!0-9]', 'vm-1'], ['a\\', 'a\\'], ['a\\', 'a'], ['[a', 'a'],
    ['[[:foo:]]', 'f'], ['[z-a]', 'm'], ['vm-a', 'vm-ab'],
  ];
  for (const [g, s] of yes) assert.equal(fnmatch(g, s), true, `${g} ~ ${s}`);
  for (const [g, s] of no) assert.equal(fnmatch(g, s), false, `${g} !~ ${s}`);
});

test('matchPattern on known strings is exactly fnmatch', () => {
  assert.equal(matchPattern('vm-*', known('vm-a')), 'yes');
  assert.equal(matchPattern('vm-*', known('en0')), 'no');
});

test('matchPattern on patterns: definite answers where every/no concretisation matches', () => {
  const p = (...parts: StrPart[]) => pattern(parts);
  assert.equal(matchPattern('vm-*', p('vm-', HOLE)), 'yes');
  assert.equal(matchPattern('*', p(HOLE)), 'yes');
  assert.equal(matchPattern('en*', p('vm-', HOLE)), 'no');
  assert.equal(matchPattern('vm-a*', p('vm-', HOLE)), 'maybe');
  assert.equal(matchPattern('*-tap', p(HOLE, '-tap')), 'yes');
  assert.equal(matchPattern('*-tap', p(HOLE, '-tab')), 'no');
  assert.equal(matchPattern('vm-?', p('vm-', HOLE)), 'maybe');
  assert.equal(matchPattern('vm-[!x]*', p('vm-', HOLE)), 'maybe');
  assert.equal(matchPattern('v*a', p('v', HOLE, 'a')), 'yes');
  assert.equal(matchPattern('vm-a\\', p('vm-', HOLE)), 'no');
  assert.equal(matchPattern('[[:alpha:]]*', p('v', HOLE)), 'yes');
  assert.equal(matchPattern('*[[:alpha:]]', p('v', HOLE)), 'maybe');
});

// Property test: tri-state answers against brute-force concretisations over a small alphabet.
function* strings(alpha: string[], max: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of alpha) next.push(s + c);
    yield* next;
    level = next;
  }
}

test('matchPattern never gives a wrong yes/no (brute force over concretisations)', () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const globAtoms = ['a', 'b', '-', '*', '?', '[ab]', '[!a]', '[a-c]', '\\*', '[', '[[:alpha:]]', '*a', 'ab'];
  const patAtoms: StrPart[] = ['a', 'b', '-', 'ab', '*', HOLE, HOLE];
  const holeAlpha = ['a', 'b', 'c', '-', '*', '[', '0'];
  let definite = 0;
  for (let i = 0; i < 400; i++) {
    const glob = Array.from({ length: 1 + rnd(4) }, () => globAtoms[rnd(globAtoms.length)]).join('');
    const parts = Array.from({ length: 1 + rnd(4) }, () => patAtoms[rnd(patAtoms.length)]);
    const pat = pattern(parts);
    const tri = matchPattern(glob, pat);
    const holes = pat.parts.filter((x) => typeof x !== 'string').length;
    // Enumerate fillings of the holes (each up to 3 chars).
    const fills = [...strings(holeAlpha, holes > 1 ? 2 : 3)];
    let anyYes = false;
    let anyNo = false;
    const rec = (k: number, acc: string): void => {
      if (anyYes && anyNo) return;
      if (k === pat.parts.length) {
        if (fnmatch(glob, acc)) anyYes = true;
        else anyNo = true;
        return;
      }
      const part = pat.parts[k];
      if (typeof part === 'string') rec(k + 1, acc + part);
      else for (const f of fills) rec(k + 1, acc + f);
    };
    rec(0, '');
    if (tri === 'yes') assert.equal(anyNo, false, `wrong yes: ${glob} vs ${JSON.stringify(pat.parts)}`);
    if (tri === 'no') assert.equal(anyYes, false, `wrong no: ${glob} vs ${JSON.stringify(pat.parts)}`);
    if (tri !== 'maybe') definite++;
    // Precision check: when brute force shows both outcomes, the answer must be maybe.
    if (anyYes && anyNo) assert.equal(tri, 'maybe');
  }
  assert.ok(definite > 100, `only ${definite} definite answers`);
});
