/**
 * The noxa model (server/src/engine/nix/frameworks/noxa.ts) on in-memory workspaces: what it does
 * beyond its fixture's main path (test/fixtures/noxa-instantiate/), and the module-system idioms
 * noxa repositories are written in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps } from './harness';

const INPUTS = `
  inputs.nixpkgs.url = "github:nixos/nixpkgs";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  inputs.noxa.url = "github:0xCCF4/noxa";`;

const tap = (vm: string, id: string) => `microvm.vms.${vm}.config.microvm.interfaces = [ { type = "tap"; id = ${id}; } ];`;

const gapsOf = (f: Awaited<ReturnType<typeof facts>>) => Object.fromEntries(f.hosts.map((h) => [h.name, h.gaps.map((g) => g.message)]));

test("noxa: nixDirectoryToAttr' names files without .nix (default.nix too) and directories by their default.nix; a file wins over a directory", async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS}
      outputs = { self, noxa, microvm, ... }: {
        noxaConfiguration = noxa.lib.noxa-instantiate {
          modules = [ ({ lib, ... }: {
            nodes = lib.mapAttrs (name: path: { configuration = { imports = [ path microvm.nixosModules.host ]; networking.hostName = name; }; }) (noxa.lib.nixDirectoryToAttr' ./hosts);
          }) ];
        };
        nixosConfigurations = builtins.mapAttrs (n: node: { config = node.configuration; }) self.noxaConfiguration.config.nodes;
      };
    }`,
    'hosts/a.nix': `{ ${tap('va', '"vm-a"')} }`,
    'hosts/b/default.nix': `{ ${tap('vb', '"vm-b"')} }`,
    'hosts/c/other.nix': `{ ${tap('vc', '"vm-c"')} }`,
    'hosts/d.nix': `{ ${tap('vd', '"vm-d-file"')} }`,
    'hosts/d/default.nix': `{ ${tap('vd', '"vm-d-dir"')} }`,
    'hosts/default.nix': `{ ${tap('vdef', '"vm-default"')} }`,
    'hosts/README.md': 'not a host',
  });
  // hosts/c and the shadowed hosts/d/default.nix are no nodes: only module roots of their own.
  assert.deepEqual(f.hosts.filter((h) => h.isSystem).map((h) => h.name).sort(), ['a', 'b', 'd', 'default']);
  assert.deepEqual(taps(f).filter((t) => !t.startsWith('hosts/')), ['a/va:tap:vm-a', 'b/vb:tap:vm-b', 'd/vd:tap:vm-d-file', 'default/vdef:tap:vm-default']);
  assert.deepEqual(f.problems, []);
});

test('noxa: defaults reach every node with its name; a node\'s specialArgs merge with the defaults\' as options do; nodes, noxaHost and noxa.lib are arguments of every host', async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS}
      outputs = { self, noxa, microvm, ... }: {
        noxaConfiguration = noxa.lib.noxa-instantiate {
          specialArgs.site = "lab";
          modules = [
            ({ site, ... }: { defaults = { name, ... }: { configuration.imports = [ microvm.nixosModules.host ]; specialArgs = { inherit microvm; rack = "\${site}-\${name}"; }; }; })
            ({ lib, ... }: { nodes.x = ./x.nix; nodes.y.configuration = ./y.nix; nodes.y.specialArgs.rack = lib.mkForce "own"; })
          ];
        };
        nixosConfigurations = builtins.mapAttrs (n: node: { config = node.configuration; options = node.options; }) self.noxaConfiguration.config.nodes;
      };
    }`,
    // A node given as a path is a module of the node (noxa's nodes are submodules).
    'x.nix': `{ name, ... }: { configuration = { rack, noxaHost, ... }: { networking.hostName = name; ${tap('v', '"${noxaHost}-${rack}"')} }; }`,
    'y.nix': `{ rack, nodes, noxa, ... }: { imports = noxa.lib.nixDirectoryToList ./more; networking.hostName = "y"; ${tap('v', '"${rack}-${nodes.x.networking.hostName}"')} }`,
    'more/extra.nix': `{ ${tap('w', '"vm-extra"')} }`,
    'more/default.nix': `{ ${tap('w', '"never"')} }`,
  });
  assert.deepEqual(taps(f), ['x/v:tap:x-lab-x', 'y/v:tap:own-x', 'y/w:tap:vm-extra']);
  assert.deepEqual(f.problems, []);
});

test("noxa: its own NixOS modules are a gap of every host; a flake's other outputs and noxa's other functions stay unknown", async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS}
      outputs = { self, noxa, microvm, ... }: {
        noxaConfiguration = noxa.lib.noxa-instantiate { modules = [ { nodes.h.configuration = { imports = [ microvm.nixosModules.host ]; networking.hostName = "h"; ${tap('v', '"vm-h"')} }; } ]; };
        nixosConfigurations.h = { config = self.noxaConfiguration.config.nodes.h.configuration; };
        nixosConfigurations.other = { config = { }; };
        packages = noxa.lib.somethingElse 1;
      };
    }`,
  });
  assert.deepEqual(taps(f), ['h/v:tap:vm-h']);
  assert.ok(gapsOf(f).h.some((g) => g.includes('noxa.nixosModules.default')), JSON.stringify(gapsOf(f)));
  assert.deepEqual(f.problems.map((p) => p.message), ['nixosConfigurations.other is not a recognisable nixosSystem call']);
});

test('module idioms of noxa repositories: `with lib; with types; mkOption`, `with noxa.lib.net.types`, `options.microvm or null`, `last mod._prefix`', async () => {
  const f = await facts({
    'flake.nix': `{ ${INPUTS}
      outputs = { self, noxa, microvm, ... }: {
        noxaConfiguration = noxa.lib.noxa-instantiate {
          modules = [ {
            defaults.configuration.imports = [ ./nets.nix ];
            nodes.hv.configuration = { imports = [ microvm.nixosModules.host ]; networking.hostName = "hv"; lab.nets.br-lab.members = [ "web" ]; };
            nodes.plain.configuration = { networking.hostName = "plain"; lab.nets.br-x.members = [ "db" ]; };
          } ];
        };
        nixosConfigurations = builtins.mapAttrs (n: node: { config = node.configuration; }) self.noxaConfiguration.config.nodes;
      };
    }`,
    'nets.nix': `{ config, lib, noxa, options, ... }: with lib; with noxa.lib.net.types; {
      options = with types; {
        lab.nets = mkOption {
          default = { };
          type = attrsOf (submodule (mod: { options.iface = mkOption { type = str; default = last mod._prefix; }; options.members = mkOption { type = listOf str; }; options.address = mkOption { type = nullOr ipNetwork; default = null; }; }));
        };
      };
      config = mkIf ((options.microvm or null) != null) {
        microvm.vms = mkMerge (mapAttrsToList (n: net: { "\${head net.members}".config.microvm.interfaces = [ { type = "tap"; id = "\${net.iface}-1"; } ]; }) config.lab.nets);
      };
    }`,
  });
  // plain imports no microvm module: whether options.microvm exists is not known there (open
  // world), so its VM's interface holds only under that condition.
  assert.deepEqual(taps(f), ['hv/web:tap:br-lab-1', 'plain/db:tap:br-x-1?']);
  assert.ok(gapsOf(f).plain.length > 0);
});
