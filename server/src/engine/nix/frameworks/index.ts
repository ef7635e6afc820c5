/**
 * Models of the flake frameworks real NixOS repositories are written with. None of them has its
 * source in the workspace (they are flake inputs), so each is a model of its public interface —
 * what it does with its arguments, which configurations it produces, which modules it imports —
 * written from its documentation. One module per framework; the README lists what each models.
 */
import { force } from '../eval/helpers';
import type { FrameworkName } from '../inputs';
import type { ModuleWorld, SystemCall } from '../modules';
import type { Value } from '../value';
import { blueprintInput } from './blueprint';
import { clanInput } from './clan';
import { colmenaInput, hiveNodes } from './colmena';
import { diggaInput } from './digga';
import { easyHostsInput } from './easyHosts';
import { flakePartsInput } from './flakeParts';
import { flakeUtilsInput, flakeUtilsPlusInput } from './flakeUtils';
import { haumeaInput } from './haumea';
import { importTreeInput } from './importTree';
import { noxaInput } from './noxa';
import { snowfallInput } from './snowfall';
import { srvosInput } from './srvos';

/** What the flake declares about a framework input beyond its URL. */
export interface FrameworkInputContext {
  /** `inputs.<framework>.inputs.<m>.follows = "<target>"`: the framework's own inputs redirected. */
  follows: ReadonlyMap<string, string>;
  /** Whether an input of the flake is nixpkgs. */
  isNixpkgs(input: string): boolean;
}

type FrameworkModel = (world: ModuleWorld, inputName: string, context: FrameworkInputContext) => Value;

const MODELS: Partial<Record<FrameworkName, FrameworkModel>> = {
  blueprint: blueprintInput,
  'clan-core': clanInput,
  colmena: colmenaInput,
  digga: diggaInput,
  'easy-hosts': easyHostsInput,
  'flake-parts': flakePartsInput,
  'flake-utils': flakeUtilsInput,
  'flake-utils-plus': flakeUtilsPlusInput,
  haumea: haumeaInput,
  'import-tree': importTreeInput,
  noxa: noxaInput,
  'snowfall-lib': snowfallInput,
  srvos: srvosInput,
};

/** The value of a framework input, or undefined when the framework is not modelled. */
export function frameworkInput(world: ModuleWorld, framework: FrameworkName, inputName: string, context: FrameworkInputContext): Value | undefined {
  return MODELS[framework]?.(world, inputName, context);
}

/**
 * Configurations a flake defines through framework outputs rather than `nixosConfigurations`:
 * a raw colmena hive (`outputs.colmena`, what the colmena CLI reads) or a built one (`colmenaHive`).
 */
export function frameworkConfigurations(world: ModuleWorld, outputs: Value): { name: string; call: SystemCall }[] {
  if (outputs.kind !== 'attrs') return [];
  const out: { name: string; call: SystemCall }[] = [];
  const raw = outputs.attrs.get('colmena');
  const nodes = raw ? hiveNodes(world, force(raw.thunk)) : undefined;
  for (const [name, call] of nodes ?? []) out.push({ name, call });
  return out;
}
