/**
 * Which files are configuration roots of their own: a module (an attribute set of NixOS options,
 * or a module function) that nothing imports; and whether a root is a whole system.
 */
import { asFunction, attrs, ready } from '../eval/helpers';
import { canonPath } from '../eval/ops';
import { literalAttrKeys } from './literalAttrKeys';
import { OPTION_LIKE_KEYS, type Configuration, type ModuleWorld } from '../modules';
import type { Value } from '../value';

/**
 * A root module is a whole system (not a part of one) when it says what only a machine's own
 * configuration says: its state version, file systems, boot loader or host name.
 */
export function looksLikeSystem(cfg: Configuration): boolean {
  const defined = (path: string[]) => cfg.liveDefsAt(path).some((d) => d.def.prio < 1500);
  return defined(['system', 'stateVersion']) || defined(['fileSystems']) || defined(['boot', 'loader']) || defined(['networking', 'hostName']);
}

const MODULE_FORMALS = new Set(['config', 'lib', 'pkgs', 'options', 'modulesPath']);

function hasOptionLikeKeys(v: Value): boolean {
  if (v.kind !== 'attrs') return false;
  for (const k of v.attrs.keys()) if (OPTION_LIKE_KEYS.has(k)) return true;
  return false;
}

export function looksLikeModule(world: ModuleWorld, file: string): boolean {
  const ev = world.evaluator;
  // Most files nothing imports are data: one literal attribute set, whose names decide without
  // parsing, converting and evaluating it (literalAttrKeys.ts). The decision still depends on the
  // file, as an evaluation would have recorded.
  const path = canonPath(file);
  const text = ev.fs.isDirectory(path) ? undefined : ev.fs.readFile(path);
  const keys = text === undefined ? undefined : literalAttrKeys(text);
  if (keys && !keys.some((k) => OPTION_LIKE_KEYS.has(k))) {
    ev.onFileUse?.(path);
    return false;
  }
  const v = ev.evalFile(file);
  if (v.kind === 'attrs') return hasOptionLikeKeys(v);
  if (v.kind !== 'function' || !v.formals) return false;
  const names = v.formals.names;
  if (!names.some((n) => MODULE_FORMALS.has(n)) && !v.formals.ellipsis) return false;
  const args = attrs(
    { config: attrs({}, { complete: false }), lib: ev.lib, pkgs: attrs({ lib: ev.lib }, { complete: false }), options: attrs({}, { complete: false }), modulesPath: { kind: 'path', path: world.modulesPath } },
    { complete: false },
  );
  const f = asFunction(v)!;
  const r = f.apply(ready(args));
  if (r.kind === 'attrs') return hasOptionLikeKeys(r) || r.attrs.has('_type');
  return r.kind === 'unknown' && names.includes('config');
}
