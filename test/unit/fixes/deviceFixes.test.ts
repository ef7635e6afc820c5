/**
 * The device fixes on purpose-built workspaces: the exact edit of macvtapSettings.ts (both keys,
 * one key beside a dotted or nested other, the uplink it picks or a placeholder) and of
 * helperBridge.ts, and soundness after applying each (harness.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fix } from '../../../server/src/engine/service';
import { applyAndCheck, cleanup, fixableDiagnostics, open, workspace } from './harness';

after(cleanup);

const FLAKE = `{
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  outputs = { self, nixpkgs, microvm, ... }: {
    nixosConfigurations.hv = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./hosts/hv ];
    };
  };
}
`;

const HOST = `{ ... }:
{
  imports = [ ./network.nix ./vms.nix ];
  networking.hostName = "hv";
}
`;

const NETWORK = `{ ... }:
{
  systemd.network = {
    enable = true;
    networks."10-lan" = {
      matchConfig.Name = "enp3s0";
      networkConfig.DHCP = "yes";
    };
  };
}
`;

function vms(interfaces: string): string {
  return `{ ... }:
{
  microvm.vms.media.config = {
    microvm.interfaces = [
${interfaces}
    ];
  };
}
`;
}

async function fixFor(dir: string, code: string): Promise<{ fix: Fix; apply: () => Promise<unknown> }> {
  const { service, snapshot } = await open(dir);
  const d = fixableDiagnostics(snapshot).find((x) => x.code === code);
  assert.ok(d, `a ${code} diagnostic`);
  const fixes = service.fixes(d.location.file, d.location.range);
  service.dispose();
  assert.equal(fixes.filter((f) => f.preferred).length, 1, fixes.map((f) => f.title).join('\n'));
  const fix = fixes.find((f) => f.preferred)!;
  return { fix, apply: () => applyAndCheck(dir, snapshot, d, fix) };
}

const newTexts = (fix: Fix) => fix.edit.changes.flatMap((c) => c.edits.map((e) => e.newText));

test('macvtap without link and mode: one binding with both, the link being the host\'s one configured NIC', async () => {
  const dir = workspace({
    'flake.nix': FLAKE,
    'hosts/hv/default.nix': HOST,
    'hosts/hv/network.nix': NETWORK,
    'hosts/hv/vms.nix': vms('      { type = "macvtap"; id = "vm-media"; mac = "02:00:00:00:00:01"; }'),
  });
  const { fix, apply } = await fixFor(dir, 'macvtap-link-missing');
  assert.equal(fix.title, 'Add macvtap link = "enp3s0" and mode = "bridge" to `vm-media` (enp3s0 is the host\'s own configured interface)');
  assert.deepEqual(newTexts(fix), [' macvtap = { link = "enp3s0"; mode = "bridge"; };']);
  assert.equal(fix.isSnippet, undefined);
  await apply();
  assert.ok(readFileSync(join(dir, 'hosts/hv/vms.nix'), 'utf8').includes('mac = "02:00:00:00:00:01"; macvtap = { link = "enp3s0"; mode = "bridge"; }; }'));
});

test('macvtap without a link beside a dotted mode: `macvtap.link` from the other macvtaps of the host', async () => {
  const dir = workspace({
    'flake.nix': FLAKE,
    'hosts/hv/default.nix': HOST,
    'hosts/hv/network.nix': NETWORK,
    'hosts/hv/vms.nix': vms(
      [
        '      {',
        '        type = "macvtap";',
        '        id = "vm-media";',
        '        mac = "02:00:00:00:00:01";',
        '        macvtap.mode = "vepa";',
        '      }',
        '      { type = "macvtap"; id = "vm-media2"; mac = "02:00:00:00:00:02"; macvtap = { link = "eno2"; mode = "bridge"; }; }',
      ].join('\n'),
    ),
  });
  const { fix, apply } = await fixFor(dir, 'macvtap-link-missing');
  assert.equal(fix.title, 'Add macvtap link = "eno2" to `vm-media` (the link of the other macvtaps)');
  assert.deepEqual(newTexts(fix), ['\n        macvtap.link = "eno2";']);
  await apply();
});

test('macvtap without a mode inside its nested attrset: `mode = "bridge"` goes in there', async () => {
  const dir = workspace({
    'flake.nix': FLAKE,
    'hosts/hv/default.nix': HOST,
    'hosts/hv/network.nix': NETWORK,
    'hosts/hv/vms.nix': vms('      { type = "macvtap"; id = "vm-media"; mac = "02:00:00:00:00:01"; macvtap = { link = "enp3s0"; }; }'),
  });
  const { fix, apply } = await fixFor(dir, 'macvtap-mode-missing');
  assert.equal(fix.title, 'Add macvtap mode = "bridge" to `vm-media`');
  assert.deepEqual(newTexts(fix), [' mode = "bridge";']);
  await apply();
  assert.ok(readFileSync(join(dir, 'hosts/hv/vms.nix'), 'utf8').includes('macvtap = { link = "enp3s0"; mode = "bridge"; };'));
});

test('no uplink known (two candidate NICs): the link is a snippet placeholder, everything else escaped', async () => {
  const dir = workspace({
    'flake.nix': FLAKE,
    'hosts/hv/default.nix': HOST,
    'hosts/hv/network.nix': NETWORK.replace('networks."10-lan"', 'networks."11-wan" = { matchConfig.Name = "enp4s0"; networkConfig.DHCP = "yes"; };\n    networks."10-lan"'),
    'hosts/hv/vms.nix': vms('      { type = "macvtap"; id = "vm-media"; mac = "02:00:00:00:00:01"; }'),
  });
  const { fix, apply } = await fixFor(dir, 'macvtap-link-missing');
  assert.equal(fix.title, 'Add macvtap link = the uplink and mode = "bridge" to `vm-media`');
  assert.equal(fix.isSnippet, true);
  assert.deepEqual(newTexts(fix), [' macvtap = { link = "${1:<set-uplink-name>}"; mode = "bridge"; \\};']);
  await apply();
});

test('qemu-bridge-helper bridge defined nowhere: networking.bridges in the host module that configures its network', async () => {
  const dir = workspace({
    'flake.nix': FLAKE,
    'hosts/hv/default.nix': HOST,
    'hosts/hv/network.nix': NETWORK,
    'hosts/hv/vms.nix': vms('      { type = "bridge"; id = "vm-media"; bridge = "mediabr"; mac = "02:00:00:00:00:01"; }'),
  });
  const { fix, apply } = await fixFor(dir, 'bridge-not-defined');
  assert.equal(fix.title, 'Create bridge `mediabr` for qemu-bridge-helper: networking.bridges.mediabr in network.nix (bridge mediabr)');
  assert.deepEqual(newTexts(fix), ['\n  networking.bridges.mediabr.interfaces = [ ];']);
  await apply();
});
