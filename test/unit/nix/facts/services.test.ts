import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, show, textAt } from './harness';
import type { ScriptAttachment } from '../../../../server/src/engine/model';

const row = (s: ScriptAttachment) =>
  `${s.kind} ${s.host ?? '-'}/${s.vm ?? '-'} ${s.allTaps ? '<all>' : show(s.tap)} -> ${show(s.bridge)}${s.unit ? ` (${s.unit})` : ''}`;

test('guest binScripts.tap-up with lib.mkAfter and an unknown ip path', async () => {
  const files = {
    'host.nix': `{ lib, ... }: {
      microvm.vms.web.config = { config, lib, pkgs, ... }: {
        microvm.interfaces = [ { type = "tap"; id = "vm-web"; mac = "02:00:00:00:00:01"; } ];
        microvm.binScripts.tap-up = lib.mkAfter ''
          \${lib.getExe' pkgs.iproute2 "ip"} link set dev 'vm-web' master 'br-lan'
        '';
      };
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(f.scripts.map(row), ['bin-script host.nix/web vm-web -> br-lan (microvm-tap-interfaces@web.service)']);
  assert.match(textAt(files, f.scripts[0].location), /^\$\{lib.getExe' pkgs.iproute2 "ip"\} link set dev 'vm-web' master 'br-lan'$/);
});

test('old layout: microvm-tap-interfaces@ script = lib.mkForce loop with $id', async () => {
  const f = await facts({
    'host.nix': `{ lib, pkgs, ... }: {
      microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ];
      systemd.services."microvm-tap-interfaces@" = {
        script = lib.mkForce ''
          cd /var/lib/microvms/$1
          TAP_FLAGS=$(cat current/share/microvm/tap-flags)
          for id in $(cat current/share/microvm/tap-interfaces); do
            if [ -e /sys/class/net/$id ]; then
              \${pkgs.iproute2}/bin/ip link delete $id
            fi
            \${pkgs.iproute2}/bin/ip tuntap add name $id mode tap user microvm $TAP_FLAGS
            \${pkgs.iproute2}/bin/ip link set $id up
            \${pkgs.iproute2}/bin/ip link set $id master br-vms
          done
        '';
      };
    }`,
  });
  // The template runs once per VM of the host: here for `a`.
  assert.deepEqual(f.scripts.map(row), ['service-override host.nix/a <all> -> br-vms (microvm-tap-interfaces@a.service)']);
  assert.equal(f.scripts[0].location.range.start.line, 12);
});

test('new layout: per-VM drop-in with ExecStartPost list and %i', async () => {
  const f = await facts({
    'host.nix': `{ lib, ... }: {
      microvm.vms.db.config.microvm.interfaces = [ { type = "tap"; id = "vm-db"; mac = "02:00:00:00:00:01"; } ];
      systemd.services."microvm-tap-interfaces@db" = {
        overrideStrategy = "asDropin";
        serviceConfig.ExecStartPost = [
          "/run/current-system/sw/bin/ip link set vm-db master br0"
          "/run/current-system/sw/bin/ip link set vm-%i-2 master br0"
        ];
      };
      systemd.services."microvm-tap-interfaces@".serviceConfig.ExecStartPost = "/run/current-system/sw/bin/ip link set vm-%i master br1";
    }`,
  });
  // The template's ExecStartPost runs for db too, with %i = db (the drop-in adds to it).
  assert.deepEqual(f.scripts.map(row).sort(), [
    'service-override host.nix/db vm-db -> br0 (microvm-tap-interfaces@db.service)',
    'service-override host.nix/db vm-db -> br1 (microvm-tap-interfaces@db.service)',
    'service-override host.nix/db vm-db-2 -> br0 (microvm-tap-interfaces@db.service)',
  ]);
});

test('any other systemd service running ip link set master is a custom-service attachment', async () => {
  const f = await facts({
    'host.nix': `{ lib, pkgs, ... }: {
      systemd.services.attach-taps = {
        wantedBy = [ "multi-user.target" ];
        after = [ "microvm@web.service" ];
        serviceConfig.Type = "oneshot";
        script = ''
          ip link set dev vm-web up master br-dmz
        '';
      };
      systemd.services.unrelated.script = "echo hello";
      systemd.services.other.serviceConfig.ExecStart = "\${pkgs.iproute2}/bin/ip -n ns1 link set tap-x master br-ns";
    }`,
  });
  assert.deepEqual(f.scripts.map(row).sort(), [
    'custom-service host.nix/- tap-x -> br-ns (other.service)',
    'custom-service host.nix/- vm-web -> br-dmz (attach-taps.service)',
  ]);
});

test('a guest run by a flake host carries its binScripts to that host', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:NixOS/nixpkgs";
      inputs.microvm.url = "github:microvm-nix/microvm.nix";
      outputs = { self, nixpkgs, microvm }: {
        nixosConfigurations.h = nixpkgs.lib.nixosSystem {
          modules = [ microvm.nixosModules.host { microvm.vms.g.flake = self; } ];
        };
        nixosConfigurations.g = nixpkgs.lib.nixosSystem {
          modules = [ microvm.nixosModules.microvm ({ lib, ... }: {
            microvm.interfaces = [ { type = "tap"; id = "vm-g"; mac = "02:00:00:00:00:01"; } ];
            microvm.binScripts.tap-up = lib.mkAfter "ip link set vm-g master br0";
          }) ];
        };
      };
    }`,
  });
  assert.deepEqual(f.scripts.map(row), ['bin-script h/g vm-g -> br0 (microvm-tap-interfaces@g.service)']);
});
