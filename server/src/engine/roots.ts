/**
 * Whether a path lies inside the workspace roots. Scanning, the evaluator's reads, the server's
 * file events and `--fix` all ask this; one rule keeps them from disagreeing about `..`, a
 * trailing slash or the root itself. `insideRoots` compares paths as written; `RootGuard` also
 * follows symlinks, for every place where a link could lead a read or a write outside.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

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

/**
 * The real path of `path`: symlinks resolved in its longest existing prefix, the rest appended
 * as written (a file about to be created, a document not saved yet). Null when even the root of
 * the file system cannot be resolved.
 */
export function realPathOf(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      // One realpath(3) call; the JS realpathSync lstats every component of every path.
      return join(realpathSync.native(existing), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Only a missing tail may be kept as written; a loop or a denied lookup decides nothing.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const parent = dirname(existing);
    if (parent === existing) return join(existing, ...rest);
    rest.unshift(basename(existing));
    existing = parent;
  }
}

/**
 * Containment with symlinks resolved: inside a root as written and still inside once every link
 * on the way is followed. The roots' own real paths are resolved once, when first needed.
 */
export class RootGuard {
  private realRoots: string[] | null = null;

  constructor(readonly roots: readonly string[]) {}

  /** Whether `path` (as written) lies inside a root lexically. */
  lexicallyInside(path: string): boolean {
    return insideRoots(this.roots, path);
  }

  /** Whether `path` lies inside a root once symlinks are followed; false when it cannot be resolved. */
  reallyInside(path: string): boolean {
    this.realRoots ??= this.roots.map((root) => {
      try {
        return realpathSync(root);
      } catch {
        return root;
      }
    });
    let real: string;
    try {
      real = realPathOf(path);
    } catch {
      return false;
    }
    return insideRoots(this.realRoots, real);
  }

  contains(path: string): boolean {
    return this.lexicallyInside(path) && this.reallyInside(path);
  }
}
