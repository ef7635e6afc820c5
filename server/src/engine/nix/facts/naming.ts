/**
 * Names of configurations that no flake names: a user knows a machine by its host name or by the
 * directory it lives in (`hosts/spy/machine.nix` is `spy`), not by a file path. A bare module
 * (a part of some system, not a system) keeps its path: that is what identifies it.
 */

/** File names that say "the configuration of this directory", not what it is. */
const GENERIC_FILES = new Set([
  'default', 'configuration', 'machine', 'host', 'system', 'systems', 'hardware-configuration', 'hardware', 'nixos', 'main', 'index', 'config',
]);

/** Directory names that group machines rather than name one. */
const GROUPING_DIRS = new Set([
  'hosts', 'host', 'machines', 'machine', 'systems', 'system', 'nixos', 'configurations', 'nodes', 'servers', 'computers', 'devices',
  'x86_64-linux', 'aarch64-linux', 'i686-linux', 'riscv64-linux', 'armv7l-linux', 'x86_64-darwin', 'aarch64-darwin',
]);

/** `hosts/h1/default.nix` → `h1`; `hosts/web.nix` → `web`; `configuration.nix` at the root → undefined. */
export function nameFromPath(relativePath: string): string | undefined {
  const parts = relativePath.split('/');
  const base = parts.pop()!.replace(/\.nix$/, '');
  if (!GENERIC_FILES.has(base)) return base;
  for (let i = parts.length - 1; i >= 0; i--) {
    if (!GROUPING_DIRS.has(parts[i]) && parts[i] !== '.' && parts[i] !== '') return parts[i];
  }
  return undefined;
}

/**
 * Unique display names for root configurations: the host name when the configuration sets one,
 * else the name its path gives; a name two roots would share falls back to the relative path.
 */
export function nameRoots(roots: { relativePath: string; hostName?: string; isSystem: boolean }[], taken: ReadonlySet<string>): string[] {
  const wanted = roots.map((r) => (r.isSystem ? r.hostName ?? nameFromPath(r.relativePath) : undefined));
  const count = new Map<string, number>();
  for (const w of wanted) if (w !== undefined) count.set(w, (count.get(w) ?? 0) + 1);
  return roots.map((r, i) => {
    const w = wanted[i];
    return w !== undefined && count.get(w) === 1 && !taken.has(w) ? w : r.relativePath;
  });
}
