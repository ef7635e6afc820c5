// Fact extraction releases what a configuration collected once its facts are emitted
// (docs/architecture.md, "One host's module instances alive at a time"); whatever reads it later
// must get the same answers as before the release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, show, taps } from './harness';

const FLAKE_HEAD = `
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
`;

test('a host emitted later reads an earlier host configuration (released by then): option defaults and definitions as before', async () => {
  const f = await facts({
    'flake.nix': `{
      ${FLAKE_HEAD}
      outputs = { self, nixpkgs, microvm, ... }: {
        nixosConfigurations = {
          # emitted first (sorted), so released before "b" reads it
          a = nixpkgs.lib.nixosSystem { modules = [ ./common.nix ./a.nix ]; };
          b = nixpkgs.lib.nixosSystem { specialArgs = { inherit self; }; modules = [ microvm.nixosModules.host ./common.nix ./b.nix ]; };
        };
      };
    }`,
    'common.nix': `{ lib, config, ... }: {
      options.site.bridge = lib.mkOption { type = lib.types.str; default = "br-site"; };
      options.site.prefix = lib.mkOption { type = lib.types.str; default = "vm-"; };
      config.systemd.network.enable = true;
    }`,
    'a.nix': `{ ... }: { site.prefix = "guest-"; networking.hostName = "a"; }`,
    'b.nix': `{ self, ... }:
      let other = self.nixosConfigurations.a.config.site; in {
        networking.hostName = "b";
        systemd.network.netdevs."10-br".netdevConfig = { Kind = "bridge"; Name = other.bridge; };
        systemd.network.networks."20-vms" = { matchConfig.Name = "\${other.prefix}*"; networkConfig.Bridge = other.bridge; };
        microvm.vms.x.config.microvm.interfaces = [ { type = "tap"; id = "guest-x"; mac = "02:00:00:00:00:01"; } ];
      }`,
  });
  assert.deepEqual(taps(f), ['b/x:tap:guest-x']);
  const network = f.units.find((u) => u.host === 'b' && u.name === '20-vms.network')!;
  assert.ok(network, 'the network unit of b');
  const setting = (key: string) => show(network.settings.find((s) => s.key === key)?.value);
  assert.equal(setting('Name'), 'guest-*', "a's definition (released, read again)");
  assert.equal(setting('Bridge'), 'br-site', "a's option default (released, read again)");
  assert.deepEqual(
    f.hosts.map((h) => h.name),
    ['a', 'b'],
  );
});
