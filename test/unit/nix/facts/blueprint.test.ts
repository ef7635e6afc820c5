/**
 * The blueprint model (server/src/engine/nix/frameworks/blueprint.ts) on in-memory workspaces:
 * hosts and modules found in its folder layout, the arguments it passes, and what stays unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps } from './harness';

const INPUTS = `
  inputs.nixpkgs.url = "github:nixos/nixpkgs";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  inputs.blueprint.url = "github:numtide/blueprint";`;

const tap = (vm: string, id: string) => `microvm.vms.${vm}.config.microvm.interfaces = [ { type = "tap"; id = ${id}; } ];`;

const systems = (f: Awaited<ReturnType<typeof facts>>) => f.hosts.filter((h) => h.isSystem).map((h) => h.name).sort();

test('blueprint: hosts/<name>/configuration.nix is nixosConfigurations.<name> with hostName, flake and inputs as arguments; modules/nixos/<name> are nixosModules', async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS} outputs = inputs: inputs.blueprint { inherit inputs; }; }`,
    'hosts/hv/configuration.nix': `{ flake, inputs, hostName, perSystem, ... }: {
      imports = [ inputs.microvm.nixosModules.host flake.nixosModules.vms flake.modules.nixos.bridge ];
      networking.hostName = hostName;
      ${tap('web', '"vm-${hostName}"')}
    }`,
    // A directory module, and a file module that wins over a directory of the same name.
    'modules/nixos/vms/default.nix': `{ ${tap('db', '"vm-db"')} }`,
    'modules/nixos/bridge.nix': `{ ${tap('cache', '"vm-file"')} }`,
    'modules/nixos/bridge/default.nix': `{ ${tap('cache', '"vm-dir"')} }`,
    // No configuration file of a known class: not a NixOS host.
    'hosts/mac/darwin-configuration.nix': `{ }`,
    'hosts/README.md': 'not a host',
  });
  assert.deepEqual(systems(f), ['hv']);
  assert.deepEqual(taps(f).filter((t) => t.startsWith('hv/')), ['hv/cache:tap:vm-file', 'hv/db:tap:vm-db', 'hv/web:tap:vm-hv']);
  assert.deepEqual(f.problems, []);
});

test('blueprint: prefix = "nix/" reads the layout under nix/; a published module asking only for flake/inputs is called with them first', async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS} outputs = inputs: inputs.blueprint { inherit inputs; prefix = "nix/"; }; }`,
    'nix/hosts/a/configuration.nix': `{ flake, inputs, ... }: { imports = [ inputs.microvm.nixosModules.host flake.nixosModules.vm ]; }`,
    'nix/modules/nixos/vm.nix': `{ flake, ... }: { config, ... }: { ${tap('v', '"vm-${flake.lib.site}"')} }`,
    'nix/lib/default.nix': `{ flake, inputs }: { site = "lab"; }`,
    'hosts/ignored/configuration.nix': `{ ${tap('x', '"never"')} }`,
  });
  assert.deepEqual(systems(f), ['a']);
  assert.deepEqual(taps(f).filter((t) => t.startsWith('a/')), ['a/v:tap:vm-lab']);
  assert.deepEqual(f.problems, []);
});

test('blueprint: hosts/<name>/default.nix decides its class; a nixos value is the configuration, a class not known statically leaves the set incomplete', async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS} outputs = inputs: inputs.blueprint { inherit inputs; }; }`,
    'hosts/own/default.nix': `{ flake, inputs, hostName }: {
      class = "nixos";
      value = inputs.nixpkgs.lib.nixosSystem { modules = [ inputs.microvm.nixosModules.host { ${tap('v', '"vm-${hostName}"')} } ]; };
    }`,
    'hosts/darwin/default.nix': `{ inputs, ... }: { class = "nix-darwin"; value = { }; }`,
    'hosts/odd/default.nix': `{ inputs, ... }: { class = inputs.other.class; value = { }; }`,
  });
  assert.deepEqual(systems(f), ['own']);
  assert.deepEqual(taps(f).filter((t) => t.startsWith('own/')), ['own/v:tap:vm-own']);
  // hosts/odd may be a NixOS host: the names are not all known (open world), and that is said.
  assert.deepEqual(f.problems.map((p) => p.message), ['some nixosConfigurations names could not be evaluated']);
});

test('blueprint: the flake input is recognised by name without a URL, and lib.mkBlueprint is the same call', async () => {
  const f = await facts({
    'flake.nix': `{ inputs.microvm.url = "github:microvm-nix/microvm.nix"; outputs = { blueprint, ... }@inputs: blueprint.lib.mkBlueprint { inherit inputs; }; }`,
    'hosts/h/configuration.nix': `{ inputs, ... }: { imports = [ inputs.microvm.nixosModules.host ]; ${tap('v', '"vm-h"')} }`,
  });
  assert.deepEqual(systems(f), ['h']);
  assert.deepEqual(taps(f).filter((t) => t.startsWith('h/')), ['h/v:tap:vm-h']);
  assert.deepEqual(f.problems, []);
});
