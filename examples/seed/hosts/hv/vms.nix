{ ... }:
{
  # PROBLEM (the seed scenario): the tap is named my-microvm, but the only unit that bridges
  # anything to brprim4 (10-uplink in network.nix) matches Name=enp3s0 alone. The tap matches
  # no unit, networkd leaves it unmanaged, and the VM has no network.
  microvm.vms.my-microvm = {
    config = {
      microvm = {
        hypervisor = "cloud-hypervisor";
        vcpu = 2;
        mem = 2048;
        interfaces = [
          {
            type = "tap";
            id = "my-microvm";
            mac = "02:00:00:00:00:01";
          }
        ];
        shares = [
          {
            tag = "ro-store";
            source = "/nix/store";
            mountPoint = "/nix/.ro-store";
            proto = "virtiofs";
          }
        ];
      };
      system.stateVersion = "24.11";
    };
  };
}
