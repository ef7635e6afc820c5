/**
 * Editor views on small workspaces, nil-style: one file of each case holds a `$0` cursor marker,
 * and `expected.txt` next to it is the golden answer (hover markdown, definition, references,
 * completions at the cursor; code lenses and symbols of the cursor's file). Regenerate with
 * UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { LineIndex, type Location, type Range } from '../../../server/src/engine/text';

const CASES = join(__dirname, 'cases');
const MARKER = '$0';

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

function findMarker(root: string): { file: string; offset: number } {
  for (const file of filesBelow(root)) {
    const text = readFileSync(file, 'utf8');
    const at = text.split('${').join('\u0000{').indexOf(MARKER);
    if (at >= 0) {
      writeFileSync(file, text.slice(0, at) + text.slice(at + MARKER.length));
      return { file, offset: at };
    }
  }
  throw new Error(`no ${MARKER} marker in ${root}`);
}

for (const name of readdirSync(CASES).sort()) {
  test(`views: ${name}`, async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), `microvm-net-views-${name}-`)));
    try {
      cpSync(join(CASES, name), root, { recursive: true });
      rmSync(join(root, 'expected.txt'), { force: true });
      const { file, offset } = findMarker(root);
      const position = new LineIndex(readFileSync(file, 'utf8')).positionAt(offset);
      const service = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
      try {
        await service.scan();
        service.analyze();
        const rel = (p: string) => relative(root, p);
        const uri = pathToFileURL(root).href;
        const norm = (s: string) => s.split(uri).join('file://<root>').split(root).join('<root>');
        const range = (r: Range) => `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
        const loc = (l: Location) => `${rel(l.file)}:${range(l.range)}`;
        const hover = service.hover(file, position);
        const out = [
          `cursor: ${rel(file)}:${position.line + 1}:${position.character + 1}`,
          '',
          '## hover',
          hover ? `range ${range(hover.range)}\n${norm(hover.markdown)}` : '(none)',
          '',
          '## definition',
          ...service.definition(file, position).map(loc),
          '',
          '## references',
          ...service.references(file, position).map(loc),
          '',
          '## completions',
          ...service.completions(file, position).map((c) => `${c.label} (${c.detail ?? ''}) ${range(c.range)}`),
          '',
          '## code lenses',
          ...service.codeLenses(file).map((l) => `${range(l.range)} ${l.title}`),
          '',
          '## document symbols',
          ...service.documentSymbols(file).flatMap((s) => [
            `${s.kind} ${s.name} ${range(s.selectionRange)}`,
            ...(s.children ?? []).map((c) => `  ${c.kind} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
          ]),
          '',
        ].join('\n');
        const golden = join(CASES, name, 'expected.txt');
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, out);
        assert.equal(out, readFileSync(golden, 'utf8'));
      } finally {
        service.dispose();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
