/**
 * Workspaces for the semantic tests: copies of fixtures and examples in temp dirs (fixes and
 * edits never touch the originals), optionally rewritten (CRLF, extra files), and a Nix syntax
 * check with the parser the engine uses.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { NixParser } from '../../server/src/engine/nix/parser';
import { REPO } from './harness';

const made: string[] = [];

export interface CopyOptions {
  /** Files to add or replace (relative path → text), written after `transform`. */
  files?: Record<string, string>;
  /** Rewrites each copied text file. */
  transform?: (rel: string, text: string) => string;
}

/** A temp copy of `test/fixtures/<name>` (or `examples/<name>` with `examples/` prefix). */
export function copyWorkspace(name: string, opts: CopyOptions = {}): string {
  const from = name.startsWith('examples/') ? join(REPO, name) : join(REPO, 'test', 'fixtures', name);
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-lsp-'));
  made.push(base);
  const dir = join(base, name.replace(/^examples\//, ''));
  cpSync(from, dir, { recursive: true });
  rmSync(join(dir, 'expected.json'), { force: true });
  if (opts.transform) {
    for (const file of walk(dir)) writeFileSync(file, opts.transform(relative(dir, file), readFileSync(file, 'utf8')));
  }
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** A temp dir of its own (for generated workspaces). */
export function tempDir(prefix = 'microvm-net-lsp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeWorkspaces(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export const toCrlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** Line breaks that are not CRLF (a fix that broke a CRLF file's style). */
export const bareLineFeeds = (text: string) => (text.match(/(?<!\r)\n/g) ?? []).length;

let parser: Promise<NixParser> | undefined;

/** ERROR and MISSING nodes tree-sitter-nix finds in `text`. */
export async function nixSyntaxErrors(text: string): Promise<number> {
  const p = await (parser ??= NixParser.create());
  const tree = p.parse(text);
  try {
    let errors = 0;
    const cursor = tree.walk();
    let descend = true;
    for (;;) {
      if (descend) {
        if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) errors++;
        if (cursor.gotoFirstChild()) continue;
      }
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      if (!cursor.gotoParent()) break;
      descend = false;
    }
    cursor.delete();
    return errors;
  } finally {
    tree.delete();
  }
}
