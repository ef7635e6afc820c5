/**
 * Models of the flake frameworks real NixOS repositories are written with. None of them has its
 * source in the workspace (they are flake inputs), so each is a model of its public interface —
 * what it does with its arguments, which configurations it produces, which modules it imports —
 * written from its documentation. One module per framework; README lists what each models.
 */
import type { FrameworkName } from '../inputs';
import type { ModuleWorld } from '../modules';
import type { Value } from '../value';

type FrameworkModel = (world: ModuleWorld, inputName: string) => Value;

const MODELS: Partial<Record<FrameworkName, FrameworkModel>> = {};

/** The value of a framework input, or undefined when the framework is not modelled. */
export function frameworkInput(world: ModuleWorld, framework: FrameworkName, inputName: string): Value | undefined {
  return MODELS[framework]?.(world, inputName);
}
