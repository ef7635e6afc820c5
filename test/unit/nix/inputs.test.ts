import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInput, fetchedStorePath, isInertStorePath, repositoryOf } from '../../../server/src/engine/nix/inputs';
import { MICROVM_STORE, NIXPKGS_STORE } from '../../../server/src/engine/nix/eval/store';

test('repositoryOf: github, git+https and FlakeHub URLs', () => {
  assert.equal(repositoryOf('github:NixOS/nixpkgs/nixos-24.11'), 'nixos/nixpkgs');
  assert.equal(repositoryOf('git+https://github.com/NixOS/nixpkgs?shallow=1&ref=nixpkgs-unstable'), 'nixos/nixpkgs');
  assert.equal(repositoryOf('https://flakehub.com/f/NixOS/nixpkgs/0.2405.*.tar.gz'), 'nixos/nixpkgs');
  assert.equal(repositoryOf('https://api.flakehub.com/f/pinned/nix-community/home-manager/0.1/abc/source.tar.gz'), 'nix-community/home-manager');
  assert.equal(repositoryOf('https://example.org/x.tar.gz'), undefined);
});

test('classifyInput: nixpkgs from FlakeHub under any name; home-manager carries its lib names; srvos is modelled', () => {
  assert.deepEqual(classifyInput('stable', 'https://flakehub.com/f/NixOS/nixpkgs/0.2411.*.tar.gz'), { kind: 'nixpkgs' });
  assert.deepEqual(classifyInput('nixpkgs', 'github:someone/nixpkgs/my-fix'), { kind: 'nixpkgs' });
  assert.deepEqual(classifyInput('nixpkgs-lib', 'github:nix-community/nixpkgs.lib'), { kind: 'external' });
  assert.deepEqual(classifyInput('hm', 'github:nix-community/home-manager'), { kind: 'inert', library: ['hm', 'homeManagerConfiguration'] });
  assert.deepEqual(classifyInput('home-manager', undefined), { kind: 'inert', library: ['hm', 'homeManagerConfiguration'] });
  assert.deepEqual(classifyInput('sops-nix', 'github:Mic92/sops-nix'), { kind: 'inert' });
  assert.deepEqual(classifyInput('srvos', 'github:nix-community/srvos'), { kind: 'framework', framework: 'srvos' });
  assert.deepEqual(classifyInput('nixos-raspberrypi', 'github:nvmd/nixos-raspberrypi/develop'), { kind: 'external' });
});

test('nixpkgs from channels.nixos.org is nixpkgs, whatever the input is called', () => {
  assert.deepEqual(classifyInput('nixos-unstable', 'https://channels.nixos.org/nixos-unstable/nixexprs.tar.xz'), { kind: 'nixpkgs' });
});

test('a fetcher URL stands for the input it fetches: nixpkgs, microvm.nix, an inert input, else nothing known', () => {
  assert.equal(fetchedStorePath('https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz'), NIXPKGS_STORE);
  assert.equal(fetchedStorePath('https://github.com/microvm-nix/microvm.nix/archive/main.tar.gz'), MICROVM_STORE);
  const hm = fetchedStorePath('https://github.com/nix-community/home-manager/archive/release-24.11.tar.gz');
  assert.ok(hm !== undefined && isInertStorePath(`${hm}/nixos`));
  assert.equal(fetchedStorePath('https://github.com/someone/network-tools/archive/main.tar.gz'), undefined);
  assert.equal(isInertStorePath('/nix/store/home-manager/nixos'), true, 'the search path <home-manager/nixos>');
  assert.equal(isInertStorePath('/nix/store/network-tools/nixos'), false);
});
