import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps, textAt } from './harness';

const networkd = async (body: string) => {
  const files = { 'host.nix': `{ config, lib, pkgs, ... }: {\n${body}\n  systemd.network.networks."10-x".matchConfig.Name = "vm-*";\n}` };
  const f = await facts(files);
  const h = f.hosts[0];
  return { enabled: h.networkdEnabled, at: h.networkdLocation ? textAt(files, h.networkdLocation) : null, external: h.importsExternalModules };
};

test('networkd enablement: default false, useNetworkd, mkDefault, mkForce, unknown conditions', async () => {
  assert.deepEqual(await networkd(''), { enabled: false, at: '"10-x"', external: false });
  assert.deepEqual(await networkd('networking.useNetworkd = true;'), { enabled: true, at: 'useNetworkd', external: false });
  assert.deepEqual(await networkd('systemd.network.enable = lib.mkDefault true;'), { enabled: true, at: 'enable', external: false });
  assert.deepEqual(await networkd('systemd.network.enable = lib.mkMerge [ true (lib.mkForce false) ];'), { enabled: false, at: 'enable', external: false });
  assert.deepEqual(await networkd('systemd.network.enable = lib.mkIf pkgs.stdenv.isLinux true;'), { enabled: 'unknown', at: 'enable', external: false });
  assert.deepEqual(await networkd('systemd.network.enable = config.my.unknownSwitch;'), { enabled: 'unknown', at: 'enable', external: false });
  assert.deepEqual(await networkd('imports = [ (pkgs.fetchFromGitHub { owner = "x"; repo = "y"; } + "/module.nix") ];'), {
    enabled: false,
    at: '"10-x"',
    external: true,
  });
});

test('a host is one that declares microvm.vms / autostart or imports the host module', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.microvm.url = "github:microvm-nix/microvm.nix";
      outputs = { self, nixpkgs, microvm }: {
        nixosConfigurations.plain = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "plain"; } ]; };
        nixosConfigurations.imp = nixpkgs.lib.nixosSystem { modules = [ microvm.nixosModules.host ]; };
        nixosConfigurations.auto = nixpkgs.lib.nixosSystem { modules = [ "\${microvm}/nixos-modules/host" { microvm.autostart = [ "x" ]; } ]; };
      };
    }`,
  });
  assert.deepEqual(
    f.hosts.map((h) => [h.name, h.isMicrovmHost, h.vms]),
    [
      ['auto', true, ['x']],
      ['imp', true, []],
      ['plain', false, []],
    ],
  );
});

test('when flake outputs cannot be evaluated, the modules it names are roots', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.framework.url = "github:someone/unmodelled-framework";
      outputs = inputs: inputs.framework.lib.mkFlake { inherit inputs; } {
        flake.nixosConfigurations.h = inputs.nixpkgs.lib.nixosSystem { modules = [ ./hosts/h.nix ]; };
      };
    }`,
    'hosts/h.nix': `{ ... }: { microvm.vms.v.config.microvm.interfaces = [ { type = "tap"; id = "vm-v"; mac = "02:00:00:00:00:01"; } ]; }`,
  });
  assert.deepEqual(taps(f), ['hosts/h.nix/v:tap:vm-v']);
  assert.ok(f.problems.some((p) => p.file === '/ws/flake.nix' && p.kind === 'flake-not-evaluated'));
});

test('nixpkgs modules (modulesPath, <nixpkgs/...>) and well-known inert inputs (<home-manager/nixos>) are not external; other search paths are', async () => {
  const a = await facts({
    'configuration.nix': `{ modulesPath, ... }: {
      imports = [ (modulesPath + "/profiles/minimal.nix") <nixpkgs/nixos/modules/virtualisation/qemu-vm.nix> ];
      networking.hostName = "a";
    }`,
  });
  assert.equal(a.hosts[0].importsExternalModules, false);
  const b = await facts({ 'configuration.nix': `{ ... }: { imports = [ <my-modules/net.nix> ]; networking.hostName = "b"; }` });
  assert.equal(b.hosts[0].importsExternalModules, true);
  // The same name as the flake input home-manager, whose modules never touch networking.
  const c = await facts({ 'configuration.nix': `{ ... }: { imports = [ <home-manager/nixos> ]; networking.hostName = "c"; }` });
  assert.equal(c.hosts[0].importsExternalModules, false);
});

test('a module that fails to evaluate but mentions nothing networking-related is a gap that cannot matter', async () => {
  const f = await facts({
    'configuration.nix': `{ imports = [ ./fonts.nix ./net.nix ]; networking.hostName = "h"; system.stateVersion = "24.11"; }`,
    'fonts.nix': `{ pkgs, ... }: { fonts.packages = pkgs.undefinedThing.fonts; config = unknownVariable; }`,
    'net.nix': `{ config = alsoUnknown; systemd.network.enable = true; }`,
  });
  const gaps = f.hosts[0].gaps.map((g) => [g.file?.replace('/ws/', ''), !!g.cannotMatter]);
  assert.deepEqual(gaps, [['fonts.nix', true], ['net.nix', false]]);
});
