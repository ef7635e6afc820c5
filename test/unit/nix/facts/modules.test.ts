import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps, show, unplaced } from './harness';

test('VMs generated with genAttrs, mapAttrs, and imap1 + listToAttrs over an imported list', async () => {
  const f = await facts({
    'hosts/h1/configuration.nix': `{ config, lib, pkgs, ... }:
      let
        vms = import ../../vms.nix;
        nets = { red = 1; blue = 2; };
      in {
        imports = [ ./bridge.nix ];
        microvm.vms = lib.mkMerge [
          (lib.genAttrs [ "alpha" "beta" ] (name: {
            config = { microvm.interfaces = [ { type = "tap"; id = "vm-\${name}"; mac = "02:00:00:00:00:01"; } ]; };
          }))
          (builtins.listToAttrs (lib.imap1 (i: vm: {
            name = vm.name;
            value.config = {
              microvm.interfaces = [ { type = "tap"; id = "tap\${toString i}-\${vm.name}"; mac = vm.mac; } ];
            };
          }) vms))
          (lib.mapAttrs (n: idx: {
            config.microvm.interfaces = [ { type = "tap"; id = "n-\${n}"; mac = "02:00:00:00:01:0\${toString idx}"; } ];
          }) nets)
        ];
      }`,
    'hosts/h1/bridge.nix': `{ systemd.network.enable = true; }`,
    'vms.nix': `[ { name = "gw"; mac = "02:00:00:00:00:10"; } { name = "dns"; mac = "02:00:00:00:00:11"; } ]`,
  });
  assert.deepEqual(taps(f), [
    'hosts/h1/configuration.nix/alpha:tap:vm-alpha',
    'hosts/h1/configuration.nix/beta:tap:vm-beta',
    'hosts/h1/configuration.nix/blue:tap:n-blue',
    'hosts/h1/configuration.nix/dns:tap:tap2-dns',
    'hosts/h1/configuration.nix/gw:tap:tap1-gw',
    'hosts/h1/configuration.nix/red:tap:n-red',
  ]);
  assert.equal(show(f.interfaces.find((i) => i.vm === 'dns')!.mac!.value), '02:00:00:00:00:11');
  // only the host module is a root: bridge.nix and vms.nix are imported
  assert.deepEqual(f.hosts.map((h) => h.name), ['hosts/h1/configuration.nix']);
  assert.equal(f.hosts[0].networkdEnabled, true);
  assert.deepEqual(f.hosts[0].vms, ['alpha', 'beta', 'blue', 'dns', 'gw', 'red']);
});

test('non-flake roots: modules are roots, plain data and functions are not', async () => {
  const f = await facts({
    'guest.nix': `{ config, ... }: { microvm.interfaces = [ { type = "macvtap"; id = "mvt-1"; mac = "02:00:00:00:00:01"; macvtap.link = "eth0"; } ]; }`,
    'attrs-module.nix': `{ networking.hostName = "x"; imports = [ ]; }`,
    'data.nix': `{ a = 1; b = [ 2 ]; }`,
    'lib/helpers.nix': `{ lib }: { double = x: x * 2; }`,
    'shell.nix': `{ pkgs ? import <nixpkgs> { } }: pkgs.mkShell { }`,
  });
  // a system root is named by its host name; a bare module keeps its path
  assert.deepEqual(f.hosts.map((h) => h.name).sort(), ['guest.nix', 'x']);
  assert.deepEqual(taps(f), ['-/-:macvtap:mvt-1']);
  assert.equal(f.interfaces[0].guest, 'file:/ws/guest.nix');
});

test('dotted vs nested forms, mkIf/mkForce wrapping around interface lists', async () => {
  const f = await facts({
    'host.nix': `{ lib, ... }: {
      microvm.vms.a.config = {
        microvm = {
          interfaces = lib.mkForce [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ];
        };
        microvm.interfaces = [ { type = "tap"; id = "overridden"; mac = "02:00:00:00:00:02"; } ];
      };
      microvm.vms.b = lib.mkIf true {
        config.microvm.interfaces = lib.mkMerge [
          [ { type = "tap"; id = "vm-b1"; mac = "02:00:00:00:00:03"; } ]
          (lib.mkAfter [ { type = "bridge"; id = "vm-b2"; bridge = "br0"; mac = "02:00:00:00:00:04"; } ])
          (lib.mkBefore [ { type = "user"; id = "u0"; mac = "02:00:00:00:00:05"; } ])
        ];
      };
      microvm.vms.c = lib.mkIf false { config.microvm.interfaces = [ { type = "tap"; id = "never"; mac = "x"; } ]; };
    }`,
  });
  assert.deepEqual(taps(f), ['host.nix/a:tap:vm-a', 'host.nix/b:bridge:vm-b2>br0', 'host.nix/b:tap:vm-b1', 'host.nix/b:user:u0']);
  // what mkForce overrides and what mkIf false removes is still reported, as reached by no configuration
  assert.deepEqual(unplaced(f), ['never', 'overridden']);
  const order = f.interfaces.filter((i) => i.vm === 'b').map((i) => show(i.id.value));
  assert.deepEqual(order, ['u0', 'vm-b1', 'vm-b2']);
  assert.deepEqual(f.hosts[0].vms, ['a', 'b']);
});

test('an interface under an unknown condition is marked conditional', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, pkgs, ... }: {
      microvm.vms.a.config = { pkgs, ... }: {
        microvm.interfaces = lib.optional pkgs.stdenv.isLinux { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; }
          ++ [ { type = "tap"; id = "vm-a2"; mac = "02:00:00:00:00:02"; } ];
      };
      microvm.vms.b = lib.mkIf pkgs.stdenv.isLinux {
        config.microvm.interfaces = [ { type = "tap"; id = "vm-b"; mac = "02:00:00:00:00:03"; } ];
      };
    }`,
  });
  assert.deepEqual(taps(f), ['host.nix/a:tap:vm-a2', 'host.nix/b:tap:vm-b?']);
});

test('custom options with defaults drive mkIf; a module reading config.X while defining X does not hang', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, ... }:
      let cfg = config.services.lab;
      in {
        options.services.lab = {
          enable = lib.mkOption { type = lib.types.bool; default = false; };
          prefix = lib.mkOption { type = lib.types.str; default = "lab"; };
          vms = lib.mkOption { default = [ "one" ]; };
        };
        config = lib.mkMerge [
          { services.lab.enable = true; }
          (lib.mkIf cfg.enable {
            microvm.vms = lib.genAttrs cfg.vms (n: {
              config.microvm.interfaces = [ { type = "tap"; id = "\${cfg.prefix}-\${n}"; mac = "02:00:00:00:00:01"; } ];
            });
          })
          { networking.hostName = config.networking.hostName + "x"; }
        ];
      }`,
  });
  assert.deepEqual(taps(f), ['host.nix/one:tap:lab-one']);
});

test('guest hostName from its own config wins over the VM-name default', async () => {
  const f = await facts({
    'host.nix': `{ ... }: {
      microvm.vms.web.config = { config, ... }: {
        networking.hostName = "frontend";
        microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}"; mac = "02:00:00:00:00:01"; } ];
      };
    }`,
  });
  assert.deepEqual(taps(f), ['host.nix/web:tap:vm-frontend']);
});

test('VMs from builtins.readDir', async () => {
  const f = await facts({
    'host.nix': `{ lib, ... }: {
      microvm.vms = lib.mapAttrs' (file: _: lib.nameValuePair (lib.removeSuffix ".nix" file) { config = import (./vms + "/\${file}"); })
        (lib.filterAttrs (n: t: t == "regular" && lib.hasSuffix ".nix" n) (builtins.readDir ./vms));
    }`,
    'vms/a.nix': `{ config, ... }: { microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}"; mac = "02:00:00:00:00:01"; } ]; }`,
    'vms/b.nix': `{ config, ... }: { microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}"; mac = "02:00:00:00:00:02"; } ]; }`,
  });
  assert.deepEqual(taps(f), ['host.nix/a:tap:vm-a', 'host.nix/b:tap:vm-b']);
  assert.deepEqual(f.hosts.map((h) => h.name), ['host.nix']);
});

test('the host reads its guests through config.microvm.vms.<n>.config.config', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, ... }: {
      microvm.vms = lib.genAttrs [ "a" "b" ] (n: {
        config = { config, ... }: { microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}"; mac = "02:00:00:00:00:01"; } ]; };
      });
      networking.bridges.br0.interfaces = lib.concatMap (vm: map (i: i.id) vm.config.config.microvm.interfaces)
        (lib.attrValues config.microvm.vms);
    }`,
  });
  assert.deepEqual(taps(f), ['host.nix/a:tap:vm-a', 'host.nix/b:tap:vm-b']);
  assert.deepEqual(f.bridges.map((b) => [b.name, b.interfaces.map((i) => show(i.value)), b.interfacesComplete]), [['br0', ['vm-a', 'vm-b'], true]]);
});

test('mkIf pushes its condition into the attributes: a module reading its own option tree stays lazy', async () => {
  // `cfg = config.cfg.x; config = mkIf cfg.enable { cfg.x.extra = …; … }`: reading `config.cfg.x`
  // must not evaluate `cfg.enable` (Nix never does: attribute names do not depend on mkIf).
  const f = await facts({
    'configuration.nix': `{ ... }: { imports = [ ./a.nix ./b.nix ]; system.stateVersion = "24.11"; }`,
    'a.nix': `{ config, lib, ... }: let cfg = config.cfg.x; in {
      options.cfg.x.enable = lib.mkEnableOption "x";
      config = lib.mkIf cfg.enable {
        cfg.x.extra = 1;
        microvm.vms.v.config.microvm.interfaces = [ { type = "tap"; id = "vm-v"; mac = "02:00:00:00:00:01"; } ];
      };
    }`,
    'b.nix': `{ config, ... }: { cfg.x.enable = true; networking.hostName = if config.cfg ? x then "h" else "g"; }`,
  });
  assert.deepEqual(taps(f), ['h/v:tap:vm-v']);
});

test('options typed attrsOf (submodule …): each value gets the submodule defaults, with name bound', async () => {
  const f = await facts({
    'configuration.nix': `{ config, lib, ... }:
      let cfg = config.custom.vms; in {
        imports = [ ./vms.nix ];
        options.custom.vms = lib.mkOption {
          type = lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
            options.id = lib.mkOption { type = lib.types.str; default = "vm-\${name}"; };
            options.extra = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
            options.bridge = lib.mkOption { type = lib.types.nullOr lib.types.str; default = null; };
          }));
          default = { };
        };
        config = {
          system.stateVersion = "24.11";
          microvm.vms = lib.mapAttrs (name: vm: {
            config.microvm.interfaces = [ { type = "tap"; id = vm.id; mac = "02:00:00:00:00:01"; } ] ++ vm.extra;
          }) cfg;
        };
      }`,
    'vms.nix': `{ custom.vms.web = { }; custom.vms.db.id = "db-tap"; }`,
  });
  assert.deepEqual(taps(f), ['configuration.nix/db:tap:db-tap', 'configuration.nix/web:tap:vm-web']);
});

test('options typed listOf (submodule …) and submodule: defaults apply to each item', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, ... }: {
      options.my.taps = lib.mkOption {
        type = lib.types.listOf (lib.types.submodule { options.prefix = lib.mkOption { default = "tap-"; }; options.n = lib.mkOption { }; });
      };
      options.my.net = lib.mkOption { type = lib.types.submodule { options.enable = lib.mkEnableOption "net"; }; default = { }; };
      config.my.taps = [ { n = "a"; } { n = "b"; prefix = "x-"; } ];
      config.microvm.vms.v.config.microvm.interfaces = map (t: { type = "tap"; id = t.prefix + t.n; mac = "02:00:00:00:00:01"; }) config.my.taps;
      config.networking.hostName = if config.my.net.enable then "on" else "off";
    }`,
  });
  // the host is named by its hostName, "off": the submodule's enable defaults to false
  assert.deepEqual(taps(f), ['off/v:tap:tap-a', 'off/v:tap:x-b']);
});
