/**
 * Workspaces an attacker would write, for the hostile-workspace tests (issue 13) and the fuzz
 * harness: a flake host with a MicroVM whose name, tap id or bridge carries a payload, and unit
 * files on disk. Everything is written to a fresh temp directory; `cleanupHostile` removes them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nixString } from '../../../../server/src/engine/fixes/quote';

export const HOSTILE_VM_NAME = 'x\n[Match]\nName=*\n[Network]\nAddress=10.66.0.1/24\nDHCPServer=yes\n#';

/** Bridge names that try to close a shell quote, open a Nix antiquotation or end a `''` string: none is a valid interface name. */
export const HOSTILE_BRIDGES = [
  "br0'; touch /tmp/microvm-net-pwned; : '${builtins.x}'''",
  'br0"; touch /tmp/x; "',
  'br\n[Match]\nName=*',
  'br0 br1',
  'br0\u0000',
  'br-waaaaaaaaaaaaaaay-too-long',
  '..',
];

/** Valid interface names (the kernel and networkd accept them) that are still hazards to write: each fix must quote them. */
export const HAZARDOUS_VALID_BRIDGES = ["br''${x}", "b'r", 'b"r', 'b${x}', "b'$", 'b\\r', 'b;r`id`', "b'''"];

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  outputs = { self, nixpkgs, microvm, ... }: {
    nixosConfigurations.hv = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./host.nix ];
    };
  };
}
`;

/** Unit files where `10-wired` (Type=ether, no Bridge=) shadows `20-vms`: the preferred fix creates a unit file. */
export const SHADOWING_UNITS: Record<string, string> = {
  'etc/systemd/network/10-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n',
  'etc/systemd/network/10-wired.network': '[Match]\nType=ether\n\n[Network]\nDHCP=yes\n',
  'etc/systemd/network/20-vms.network': '[Match]\nName=vm-*\n\n[Network]\nBridge=br0\n',
};

export interface HostOptions {
  vmName?: string;
  tapId?: string;
  /** Extra host-module text inside the top attrset. */
  hostExtra?: string;
  /** Extra files (relative path → content). */
  files?: Record<string, string | Uint8Array>;
  /** Text before the host module (a BOM, say). */
  hostPrefix?: string;
  /** The host module's formals (default `config, lib, pkgs, ...`). */
  formals?: string;
  hypervisor?: string;
}

/** The host module's text, with the VM and tap quoted the way Nix reads them back exactly. */
export function hostModule(options: HostOptions = {}): string {
  const vm = nixString(options.vmName ?? 'web');
  const id = nixString(options.tapId ?? 'vm-web');
  return `{ ${options.formals ?? 'config, lib, pkgs, ...'} }:
{
  networking.hostName = "hv";
  systemd.network.enable = true;
${options.hostExtra ?? ''}
  microvm.vms.${vm} = {
    config = {
      microvm.hypervisor = "${options.hypervisor ?? 'cloud-hypervisor'}";
      microvm.interfaces = [
        {
          type = "tap";
          id = ${id};
          mac = "02:00:00:00:00:01";
        }
      ];
    };
  };
}
`;
}

/** A temp workspace with a flake host; returns its directory. */
export function hostileWorkspace(made: string[], options: HostOptions = {}): string {
  const base = mkdtempSync(join(tmpdir(), 'microvm-net-hostile-'));
  made.push(base);
  const dir = join(base, 'ws');
  const files: Record<string, string | Uint8Array> = {
    'flake.nix': FLAKE,
    'host.nix': (options.hostPrefix ?? '') + hostModule(options),
    ...options.files,
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

export function cleanupHostile(made: string[]): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
