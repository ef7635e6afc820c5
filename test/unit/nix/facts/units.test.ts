import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, lines, unit, textAt } from './harness';

/** A single non-flake host module (root file) with the given body. */
const host = (body: string) => ({ 'host.nix': `{ config, lib, pkgs, ... }: {\n${body}\n}` });

test('matchConfig.Name as string, list, and the name shortcut', async () => {
  const f = await facts(
    host(`
      systemd.network.enable = true;
      systemd.network.networks = {
        "10-a" = { matchConfig.Name = "vm-* tap-*"; networkConfig.Bridge = "br0"; };
        "20-b" = { matchConfig.Name = [ "!vm-x*" "vm-*" ]; matchConfig.Driver = "tun"; networkConfig = { Bridge = "br1"; DHCP = "no"; }; };
        "30-c" = { name = "vm-c"; networkConfig.Bridge = "br2"; };
      };`),
  );
  assert.deepEqual(lines(unit(f, 'host.nix', '10-a.network')), ['Match.Name=vm-* tap-*', 'Network.Bridge=br0']);
  assert.deepEqual(lines(unit(f, 'host.nix', '20-b.network')), [
    'Match.Driver=tun',
    'Match.Name=!vm-x*',
    'Match.Name=vm-*',
    'Network.Bridge=br1',
    'Network.DHCP=no',
  ]);
  assert.deepEqual(lines(unit(f, 'host.nix', '30-c.network')), ['Match.Name=vm-c', 'Network.Bridge=br2']);
  assert.deepEqual(unit(f, 'host.nix', '30-c.network')!.sections.map((s) => s.name), ['Match', 'Network']);
  assert.ok(f.units.every((u) => u.complete && !u.masked && u.source === 'nix'));
  assert.equal(f.hosts[0].networkdEnabled, true);
});

test('bridge shortcut renders after networkConfig.Bridge, so it wins', async () => {
  const f = await facts(
    host(`
      networking.useNetworkd = true;
      systemd.network.networks."40-vm" = {
        matchConfig.Name = "vm-*";
        networkConfig.Bridge = "br0";
        bridge = [ "br1" ];
        address = [ "10.0.0.1/24" ];
        linkConfig.RequiredForOnline = false;
      };`),
  );
  assert.deepEqual(lines(unit(f, 'host.nix', '40-vm.network')), [
    'Match.Name=vm-*',
    'Link.RequiredForOnline=false',
    'Network.Bridge=br0',
    'Network.Address=10.0.0.1/24',
    'Network.Bridge=br1',
  ]);
  assert.equal(f.hosts[0].networkdEnabled, true);
});

test('enable = false masks; Unmanaged and KeepMaster render; extraConfig lines are read', async () => {
  const f = await facts(
    host(`
      systemd.network.networks."05-off" = { enable = false; matchConfig.Name = "vm-*"; };
      systemd.network.networks."06-unmanaged" = { matchConfig.Name = "vm-u*"; linkConfig.Unmanaged = "yes"; };
      systemd.network.networks."07-keep" = {
        matchConfig.Name = "vm-k*";
        networkConfig.KeepMaster = true;
        extraConfig = ''
          [Network]
          Bridge=br9
        '';
      };`),
  );
  assert.equal(unit(f, 'host.nix', '05-off.network')!.masked, true);
  assert.deepEqual(lines(unit(f, 'host.nix', '06-unmanaged.network')), ['Match.Name=vm-u*', 'Link.Unmanaged=yes']);
  assert.deepEqual(lines(unit(f, 'host.nix', '07-keep.network')), ['Match.Name=vm-k*', 'Network.KeepMaster=true', 'Network.Bridge=br9']);
  // networkd never enabled: the units are inert, the host says so with the first unit's location
  assert.equal(f.hosts[0].networkdEnabled, false);
  assert.ok(f.hosts[0].networkdLocation);
});

test("upstream routed-network guide: genList + listToAttrs networks with addresses and routes", async () => {
  const f = await facts({
    'host.nix': `{ lib, ... }:
      let maxVMs = 2;
      in {
        networking.useNetworkd = true;
        systemd.network.networks = builtins.listToAttrs (map (index: {
          name = "30-vm\${toString index}";
          value = {
            matchConfig.Name = "vm\${toString index}";
            address = [ "10.0.0.0/32" "fec0::/128" ];
            routes = [
              { Destination = "10.0.0.\${toString index}/32"; }
              { routeConfig.Destination = "fec0::\${lib.toHexString index}/128"; }
            ];
            networkConfig = { IPv4Forwarding = true; IPv6Forwarding = true; };
          };
        }) (lib.genList (i: i + 1) maxVMs));
      }`,
  });
  assert.deepEqual(f.units.map((u) => u.name).sort(), ['30-vm1.network', '30-vm2.network']);
  assert.deepEqual(lines(unit(f, 'host.nix', '30-vm2.network')), [
    'Match.Name=vm2',
    'Network.IPv4Forwarding=true',
    'Network.IPv6Forwarding=true',
    'Network.Address=10.0.0.0/32',
    'Network.Address=fec0::/128',
    'Route.Destination=10.0.0.2/32',
    'Route.Destination=fec0::2/128',
  ]);
  assert.deepEqual(unit(f, 'host.nix', '30-vm2.network')!.sections.map((s) => s.name), ['Match', 'Network', 'Route', 'Route']);
  assert.ok(f.units.every((u) => u.complete));
});

test('mkIf / mkMerge / mkForce / mkDefault in units, dotted and nested forms', async () => {
  const files = {
    'host.nix': `{ config, lib, ... }: {
      imports = [ ./more.nix ];
      options.my.bridged = lib.mkEnableOption "bridging";
      config = lib.mkMerge [
        { my.bridged = true; systemd.network.enable = lib.mkDefault true; }
        (lib.mkIf config.my.bridged {
          systemd.network.networks."20-vms".networkConfig.Bridge = "br0";
        })
        (lib.mkIf false { systemd.network.networks."20-vms".networkConfig.Bridge = "wrong"; })
      ];
    }`,
    'more.nix': `{ lib, ... }: {
      systemd = {
        network = {
          networks = {
            "20-vms" = { matchConfig.Name = lib.mkForce "vm-*"; };
          };
        };
      };
      systemd.network.networks."20-vms".matchConfig.Name = "ignored-*";
    }`,
  };
  const f = await facts(files);
  const u = unit(f, 'host.nix', '20-vms.network')!;
  assert.deepEqual(lines(u), ['Match.Name=vm-*', 'Network.Bridge=br0']);
  assert.equal(u.complete, true);
  assert.equal(textAt(files, u.settings[0].valueLocation), '"vm-*"');
  assert.equal(u.settings[0].valueLocation.file, '/ws/more.nix');
  assert.equal(f.hosts[0].networkdEnabled, true);
  assert.equal(f.hosts.length, 1);
});

test('an unknown mkIf condition keeps the setting but marks the unit incomplete', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, pkgs, ... }: {
      systemd.network.enable = true;
      systemd.network.networks."20-vms" = {
        matchConfig.Name = "vm-*";
        networkConfig.Bridge = lib.mkIf (pkgs.stdenv.isx86_64) "br0";
      };
    }`,
  });
  const u = unit(f, 'host.nix', '20-vms.network')!;
  assert.deepEqual(lines(u), ['Match.Name=vm-*', 'Network.Bridge=br0']);
  assert.equal(u.complete, false);
});

test('networking.bridges declarations and netdevs', async () => {
  const f = await facts(
    host(`
      networking.bridges.br0.interfaces = [ "eth0" "vm-a" ];
      networking.bridges."br-\${"lan"}" = { interfaces = [ ]; };
      systemd.network.netdevs."10-br1" = { netdevConfig = { Kind = "bridge"; Name = "br1"; }; bridgeConfig.STP = false; };`),
  );
  assert.deepEqual(
    f.bridges.map((b) => [b.name, b.interfaces.map((i) => i.value.parts.join('')), b.interfacesComplete]),
    [
      ['br-lan', [], true],
      ['br0', ['eth0', 'vm-a'], true],
    ],
  );
  assert.deepEqual(lines(unit(f, 'host.nix', '10-br1.netdev')), ['NetDev.Kind=bridge', 'NetDev.Name=br1', 'Bridge.STP=false']);
});

test('a Name we cannot compute is a hole and makes the unit incomplete', async () => {
  const f = await facts(
    host(`
      systemd.network.networks."20-x" = { matchConfig.Name = pkgs.someName; networkConfig.Bridge = "br0"; };`),
  );
  const u = unit(f, 'host.nix', '20-x.network')!;
  assert.deepEqual(lines(u), ['Match.Name=*', 'Network.Bridge=br0']);
  assert.equal(u.complete, false);
});
