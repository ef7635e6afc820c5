{ ... }:
{
  systemd.network = {
    enable = true;

    netdevs."20-brprim4" = {
      netdevConfig = {
        Kind = "bridge";
        Name = "brprim4";
      };
    };

    # The physical uplink is enslaved to the bridge. Only enp3s0 is matched here,
    # so nothing puts the VM taps on brprim4.
    networks."10-uplink" = {
      matchConfig.Name = "enp3s0";
      networkConfig.Bridge = "brprim4";
      linkConfig.RequiredForOnline = "enslaved";
    };

    networks."20-brprim4" = {
      matchConfig.Name = "brprim4";
      networkConfig = {
        DHCP = "ipv4";
        IPv6AcceptRA = true;
      };
      linkConfig.RequiredForOnline = "routable";
    };
  };
}
