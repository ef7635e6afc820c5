{ ... }:
{
  imports = [
    ./network.nix
    ./vms.nix
  ];

  networking.hostName = "hv";
  networking.useDHCP = false;

  system.stateVersion = "24.11";
}
