/**
 * The framework models (server/src/engine/nix/frameworks/) on in-memory workspaces: what each
 * does with its arguments beyond its fixture's main path (test/fixtures/<framework>-<entry>/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, show, taps } from './harness';

const tap = (vm: string, id = `vm-${vm}`) =>
  `microvm.vms.${vm}.config.microvm.interfaces = [ { type = "tap"; id = "${id}"; mac = "02:00:00:00:00:01"; } ];`;

const gapsOf = (f: Awaited<ReturnType<typeof facts>>) => Object.fromEntries(f.hosts.map((h) => [h.name, h.gaps.map((g) => g.message)]));

test('snowfall-lib: nested modules/nixos files all join every Linux system; virtual, darwin and homes are not configurations', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.snowfall-lib.url = "github:snowfallorg/lib";
      outputs = inputs: inputs.snowfall-lib.mkFlake { inherit inputs; src = ./.; };
    }`,
    'systems/x86_64-linux/a/default.nix': `{ namespace, format, virtual, target, ... }: { networking.hostName = "\${namespace}-\${format}-\${target}"; }`,
    'systems/aarch64-linux/b/default.nix': `{ system, ... }: { networking.hostName = system; }`,
    // Not modules a root analysis would take up: only a configuration could show them.
    'systems/x86_64-install-iso/c/default.nix': `{ }`,
    'systems/aarch64-darwin/d/default.nix': `{ }`,
    'systems/x86_64-linux/not-a-system/README.md': 'no default.nix here',
    'homes/x86_64-linux/me@a/default.nix': `{ home.stateVersion = "24.11"; }`,
    'modules/nixos/vms/default.nix': `{ ${tap('outer')} }`,
    'modules/nixos/vms/extra/default.nix': `{ ${tap('inner')} }`,
  });
  assert.deepEqual(f.hosts.map((h) => h.name), ['a', 'b']);
  assert.deepEqual(taps(f), ['a/inner:tap:vm-inner', 'a/outer:tap:vm-outer', 'b/inner:tap:vm-inner', 'b/outer:tap:vm-outer']);
  assert.deepEqual(f.problems, []);
});

test('snowfall-lib: systems.hosts without a directory is a plain host; nixosModules are named by path, with aliases and modules.nixos', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.snowfall-lib.url = "github:snowfallorg/lib";
      outputs = inputs@{ self, nixpkgs, ... }: inputs.snowfall-lib.mkFlake {
        inherit inputs;
        src = ./.;
        alias.modules.nixos.default = "net/vms";
        modules.nixos.extra = { ${tap('extra')} };
        systems.hosts.plain.modules = [ self.nixosModules.default self.nixosModules.extra { networking.hostName = "plain"; } ];
      };
    }`,
    'modules/nixos/net/vms/default.nix': `{ ${tap('aliased')} }`,
  });
  assert.deepEqual(taps(f), ['plain/aliased:tap:vm-aliased', 'plain/extra:tap:vm-extra']);
  assert.deepEqual(f.problems, []);
});

test('snowfall-lib: mkLib returns the user library merged in; lib files get namespace, inputs and lib (themselves under the namespace); the lib output is it', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.snowfall-lib.url = "github:snowfallorg/lib";
      outputs = inputs@{ self, ... }:
        let lib = inputs.snowfall-lib.mkLib { inherit inputs; src = ./.; snowfall.namespace = "acme"; };
        in lib.mkFlake {
          systems.hosts.h.modules = [ {
            networking.hostName = "h";
            microvm.vms.z.config.microvm.interfaces = [ { type = "tap"; id = "\${lib.tapName "a"}-\${self.lib.tapName "b"}-\${lib.usesOwnLib}"; } ];
          } ];
        };
    }`,
    'lib/names/default.nix': `{ lib, namespace, inputs, ... }: { tapName = n: "\${namespace}-\${n}"; usesOwnLib = lib.\${namespace}.tapName "self"; }`,
  });
  assert.deepEqual(taps(f), ['h/z:tap:acme-a-acme-b-acme-self']);
  assert.deepEqual(f.problems, []);
});

test('digga: nixos as a function of self and inputs; host names from importHosts are dotted paths; nixosModules from exportedModules', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.digga.url = "github:divnix/digga";
      outputs = { self, digga, ... }@inputs: digga.lib.mkFlake {
        inherit self inputs;
        nixos = { self, inputs, ... }: {
          imports = [ (inputs.digga.lib.importHosts ./hosts) ];
          hostDefaults.exportedModules = [ ./modules/vms.nix ];
          hostDefaults.modules = [ [ ./modules/net.nix ] ];
        };
      };
    }`,
    'hosts/site/edge.nix': `{ config, self, ... }: {
      microvm.vms.edge.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${config.networking.hostName}-\${builtins.concatStringsSep "+" (builtins.attrNames self.nixosModules)}"; } ];
    }`,
    'hosts/core/default.nix': `{ }`,
    'hosts/empty/README.md': 'nothing raked here',
    'modules/vms.nix': `{ ${tap('shared')} }`,
    'modules/net.nix': `{ systemd.network.enable = true; }`,
  });
  assert.deepEqual(f.hosts.map((h) => h.name).sort(), ['core', 'site.edge']);
  assert.deepEqual(taps(f), ['core/shared:tap:vm-shared', 'site.edge/edge:tap:vm-edge-vms', 'site.edge/shared:tap:vm-shared']);
  assert.ok(f.hosts.every((h) => h.networkdEnabled === true));
  assert.deepEqual(f.problems, []);
});

test('clan-core: machines of the darwin class are left out; inventory services and inventory.json are gaps of every machine', async () => {
  const flake = (inventory: string) => `{
    inputs.clan-core.url = "git+https://git.clan.lol/clan/clan-core";
    outputs = { self, clan-core, ... }: {
      inherit (clan-core.lib.clan { inherit self; inventory = ${inventory}; machines.mac = { }; }) nixosConfigurations;
    };
  }`;
  const plain = await facts({
    'flake.nix': flake(`{ machines.mac.machineClass = "darwin"; machines.srv = { }; }`),
    'machines/srv/configuration.nix': `{ ${tap('a')} }`,
  });
  assert.deepEqual(plain.hosts.map((h) => h.name), ['srv']);
  assert.deepEqual(gapsOf(plain), { srv: [] });
  assert.equal(plain.hosts[0].networkdEnabled, true);
  const services = await facts({
    'flake.nix': flake(`{ instances.wg = { module.name = "wireguard"; roles.peer.tags.all = { }; }; }`),
    'machines/srv/configuration.nix': `{ ${tap('a')} }`,
  });
  assert.deepEqual(gapsOf(services), {
    mac: ['clan inventory.instances (wg) comes from outside the workspace'],
    srv: ['clan inventory.instances (wg) comes from outside the workspace'],
  });
  const json = await facts({
    'flake.nix': flake('{ }'),
    'machines/srv/configuration.nix': `{ ${tap('a')} }`,
    'inventory.json': '{ "machines": { "other": { } } }',
  });
  assert.deepEqual(gapsOf(json).srv, ['clan inventory.json comes from outside the workspace']);
  assert.deepEqual(json.problems.map((p) => p.message), ['some nixosConfigurations names could not be evaluated']);
});

test('clan-core: its other modules are external (gaps), clanCore is modelled; clan-machine-<name> modules are exported', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.clan-core.url = "git+https://git.clan.lol/clan/clan-core";
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      outputs = { self, clan-core, nixpkgs, ... }:
        let clan = clan-core.lib.clan { inherit self; machines.a.imports = [ clan-core.clanModules.sshd ]; machines.b = { }; };
        in {
          nixosConfigurations = clan.config.nixosConfigurations // {
            copy = nixpkgs.lib.nixosSystem { modules = [ clan-core.nixosModules.clanCore clan.config.nixosModules.clan-machine-b ]; };
          };
        };
    }`,
    'machines/b/configuration.nix': `{ config, ... }: { ${tap('x', 'vm-${config.networking.hostName}')} }`,
  });
  assert.deepEqual(gapsOf(f), { a: ['clan-core.clanModules.sshd comes from outside the workspace'], b: [], copy: [] });
  assert.deepEqual(taps(f), ['b/x:tap:vm-b', 'copy/x:tap:vm-b']);
});

test('import-tree: a filter that cannot be decided leaves the file out and the import list incomplete; .files needs .withLib', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.import-tree.url = "github:vic/import-tree";
      outputs = { nixpkgs, import-tree, unknownInput, ... }: {
        nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "a"; } (import-tree.filter unknownInput.lib.keep ./m) ]; };
        nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "b"; } ] ++ (import-tree.addPath ./m).files; };
        nixosConfigurations.c = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "c"; } ] ++ ((import-tree.addPath ./m).withLib nixpkgs.lib).files; };
      };
    }`,
    'm/x.nix': `{ ${tap('x')} }`,
  });
  assert.deepEqual(taps(f), ['c/x:tap:vm-x']);
  const gaps = gapsOf(f);
  assert.match(gaps.a.join(), /could not be fully evaluated/);
  assert.match(gaps.b.join(), /could not be fully evaluated/);
  assert.deepEqual(gaps.c, []);
});

test('import-tree: trees and non-path values in the list, initFilter, addAPI methods bound to the tree, pipeTo, new', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.import-tree.url = "github:vic/import-tree";
      outputs = { nixpkgs, import-tree, ... }:
        let
          lib = nixpkgs.lib;
          t = import-tree.addAPI { vmsOnly = self: self.filter (lib.hasInfix "/vms/"); };
          count = (import-tree.withLib lib).pipeTo builtins.length ./m;
        in {
          nixosConfigurations.a = lib.nixosSystem { modules = [
            { networking.hostName = "a"; }
            (import-tree [ (t.vmsOnly.addPath ./m) { microvm.vms.inline.config.microvm.interfaces = [ { type = "tap"; id = "vm-count-\${toString count}"; } ]; } ])
          ]; };
          nixosConfigurations.b = lib.nixosSystem { modules = [
            { networking.hostName = "b"; }
            ((import-tree.initFilter (lib.hasSuffix ".mod")).new ./m)
            (import-tree.initFilter (lib.hasSuffix "_odd.nix") ./m)
          ]; };
        };
    }`,
    'm/vms/x.nix': `{ ${tap('x')} }`,
    'm/other.nix': `{ ${tap('other')} }`,
    'm/_hidden/_odd.nix': `{ ${tap('odd')} }`,
  });
  assert.deepEqual(taps(f), ['a/inline:tap:vm-count-2', 'a/x:tap:vm-x', 'b/odd:tap:vm-odd', 'b/other:tap:vm-other', 'b/x:tap:vm-x']);
});

test('haumea: self and super inside files, `__` names only within their directory, conflicting names, transformers in order', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.haumea.url = "github:nix-community/haumea";
      outputs = { nixpkgs, haumea, ... }:
        let
          t = haumea.lib.load {
            src = ./t;
            inputs = { prefix = "vm"; };
            transformer = [ haumea.lib.transformers.liftDefault (haumea.lib.transformers.hoistLists "_imports" "imports") ];
          };
        in {
          nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "a"; } { inherit (t) imports; } ]; };
          nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ {
            networking.hostName = "b";
            microvm.vms.v.config.microvm.interfaces = [ { type = "tap"; id = "vm-b-\${t.sub.name}"; } ];
          } ]; };
          nixosConfigurations.c = nixpkgs.lib.nixosSystem { modules = [ {
            networking.hostName = "c";
            microvm.vms.v.config.microvm.interfaces = [ { type = "tap"; id = if t.sub ? own || t ? own then "vm-leak" else "vm-hidden"; } ];
          } ]; };
          nixosConfigurations.d = nixpkgs.lib.nixosSystem { modules = [ {
            networking.hostName = "d";
            microvm.vms.clash.config.microvm.interfaces = [ { type = "tap"; id = "vm-\${t.clash}"; } ];
          } ]; };
        };
    }`,
    't/sub/default.nix': `{ self, super }: { name = "\${super.own.value}-\${self.suffix}"; suffix = "s"; }`,
    't/sub/__own.nix': `{ prefix }: { value = prefix; }`,
    't/sub/mod.nix': `{ prefix }: { _imports = [ { ${tap('hoisted', 'vm-hoisted')} } ]; }`,
    't/clash.nix': `{ }: "one"`,
    't/clash/default.nix': `{ }: "two"`,
  });
  assert.deepEqual(taps(f), ['a/hoisted:tap:vm-hoisted', 'b/v:tap:vm-b-vm-s', 'c/v:tap:vm-hidden', 'd/clash:tap:vm-*']);
});

test('haumea: matchers pick a loader by file name (regex loaders get the match groups), callPackage keeps formal defaults', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.haumea.url = "github:nix-community/haumea";
      outputs = { nixpkgs, haumea, ... }:
        let
          inherit (haumea.lib) load loaders matchers;
          byRegex = load { src = ./r; loader = [ (matchers.regex "vm-(.*)[.]nix" (groups: _: path: { name = builtins.head groups; module = path; })) ]; };
          byPackage = load { src = ./p; inputs = { id = "vm-given"; }; loader = loaders.callPackage; };
        in {
          nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [
            { networking.hostName = "a"; microvm.vms.m.config.microvm.interfaces = [ { type = "tap"; id = "vm-m-\${byRegex.vm-web.name}"; } ]; }
            byRegex.vm-web.module
          ]; };
          nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ { networking.hostName = "b"; } byPackage.guest ]; };
        };
    }`,
    'r/vm-web.nix': `{ ${tap('web')} }`,
    'r/notes.txt': 'not matched: not loaded',
    'p/guest.nix': `{ id, mac ? "02:00:00:00:00:09" }: { microvm.vms.g.config.microvm.interfaces = [ { type = "tap"; inherit id mac; } ]; }`,
  });
  assert.deepEqual(taps(f), ['a/m:tap:vm-m-web', 'a/web:tap:vm-web', 'b/g:tap:vm-given']);
  assert.equal(show(f.interfaces.find((i) => i.vm === 'g')?.mac?.value), '02:00:00:00:00:09');
});

test('digga: hostDefaults and hosts take specialArgs and extraArgs as flake-utils-plus does; importables win over specialArgs', async () => {
  const f = await facts({
    'flake.nix': `{
      inputs.nixpkgs.url = "github:nixos/nixpkgs";
      inputs.digga.url = "github:divnix/digga";
      outputs = { self, digga, ... }@inputs: digga.lib.mkFlake {
        inherit self inputs;
        nixos = {
          hostDefaults = { specialArgs = { site = "lab"; rack = "given"; }; extraArgs.row = "r1"; };
          importables.rack = "importable";
          hosts.hv = { extraArgs.row = "r2"; modules = [ ./hv.nix ]; };
        };
      };
    }`,
    'hv.nix': `{ site, rack, row, ... }: { microvm.vms.a.config.microvm.interfaces = [ { type = "tap"; id = "\${site}-\${rack}-\${row}"; } ]; }`,
  });
  assert.deepEqual(taps(f), ['hv/a:tap:lab-importable-r2']);
});
