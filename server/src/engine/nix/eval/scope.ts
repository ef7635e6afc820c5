/**
 * Values the module layer passes to modules and flakes: `pkgs`, `nixpkgs` (a flake input),
 * `inputs`, so that `lib` is reachable as `pkgs.lib`, `nixpkgs.lib`, `inputs.nixpkgs.lib` too.
 * Everything else in them is unknown (the sets are incomplete).
 */
import { ready, type AttrsValue, type Binding, type Thunk, type Value } from '../value';
import { unknownString } from './helpers';
import type { Evaluator } from './evaluator';

function incomplete(entries: Record<string, Value | Thunk>): AttrsValue {
  const m = new Map<string, Binding>();
  for (const [k, v] of Object.entries(entries)) m.set(k, { thunk: typeof (v as Thunk).force === 'function' ? (v as Thunk) : ready(v as Value) });
  return { kind: 'attrs', attrs: m, complete: false };
}

export interface LibScope {
  lib: AttrsValue;
  /** `pkgs`: only `pkgs.lib` is known. */
  pkgs: AttrsValue;
  /** The `nixpkgs` flake input: `lib`, `outPath` (unknown). */
  nixpkgs: AttrsValue;
  /** `inputs` with `nixpkgs` (plus `extra` inputs). */
  inputs(extra?: Record<string, Value | Thunk>): AttrsValue;
  /** Module arguments: `lib`, `pkgs`, `inputs`, `nixpkgs`, `modulesPath` (unknown) plus `extra`. */
  moduleArgs(extra?: Record<string, Value | Thunk>): AttrsValue;
}

export function libScope(ev: Pick<Evaluator, 'lib'>): LibScope {
  const lib = ev.lib;
  const pkgs = incomplete({ lib });
  const nixpkgs = incomplete({ lib, outPath: unknownString() });
  const inputs = (extra: Record<string, Value | Thunk> = {}) => incomplete({ nixpkgs, ...extra });
  return {
    lib,
    pkgs,
    nixpkgs,
    inputs,
    moduleArgs: (extra = {}) => incomplete({ lib, pkgs, nixpkgs, inputs: inputs(), modulesPath: unknownString(), ...extra }),
  };
}
