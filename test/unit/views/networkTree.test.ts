/**
 * The tree view's model (protocol/networkTree.ts) over a real analysis: host → "no bridge (N)"
 * first → bridges, empty ones included → taps in natural order (vm-s2 before vm-s10) → VM.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildNetworkGraph } from '../../../server/src/engine/views/networkGraph';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { networkTree, type NetworkTreeNode } from '../../../server/src/protocol/networkTree';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  outputs = { nixpkgs, microvm, ... }: {
    nixosConfigurations.hv = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./hv.nix ];
    };
  };
}
`;

const vm = (name: string, id: string, mac: number) => `  microvm.vms.${name}.config = {
    microvm.interfaces = [ { type = "tap"; id = "${id}"; mac = "02:00:00:00:00:${mac.toString(16).padStart(2, '0')}"; } ];
    system.stateVersion = "24.11";
  };
`;

const HOST = `{ ... }:
{
  systemd.network.enable = true;
  systemd.network.netdevs."10-br-lan".netdevConfig = { Kind = "bridge"; Name = "br-lan"; };
  systemd.network.netdevs."10-br-spare".netdevConfig = { Kind = "bridge"; Name = "br-spare"; };
  systemd.network.networks."20-vms" = {
    matchConfig.Name = "vm-*";
    networkConfig.Bridge = "br-lan";
  };
${vm('s10', 'vm-s10', 1)}${vm('s2', 'vm-s2', 2)}${vm('s1', 'vm-s1', 3)}${vm('lost', 'tap-lost', 4)}}
`;

function shape(nodes: NetworkTreeNode<unknown>[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.node.label]: shape(n.children) } : n.node.label));
}

test('tree: host, "no bridge (N)" first, empty bridge shown, taps in natural order, VM under each tap', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'microvm-net-tree-')));
  try {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'flake.nix'), FLAKE);
    writeFileSync(join(root, 'hv.nix'), HOST);
    const service = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
    try {
      await service.scan();
      const tree = networkTree(buildNetworkGraph(service.analyze()));
      assert.deepEqual(shape(tree), [
        {
          hv: [
            { 'no bridge (1)': [{ 'tap-lost': ['lost'] }] },
            { 'br-lan': [{ 'vm-s1': ['s1'] }, { 'vm-s2': ['s2'] }, { 'vm-s10': ['s10'] }] },
            'br-spare',
          ],
        },
      ]);
      const spare = tree[0].children[2].node;
      assert.equal(spare.kind, 'bridge');
      assert.equal(spare.detail[0], '0 taps');
      assert.ok(spare.location, 'an empty bridge opens its netdev');
    } finally {
      service.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
