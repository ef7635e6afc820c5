# Guest module for the "my-microvm" MicroVM (run by a host configured elsewhere).
{ lib, ... }:
{
  networking.hostName = "my-microvm";

  microvm = {
    hypervisor = "qemu";
    mem = 1024;
    interfaces = [
      {
        type = "tap";
        id = "my-microvm";
        mac = "02:00:00:00:00:01";
      }
    ];
  };

  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
