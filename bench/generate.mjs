// Synthetic NixOS workspaces shaped like real fleets, deterministic by seed.
//
//   node bench/generate.mjs [--files 1000] [--seed 1] [--out bench/workspaces/ws-1000]
//
// Layout (proportions hold at any size):
//   flake.nix                      nixosConfigurations = genAttrs hostNames mkHost (path-interpolated host dirs)
//   hosts/<h>/default.nix          imports profiles, shared modules, the host's own files
//   hosts/<h>/hardware.nix         boot, fileSystems, big attrsets
//   hosts/<h>/network.nix          systemd.network units in Nix (bridges, uplink, vm-* match)
//   hosts/<h>/vms.nix              microvm.vms via lib.genAttrs ("vm-${name}") or lib.imap1 (indexed ids)
//   hosts/<h>/guests/<vm>.nix      guest modules imported from vms.nix
//   hosts/<h>/etc/systemd/network  .network/.netdev files (some hosts), drop-ins
//   profiles/*.nix                 import groups of shared modules
//   modules/roles/<role>/          modules of a role, imported by readDir from the role's default.nix
//   modules/<area>/<name>.nix      non-network modules: services, users, packages, options + config
//   pkgs/<name>/default.nix        callPackage-style derivations (referenced from pkgs/default.nix)
//   lib/*.nix, data/*.nix          helper functions and big data attrsets imported by modules
//   hosts/h0000/fleet.nix          (when --big-lines > 0) one large host module with many VMs
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A small deterministic generator (mulberry32): the same seed, the same workspace. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ('alpha bravo cedar delta ember fjord gale harbor iris jade kite lumen maple nova onyx pine quartz ' +
  'raven sable tide umber vale willow xenon yarrow zephyr amber basil coral dune echo flint grove hazel ivy juniper ' +
  'kelp lotus moss nectar olive pebble quill reed sage thistle ursa violet wren yew zinnia').split(' ');
const SERVICES = ['nginx', 'postgresql', 'redis', 'grafana', 'prometheus', 'loki', 'gitea', 'jellyfin', 'nextcloud', 'vaultwarden',
  'home-assistant', 'mosquitto', 'minio', 'syncthing', 'unbound', 'bind', 'dnsmasq', 'chrony', 'fail2ban', 'borgbackup'];
const PACKAGES = ['git', 'vim', 'htop', 'curl', 'wget', 'jq', 'ripgrep', 'fd', 'tmux', 'rsync', 'iproute2', 'bridge-utils',
  'tcpdump', 'nmap', 'dig', 'lsof', 'strace', 'gdb', 'python3', 'nodejs', 'go', 'rustc', 'cargo', 'zstd', 'pv'];

export function generate({ files = 1000, seed = 1, out, bigLines = 0 }) {
  const rand = rng(seed * 7919 + files);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const word = () => pick(WORDS);
  const hex2 = (n) => n.toString(16).padStart(2, '0');
  const written = [];
  const write = (rel, text) => {
    const p = join(out, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    written.push(rel);
  };

  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // Budget: hosts take ~10 files each; the rest is shared code.
  const hostCount = Math.max(2, Math.round(files / 40));
  const shared = files - hostCount * 10 - 8;
  const moduleCount = Math.max(10, Math.round(shared * 0.55));
  const pkgCount = Math.max(4, Math.round(shared * 0.25));
  const libCount = Math.max(2, Math.round(shared * 0.08));
  const dataCount = Math.max(2, Math.round(shared * 0.07));
  const areas = ['services', 'users', 'desktop', 'security', 'monitoring', 'storage', 'dev', 'virtualisation'];

  const roleCount = Math.max(2, Math.round(hostCount / 4));
  const hostNames = Array.from({ length: hostCount }, (_, i) => `h${String(i).padStart(4, '0')}`);

  // -- lib and data ---------------------------------------------------------------------------
  const libFiles = [];
  for (let i = 0; i < libCount; i++) {
    const name = `lib/${word()}-${i}.nix`;
    libFiles.push(name);
    write(name, libFile(i));
  }
  const dataFiles = [];
  for (let i = 0; i < dataCount; i++) {
    const name = `data/${word()}-${i}.nix`;
    dataFiles.push(name);
    write(name, dataFile(i, int(40, 220)));
  }

  // -- packages -------------------------------------------------------------------------------
  const pkgNames = [];
  for (let i = 0; i < pkgCount; i++) {
    const name = `${word()}-${word()}-${i}`;
    pkgNames.push(name);
    write(`pkgs/${name}/default.nix`, pkgFile(name));
  }
  write('pkgs/default.nix', `# Overlay of the fleet's own packages.\nfinal: prev: {\n${pkgNames.map((n) => `  ${n} = final.callPackage ./${n} { };`).join('\n')}\n}\n`);

  // -- shared modules -------------------------------------------------------------------------
  const modules = [];
  for (let i = 0; i < moduleCount; i++) {
    const area = areas[i % areas.length];
    const name = `modules/${area}/${word()}-${i}.nix`;
    modules.push(name);
    write(name, moduleFile(i, name));
  }
  // A few modules nothing imports (they become configurations of their own).
  for (let i = 0; i < Math.max(1, Math.round(files / 500)); i++) write(`modules/unused/${word()}-${i}.nix`, moduleFile(moduleCount + i, 'unused'));

  // -- profiles: groups of shared modules -----------------------------------------------------
  const profileCount = Math.max(2, Math.round(moduleCount / 25));
  const profiles = [];
  for (let p = 0; p < profileCount; p++) {
    const members = [];
    for (let k = 0; k < 25 && p * 25 + k < moduleCount; k++) members.push(modules[p * 25 + k]);
    const name = `profiles/${word()}-${p}.nix`;
    profiles.push(name);
    write(name, `# Profile ${p}: a group of shared modules.\n{ lib, ... }:\n{\n  imports = [\n${members.map((m) => `    ../${m}`).join('\n')}\n  ];\n}\n`);
  }

  // -- hosts ----------------------------------------------------------------------------------
  let macCounter = 1;
  for (let h = 0; h < hostCount; h++) {
    const host = hostNames[h];
    const dir = `hosts/${host}`;
    const hostProfiles = [profiles[h % profileCount], profiles[(h * 7 + 3) % profileCount]];
    const filesUnits = h % 3 === 0;
    const vmNames = Array.from({ length: int(2, 5) }, (_, i) => `${word()}${i}`);
    const style = h % 2 === 0 ? 'genAttrs' : 'imap1';
    const own = ['./hardware.nix', './network.nix', './vms.nix', './services.nix', './users.nix', `../../modules/roles/role-${h % roleCount}`];
    if (bigLines > 0 && h === 0) own.push('./fleet.nix');
    write(`${dir}/default.nix`, hostDefault(host, hostProfiles.map((p) => `../../${p}`), own));
    write(`${dir}/hardware.nix`, hardwareFile(host));
    write(`${dir}/network.nix`, networkNix(host, filesUnits));
    const guestFiles = vmNames.slice(0, 2);
    write(`${dir}/vms.nix`, vmsFile(host, vmNames, style, guestFiles, macCounter));
    for (const g of guestFiles) write(`${dir}/guests/${g}.nix`, guestFile(g));
    macCounter += vmNames.length;
    write(`${dir}/services.nix`, servicesFile(host));
    write(`${dir}/users.nix`, usersFile(host, int(5, 30)));
    if (filesUnits) {
      write(`${dir}/etc/systemd/network/10-uplink.network`, `[Match]\nName=enp1s0\n\n[Network]\nBridge=br-${host}\n`);
      write(`${dir}/etc/systemd/network/20-br-${host}.netdev`, `[NetDev]\nName=br-${host}\nKind=bridge\n`);
      write(`${dir}/etc/systemd/network/30-vms.network`, `[Match]\nName=vm-*\n\n[Network]\nBridge=br-${host}\n`);
      write(`${dir}/etc/systemd/network/30-vms.network.d/10-mtu.conf`, `[Link]\nMTUBytes=9000\n`);
    }
  }
  if (bigLines > 0) write(`hosts/${hostNames[0]}/fleet.nix`, fleetFile(bigLines));

  write('flake.nix', flakeFile(hostNames));
  write('flake.lock', JSON.stringify({ nodes: { root: { inputs: {} } }, root: 'root', version: 7 }, null, 2) + '\n');

  // Top up to the exact count with role modules: modules/roles/<role>/*.nix, each role directory
  // imported (as a directory: its default.nix lists the others by readDir) by the hosts of that role.
  let extra = 0;
  while (written.length < files - roleCount) {
    const name = `modules/roles/role-${extra % roleCount}/${word()}-${extra}.nix`;
    write(name, moduleFile(moduleCount + 1000 + extra, name));
    extra++;
  }
  for (let r = 0; r < roleCount; r++) {
    write(`modules/roles/role-${r}/default.nix`, `# Role ${r}: every module in this directory, by readDir.\n{ lib, ... }:\n{\n  imports = map (f: ./. + "/\${f}") (lib.filter (f: f != "default.nix" && lib.hasSuffix ".nix" f) (builtins.attrNames (builtins.readDir ./.)));\n}\n`);
  }
  return written.length;

  // -- templates ------------------------------------------------------------------------------

  function flakeFile(hosts) {
    return `{
  description = "A fleet of ${hosts.length} hosts running MicroVMs";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    microvm = {
      url = "github:microvm-nix/microvm.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, microvm, ... }:
    let
      lib = nixpkgs.lib;
      hostNames = [
${hosts.map((h) => `        "${h}"`).join('\n')}
      ];
      mkHost = name: lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit self; };
        modules = [
          microvm.nixosModules.host
          ./hosts/\${name}
          { nixpkgs.overlays = [ (import ./pkgs) ]; }
        ];
      };
    in
    {
      nixosConfigurations = lib.genAttrs hostNames mkHost;
    };
}
`;
  }

  function hostDefault(host, profileImports, own) {
    return `# Host ${host}
{ config, lib, pkgs, ... }:
{
  imports = [
${[...own, ...profileImports].map((p) => `    ${p}`).join('\n')}
  ];

  networking.hostName = "${host}";
  networking.domain = "fleet.example";
  time.timeZone = "Europe/Berlin";
  i18n.defaultLocale = "en_US.UTF-8";
  system.stateVersion = "24.11";

  nix.settings = {
    experimental-features = [ "nix-command" "flakes" ];
    trusted-users = [ "root" "@wheel" ];
    auto-optimise-store = true;
  };
}
`;
  }

  function hardwareFile(host) {
    const disks = int(1, 4);
    const fs = [];
    for (let d = 0; d < disks; d++) {
      fs.push(`    "/srv/disk${d}" = {
      device = "/dev/disk/by-uuid/${hex2(int(0, 255))}${hex2(int(0, 255))}-${d}";
      fsType = "${pick(['ext4', 'xfs', 'btrfs'])}";
      options = [ "noatime" "nofail" ];
    };`);
    }
    return `{ config, lib, pkgs, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];

  boot.initrd.availableKernelModules = [ "xhci_pci" "ahci" "nvme" "usbhid" "sd_mod" ];
  boot.kernelModules = [ "kvm-amd" "vhost_net" ];
  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 1;
    "net.ipv6.conf.all.forwarding" = 1;
    "vm.swappiness" = ${int(1, 60)};
  };
  boot.loader.systemd-boot.enable = true;

  fileSystems = {
    "/" = {
      device = "/dev/disk/by-label/${host}-root";
      fsType = "ext4";
    };
    "/boot" = {
      device = "/dev/disk/by-label/BOOT";
      fsType = "vfat";
    };
${fs.join('\n')}
  };

  hardware.cpu.amd.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
}
`;
  }

  function networkNix(host, filesUnits) {
    if (filesUnits) {
      return `{ ... }:
{
  networking.useDHCP = false;
  systemd.network.enable = true;
  # Units for this host live in ./etc/systemd/network.
  networking.firewall.allowedTCPPorts = [ 22 80 443 ];
}
`;
    }
    return `{ lib, ... }:
let
  bridge = "br0";
in
{
  networking.useDHCP = false;
  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 22 80 443 9100 ];
    trustedInterfaces = [ bridge ];
  };

  systemd.network = {
    enable = true;
    netdevs."10-\${bridge}".netdevConfig = {
      Kind = "bridge";
      Name = bridge;
    };
    networks."20-lan" = {
      matchConfig.Name = [ "enp1s0" "vm-*" ];
      networkConfig.Bridge = bridge;
      linkConfig.RequiredForOnline = "enslaved";
    };
    networks."30-\${bridge}" = {
      matchConfig.Name = bridge;
      networkConfig = {
        DHCP = "ipv4";
        IPv6AcceptRA = true;
      };
      linkConfig.RequiredForOnline = "routable";
    };
  };
}
`;
  }

  function vmConfig(indent, idExpr, macExpr, extra) {
    const p = ' '.repeat(indent);
    return `${p}microvm = {
${p}  hypervisor = "${pick(['qemu', 'cloud-hypervisor', 'firecracker'])}";
${p}  mem = ${pick([512, 1024, 2048])};
${p}  vcpu = ${int(1, 4)};
${p}  interfaces = [
${p}    {
${p}      type = "tap";
${p}      id = ${idExpr};
${p}      mac = ${macExpr};
${p}    }
${p}  ];
${p}  shares = [
${p}    {
${p}      tag = "ro-store";
${p}      source = "/nix/store";
${p}      mountPoint = "/nix/.ro-store";
${p}      proto = "virtiofs";
${p}    }
${p}  ];
${p}};
${extra}`;
  }

  function vmsFile(host, names, style, guestFiles, mac0) {
    const list = names.map((n) => `"${n}"`).join(' ');
    const guestImports = guestFiles.map((g) => `    ${g} = ./guests/${g}.nix;`).join('\n');
    if (style === 'genAttrs') {
      return `{ lib, ... }:
let
  names = [ ${list} ];
  guestModules = {
${guestImports}
  };
  macOf = name: "02:00:00:${hex2(mac0 >> 8 & 255)}:" + (builtins.substring 0 2 (builtins.hashString "md5" name)) + ":01";
in
{
  microvm.vms = lib.genAttrs names (name: {
    config = {
      imports = lib.optional (guestModules ? \${name}) guestModules.\${name};
${vmConfig(6, '"vm-${name}"', 'macOf name', '      system.stateVersion = "24.11";')}
    };
  });
}
`;
    }
    return `{ lib, ... }:
let
  names = [ ${list} ];
  guestModules = {
${guestImports}
  };
in
{
  microvm.vms = builtins.listToAttrs (lib.imap1 (i: name: lib.nameValuePair name {
    config = {
      imports = lib.optional (guestModules ? \${name}) guestModules.\${name};
${vmConfig(6, '"vm-${name}"', `"02:00:00:${hex2(mac0 & 255)}:\${lib.fixedWidthString 2 "0" (toString i)}:01"`, '      system.stateVersion = "24.11";')}
    };
  }) names);
}
`;
  }

  function guestFile(name) {
    const svc = pick(SERVICES);
    return `# Guest ${name}
{ config, lib, pkgs, ... }:
{
  services.${svc}.enable = true;
  networking.firewall.allowedTCPPorts = [ ${int(1000, 9000)} ];
  users.users.${name} = {
    isSystemUser = true;
    group = "${name}";
  };
  users.groups.${name} = { };
  environment.systemPackages = with pkgs; [ ${[pick(PACKAGES), pick(PACKAGES)].join(' ')} ];
}
`;
  }

  function servicesFile(host) {
    const svcs = [...new Set(Array.from({ length: int(2, 6) }, () => pick(SERVICES)))];
    return `{ config, lib, pkgs, ... }:
let
  cfg = config.fleet.${word()};
in
{
${svcs
  .map(
    (s) => `  services.${s} = {
    enable = true;
    openFirewall = ${rand() < 0.5};
    settings = {
      log_level = "${pick(['info', 'warn', 'debug'])}";
      listen = "127.0.0.1:${int(1024, 65000)}";
      workers = ${int(1, 16)};
    };
  };`,
  )
  .join('\n')}
  systemd.services.${host}-housekeeping = {
    description = "Housekeeping for ${host}";
    startAt = "daily";
    serviceConfig = {
      Type = "oneshot";
      ExecStart = "\${pkgs.coreutils}/bin/true";
    };
  };
}
`;
  }

  function usersFile(host, n) {
    const users = [];
    for (let i = 0; i < n; i++) {
      const u = `${word()}${i}`;
      users.push(`    ${u} = {
      isNormalUser = true;
      uid = ${1000 + i};
      extraGroups = [ "wheel" "${pick(['libvirtd', 'docker', 'video', 'audio'])}" ];
      openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${u}${host} ${u}@${host}" ];
    };`);
    }
    return `{ lib, pkgs, ... }:
{
  users.mutableUsers = false;
  users.users = {
${users.join('\n')}
  };
}
`;
  }

  function moduleFile(i, name) {
    const opt = `${word()}${i}`;
    const svc = pick(SERVICES);
    const lib = libFiles.length ? libFiles[i % libFiles.length] : null;
    const data = dataFiles.length ? dataFiles[i % dataFiles.length] : null;
    const depth = name.split('/').length - 1;
    const up = '../'.repeat(depth);
    const kind = i % 4;
    if (kind === 0) {
      return `# Shared module: ${opt}
{ config, lib, pkgs, ... }:
let
  cfg = config.fleet.${opt};
  helpers = import ${up}${lib} { inherit lib; };
in
{
  options.fleet.${opt} = {
    enable = lib.mkEnableOption "${opt}";
    port = lib.mkOption {
      type = lib.types.port;
      default = ${int(1024, 65000)};
      description = "Port ${opt} listens on.";
    };
    extraConfig = lib.mkOption {
      type = lib.types.lines;
      default = "";
    };
  };

  config = lib.mkIf cfg.enable {
    services.${svc}.enable = true;
    networking.firewall.allowedTCPPorts = [ cfg.port ];
    systemd.services.${opt} = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" ];
      serviceConfig = {
        ExecStart = "\${pkgs.${pick(PACKAGES)}}/bin/${opt} --port \${toString cfg.port}";
        DynamicUser = true;
        Restart = "on-failure";
        StateDirectory = "${opt}";
      };
    };
    environment.etc."${opt}/config".text = helpers.render { name = "${opt}"; inherit (cfg) port; };
  };
}
`;
    }
    if (kind === 1) {
      return `# Shared module: packages and environment (${opt})
{ pkgs, lib, ... }:
let
  table = import ${up}${data};
in
{
  environment.systemPackages = with pkgs; [
${Array.from({ length: int(4, 14) }, () => `    ${pick(PACKAGES)}`).join('\n')}
  ];
  environment.variables = {
    ${opt.toUpperCase()}_HOME = "/var/lib/${opt}";
    EDITOR = "vim";
  };
  programs.bash.shellAliases = lib.mapAttrs (n: v: "echo \${v}") (lib.filterAttrs (n: v: lib.hasPrefix "${opt[0]}" n) table.aliases);
}
`;
    }
    if (kind === 2) {
      return `# Shared module: ${svc} defaults
{ config, lib, pkgs, ... }:
{
  services.${svc} = {
    enable = lib.mkDefault false;
    settings = {
${Array.from({ length: int(3, 12) }, (_, k) => `      ${word()}_${k} = ${rand() < 0.5 ? `"${word()}"` : int(0, 1000)};`).join('\n')}
    };
  };
  security.sudo.extraRules = [
    {
      groups = [ "${word()}" ];
      commands = [ { command = "/run/current-system/sw/bin/systemctl restart ${svc}"; options = [ "NOPASSWD" ]; } ];
    }
  ];
}
`;
    }
    return `# Shared module: monitoring for ${opt}
{ config, lib, ... }:
let
  targets = lib.mapAttrsToList (name: port: "\${name}:\${toString port}") {
${Array.from({ length: int(3, 10) }, () => `    ${word()}-${int(0, 99)} = ${int(1024, 65000)};`).join('\n')}
  };
in
{
  services.prometheus.scrapeConfigs = lib.mkIf config.services.prometheus.enable [
    {
      job_name = "${opt}";
      static_configs = [ { inherit targets; } ];
    }
  ];
}
`;
  }

  function libFile(i) {
    return `# Helpers ${i}
{ lib }:
rec {
  render = attrs: lib.concatStringsSep "\\n" (lib.mapAttrsToList (k: v: "\${k} = \${toString v}") attrs);
  mkPorts = base: n: lib.genList (i: base + i) n;
  indexed = names: lib.imap1 (i: name: { inherit i name; }) names;
  merge = a: b: a // b // { merged = true; };
  quote = s: "'\${lib.escape [ "'" ] s}'";
}
`;
  }

  function dataFile(i, n) {
    const rows = [];
    for (let k = 0; k < n; k++) rows.push(`    ${word()}${k} = "${word()} ${word()} --${word()}";`);
    const hostsRows = [];
    for (let k = 0; k < Math.floor(n / 4); k++) hostsRows.push(`    { name = "${word()}${k}"; ip = "10.${i % 256}.${k % 256}.${int(1, 254)}"; tags = [ "${word()}" "${word()}" ]; }`);
    return `# Data table ${i}
{
  aliases = {
${rows.join('\n')}
  };
  inventory = [
${hostsRows.join('\n')}
  ];
}
`;
  }

  function pkgFile(name) {
    return `{ lib, stdenv, fetchFromGitHub, pkg-config, openssl }:

stdenv.mkDerivation rec {
  pname = "${name}";
  version = "${int(0, 5)}.${int(0, 30)}.${int(0, 9)}";

  src = fetchFromGitHub {
    owner = "${word()}";
    repo = pname;
    rev = "v\${version}";
    hash = "sha256-${Array.from({ length: 43 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[int(0, 61)]).join('')}=";
  };

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ openssl ];
  makeFlags = [ "PREFIX=$(out)" ];

  meta = with lib; {
    description = "${word()} ${word()} tool";
    license = licenses.${pick(['mit', 'asl20', 'gpl3Plus'])};
    platforms = platforms.linux;
  };
}
`;
  }

  /** One big host module: many VMs (genAttrs and imap1), users, firewall rules, an inventory. */
  function fleetFile(lines) {
    const parts = [];
    const vmNames = Array.from({ length: 40 }, (_, i) => `svc${i}`);
    parts.push(`# Fleet module: the big one.
{ config, lib, pkgs, ... }:
let
  serviceVms = [ ${vmNames.slice(0, 20).map((n) => `"${n}"`).join(' ')} ];
  batchVms = [ ${vmNames.slice(20).map((n) => `"${n}"`).join(' ')} ];
  mkVm = name: {
    config = {
${vmConfig(6, '"vm-${name}"', '"02:00:00:ee:00:01"', '      system.stateVersion = "24.11";')}
    };
  };
in
{
  microvm.vms = lib.genAttrs serviceVms mkVm // builtins.listToAttrs (lib.imap1 (i: name: lib.nameValuePair name {
    config = {
${vmConfig(6, '"vm-b${toString i}"', '"02:00:00:ef:00:01"', '      system.stateVersion = "24.11";')}
    };
  }) batchVms);
`);
    let count = parts[0].split('\n').length;
    let k = 0;
    while (count < lines - 4) {
      const block = k % 3 === 0
        ? `  users.users.fleet${k} = {
    isNormalUser = true;
    uid = ${20000 + k};
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAfleet${k}" ];
  };
`
        : k % 3 === 1
          ? `  environment.etc."firewall/${k}.rules".text = ''
    iptables -A INPUT -s 10.${k % 256}.0.0/16 -p tcp --dport ${1000 + k} -j ACCEPT
  '';
`
          : `  environment.etc."fleet/${k}.json".text = builtins.toJSON {
    name = "entry-${k}";
    port = ${1000 + k};
    tags = [ "${word()}" "${word()}" ];
  };
`;
      parts.push(block);
      count += block.split('\n').length - 1;
      k++;
    }
    parts.push('}\n');
    return parts.join('');
  }
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const get = (flag, dflt) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const files = Number(get('--files', '1000'));
  const seed = Number(get('--seed', '1'));
  const bigLines = Number(get('--big-lines', '0'));
  const root = dirname(fileURLToPath(import.meta.url));
  const out = get('--out', join(root, 'workspaces', `ws-${files}`));
  const n = generate({ files, seed, out, bigLines });
  console.log(`wrote ${n} files to ${out}`);
}
