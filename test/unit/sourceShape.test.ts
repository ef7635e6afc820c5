/**
 * What docs/architecture.md promises of the sources, checked: no source file over 800 lines,
 * the engine imports nothing from the editor or the protocol layer, nix/ and networkd/ never
 * import each other, and every `*.md §` citation in the sources names a document in the repository.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const repo = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

const all = [...sources(join(repo, 'server/src')), ...sources(join(repo, 'client/src'))];
const rel = (p: string) => relative(repo, p);

test('no source file over 800 lines', () => {
  const long = all.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 800);
  assert.deepEqual(long, []);
});

test('the engine imports nothing from the editor, the LSP library or the server', () => {
  const engine = all.filter((f) => rel(f).startsWith('server/src/engine/'));
  const bad = engine.filter((f) => /from '(vscode[^']*|[./]*\/lsp\/[^']*)'/.test(readFileSync(f, 'utf8'))).map(rel);
  assert.deepEqual(bad, []);
});

test('nix/ and networkd/ never import each other', () => {
  const crossing = all.filter((f) => {
    const r = rel(f);
    const text = readFileSync(f, 'utf8');
    if (r.startsWith('server/src/engine/nix/')) return /from '[./]*\/networkd(\/[^']*)?'/.test(text);
    if (r.startsWith('server/src/engine/networkd/')) return /from '[./]*\/nix(\/[^']*)?'/.test(text);
    return false;
  });
  assert.deepEqual(crossing.map(rel), []);
});

test('every *.md § citation in the sources names a document in the repository and a section of it', () => {
  const missing: string[] = [];
  for (const f of all) {
    for (const m of readFileSync(f, 'utf8').matchAll(/([\w./-]+\.md) §(\d+)/g)) {
      const doc = join(repo, m[1]);
      if (!existsSync(doc)) missing.push(`${rel(f)}: ${m[1]}`);
      else if (!new RegExp(`^## ${m[2]}\\. `, 'm').test(readFileSync(doc, 'utf8'))) missing.push(`${rel(f)}: ${m[1]} §${m[2]}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});
