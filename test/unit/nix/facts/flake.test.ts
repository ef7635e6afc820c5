import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps, lines, unit, show, textAt } from './harness';

const FLAKE_HEAD = `
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  inputs.microvm.inputs.nixpkgs.follows = "nixpkgs";
`;

test('flake: host runs guests defined as nixosConfigurations via flake = self', async () => {
  const files: Record<string, string> = {
    'flake.nix': `{
      ${FLAKE_HEAD}
      outputs = { self, nixpkgs, microvm, ... }@inputs:
        let
          lib = nixpkgs.lib;
          mkGuest = name: lib.nixosSystem {
            system = "x86_64-linux";
            modules = [ microvm.nixosModules.microvm ./guests/\${name}.nix ];
          };
        in {
          nixosConfigurations = {
            h1 = inputs.nixpkgs.lib.nixosSystem {
              system = "x86_64-linux";
              specialArgs = { inherit self inputs; };
              modules = [ microvm.nixosModules.host ./hosts/h1 ];
            };
          } // lib.genAttrs [ "web" "db" ] mkGuest;
        };
    }`,
    'hosts/h1/default.nix': `{ self, lib, ... }: {
      imports = [ ./network.nix ];
      microvm.vms = {
        web.flake = self;
        db = { flake = self; autostart = true; };
      };
    }`,
    'hosts/h1/network.nix': `{ ... }: {
      systemd.network = {
        enable = true;
        networks."20-vms" = {
          matchConfig.Name = "vm-*";
          networkConfig.Bridge = "br-vms";
        };
        netdevs."10-br-vms".netdevConfig = { Kind = "bridge"; Name = "br-vms"; };
      };
    }`,
    'guests/web.nix': `{ config, lib, ... }: {
      networking.hostName = "web";
      microvm.hypervisor = "cloud-hypervisor";
      microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}"; mac = "02:00:00:00:00:01"; } ];
    }`,
    'guests/db.nix': `{ ... }: {
      microvm.interfaces = [ { type = "tap"; id = "vm-db"; mac = "02:00:00:00:00:02"; } ];
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(taps(f), ['h1/db:tap:vm-db', 'h1/web:tap:vm-web']);
  const web = f.interfaces.find((i) => i.vm === 'web')!;
  assert.equal(web.hypervisor?.value, 'cloud-hypervisor');
  assert.equal(web.guest, 'nixosConfigurations.web');
  assert.equal(web.id.location.file, '/ws/guests/web.nix');
  assert.equal(textAt(files, web.id.location), '"vm-${config.networking.hostName}"');
  const db = f.interfaces.find((i) => i.vm === 'db')!;
  assert.deepEqual(db.hypervisor, { value: 'qemu', location: null });
  const h1 = f.hosts.find((h) => h.name === 'h1')!;
  assert.equal(h1.isMicrovmHost, true);
  assert.equal(h1.networkdEnabled, true);
  assert.equal(h1.importsExternalModules, false);
  assert.deepEqual(h1.vms, ['db', 'web']);
  assert.equal(f.hosts.find((h) => h.name === 'web')!.isMicrovmHost, false);
  assert.deepEqual(lines(unit(f, 'h1', '20-vms.network')), ['Match.Name=vm-*', 'Network.Bridge=br-vms']);
  assert.deepEqual(lines(unit(f, 'h1', '10-br-vms.netdev')), ['NetDev.Kind=bridge', 'NetDev.Name=br-vms']);
  const u = unit(f, 'h1', '20-vms.network')!;
  assert.equal(u.location.file, '/ws/hosts/h1/network.nix');
  assert.equal(textAt(files, u.settings[1].valueLocation), '"br-vms"');
  assert.equal(textAt(files, u.settings[1].keyLocation), 'Bridge');
  assert.equal(textAt(files, u.location), '"20-vms"');
  assert.deepEqual(f.problems, []);
});

test('flake: microvm.vms.<n>.config as attrset and as module function; hostName defaults to the VM name', async () => {
  const files: Record<string, string> = {
    'flake.nix': `{
      ${FLAKE_HEAD}
      outputs = { self, nixpkgs, microvm }: {
        nixosConfigurations.host = nixpkgs.lib.nixosSystem {
          modules = [
            microvm.nixosModules.host
            ({ lib, ... }: {
              microvm.vms.alpha.config = {
                microvm.interfaces = [ { type = "tap"; id = "vm-alpha"; mac = "02:00:00:00:00:0a"; } ];
              };
              microvm.vms.gamma = {
                autostart = true;
                config = { config, ... }: {
                  microvm = {
                    hypervisor = "firecracker";
                    interfaces = [ {
                      type = "tap";
                      id = "vm-\${config.networking.hostName}";
                      mac = "02:00:00:00:00:0c";
                    } ];
                  };
                };
              };
            })
          ];
        };
      };
    }`,
  };
  const f = await facts(files);
  assert.deepEqual(taps(f), ['host/alpha:tap:vm-alpha', 'host/gamma:tap:vm-gamma']);
  const g = f.interfaces.find((i) => i.vm === 'gamma')!;
  assert.equal(g.hypervisor?.value, 'firecracker');
  assert.equal(g.guest, 'host#microvm.vms.gamma');
  assert.equal(show(g.mac?.value), '02:00:00:00:00:0c');
  assert.equal(textAt(files, g.id.location), '"vm-${config.networking.hostName}"');
  assert.deepEqual(f.hosts.map((h) => [h.name, h.isMicrovmHost, h.vms]), [['host', true, ['alpha', 'gamma']]]);
});

test('flake: autostart computed from self.nixosConfigurations, external inputs are opaque', async () => {
  const f = await facts({
    'flake.nix': `{
      ${FLAKE_HEAD}
      inputs.infra.url = "github:example-org/nixos-infra";
      outputs = { self, nixpkgs, microvm, infra, ... }:
        let
          guests = [ "a" "b" ];
        in {
          nixosConfigurations = nixpkgs.lib.genAttrs guests (n: nixpkgs.lib.nixosSystem {
            modules = [ microvm.nixosModules.microvm { microvm.interfaces = [ { type = "tap"; id = "vm-\${n}"; mac = "02:00:00:00:00:01"; } ]; } ];
          }) // {
            host = nixpkgs.lib.nixosSystem {
              modules = [
                microvm.nixosModules.host
                infra.nixosModules.server
                { microvm.autostart = builtins.filter (n: n != "host") (builtins.attrNames self.nixosConfigurations); }
              ];
            };
          };
        };
    }`,
  });
  assert.deepEqual(taps(f), ['host/a:tap:vm-a', 'host/b:tap:vm-b']);
  const host = f.hosts.find((h) => h.name === 'host')!;
  assert.equal(host.importsExternalModules, true);
  assert.equal(host.networkdEnabled, false);
  assert.deepEqual(host.vms, ['a', 'b']);
});

test('flake: a guest no host runs keeps host null', async () => {
  const f = await facts({
    'flake.nix': `{
      ${FLAKE_HEAD}
      outputs = { nixpkgs, microvm, ... }: {
        nixosConfigurations.lonely = nixpkgs.lib.nixosSystem {
          modules = [ microvm.nixosModules.microvm ./lonely.nix ];
        };
      };
    }`,
    'lonely.nix': `{ microvm.interfaces = [ { type = "tap"; id = "vm-lonely"; mac = "02:00:00:00:00:01"; } ]; }`,
  });
  assert.deepEqual(taps(f), ['-/lonely:tap:vm-lonely']);
  assert.equal(f.hosts[0].isMicrovmHost, false);
});

test('flake: a path: input is the sub-flake in the workspace; its configurations keep the outer name', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.hv.url = "path:./hosts/hv";
      outputs = { self, hv, ... }: { nixosConfigurations.hypervisor = hv.nixosConfigurations.hv; };
    }`,
    'hosts/hv/flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.microvm.url = "github:microvm-nix/microvm.nix";
      outputs = { nixpkgs, microvm, ... }: {
        nixosConfigurations.hv = nixpkgs.lib.nixosSystem { modules = [ microvm.nixosModules.host ./configuration.nix ]; };
      };
    }`,
    'hosts/hv/configuration.nix': `{
      microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ];
    }`,
  });
  assert.deepEqual(taps(f), ['hypervisor/a:tap:vm-a']);
  assert.deepEqual(f.hosts.map((h) => h.name), ['hypervisor']);
});

test('flake: modules of well-known inputs that never network are not gaps; unknown inputs are', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.home-manager.url = "github:nix-community/home-manager";
      inputs.private.url = "github:me/private-modules";
      outputs = { nixpkgs, home-manager, private, ... }: {
        nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ home-manager.nixosModules.home-manager ]; };
        nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ private.nixosModules.default ]; };
      };
    }`,
  });
  const gaps = Object.fromEntries(f.hosts.map((h) => [h.name, h.gaps.map((g) => `${g.kind}: ${g.message}`)]));
  assert.deepEqual(gaps, { a: [], b: ['external-module: private.nixosModules.default comes from outside the workspace'] });
});

test('flake: outputs of an input the workspace does not contain fail with its name as the reason', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.flake-utils-x.url = "github:someone/some-framework";
      outputs = inputs: inputs.flake-utils-x.lib.mkFlake { inherit inputs; } { };
    }`,
  });
  assert.deepEqual(f.problems.map((p) => p.message), [
    'flake outputs could not be evaluated: call of flake-utils-x.lib.mkFlake, from an input the workspace does not contain',
  ]);
});

test('flake: extendModules adds modules to a nixosSystem; lib.evalModules runs any module system', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      outputs = { nixpkgs, ... }:
        let
          base = nixpkgs.lib.nixosSystem { modules = [ ./base.nix ]; };
          fleet = nixpkgs.lib.evalModules {
            modules = [ ({ lib, ... }: { options.hosts = lib.mkOption { type = lib.types.attrsOf (lib.types.submodule { options.vm = lib.mkOption { default = "web"; }; }); }; }) { hosts.h1 = { }; } ];
          };
        in {
          nixosConfigurations.h1 = base.extendModules { modules = [ { microvm.vms.\${fleet.config.hosts.h1.vm}.config.microvm.interfaces = [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ]; } ]; };
        };
    }`,
    'base.nix': `{ networking.hostName = "h1"; }`,
  });
  assert.deepEqual(taps(f), ['h1/web:tap:vm-a']);
});

test('colmena: makeHive nodes and a raw colmena output are configurations; defaults and name reach every node', async () => {
  const hive = `{
    meta.specialArgs.site = "lab";
    defaults = { name, ... }: { imports = [ (./. + "/hosts/\${name}") ]; };
    h1 = { };
    h2 = [ { networking.firewall.enable = true; } ];
  }`;
  const withMakeHive = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.colmena.url = "github:zhaofengli/colmena";
      outputs = { self, colmena, ... }: {
        colmena = ${hive};
        nixosConfigurations = (colmena.lib.makeHive self.outputs.colmena).nodes;
      };
    }`,
    'hosts/h1/default.nix': `{ site, ... }: { microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${site}"; mac = "02:00:00:00:00:01"; } ]; }`,
    'hosts/h2/default.nix': `{ name, ... }: { networking.hostName = name; }`,
  });
  assert.deepEqual(withMakeHive.hosts.map((h) => h.name), ['h1', 'h2']);
  assert.deepEqual(taps(withMakeHive), ['h1/a:tap:vm-lab']);
  const rawOnly = await facts({
    'flake.nix': `{ inputs.nixpkgs.url = "github:nixos/nixpkgs"; outputs = { self, ... }: { colmena = ${hive}; }; }`,
    'hosts/h1/default.nix': `{ site, ... }: { microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${site}"; mac = "02:00:00:00:00:01"; } ]; }`,
    'hosts/h2/default.nix': `{ }`,
  });
  assert.deepEqual(taps(rawOnly), ['h1/a:tap:vm-lab']);
});

test('flake-utils-plus: hosts merged over hostDefaults become nixosConfigurations; flake-utils eachSystem evaluates', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.utils.url = "github:gytis-ivaskevicius/flake-utils-plus";
      inputs.fu.url = "github:numtide/flake-utils";
      outputs = inputs@{ self, utils, fu, ... }: utils.lib.mkFlake {
        inherit self inputs;
        hostDefaults.modules = [ ./common.nix ];
        hostDefaults.specialArgs.site = "lab";
        hostDefaults.extraArgs.rack = "r1";
        hosts."org.example.hv".modules = [ ./hv.nix ]; # a reverse domain name: hostName hv
        nixosModules = utils.lib.exportModules [ ./common.nix ];
        packages = (fu.lib.eachDefaultSystem (system: { hello = system; })).hello;
      };
    }`,
    'common.nix': `{ systemd.network.enable = true; }`,
    'hv.nix': `{ config, site, rack, ... }: {
      microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${site}-\${rack}"; mac = "02:00:00:00:00:01"; } ];
      systemd.network.networks."10-\${config.networking.hostName}".matchConfig.Name = "x";
    }`,
  });
  assert.deepEqual(f.problems, []);
  assert.deepEqual(taps(f), ['org.example.hv/a:tap:vm-lab-r1']);
  assert.deepEqual(f.units.map((u) => u.name), ['10-hv.network']);
  assert.equal(f.hosts[0].networkdEnabled, true);
});

test('flake-parts: mkFlake modules define flake.nixosConfigurations and flake.nixosModules; withSystem and importApply', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.flake-parts.url = "github:hercules-ci/flake-parts";
      inputs.microvm.url = "github:microvm-nix/microvm.nix";
      outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; specialArgs.site = "lab"; } {
        systems = [ "x86_64-linux" ];
        imports = [ ./parts/modules.nix ./parts/hosts.nix ];
        perSystem = { pkgs, ... }: { packages.hello = pkgs.hello; };
      };
    }`,
    'parts/modules.nix': `{ inputs, ... }: let inherit (inputs.flake-parts.lib) importApply; in {
      flake.nixosModules.vms = importApply ./vms.nix { tag = "a"; };
    }`,
    'parts/vms.nix': `{ tag }: { lib, ... }: {
      microvm.vms.\${tag}.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${tag}"; mac = "02:00:00:00:00:01"; } ];
    }`,
    'parts/hosts.nix': `{ inputs, self, withSystem, site, ... }: {
      flake = { config, lib, ... }: {
        nixosConfigurations.hv = withSystem "x86_64-linux" ({ system, ... }: inputs.nixpkgs.lib.nixosSystem {
          inherit system;
          specialArgs = { inherit site; };
          modules = [ inputs.microvm.nixosModules.host self.nixosModules.vms { networking.hostName = "hv-\${site}"; } ];
        });
      };
    }`,
  });
  assert.deepEqual(f.problems, []);
  assert.deepEqual(taps(f), ['hv/a:tap:vm-a']);
});

test('nixpkgs by path: eval-config.nix is nixosSystem, <nixpkgs/nixos> builds a configuration', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      outputs = { nixpkgs, ... }: {
        nixosConfigurations.a = import "\${nixpkgs}/nixos/lib/eval-config.nix" { system = "x86_64-linux"; modules = [ ./a.nix ]; };
        nixosConfigurations.b = import <nixpkgs/nixos> { configuration = ./b.nix; };
      };
    }`,
    'a.nix': `{ imports = [ <nixpkgs/nixos/modules/profiles/minimal.nix> ]; microvm.vms.x.config.microvm.interfaces = [ { type = "tap"; id = "vm-a"; mac = "02:00:00:00:00:01"; } ]; }`,
    'b.nix': `{ microvm.vms.y.config.microvm.interfaces = [ { type = "tap"; id = "vm-b"; mac = "02:00:00:00:00:02"; } ]; }`,
  });
  assert.deepEqual(taps(f), ['a/x:tap:vm-a', 'b/y:tap:vm-b']);
  assert.deepEqual(f.hosts.map((h) => h.gaps), [[], []]);
});

test('flake: srvos common/server/desktop turn networkd on (mkDefault); its other modules stay gaps', async () => {
  const f = await facts({
    'flake.nix': `{
      ${FLAKE_HEAD}
      inputs.srvos.url = "github:nix-community/srvos";
      outputs = { nixpkgs, microvm, srvos, ... }: {
        nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ microvm.nixosModules.host srvos.nixosModules.common ]; };
        nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ microvm.nixosModules.host srvos.nixosModules.desktop ]; };
        nixosConfigurations.c = nixpkgs.lib.nixosSystem {
          modules = [ microvm.nixosModules.host srvos.nixosModules.server { networking.useNetworkd = false; } ];
        };
        nixosConfigurations.d = nixpkgs.lib.nixosSystem { modules = [ microvm.nixosModules.host srvos.nixosModules.mixins-systemd-boot ]; };
      };
    }`,
  });
  const host = (n: string) => f.hosts.find((h) => h.name === n)!;
  assert.deepEqual([host('a').networkdEnabled, host('a').importsExternalModules], [true, false]);
  assert.deepEqual([host('b').networkdEnabled, host('b').importsExternalModules], [true, false]);
  // a plain definition (priority 100) beats srvos' mkDefault
  assert.deepEqual([host('c').networkdEnabled, host('c').importsExternalModules], [false, false]);
  assert.deepEqual([host('d').networkdEnabled, host('d').importsExternalModules], [false, true]);
});

test('flake: a value of an input the workspace does not contain compared with a string is unknown, not false', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.microvm.url = "github:microvm-nix/microvm.nix";
      inputs.private.url = "github:me/private-modules";
      outputs = { nixpkgs, microvm, private, ... }: {
        nixosConfigurations.hv = nixpkgs.lib.nixosSystem {
          modules = [
            microvm.nixosModules.host
            { microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = if private.lib.class == "nixos" then "vm-a" else "vm-b"; mac = "02:00:00:00:00:01"; } ]; }
          ];
        };
      };
    }`,
  });
  assert.deepEqual(taps(f).filter((t) => t.endsWith('vm-b')), [], 'no branch is taken on a value we cannot see');
});
