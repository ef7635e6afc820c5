/**
 * Paths, files and the store. Files are read through the host (the workspace); anything outside
 * it, fetched or built is an unknown string or an incomplete `{ outPath }`.
 */
import { posix } from 'node:path';
import { knownText, literalSuffix } from '../../../pattern';
import { ready, unknown, type Binding, type Value } from '../../value';
import { FALSE, TRUE, fn, fn2, force, str, unknownString } from '../helpers';
import { canonPath, sortedKeys } from '../ops';
import { asText, mkAttrs, type BuiltinHost } from './support';
import { fetchedStorePath } from '../../inputs';

export function pathBuiltins(host: BuiltinHost): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('baseNameOf', fn('baseNameOf', (x) => {
    const v = force(x);
    const t = asText(v);
    if (t === undefined) {
      if (v.kind === 'string') {
        const suf = literalSuffix(v.value);
        const slash = suf.lastIndexOf('/', suf.endsWith('/') ? suf.length - 2 : suf.length);
        if (slash >= 0) return str(suf.slice(slash + 1).replace(/\/$/, ''));
      }
      return unknownString();
    }
    return str(posix.basename(t));
  }));
  def('dirOf', fn('dirOf', (x) => {
    const v = force(x);
    if (v.kind === 'path') return { kind: 'path', path: posix.dirname(v.path) };
    const t = asText(v);
    return t === undefined ? unknownString() : str(posix.dirname(t));
  }));
  def('toPath', fn('toPath', (x) => {
    const t = asText(force(x));
    return t !== undefined && t.startsWith('/') ? { kind: 'path', path: canonPath(t) } : unknown('toPath');
  }));
  def('storePath', fn('storePath', () => unknownString()));
  // `builtins.path { path = ./x; … }` and `filterSource f ./x` copy a workspace path to the store:
  // importing the copy reads the same text, so the workspace path stands for it.
  def('path', fn('path', (x) => {
    const a = force(x);
    const p = a.kind === 'attrs' ? force(a.attrs.get('path')?.thunk) : a;
    return p.kind === 'path' ? p : unknownString();
  }));
  def('filterSource', fn2('filterSource', (_f, x) => {
    const p = force(x);
    return p.kind === 'path' ? p : unknownString();
  }));
  def('readFile', fn('readFile', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknownString();
    const t = host.fs.readFile(v.path);
    return t === undefined ? unknownString() : str(t);
  }));
  def('readFileType', fn('readFileType', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknownString();
    if (host.fs.isDirectory(v.path)) return str('directory');
    const entry = host.fs.readDir(posix.dirname(v.path))?.get(posix.basename(v.path));
    return entry ? str(entry) : unknownString();
  }));
  def('readDir', fn('readDir', (x) => {
    const v = force(x);
    if (v.kind !== 'path') return unknown(v.kind === 'unknown' ? `readDir of unknown` : 'readDir of non-path');
    const entries = host.fs.readDir(v.path);
    if (!entries) return unknown(`cannot read directory ${v.path}`);
    const m = new Map<string, Binding>();
    for (const name of sortedKeys(entries.keys())) m.set(name, { thunk: ready(str(entries.get(name)!)) });
    return mkAttrs(m);
  }));
  def('pathExists', fn('pathExists', (x) => {
    const v = force(x);
    if (v.kind !== 'path' && v.kind !== 'string') return unknown('pathExists');
    const p = v.kind === 'path' ? v.path : knownText(v.value);
    if (p === undefined || !p.startsWith('/')) return unknown('pathExists');
    if (host.fs.isDirectory(p) || host.fs.readFile(p) !== undefined) return TRUE;
    const parent = host.fs.readDir(posix.dirname(p));
    if (parent && !parent.has(posix.basename(p))) return FALSE;
    return unknown('pathExists outside the workspace');
  }));
  for (const name of ['fetchGit', 'fetchTarball', 'fetchurl', 'fetchTree', 'fetchMercurial', 'fetchClosure', 'getFlake']) {
    def(name, fn(name, (arg) => {
      const known = fetchedStorePath(fetchedUrl(force(arg)) ?? '');
      return mkAttrs(new Map([['outPath', { thunk: ready(known ? str(known) : unknownString()) }]]), false);
    }));
  }
  def('derivation', fn('derivation', () => unknown('derivation')));
  def('derivationStrict', fn('derivationStrict', () => unknown('derivation')));
  def('scopedImport', fn2('scopedImport', () => unknown('scopedImport')));

  return entries;
}

/** The URL a fetcher is called with: `fetchTarball "<url>"`, `{ url = …; }`, or fetchTree's `{ type = "github"; owner; repo; }`. */
function fetchedUrl(arg: Value): string | undefined {
  if (arg.kind === 'string') return knownText(arg.value);
  if (arg.kind !== 'attrs') return undefined;
  const text = (k: string): string | undefined => {
    const b = arg.attrs.get(k);
    const v = b ? force(b.thunk) : undefined;
    return v?.kind === 'string' ? knownText(v.value) : undefined;
  };
  const url = text('url');
  if (url !== undefined) return url;
  const type = text('type');
  const owner = text('owner');
  const repo = text('repo');
  return (type === 'github' || type === 'gitlab') && owner && repo ? `${type}:${owner}/${repo}` : undefined;
}
