/**
 * Editor views on small workspaces, nil-style. Each case (`cases/<name>/case.json`) names a
 * workspace of the repository (an example or a fixture) and an edit of one of its files whose
 * replacement holds a `$0` cursor marker; `expected.txt` next to it is the golden answer (hover
 * markdown, definition, references, completions at the cursor; code lenses and symbols of the
 * cursor's file). Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { LineIndex, type Location, type Range } from '../../../server/src/engine/text';

const CASES = join(__dirname, 'cases');
const REPO = join(__dirname, '..', '..', '..');
const MARKER = '$0';

interface ViewCase {
  /** Workspace relative to the repository root. */
  workspace: string;
  file: string;
  /** Text in `file` replaced by `replace`, which holds the `$0` cursor. */
  find: string;
  replace: string;
}

/** Copies the case's workspace, applies its edit, and returns where the cursor is. */
function prepare(root: string, spec: ViewCase): { file: string; offset: number } {
  cpSync(join(REPO, spec.workspace), root, { recursive: true });
  rmSync(join(root, 'expected.json'), { force: true });
  const file = join(root, spec.file);
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(spec.find);
  assert.ok(at >= 0, `${spec.find} not found in ${spec.workspace}/${spec.file}`);
  const marker = spec.replace.indexOf(MARKER);
  assert.ok(marker >= 0, `no ${MARKER} in ${spec.replace}`);
  const replacement = spec.replace.slice(0, marker) + spec.replace.slice(marker + MARKER.length);
  writeFileSync(file, text.slice(0, at) + replacement + text.slice(at + spec.find.length));
  return { file, offset: at + marker };
}

for (const name of readdirSync(CASES).sort()) {
  test(`views: ${name}`, async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), `microvm-net-views-${name}-`)));
    try {
      const spec = JSON.parse(readFileSync(join(CASES, name, 'case.json'), 'utf8')) as ViewCase;
      const { file, offset } = prepare(root, spec);
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
