import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvaluator, toJs, UNKNOWN } from './util';
import { DEFAULT_BUDGET } from '../../../../server/src/engine/nix/eval/evaluator';

test('a 10,000-element generated list evaluates within the default budget', async () => {
  const ev = await makeEvaluator();
  const v = ev.evalSource('/ws/main.nix', `
    let xs = builtins.genList (i: { name = "vm\${toString i}"; value = i * 2; }) 10000;
        set = builtins.listToAttrs xs;
    in [ (builtins.length xs) set.vm9999 (builtins.length (builtins.attrNames set)) ]`);
  assert.deepEqual(toJs(v), [10000, 19998, 10000]);
  assert.equal(ev.budgetExhausted, false);
  assert.ok(ev.stepsUsed < DEFAULT_BUDGET.steps);
});

test('infinite recursion `let f = x: f x; in f 1` terminates with unknown', async () => {
  const ev = await makeEvaluator();
  assert.equal(toJs(ev.evalSource('/ws/main.nix', 'let f = x: f x; in f 1')), UNKNOWN);
  assert.equal(ev.depthExceeded, true);
});

test('deep non-tail recursion and infinite data terminate', async () => {
  const ev = await makeEvaluator();
  assert.equal(toJs(ev.evalSource('/ws/a.nix', 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100000')), UNKNOWN);
  assert.equal(toJs(ev.evalSource('/ws/b.nix', 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 50')), 50);
  assert.equal(toJs(ev.evalSource('/ws/c.nix', 'let xs = [ 1 ] ++ xs; in builtins.length xs')), UNKNOWN);
  assert.equal(toJs(ev.evalSource('/ws/d.nix', 'let s = { a = s; }; in s.a.a.a.a ? a')), true);
});

test('a step budget stops runaway evaluation; resetBudget restores it', async () => {
  const ev = await makeEvaluator({}, { steps: 5_000 });
  const src = 'builtins.foldl\' (a: b: a + b) 0 (builtins.genList (i: i) 100000)';
  assert.equal(toJs(ev.evalSource('/ws/main.nix', src)), UNKNOWN);
  assert.equal(ev.budgetExhausted, true);
  ev.resetBudget();
  assert.equal(ev.budgetExhausted, false);
  assert.equal(toJs(ev.evalSource('/ws/main.nix', 'builtins.foldl\' (a: b: a + b) 0 (builtins.genList (i: i) 1000)')), 499500);
});

test('an exponential computation ends within the step budget', async () => {
  const ev = await makeEvaluator({}, { steps: 200_000 });
  const v = ev.evalSource('/ws/main.nix', 'let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40');
  assert.equal(toJs(v), UNKNOWN);
  assert.ok(ev.budgetExhausted);
  assert.ok(ev.stepsUsed <= 2 * 200_000, `steps used: ${ev.stepsUsed}`);
});

test('a self-importing file is unknown, not a hang', async () => {
  const ev = await makeEvaluator({ '/ws/self.nix': 'import ./self.nix', '/ws/a.nix': 'import ./b.nix', '/ws/b.nix': '1 + import ./a.nix' });
  assert.equal(toJs(ev.evalFile('/ws/self.nix')), UNKNOWN);
  assert.equal(toJs(ev.evalFile('/ws/a.nix')), UNKNOWN);
});

test('a file may lazily import itself (as in Nix)', async () => {
  const ev = await makeEvaluator({ '/ws/s.nix': '{ a = 1; b = (import ./s.nix).a + 1; }' });
  assert.deepEqual(toJs(ev.evalFile('/ws/s.nix')), { a: 1, b: 2 });
});

test('100,000-deep nesting: parse and evaluate without a crash', async () => {
  const ev = await makeEvaluator();
  const n = 100_000;
  const lists = '['.repeat(n) + '1' + ']'.repeat(n);
  const v = ev.evalSource('/ws/l.nix', lists);
  assert.equal(v.kind, 'list');
  // Deeply forcing it hits the depth limit, gracefully.
  const sum = ev.evalSource('/ws/j.nix', 'builtins.toJSON (import ./l.nix)');
  assert.ok(sum.kind === 'string' || sum.kind === 'unknown');
  const arith = '(1 + '.repeat(n) + '1' + ')'.repeat(n);
  assert.equal(toJs(ev.evalSource('/ws/a.nix', arith)), UNKNOWN);
  const lets = 'let a = 1; in '.repeat(n) + 'a';
  assert.ok(['<unknown>', 1].includes(toJs(ev.evalSource('/ws/lets.nix', lets)) as never));
});

test('nothing escapes as an exception on garbage input', async () => {
  const ev = await makeEvaluator();
  for (const src of ['', '}{', '{ a = ', 'let in', '"${', "''${", '[ 1 2', 'x: ', '((((', 'a.b.c.d or', 'with; 1', 'import', 'builtins.genList (x: x) (-1)']) {
    const v = ev.evalSource('/ws/g.nix', src);
    assert.ok(v && typeof v.kind === 'string', src);
  }
});
