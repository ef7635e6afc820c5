/**
 * The easy-hosts model (server/src/engine/nix/frameworks/easyHosts.ts) on in-memory workspaces:
 * hosts declared and auto-constructed, the shared / per-class / per-tag settings, its arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facts, taps } from './harness';

const INPUTS = `
  inputs.nixpkgs.url = "github:nixos/nixpkgs";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";
  inputs.flake-parts.inputs.nixpkgs-lib.follows = "nixpkgs";
  inputs.easy-hosts.url = "github:tgirlcloud/easy-hosts";`;

const tap = (vm: string, id: string) => `microvm.vms.${vm}.config.microvm.interfaces = [ { type = "tap"; id = ${id}; } ];`;

const systems = (f: Awaited<ReturnType<typeof facts>>) => f.hosts.filter((h) => h.isSystem).map((h) => h.name).sort();

const flake = (module: string) => `{ ${INPUTS}
  outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
    imports = [ inputs.easy-hosts.flakeModule ];
    systems = [ "x86_64-linux" ];
    ${module}
  };
}`;

test('easy-hosts: autoConstruct makes a host of every <path>/<arch>-<kernel>/<name>; linux ones are nixosConfigurations with hostName set and shared modules', async () => {
  const f = await facts({
    'flake.nix': flake(`easy-hosts = {
      autoConstruct = true;
      path = ./hosts;
      shared.modules = [ inputs.microvm.nixosModules.host ];
      shared.specialArgs.site = "lab";
      # Settings of an auto-constructed host merge with what the directory gives.
      hosts.pi.modules = [ ./extra.nix ];
    };`),
    'extra.nix': `{ ${tap('extra', '"vm-extra"')} }`,
    'hosts/x86_64-linux/hv/default.nix': `{ config, site, inputs, ... }: { ${tap('web', '"vm-${config.networking.hostName}-${site}"')} }`,
    'hosts/aarch64-linux/pi/default.nix': `{ ${tap('db', '"vm-pi"')} }`,
    'hosts/aarch64-darwin/mac/default.nix': `{ ${tap('x', '"never"')} }`,
  });
  assert.deepEqual(systems(f), ['hv', 'pi']);
  assert.deepEqual(taps(f).filter((t) => !t.startsWith('hosts/')), ['hv/web:tap:vm-hv-lab', 'pi/db:tap:vm-pi', 'pi/extra:tap:vm-extra']);
  assert.deepEqual(f.problems, []);
});

test('easy-hosts: declared hosts default to hosts/<name>/default.nix; perClass, perTag and additionalClasses apply; darwin hosts are no NixOS configurations', async () => {
  const f = await facts({
    'flake.nix': flake(`easy-hosts = {
      additionalClasses.wsl = "nixos";
      perClass = class: { modules = [ inputs.microvm.nixosModules.host ]; specialArgs.cls = class; };
      perTag = tag: { modules = [ { networking.domain = tag; } ]; };
      hosts.a = { };
      hosts.b = { class = "wsl"; tags = [ "lab" ]; path = ./elsewhere/b.nix; };
      hosts.m = { class = "darwin"; arch = "aarch64"; };
    };`),
    'hosts/a/default.nix': `{ cls, ... }: { ${tap('v', '"vm-a-${cls}"')} }`,
    'elsewhere/b.nix': `{ config, cls, ... }: { ${tap('v', '"vm-b-${cls}-${config.networking.domain}"')} }`,
    'hosts/m/default.nix': `{ ${tap('x', '"never"')} }`,
  });
  assert.deepEqual(systems(f), ['a', 'b']);
  assert.deepEqual(taps(f).filter((t) => !t.startsWith('hosts/')), ['a/v:tap:vm-a-nixos', 'b/v:tap:vm-b-wsl-lab']);
  assert.deepEqual(f.problems, []);
});

test('easy-hosts: the older option name easyHosts and onlySystem (a flat directory)', async () => {
  const f = await facts({
    'flake.nix': flake(`easyHosts = { autoConstruct = true; path = ./systems; onlySystem = "x86_64-linux"; shared.modules = [ inputs.microvm.nixosModules.host ]; };`),
    'systems/one/default.nix': `{ ${tap('v', '"vm-one"')} }`,
  });
  assert.deepEqual(systems(f), ['one']);
  assert.deepEqual(taps(f), ['one/v:tap:vm-one']);
  assert.deepEqual(f.problems, []);
});

test('easy-hosts: a host without a path and without hosts/<name> or systems/<name> imports nothing of its own; a host whose class is not known statically leaves the names incomplete', async () => {
  const f = await facts({
    'flake.nix': flake(`easy-hosts = {
      shared.modules = [ inputs.microvm.nixosModules.host ];
      hosts.bare.modules = [ { ${tap('v', '"vm-bare"')} } ];
      hosts.odd.class = "\${inputs.other.lib.class}";
    };`).replace('inputs.easy-hosts.url', 'inputs.other.url = "github:someone/other"; inputs.easy-hosts.url'),
  });
  assert.deepEqual(systems(f), ['bare']);
  assert.deepEqual(taps(f), ['bare/v:tap:vm-bare']);
  assert.deepEqual(f.problems.map((p) => p.message), ['some nixosConfigurations names could not be evaluated']);
});
