{ ... }:
{
  imports = [
    ./network.nix
    ./vms.nix
  ];

  networking.hostName = "nas";
  system.stateVersion = "24.11";
}
