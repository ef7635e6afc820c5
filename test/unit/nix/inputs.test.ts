import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInput, repositoryOf } from '../../../server/src/engine/nix/inputs';

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
