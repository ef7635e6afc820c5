{ ... }:
{
  microvm.vms = {
    jellyfin.config = {
      microvm.interfaces = [
        {
          type = "tap";
          id = "vm-jellyfin";
          mac = "02:00:00:00:00:11";
        }
      ];
      system.stateVersion = "24.11";
    };

    backup.config = {
      microvm.interfaces = [
        {
          type = "tap";
          id = "tap-backup";
          mac = "02:00:00:00:00:12";
        }
      ];
      system.stateVersion = "24.11";
    };
  };
}
