import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvaluator } from './util';
import { force, getPath } from '../../../../server/src/engine/nix/eval/helpers';
import type { Location } from '../../../../server/src/engine/text';
import type { Value } from '../../../../server/src/engine/nix/value';

function textAt(text: string, loc: Location | undefined): string | undefined {
  if (!loc) return undefined;
  const lines = text.split('\n');
  const { start, end } = loc.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

test('string values carry the location of their literal; bindings their key and value', async () => {
  const text = '{\n  id = "vm-日本";\n  mac = "02:00:00:00:00:01";\n}';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const v = ev.evalFile('/ws/a.nix');
  assert.equal(v.kind, 'attrs');
  if (v.kind !== 'attrs') return;
  const b = v.attrs.get('id')!;
  assert.equal(textAt(text, b.keyLocation), 'id');
  assert.equal(textAt(text, b.valueLocation), '"vm-日本"');
  const s = force(b.thunk);
  assert.equal(s.kind, 'string');
  assert.equal(s.kind === 'string' && textAt(text, s.location), '"vm-日本"');
  assert.equal(s.kind === 'string' && s.location?.file, '/ws/a.nix');
  assert.equal(textAt(text, v.location), text);
  // UTF-16 characters: `mac` starts at character 2 of line 2.
  assert.deepEqual(v.attrs.get('mac')!.keyLocation!.range.start, { line: 2, character: 2 });
});

test('dotted bindings: nested sets get the binding of the last key', async () => {
  const text = '{ a.b.c = "x"; a.b.d = 1; }';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const v = ev.evalFile('/ws/a.nix');
  const ab = getPath(v, ['a', 'b']);
  assert.equal(ab.kind, 'attrs');
  if (ab.kind !== 'attrs') return;
  const c = ab.attrs.get('c')!;
  assert.equal(textAt(text, c.keyLocation), 'c');
  assert.equal(textAt(text, c.valueLocation), '"x"');
  assert.equal(v.kind === 'attrs' && textAt(text, v.attrs.get('a')!.keyLocation), 'a');
});

test('values produced inside a function keep the location of the literal in its body', async () => {
  const text = 'map (n: { id = "vm-${n}"; }) [ "a" "b" ]';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const v = ev.evalFile('/ws/a.nix');
  assert.equal(v.kind, 'list');
  if (v.kind !== 'list') return;
  for (const item of v.items) {
    const id = getPath(force(item), ['id']) as Value & { location?: Location };
    assert.equal(textAt(text, id.location), '"vm-${n}"');
  }
  assert.equal(textAt(text, v.location), '[ "a" "b" ]');
});

test('lists and attrsets carry their literal location; listToAttrs keys the name literal', async () => {
  const text = 'builtins.listToAttrs [ { name = "web"; value = { x = 1; }; } ]';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const v = ev.evalFile('/ws/a.nix');
  assert.equal(v.kind, 'attrs');
  if (v.kind !== 'attrs') return;
  const web = v.attrs.get('web')!;
  assert.equal(textAt(text, web.keyLocation), '"web"');
  assert.equal(textAt(text, web.valueLocation), '{ x = 1; }');
  const inner = force(web.thunk);
  assert.equal(inner.kind === 'attrs' && textAt(text, inner.location), '{ x = 1; }');
});

test('genAttrs keys point at the name strings of the list', async () => {
  const text = '(lib: lib.genAttrs [ "web" ] (n: { id = "vm-${n}"; }))';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const f = ev.evalFile('/ws/a.nix');
  const v = f.kind === 'function' ? f.apply({ force: () => ev.lib }) : f;
  assert.equal(v.kind, 'attrs');
  if (v.kind !== 'attrs') return;
  assert.equal(textAt(text, v.attrs.get('web')!.keyLocation), '"web"');
});

test('thunks expose the location of their expression', async () => {
  const text = '{ a = 1 + 2; }';
  const ev = await makeEvaluator({ '/ws/a.nix': text });
  const v = ev.evalFile('/ws/a.nix');
  assert.equal(v.kind === 'attrs' && textAt(text, v.attrs.get('a')!.thunk.location), '1 + 2');
});
