{ ... }:
{
  systemd.network.enable = true;

  systemd.network.netdevs."10-br0".netdevConfig = {
    Kind = "bridge";
    Name = "br0";
  };

  # Left over from before the bridge existed: the uplink and the VMs both got DHCP here.
  # It sorts before 20-vms and has no Bridge=, so it wins for vm-* taps.
  systemd.network.networks."10-lan" = {
    matchConfig.Name = "en* $0vm-*";
    networkConfig.DHCP = "ipv4";
  };

  systemd.network.networks."20-vms" = {
    matchConfig.Name = [ "vm-*" "tap-*" ];
    networkConfig.Bridge = "br0";
  };

  systemd.network.networks."30-br0" = {
    matchConfig.Name = "br0";
    networkConfig.DHCP = "ipv4";
  };
}
