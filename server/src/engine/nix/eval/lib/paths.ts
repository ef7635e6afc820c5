/**
 * `lib.path`: path arithmetic on workspace paths. `append ./dir "x/y.nix"` joins a relative
 * subpath (no `..`, no leading `/`, as nixpkgs requires), `hasPrefix`/`removePrefix` compare
 * whole components, `subpath.join` and `subpath.components` work on relative strings.
 */
import { posix } from 'node:path';
import { attrs, fn, fn2, force, knownString, list, str, unknown } from '../helpers';
import type { Value } from '../../value';

function validSubpath(s: string): boolean {
  return s.length > 0 && !s.startsWith('/') && !s.split('/').includes('..');
}

function componentsOf(s: string): string[] {
  return s.split('/').filter((c) => c !== '' && c !== '.');
}

export function pathLib(): Record<string, Value> {
  const append = fn2('path.append', (p, sub) => {
    const base = force(p);
    const rel = knownString(force(sub));
    if (base.kind !== 'path' || rel === undefined || !validSubpath(rel)) return unknown('lib.path.append of an unknown or invalid path');
    return { kind: 'path', path: posix.join(base.path, rel) };
  });
  const hasPrefix = fn2('path.hasPrefix', (a, b) => {
    const x = force(a);
    const y = force(b);
    if (x.kind !== 'path' || y.kind !== 'path') return unknown('lib.path.hasPrefix of unknown paths');
    return { kind: 'bool', value: y.path === x.path || y.path.startsWith(x.path.replace(/\/+$/, '') + '/') };
  });
  const removePrefix = fn2('path.removePrefix', (a, b) => {
    const x = force(a);
    const y = force(b);
    if (x.kind !== 'path' || y.kind !== 'path') return unknown('lib.path.removePrefix of unknown paths');
    if (y.path === x.path) return str('./.');
    const prefix = x.path.replace(/\/+$/, '') + '/';
    return y.path.startsWith(prefix) ? str(`./${y.path.slice(prefix.length)}`) : unknown('lib.path.removePrefix: not a prefix');
  });
  const subpath = attrs(
    {
      join: fn('path.subpath.join', (parts) => {
        const l = force(parts);
        if (l.kind !== 'list') return unknown('lib.path.subpath.join of a non-list');
        const texts = l.items.map((t) => knownString(force(t)));
        if (texts.some((t) => t === undefined || !validSubpath(t))) return unknown('lib.path.subpath.join of unknown parts');
        const joined = componentsOf((texts as string[]).join('/'));
        return str(joined.length ? `./${joined.join('/')}` : './.');
      }),
      components: fn('path.subpath.components', (s) => {
        const t = knownString(force(s));
        return t === undefined ? unknown('lib.path.subpath.components of an unknown string') : list(componentsOf(t).map((c) => str(c)));
      }),
      normalise: fn('path.subpath.normalise', (s) => {
        const t = knownString(force(s));
        if (t === undefined) return unknown('lib.path.subpath.normalise of an unknown string');
        const c = componentsOf(t);
        return str(c.length ? `./${c.join('/')}` : './.');
      }),
      isValid: fn('path.subpath.isValid', (s) => {
        const t = knownString(force(s));
        return t === undefined ? unknown('lib.path.subpath.isValid of an unknown string') : { kind: 'bool', value: validSubpath(t) };
      }),
    },
    { complete: false },
  );
  return { path: attrs({ append, hasPrefix, removePrefix, subpath }, { complete: false }) };
}
