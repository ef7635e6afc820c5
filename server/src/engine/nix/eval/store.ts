/**
 * Where things outside the workspace live for the evaluator: `/nix/store/<name>` paths that never
 * name a workspace file. `<nixpkgs/…>` search paths and the nixpkgs flake input's `outPath` are
 * under NIXPKGS_STORE, so `import <nixpkgs/nixos/lib/eval-config.nix>` and
 * `"${nixpkgs}/nixos/modules/…"` are recognised by what they name; any other search path
 * `<name/…>` is under `/nix/store/<name>` (a module from there is a gap named after it).
 */
export const STORE = '/nix/store';
export const NIXPKGS_STORE = `${STORE}/nixpkgs`;
export const MICROVM_STORE = `${STORE}/microvm`;

/** The store path a search path `<name/rest>` stands for. */
export function searchPathStore(searchPath: string): string {
  const [name, ...rest] = searchPath.split('/');
  const base = name === 'nixpkgs' || name === 'nixos' || name.startsWith('nixpkgs-') ? NIXPKGS_STORE : `${STORE}/${name}`;
  return rest.length ? `${base}/${rest.join('/')}` : base;
}

export function isStorePath(path: string): boolean {
  return path === STORE || path.startsWith(`${STORE}/`);
}
