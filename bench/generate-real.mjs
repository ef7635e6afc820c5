// A workspace shaped like real repositories (deterministic by seed), next to the fleet of
// generate.mjs: a flake-parts flake whose `flake.nixosConfigurations` is built in a part from the
// host directories, and per host `hosts/<h>/default.nix` (imports, networkd bridge) + `vms.nix`
// (MicroVMs with taps) + a handful of host files; most files are ordinary service modules under
// `modules/services/` (options + `lib.mkIf cfg.enable` config) that hosts import through
// `modules/default.nix`, plus `pkgs/`, `lib/` and `overlays/` that no host evaluates.
//
//   node bench/generate-real.mjs [--files 2000] [--seed 1] [--out bench/workspaces/real-2000-s1]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './generate.mjs';

const WORDS = 'alpha bravo cedar delta ember fjord gale harbor iris jade kite lumen maple nova onyx pine quartz raven sable tide umber vale willow xenon yarrow zephyr'.split(' ');
const SERVICES = ['nginx', 'postgresql', 'redis', 'grafana', 'prometheus', 'loki', 'gitea', 'jellyfin', 'nextcloud', 'vaultwarden', 'mosquitto', 'minio', 'syncthing', 'unbound', 'chrony', 'fail2ban', 'borgbackup'];

export function generateReal({ files = 2000, seed = 1, out }) {
  const rand = rng(seed * 104729 + files);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  let count = 0;
  const write = (rel, text) => {
    const p = join(out, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    count++;
  };
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const hostCount = Math.max(2, Math.round(files / 50));
  const hosts = Array.from({ length: hostCount }, (_, i) => `${pick(WORDS)}${i}`);
  const perHost = 6;
  const fixed = 6;
  const otherCount = Math.round(files * 0.15);
  const serviceCount = Math.max(10, files - hostCount * perHost - fixed - otherCount);
  const services = Array.from({ length: serviceCount }, (_, i) => `${pick(SERVICES)}-${pick(WORDS)}-${i}`);

  write(
    'flake.nix',
    `{
  description = "fleet";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    flake-parts.url = "github:hercules-ci/flake-parts";
    microvm.url = "github:microvm-nix/microvm.nix";
    microvm.inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" ];
      imports = [ ./parts/hosts.nix ./parts/devshell.nix ];
    };
}
`,
  );
  write(
    'parts/hosts.nix',
    `{ inputs, lib, ... }:
let
  hostNames = [ ${hosts.map((h) => `"${h}"`).join(' ')} ];
  mkHost = name: inputs.nixpkgs.lib.nixosSystem {
    system = "x86_64-linux";
    specialArgs = { inherit inputs; };
    modules = [
      inputs.microvm.nixosModules.host
      ../modules
      ../hosts/\${name}
    ];
  };
in
{
  flake.nixosConfigurations = lib.genAttrs hostNames mkHost;
}
`,
  );
  write('parts/devshell.nix', `{ ... }: {\n  perSystem = { pkgs, ... }: {\n    devShells.default = pkgs.mkShell { packages = [ pkgs.nixpkgs-fmt pkgs.git ]; };\n  };\n}\n`);
  write('modules/default.nix', `{ ... }:\n{\n  imports = [\n${services.map((s) => `    ./services/${s}.nix`).join('\n')}\n  ];\n}\n`);
  write('lib/default.nix', `{ lib }:\n{\n  mkPort = base: i: base + i;\n  hostId = name: builtins.substring 0 8 (builtins.hashString "sha256" name);\n}\n`);
  write('overlays/default.nix', `final: prev: {\n  myTools = prev.callPackage ../pkgs/tools { };\n}\n`);

  for (const s of services) {
    const port = int(1024, 60000);
    write(
      `modules/services/${s}.nix`,
      `{ config, lib, pkgs, ... }:
let
  cfg = config.fleet.services."${s}";
in
{
  options.fleet.services."${s}" = {
    enable = lib.mkEnableOption "${s}";
    port = lib.mkOption { type = lib.types.port; default = ${port}; description = "Port of ${s}."; };
    extraArgs = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
  };
  config = lib.mkIf cfg.enable {
    systemd.services."${s}" = {
      description = "${s}";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.coreutils}/bin/sleep infinity";
        DynamicUser = true;
        Restart = "on-failure";
        StateDirectory = "${s}";
      };
    };
    networking.firewall.allowedTCPPorts = [ cfg.port ];
    users.groups."${s}" = { };
  };
}
`,
    );
  }

  hosts.forEach((h, hi) => {
    const enabled = Array.from({ length: int(5, 15) }, () => pick(services));
    const vmCount = int(1, 4);
    const vms = Array.from({ length: vmCount }, (_, i) => `${pick(WORDS)}${i}`);
    write(
      `hosts/${h}/default.nix`,
      `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware.nix ./vms.nix ./users.nix ./monitoring.nix ./backup.nix ];
  networking.hostName = "${h}";
  networking.useNetworkd = true;
  systemd.network.enable = true;
  systemd.network.netdevs."10-br0".netdevConfig = { Kind = "bridge"; Name = "br0"; };
  systemd.network.networks."10-uplink" = {
    matchConfig.Name = "enp1s0";
    networkConfig.Bridge = "br0";
  };
  systemd.network.networks."20-br0" = {
    matchConfig.Name = "br0";
    networkConfig.DHCP = "yes";
  };
  systemd.network.networks."30-vms" = {
    matchConfig.Name = "vm-*";
    networkConfig.Bridge = "br0";
  };
${[...new Set(enabled)].map((s) => `  fleet.services."${s}".enable = true;`).join('\n')}
  system.stateVersion = "24.11";
}
`,
    );
    write(
      `hosts/${h}/vms.nix`,
      `{ config, lib, ... }:
{
  microvm.vms = {
${vms
  .map(
    (vm, i) => `    ${vm} = {
      config = {
        microvm.hypervisor = "${pick(['qemu', 'cloud-hypervisor', 'firecracker'])}";
        microvm.vcpu = ${int(1, 4)};
        microvm.mem = ${pick([512, 1024, 2048])};
        microvm.interfaces = [ {
          type = "tap";
          id = "vm-${h.slice(0, 4)}${hi}-${i}";
          mac = "02:00:00:${((hi >> 8) & 255).toString(16).padStart(2, '0')}:${(hi & 255).toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}";
        } ];
        networking.hostName = "${vm}";
        system.stateVersion = "24.11";
      };
    };`,
  )
  .join('\n')}
  };
}
`,
    );
    write(`hosts/${h}/hardware.nix`, `{ ... }:\n{\n  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" ];\n  fileSystems."/" = { device = "/dev/disk/by-label/root-${h}"; fsType = "ext4"; };\n  swapDevices = [ ];\n}\n`);
    write(`hosts/${h}/users.nix`, `{ ... }:\n{\n  users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; };\n  security.sudo.wheelNeedsPassword = false;\n}\n`);
    write(`hosts/${h}/monitoring.nix`, `{ config, ... }:\n{\n  services.prometheus.exporters.node = { enable = true; port = 9100; };\n  networking.firewall.allowedTCPPorts = [ 9100 ];\n}\n`);
    write(`hosts/${h}/backup.nix`, `{ ... }:\n{\n  services.borgbackup.jobs.${h} = { paths = [ "/var/lib" ]; repo = "backup@store:${h}"; startAt = "daily"; };\n}\n`);
  });

  // Files no host evaluates: package definitions, helpers, scratch.
  let i = 0;
  while (count < files) {
    const name = `${pick(WORDS)}-${i++}`;
    write(
      `pkgs/${name}/default.nix`,
      `{ lib, stdenv, fetchFromGitHub }:\nstdenv.mkDerivation rec {\n  pname = "${name}";\n  version = "1.${i}.0";\n  src = fetchFromGitHub { owner = "example"; repo = pname; rev = "v\${version}"; hash = lib.fakeHash; };\n  meta = { description = "${name}"; license = lib.licenses.mit; };\n}\n`,
    );
  }
  return { files: count, hosts: hostCount, services: serviceCount };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
  const files = Number(opt('--files', '2000'));
  const seed = Number(opt('--seed', '1'));
  const out = opt('--out', join(dirname(fileURLToPath(import.meta.url)), 'workspaces', `real-${files}-s${seed}`));
  console.log(JSON.stringify(generateReal({ files, seed, out })));
}
