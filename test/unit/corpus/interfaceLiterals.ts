/**
 * Which `.nix` files of a workspace hold a MicroVM interface literal: an attribute set, written as
 * a list element, with an `id` and a `type` of `"tap"`, `"macvtap"`, `"user"` or `"bridge"` (the
 * shape of a `microvm.interfaces` entry). Read from our own AST, so comments and strings never count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { NixNode } from '../../../server/src/engine/nix/ast';
import { parseNixFile } from '../../../server/src/engine/nix/ast';
import { NixParser } from '../../../server/src/engine/nix/parser';

const TYPES = new Set(['tap', 'macvtap', 'user', 'bridge']);

function nixFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || name === 'node_modules' || name === '.git') return [];
    if (st.isDirectory()) return nixFiles(path);
    return name.endsWith('.nix') ? [path] : [];
  });
}

function isInterfaceLiteral(node: NixNode): boolean {
  if (node.kind !== 'attrs') return false;
  let hasId = false;
  let hasType = false;
  for (const b of node.bindings) {
    if (b.kind === 'inherit') {
      if (b.names.some((n) => n.name === 'id')) hasId = true;
      continue;
    }
    if (b.path.length !== 1) continue;
    const key = b.path[0].name;
    if (key === 'id') hasId = true;
    if (key === 'type' && b.value.kind === 'str' && b.value.parts.length === 1 && TYPES.has(String(b.value.parts[0]))) hasType = true;
  }
  return hasId && hasType;
}

function holdsLiteral(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(holdsLiteral);
  const n = node as NixNode;
  if (n.kind === 'list' && n.items.some(isInterfaceLiteral)) return true;
  return Object.values(n).some((v) => typeof v === 'object' && holdsLiteral(v));
}

let parser: Promise<NixParser> | undefined;

/** Workspace-relative paths ('/' separators) of the files holding an interface literal. */
export async function filesWithInterfaceLiterals(root: string): Promise<string[]> {
  const p = await (parser ??= NixParser.create());
  const out: string[] = [];
  for (const file of nixFiles(root)) {
    const parsed = parseNixFile(p, file, readFileSync(file, 'utf8'));
    if (holdsLiteral(parsed.root)) out.push(relative(root, file).split('\\').join('/'));
  }
  return out.sort();
}
