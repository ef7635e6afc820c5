/**
 * Whether a path lies inside the workspace roots. Scanning, the evaluator's reads, the server's
 * file events and `--fix` all ask this; one rule keeps them from disagreeing about `..`, a
 * trailing slash or the root itself. Resolving symlinks is the caller's business: pass real
 * paths and real roots to ask about where a link leads.
 */
import { relative, sep } from 'node:path';

export function insideRoots(roots: readonly string[], path: string): boolean {
  return roots.some((root) => contains(root, path));
}

function contains(root: string, path: string): boolean {
  // Fast path for canonical absolute paths (the common case on every evaluator read).
  if (!path.includes('/.') && !root.includes('/.') && !path.includes('//')) {
    if (path === root) return true;
    return path.startsWith(root.endsWith('/') ? root : root + '/');
  }
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}
