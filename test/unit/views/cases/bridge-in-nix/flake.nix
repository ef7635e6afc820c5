{
  description = "Homelab: one hypervisor running a few MicroVMs on a bridged LAN";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    microvm = {
      url = "github:microvm-nix/microvm.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, microvm, ... }: {
    nixosConfigurations.hypervisor = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        microvm.nixosModules.host
        ./hosts/hypervisor/default.nix
        ./hosts/hypervisor/network.nix
        ./hosts/hypervisor/vms.nix
      ];
    };
  };
}
