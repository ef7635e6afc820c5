/**
 * Precision of the device checks (devices.md): each case is a workspace where a check fires, and
 * variants where something unknown could change the answer — each variant must be silent. The
 * firing base keeps every variant from passing vacuously.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A host built from microvm.nix's host module, `host.nix`, and optionally a module from another flake input. */
const flake = (extraModule: string) => `{
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  inputs.site.url = "github:example/site-modules";
  outputs = { self, nixpkgs, microvm, site, ... }: {
    nixosConfigurations.hv = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ${extraModule} ./host.nix ];
    };
  };
}
`;

/** The open-host variant: a module from outside the workspace may define anything. */
const OPEN = 'site.nixosModules.default';

function host(body: string): string {
  return `{ lib, ... }:\n{\n  networking.hostName = "hv";\n  systemd.network.enable = true;\n${body}\n}\n`;
}

async function codes(hostBody: string, extraModule = ''): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'microvm-net-devices-'));
  made.push(dir);
  for (const [rel, text] of Object.entries({ 'flake.nix': flake(extraModule), 'host.nix': host(hostBody) })) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  try {
    await service.scan();
    return [...service.analyze().diagnostics.values()].flat().map((d) => d.code).sort();
  } finally {
    service.dispose();
  }
}

const MACVTAP = (link: string, extra = '') =>
  `  microvm.vms.g.config.microvm.interfaces = [ { type = "macvtap"; id = "vm-g"; mac = "02:00:00:00:00:01"; macvtap = { link = "${link}"; mode = "bridge"; }; } ];${extra}`;

test('macvtap-link-undefined: only on a closed host without NetworkManager or a desktop', async () => {
  assert.deepEqual(await codes(MACVTAP('lna')), ['macvtap-link-undefined']);
  assert.deepEqual(await codes(MACVTAP('lna', '\n  networking.networkmanager.enable = true;')), []);
  assert.deepEqual(await codes(MACVTAP('lna', '\n  services.xserver.enable = true;')), []);
  assert.deepEqual(await codes(MACVTAP('lna'), OPEN), []);
  // A mention anywhere else, even a comment, may be what creates it.
  assert.deepEqual(await codes(MACVTAP('lna', '\n  # lna comes from the switch')), []);
  assert.deepEqual(await codes(MACVTAP('docker0')), []);
});

test('macvtap-link-is-bridge-port: not when an earlier unit may match the link first', async () => {
  const units = (earlier: string) => `
  systemd.network.netdevs."10-br0".netdevConfig = { Kind = "bridge"; Name = "br0"; };
${earlier}
  systemd.network.networks."20-uplink" = { matchConfig.Name = "enp5s0"; networkConfig.Bridge = "br0"; };`;
  assert.deepEqual(await codes(MACVTAP('enp5s0', units(''))), ['macvtap-link-is-bridge-port']);
  // Type=ether of a physical link is not known: that unit may win, and it sets no Bridge=.
  assert.deepEqual(await codes(MACVTAP('enp5s0', units('  systemd.network.networks."10-ether" = { matchConfig.Type = "ether"; networkConfig.DHCP = "yes"; };'))), []);
});

test('macvtap-link-missing: not for an interface under a condition that is not statically known', async () => {
  const iface = '{ type = "macvtap"; id = "vm-g"; mac = "02:00:00:00:00:01"; macvtap.mode = "bridge"; }';
  assert.deepEqual(await codes(`  microvm.vms.g.config.microvm.interfaces = [ ${iface} ];`), ['macvtap-link-missing']);
  assert.deepEqual(await codes(`  microvm.vms.g.config.microvm.interfaces = lib.mkIf (builtins.pathExists /etc/lan) [ ${iface} ];`), []);
});

test('bridge-helper-denied: not when bridge.conf includes another file, nor on an open host', async () => {
  const vm = '  microvm.vms.g.config.microvm.interfaces = [ { type = "bridge"; id = "vm-g"; bridge = "br0"; mac = "02:00:00:00:00:01"; } ];\n  systemd.network.netdevs."10-br0".netdevConfig = { Kind = "bridge"; Name = "br0"; };';
  assert.deepEqual(await codes(`${vm}\n  environment.etc."qemu/bridge.conf".text = "allow br1\\n";`), ['bridge-helper-denied']);
  assert.deepEqual(await codes(`${vm}\n  environment.etc."qemu/bridge.conf".text = "allow br1\\ninclude /etc/qemu/more.conf\\n";`), []);
  assert.deepEqual(await codes(`${vm}\n  environment.etc."qemu/bridge.conf".text = "allow br1\\n";`, OPEN), []);
  // A stronger definition written elsewhere wins; mkForce of `allow all` allows everything.
  assert.deepEqual(await codes(`${vm}\n  virtualisation.libvirtd.enable = true;\n  environment.etc."qemu/bridge.conf".text = lib.mkForce "allow all\\n";`), []);
});

test('tap-precreated-conflict: not when the vCPUs or the netdev\'s queue mode are not statically known', async () => {
  const netdev = (mq: string) => `  systemd.network.netdevs."20-vm-g" = { netdevConfig = { Kind = "tap"; Name = "vm-g"; };${mq} };`;
  const vm = (vcpu: string) => `  microvm.vms.g.config.microvm = { vcpu = ${vcpu}; interfaces = [ { type = "tap"; id = "vm-g"; mac = "02:00:00:00:00:01"; } ]; };`;
  assert.ok((await codes(`${vm('4')}\n${netdev('')}`)).includes('tap-precreated-conflict'));
  assert.ok(!(await codes(`${vm('(if builtins.pathExists /etc/big then 4 else 1)')}\n${netdev('')}`)).includes('tap-precreated-conflict'));
  assert.ok(!(await codes(`${vm('4')}\n${netdev(' tapConfig.MultiQueue = builtins.pathExists /etc/mq;')}`)).includes('tap-precreated-conflict'));
});

test('forward-ports-need-user: not when the VM\'s interfaces are not all known', async () => {
  const vm = (interfaces: string) => `  microvm.vms.g.config.microvm = { forwardPorts = [ { host.port = 2222; guest.port = 22; } ]; interfaces = ${interfaces}; };`;
  const tap = '{ type = "tap"; id = "vm-g"; mac = "02:00:00:00:00:01"; }';
  assert.ok((await codes(vm(`[ ${tap} ]`))).includes('forward-ports-need-user'));
  assert.ok(!(await codes(vm(`[ ${tap} ] ++ lib.optional (builtins.pathExists /etc/u) { type = "user"; id = "u"; mac = "02:00:00:00:00:02"; }`))).includes('forward-ports-need-user'));
});
