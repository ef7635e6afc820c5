{ pkgs, ... }:
{
  networking.hostName = "hypervisor";

  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  services.openssh.enable = true;
  users.users.admin = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };

  environment.systemPackages = [ pkgs.bridge-utils ];

  system.stateVersion = "24.11";
}
