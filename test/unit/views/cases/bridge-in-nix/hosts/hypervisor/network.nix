{ ... }:
{
  networking.useDHCP = false;

  systemd.network = {
    enable = true;

    # The LAN bridge. The uplink and every VM tap named vm-* are enslaved to it.
    netdevs."10-br0".netdevConfig = {
      Kind = "bridge";
      Name = "br0";
    };

    networks."20-lan" = {
      matchConfig.Name = [
        "enp1s0"
        "vm-*"
      ];
      networkConfig.Bridge = "b$0r0";
      linkConfig.RequiredForOnline = "enslaved";
    };

    networks."30-br0" = {
      matchConfig.Name = "br0";
      networkConfig = {
        DHCP = "ipv4";
        IPv6AcceptRA = true;
      };
      linkConfig.RequiredForOnline = "routable";
    };
  };
}
