/**
 * srvos (github:nix-community/srvos, formerly numtide/srvos): NixOS profiles for servers and
 * desktops. Its `nixosModules.common` — and `server` and `desktop`, which import it — turn
 * systemd-networkd on: nixos/common/networking.nix sets `networking.useNetworkd = mkDefault true`
 * and `networking.useDHCP = mkDefault false`; `server` also sets `networking.hostName =
 * mkOverride 1337 ""` (below mkDefault). None of them defines network units, bridges or scripts
 * that attach links. Modelled: those three modules, as exactly those definitions. Every other
 * srvos module (`mixins-*`, `hardware-*`, `roles-*`) stays a module from outside the workspace.
 */
import { lazyThunk, type ModuleWorld } from '../modules';
import { attrs, force } from '../eval/helpers';
import { anyKeyAttrs, opaque } from '../outside';
import type { Value } from '../value';

const MODEL_FILE = '/nix/store/srvos-model/nixos.nix';

const MODEL = `let
  common = { lib, ... }: {
    networking.useNetworkd = lib.mkDefault true;
    networking.useDHCP = lib.mkDefault false;
  };
in {
  inherit common;
  server = { lib, ... }: {
    imports = [ common ];
    networking.hostName = lib.mkOverride 1337 "";
  };
  desktop = { imports = [ common ]; };
}`;

export function srvosInput(world: ModuleWorld, inputName: string): Value {
  const model = lazyThunk(() => world.evaluator.evalSource(MODEL_FILE, MODEL));
  const modelled = (key: string): Value | undefined => {
    const m = force(model);
    const b = m.kind === 'attrs' ? m.attrs.get(key) : undefined;
    return b ? force(b.thunk) : undefined;
  };
  const nixosModules = anyKeyAttrs((k) => modelled(k) ?? opaque(world, `${inputName}.nixosModules.${k}`));
  return attrs({ nixosModules }, { complete: false });
}
