import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, show, textAt } from './harness';
import type { ScriptAttachment } from '../../../../server/src/engine/model';
import type { StrPattern } from '../../../../server/src/engine/pattern';

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

// ---------------------------------------------------------------------------------------------
// Wrappers, template instances, udev rules, addresses and created links.

const VM_A = `microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ];`;
const target = (s: { tap: StrPattern | null; allTaps: boolean; tapGlobs?: string[] }) => (s.allTaps ? '<all>' : s.tapGlobs ? `glob:${s.tapGlobs.join('|')}` : show(s.tap));

test('a wrapper in environment.etc is run with the unit\'s arguments, and its line is where the effect is', async () => {
  const files = {
    'host.nix': `{ pkgs, ... }: {
      ${VM_A}
      environment.etc."attach.sh".text = ''
        #!/bin/sh
        ip link set "$1" master "$2"
      '';
      systemd.services.attach.serviceConfig.ExecStart = "\${pkgs.bash}/bin/bash /etc/attach.sh vm-a br-a";
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(f.scripts.map(row), ['custom-service host.nix/- vm-a -> br-a (attach.service)']);
  assert.equal(textAt(files, f.scripts[0].location), 'ip link set "$1" master "$2"');
});

test('scripts Nix writes are read from source through let bindings: writeShellScript, writeShellScriptBin, getExe', async () => {
  const files = {
    'host.nix': `{ lib, pkgs, ... }:
    let
      attach = pkgs.writeShellScript "attach" ''
        tap=$1
        ip link set "$tap" master "\${"$"}{2:-br-default}"
      '';
      scripts = rec {
        bin = pkgs.writeShellScriptBin "attach-bin" "ip link set $1 master br-bin";
        app = pkgs.writeShellApplication { name = "attach-app"; text = "ip link set $1 master br-app"; };
      };
    in {
      systemd.services.one.serviceConfig.ExecStart = "\${attach} vm-one";
      systemd.services.two.serviceConfig.ExecStart = [ "\${scripts.bin}/bin/attach-bin vm-two" ];
      systemd.services.three.script = "\${lib.getExe scripts.app} vm-three";
      systemd.services.four.serviceConfig.ExecStart = pkgs.writeShellScript "four" "ip link set vm-four master br-four";
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(f.scripts.map(row).sort(), [
    'custom-service host.nix/- vm-four -> br-four (four.service)',
    'custom-service host.nix/- vm-one -> br-default (one.service)',
    'custom-service host.nix/- vm-three -> br-app (three.service)',
    'custom-service host.nix/- vm-two -> br-bin (two.service)',
  ]);
});

test('what cannot be read stays unknown: a function argument, an unknown program', async () => {
  const f = await facts({
    'host.nix': `{ pkgs, attach, ... }: {
      systemd.services.one.serviceConfig.ExecStart = "\${attach} vm-one br0";
      systemd.services.two.script = "some-tool vm-two br0";
    }`,
  });
  // Every argument that could name a link may be the tap (or the bridge it creates).
  assert.deepEqual(f.scripts.map((s) => `${show(s.tap)} -> ${show(s.bridge)} ${s.uncertain ? 'uncertain' : ''}`).sort(), [
    'br0 -> * uncertain',
    'br0 -> * uncertain',
    'vm-one -> * uncertain',
    'vm-two -> * uncertain',
  ]);
  assert.deepEqual(f.links.map((l) => `${show(l.name)} ${l.uncertain ? 'uncertain' : ''}`).sort(), ['br0 uncertain', 'br0 uncertain', 'vm-one uncertain', 'vm-two uncertain']);
});

test('template units run per instance: named by wants, defined as drop-ins, per VM through microvm@', async () => {
  const f = await facts({
    'host.nix': `{ pkgs, ... }: {
      microvm.vms.a.config = { };
      microvm.vms.b.config = { };
      systemd.services."attach@".serviceConfig.ExecStart = "ip link set %i master br-x";
      systemd.targets.taps.wants = [ "attach@tap-1.service" ];
      systemd.services."attach@tap-2".overrideStrategy = "asDropin";
      systemd.services."per-vm@" = {
        wantedBy = [ "microvm@.service" ];
        scriptArgs = "%i";
        script = "ip link set vm-$1 master br-vm";
      };
      systemd.services."lonely@".script = "ip link set vm-z master br-z";
    }`,
  });
  assert.deepEqual(f.scripts.map((s) => `${s.vm ?? '-'} ${target(s)} -> ${show(s.bridge)} (${s.unit})${s.uncertain ? ' uncertain' : ''}`).sort(), [
    '- tap-1 -> br-x (attach@tap-1.service)',
    '- tap-2 -> br-x (attach@tap-2.service)',
    // nothing starts lonely@: what it does may never happen
    '- vm-z -> br-z (lonely@.service) uncertain',
    'a vm-a -> br-vm (per-vm@a.service)',
    'b vm-b -> br-vm (per-vm@b.service)',
  ]);
});

test('a service\'s environment and scriptArgs; %i means nothing inside a script file', async () => {
  const f = await facts({
    'host.nix': `{ ... }: {
      systemd.services."env@" = {
        environment.BRIDGE = "br-env";
        scriptArgs = "vm-%i";
        script = ''
          ip link set "$1" master "$BRIDGE"
          ip link set vm-%i master br-literal
        '';
      };
      systemd.services."env@one".overrideStrategy = "asDropin";
    }`,
  });
  assert.deepEqual(f.scripts.map((s) => `${target(s)} -> ${show(s.bridge)}`), ['vm-one -> br-env', 'vm-%i -> br-literal']);
});

test('udev rules: RUN with the device, KERNEL globs, ACTION/SUBSYSTEM filters, conditions not evaluated', async () => {
  const files = {
    'host.nix': `{ ... }: {
      services.udev.extraRules = ''
        SUBSYSTEM=="net", ACTION=="add", KERNEL=="vm-*|tap-*", RUN+="/bin/ip link set %k master br-u"
        SUBSYSTEM=="net", ACTION=="remove", KERNEL=="vm-*", RUN+="/bin/ip link set %k master br-never"
        SUBSYSTEM=="usb", RUN+="/bin/ip link set $kernel master br-never"
        SUBSYSTEM=="net", ATTR{address}=="02:*", RUN+="/bin/sh -c 'ip link set $env{INTERFACE} master br-mac'"
      '';
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(f.scripts.map((s) => `${target(s)} -> ${show(s.bridge)} (${s.unit})${s.uncertain ? ` ${s.uncertain}` : ''}`), [
    'glob:vm-*|tap-* -> br-u (udev rule)',
    "glob:* -> br-mac (udev rule) the udev rule's ATTR{address} condition cannot be evaluated statically",
  ]);
  assert.match(textAt(files, f.scripts[0].location), /^SUBSYSTEM=="net", ACTION=="add", KERNEL=="vm-\*\|tap-\*"/);
});

test('addresses and routes, bridges created, networking.interfaces declarations', async () => {
  const f = await facts({
    'host.nix': `{ ... }: {
      networking.useDHCP = false;
      networking.interfaces.vm-a = {
        ipv4.addresses = [ { address = "10.0.0.1"; prefixLength = 32; } ];
        ipv6.routes = [ { address = "fd00::2"; prefixLength = 128; } ];
      };
      networking.interfaces.vm-b.useDHCP = true;
      networking.ifstate = { enable = true; settings.interfaces.br-if.link.kind = "bridge"; };
      networking.networkmanager.enable = true;
      systemd.services.s.script = ''
        ip link add br-s type bridge
        ip -6 addr add fd00::1/64 dev vm-c
      '';
    }`,
  });
  assert.deepEqual(f.addresses.map((a) => `${a.kind} ${a.what} ${show(a.tap)}`), ['custom-service address vm-c']);
  assert.deepEqual(f.links.map((l) => `${show(l.name)} ${l.kind} ${l.by}${l.uncertain ? ' (uncertain)' : ''}`).sort(), [
    '* bridge NetworkManager (uncertain)',
    'br-if bridge networking.ifstate',
    'br-s bridge s.service',
  ]);
  assert.deepEqual(
    f.interfaceDeclarations.map((d) => `${show(d.name)} addr=${d.addresses.map((a) => show(a.value)).join(',')} routes=${d.routes.map((r) => show(r.value)).join(',')} dhcp=${d.dhcp}`),
    ['vm-a addr=10.0.0.1/32 routes=fd00::2/128 dhcp=false', 'vm-b addr= routes= dhcp=true'],
  );
});

test('a udev rule starting a template with the device (systemctl start x@%k.service), and $INTERFACE', async () => {
  const f = await facts({
    'host.nix': `{ pkgs, ... }: let bridgeName = "br0"; in {
      services.udev.extraRules = ''
        SUBSYSTEM=="net", ACTION=="add", KERNEL=="vm-*", RUN+="\${pkgs.systemd}/bin/systemctl --no-block start bridge-tap@%k.service"
        SUBSYSTEM=="net", ACTION=="add", KERNEL=="tap-*", RUN+="/bin/sh -c 'ip link set $INTERFACE master br-env'"
      '';
      systemd.services."bridge-tap@" = {
        bindsTo = [ "sys-subsystem-net-devices-%i.device" ];
        serviceConfig.ExecStart = "\${pkgs.stdenv.shell} -c '\${pkgs.bridge-utils}/bin/brctl addif \${bridgeName} %I && \${pkgs.iproute2}/bin/ip addr add 0.0.0.0 dev %I'";
      };
    }`,
  });
  assert.deepEqual(f.scripts.map((s) => `${target(s)} -> ${show(s.bridge)} (${s.unit})`).sort(), [
    'glob:tap-* -> br-env (udev rule)',
    'glob:vm-* -> br0 (bridge-tap@%k.service)',
  ]);
  assert.deepEqual(f.addresses.map((a) => `${target(a)} ${a.what}`), ['glob:vm-* address']);
});

test('a disabled unit runs nothing; a script under an unknown condition only may', async () => {
  const f = await facts({
    'host.nix': `{ config, lib, ... }: {
      systemd.services.off = { enable = false; script = "ip link set vm-off master br0"; };
      systemd.services.maybe.script = lib.mkIf config.services.custom.enable "ip link set vm-maybe master br0";
    }`,
  });
  assert.deepEqual(f.scripts.map((s) => `${show(s.tap)} ${s.uncertain ?? ''}`), ['vm-maybe it is defined under a condition that is not statically known']);
});
