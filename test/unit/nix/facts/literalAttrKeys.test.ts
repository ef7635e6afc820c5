/**
 * Root-module detection reads the names of a literal attribute set from the text
 * (server/src/engine/nix/facts/literalAttrKeys.ts) instead of evaluating the file. Held to the
 * evaluator: wherever the reader gives names, the file evaluates to an attribute set with exactly
 * those names (or to no attribute set and no function: not a module either way), and parses
 * without a syntax error. Over every
 * fixture, example, corpus and bench-fleet file, generated expressions, and all of them mutated
 * at random (syntax errors included); the reader must decide the fleet's data files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { literalAttrKeys } from '../../../../server/src/engine/nix/facts/literalAttrKeys';
import { parseNixFile } from '../../../../server/src/engine/nix/ast';
import { getParser, makeEvaluator } from '../eval/util';
import { NixGenerator, Random } from '../parse/generator';
import { findCorpus, nixFilesUnder, REPO } from '../parse/workspaceFiles';

const SNIPPETS = ['"', '${', '}', '{', ']', '[', '(', ')', ' ', '\n', '#', '/*', '*/', "''", "'", 'x', ';', '=', '==', '.', ':', 'a:b', '$$', '\\', 'let ', ' in ', 'with x; ', 'inherit a; ', 'rec ', 'services', 'imports = [ ];', './p/', 'or'];

test('literal attribute set names are the names the evaluator gives the file', async () => {
  const ev = await makeEvaluator();
  const parser = await getParser();
  const texts: { name: string; text: string }[] = [];
  const addDir = (dir: string) => {
    for (const f of nixFilesUnder(dir)) texts.push({ name: f, text: readFileSync(f, 'utf8') });
  };
  addDir(join(REPO, 'test/fixtures'));
  addDir(join(REPO, 'examples'));
  const corpus = findCorpus();
  if (corpus) addDir(corpus);
  const fleet = mkdtempSync(join(tmpdir(), 'literal-keys-'));
  const { generate } = (await import(join(REPO, 'bench/generate.mjs'))) as { generate(o: object): void };
  generate({ files: 400, seed: 3, out: fleet, bigLines: 0 });
  const fleetFiles = nixFilesUnder(fleet);
  for (const f of fleetFiles) texts.push({ name: f, text: readFileSync(f, 'utf8') });
  rmSync(fleet, { recursive: true, force: true });
  const random = new Random(4242);
  const generator = new NixGenerator(random);
  for (let i = 0; i < 400; i++) {
    const bindings = Array.from({ length: 1 + random.int(4) }, (_, k) => `  ${random.pick(['a', 'services', 'b.c', 'd'])}${k} = ${generator.expr(3)};`);
    texts.push({ name: `generated ${i}`, text: `{\n${bindings.join('\n')}\n}\n` });
  }
  const originals = texts.length;
  for (let i = 0; i < originals; i++) {
    for (let m = 0; m < 3; m++) {
      let text = texts[i].text;
      for (let k = 0; k <= m; k++) {
        const at = random.int(text.length + 1);
        text = text.slice(0, at) + random.pick(SNIPPETS) + text.slice(at + (random.chance(0.3) ? random.int(3) : 0));
      }
      texts.push({ name: `${texts[i].name} mutated`, text });
    }
  }
  let decided = 0;
  let decidedFleet = 0;
  for (const [i, { name, text }] of texts.entries()) {
    const keys = literalAttrKeys(text);
    if (keys === undefined) continue;
    decided++;
    if (fleetFiles.includes(name)) decidedFleet++;
    assert.equal(parseNixFile(parser, '/ws/f.nix', text).syntaxErrors, 0, `${name}: ${JSON.stringify(text)}`);
    const v = ev.evalSource(`/ws/f${i}.nix`, text);
    if (v.kind === 'attrs') assert.deepEqual([...new Set(keys)].sort(), [...v.attrs.keys()].sort(), `${name}: ${JSON.stringify(text)}`);
    else assert.notEqual(v.kind, 'function', `${name}: ${JSON.stringify(text)}`);
  }
  const data = fleetFiles.filter((f) => f.includes('/data/')).length;
  assert.ok(data > 0 && decidedFleet >= data, `decided ${decidedFleet} fleet files of ${data} data files`);
  assert.ok(decided < texts.length, 'the reader declined nothing');
});
