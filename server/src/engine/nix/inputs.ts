/**
 * What a flake input is, from its name and URL: nixpkgs, microvm.nix, a framework whose public
 * interface we model, a sub-flake inside the workspace (`path:./vms/x`), a well-known input whose
 * NixOS modules never touch networking (home-manager, sops-nix, disko, …), or an unknown input —
 * whose modules are gaps of the open world.
 */

import { MICROVM_STORE, NIXPKGS_STORE, STORE } from './eval/store';

export type FrameworkName =
  | 'flake-parts'
  | 'flake-utils'
  | 'flake-utils-plus'
  | 'digga'
  | 'snowfall-lib'
  | 'colmena'
  | 'clan-core'
  | 'import-tree'
  | 'haumea'
  | 'srvos'
  | 'noxa'
  | 'blueprint'
  | 'easy-hosts';

export type InputKind =
  | { kind: 'nixpkgs' }
  | { kind: 'microvm' }
  | { kind: 'framework'; framework: FrameworkName }
  | { kind: 'path'; path: string }
  | { kind: 'inert'; library?: readonly string[] }
  | { kind: 'external' };

/**
 * The complete attribute names of a well-known input's flake `lib`, where configurations merge it
 * into nixpkgs' (`lib = nixpkgs.lib // home-manager.lib;`): with the names known, `lib.nixosSystem`
 * stays nixpkgs' instead of becoming a lookup in an unknown set. home-manager's flake sets
 * `lib = import ./lib { … }`, whose lib/default.nix defines exactly `hm` and
 * `homeManagerConfiguration`.
 */
const INPUT_LIBRARIES: Record<string, readonly string[]> = {
  'nix-community/home-manager': ['hm', 'homeManagerConfiguration'],
};
const INPUT_LIBRARIES_BY_NAME: Record<string, string> = { 'home-manager': 'nix-community/home-manager' };

/** `owner/repo` (lower case) of well-known inputs whose NixOS modules never define units, bridges or scripts attaching taps. */
const INERT_REPOSITORIES = new Set([
  'nix-community/home-manager',
  'mic92/sops-nix',
  'ryantm/agenix',
  'yaxitech/ragenix',
  'oddlama/agenix-rekey',
  'nix-community/disko',
  'nix-community/impermanence',
  'nix-community/preservation',
  'nixos/nixos-hardware',
  'nix-community/lanzaboote',
  'danth/stylix',
  'nix-community/stylix',
  'nix-community/nix-index-database',
  'mic92/nix-index-database',
  'nix-community/nixvim',
  'catppuccin/nix',
  'nix-community/nur',
  'hyprwm/hyprland',
  'gmodena/nix-flatpak',
  'nix-community/plasma-manager',
  'pjones/plasma-manager',
  'gerg-l/spicetify-nix',
  'nix-community/nixos-generators',
  'nix-community/nixos-vscode-server',
  'mic92/nix-ld',
  'sodiboo/niri-flake',
  'chaotic-cx/nyx',
  'fufexan/nix-gaming',
  'infinidoge/nix-minecraft',
  'musnix/musnix',
  'nlewo/comin',
  'oddlama/nix-topology',
  'serokell/deploy-rs',
  'nix-community/nix-vscode-extensions',
  'ezkea/aagl-gtk-on-nix',
  'nix-community/emacs-overlay',
  'oxalica/rust-overlay',
  'nix-community/fenix',
]);

/** Input names that mean the same inputs when the URL is not written (`follows`, registry). */
const INERT_NAMES = new Set([
  'home-manager', 'sops-nix', 'agenix', 'ragenix', 'agenix-rekey', 'disko', 'impermanence', 'nixos-hardware', 'hardware',
  'lanzaboote', 'stylix', 'nix-index-database', 'nixvim', 'catppuccin', 'nur', 'hyprland', 'nix-flatpak', 'plasma-manager',
  'spicetify-nix', 'nixos-generators', 'vscode-server', 'nix-ld', 'niri', 'chaotic', 'nix-gaming', 'nix-minecraft', 'musnix',
]);

const FRAMEWORK_REPOSITORIES: Record<string, FrameworkName> = {
  'hercules-ci/flake-parts': 'flake-parts',
  'numtide/flake-utils': 'flake-utils',
  'gytis-ivaskevicius/flake-utils-plus': 'flake-utils-plus',
  'divnix/digga': 'digga',
  'snowfallorg/lib': 'snowfall-lib',
  'zhaofengli/colmena': 'colmena',
  'zhaofengli-wip/colmena': 'colmena',
  'clan/clan-core': 'clan-core',
  'vic/import-tree': 'import-tree',
  'nix-community/haumea': 'haumea',
  'nix-community/srvos': 'srvos',
  'numtide/srvos': 'srvos',
  '0xccf4/noxa': 'noxa',
  'numtide/blueprint': 'blueprint',
  'tgirlcloud/easy-hosts': 'easy-hosts',
  'isabelroses/easy-hosts': 'easy-hosts',
};

const FRAMEWORK_NAMES: Record<string, FrameworkName> = {
  'flake-parts': 'flake-parts',
  'flake-utils': 'flake-utils',
  'utils': 'flake-utils',
  'flake-utils-plus': 'flake-utils-plus',
  'utils-plus': 'flake-utils-plus',
  'futils': 'flake-utils-plus',
  'digga': 'digga',
  'snowfall-lib': 'snowfall-lib',
  'colmena': 'colmena',
  'clan-core': 'clan-core',
  'import-tree': 'import-tree',
  'haumea': 'haumea',
  'srvos': 'srvos',
  'noxa': 'noxa',
  'blueprint': 'blueprint',
  'easy-hosts': 'easy-hosts',
};

/** `owner/repo` of a `github:`/`gitlab:`/`sourcehut:` or `https://github.com/…` URL, lower case. */
export function repositoryOf(url: string): string | undefined {
  const u = url.trim();
  let m = /^(?:github|gitlab|sourcehut):~?([^/]+)\/([^/?#]+)/i.exec(u);
  if (!m) m = /^(?:git\+)?https?:\/\/(?:www\.)?(?:github\.com|gitlab\.com|git\.sr\.ht|codeberg\.org)\/~?([^/]+)\/([^/?#]+?)(?:\.git)?(?:[/?#]|$)/i.exec(u);
  // FlakeHub: https://flakehub.com/f/<owner>/<repo>/<version>.tar.gz (and api.flakehub.com/f/pinned/…)
  if (!m) m = /^https?:\/\/(?:api\.)?flakehub\.com\/f\/(?:pinned\/)?([^/]+)\/([^/?#]+)/i.exec(u);
  if (!m) {
    const clan = /clan\.lol\/clan\/clan-core/i.exec(u);
    return clan ? 'clan/clan-core' : undefined;
  }
  return `${m[1]}/${m[2]}`.toLowerCase();
}

/** A `path:` URL (or a relative `git+file:`/bare path) naming a directory: the sub-flake's path as written. */
export function pathOf(url: string): string | undefined {
  const m = /^path:([^?#]*)/.exec(url.trim());
  if (m) return m[1];
  if (/^\.{1,2}\//.test(url.trim())) return url.trim();
  return undefined;
}

export function classifyInput(name: string, url: string | undefined): InputKind {
  const u = (url ?? '').trim();
  const repo = u ? repositoryOf(u) : undefined;
  const path = u ? pathOf(u) : undefined;
  if (path !== undefined) return { kind: 'path', path };
  if (repo === 'microvm-nix/microvm.nix' || repo === 'astro/microvm.nix' || /microvm/i.test(name) && !repo) return { kind: 'microvm' };
  if (repo && /\/microvm(\.nix)?$/.test(repo)) return { kind: 'microvm' };
  // A fork of nixpkgs (github:<anyone>/nixpkgs/<branch>) is nixpkgs too.
  if (repo === 'nixos/nixpkgs' || (repo && /\/nixpkgs$/.test(repo)) || /^nixpkgs(\/|$)/.test(u) || /(?:nixos\.org\/channels|channels\.nixos\.org)\//.test(u) || (!repo && /^nixpkgs/i.test(name))) {
    return { kind: 'nixpkgs' };
  }
  if (repo && FRAMEWORK_REPOSITORIES[repo]) return { kind: 'framework', framework: FRAMEWORK_REPOSITORIES[repo] };
  if (!repo && FRAMEWORK_NAMES[name]) return { kind: 'framework', framework: FRAMEWORK_NAMES[name] };
  if (repo ? INERT_REPOSITORIES.has(repo) : INERT_NAMES.has(name)) {
    const library = INPUT_LIBRARIES[repo ?? INPUT_LIBRARIES_BY_NAME[name] ?? ''];
    return library ? { kind: 'inert', library } : { kind: 'inert' };
  }
  return { kind: 'external' };
}

const INERT_STORE = `${STORE}/inert`;

/**
 * The store path a fetcher's result stands for (`builtins.fetchTarball`, `fetchGit`, `fetchTree`
 * of a URL): nixpkgs and microvm.nix are the inputs we model, a well-known input whose modules
 * never touch networking is inert (`import "${fetchTarball …home-manager…}/nixos"`); any other
 * source is unknown.
 */
export function fetchedStorePath(url: string): string | undefined {
  const kind = classifyInput('', url);
  if (kind.kind === 'nixpkgs') return NIXPKGS_STORE;
  if (kind.kind === 'microvm') return MICROVM_STORE;
  if (kind.kind === 'inert') return `${INERT_STORE}/${repositoryOf(url) ?? 'source'}`;
  return undefined;
}

/** A store path inside a well-known inert input: fetched by URL, or a search path `<home-manager/nixos>`. */
export function isInertStorePath(path: string): boolean {
  if (path === INERT_STORE || path.startsWith(`${INERT_STORE}/`)) return true;
  if (!path.startsWith(`${STORE}/`)) return false;
  return INERT_NAMES.has(path.slice(STORE.length + 1).split('/')[0]);
}
