/**
 * haumea (github:nix-community/haumea, the v0.2 interface): `lib.load { src; loader ? loaders.default;
 * inputs ? { }; transformer ? [ ]; }` is an attribute set mirroring the tree below `src`: a
 * directory is a nested set, a file is an attribute named without its extension whose value is
 * the file as the loader loads it. An entry named `_x` is visible only inside `src` (to `root`),
 * `__x` only inside its own directory (to `super`); the result shows neither. A loader is
 * `inputs -> path -> value`, called with the `inputs` plus `self` (the file's own value),
 * `super` (its directory) and `root` (the whole tree, as seen from there); a list of matchers
 * picks the first whose `matches` accepts the file name (a regex matcher's loader gets the
 * match groups first). Each directory's set, the root included, goes through the transformers
 * with its cursor (its path of names).
 *
 * Modelled: `loaders.default` (a function file gets exactly the inputs its formals name),
 * `verbatim`, `path`, `callPackage` (only the formals `inputs` has, defaults apply), `matchers.nix`,
 * `extension`, `always`, `regex`, and `transformers.liftDefault`, `hoistLists`, `hoistAttrs`,
 * `prependUnderscore`. Not modelled: `loaders.scoped` (`scopedImport`), `matchers.json`/`toml`
 * (their files are data), `loadEvalTests`; two entries with the same name (`a.nix` and `a/`)
 * make that name unknown where haumea fails.
 */
import { posix } from 'node:path';
import { apply, attrs, fn, fn2, force, knownString, list, ready, str, unknown } from '../eval/helpers';
import { lazyAttrs, lazyThunk, type ModuleWorld } from '../modules';
import type { AttrsValue, Binding, Thunk, Value } from '../value';
import { entries, fsPath, notAPath, recordImport } from './files';

type Visibility = 'public' | 'root' | 'super';

interface DirNode {
  path: string;
  /** Children by name, read on first use; undefined when the directory cannot be listed. */
  children(): Map<string, Child> | undefined;
}

type Child =
  | { kind: 'directory'; visibility: Visibility; node: DirNode }
  | { kind: 'file'; visibility: Visibility; content: Thunk }
  | { kind: 'conflict'; visibility: Visibility; why: string };

/** Where a view is seen from: outside `src` (the result), or from a directory inside it. */
type PointOfView = { external: true } | { external: false; cursor: readonly string[] };

export function haumeaInput(world: ModuleWorld): Value {
  return attrs({ lib: haumeaLib(world) }, { complete: false });
}

function haumeaLib(world: ModuleWorld): AttrsValue {
  return attrs(
    {
      load: fn('haumea.load', (args, callSite) => load(world, args, callSite?.file)),
      loaders: attrs({
        default: fn2('haumea.loaders.default', (inputs, p) => loadFunctionFile(world, inputs, p, false)),
        callPackage: fn2('haumea.loaders.callPackage', (inputs, p) => loadFunctionFile(world, inputs, p, true)),
        verbatim: fn2('haumea.loaders.verbatim', (_inputs, p) => loadFile(world, p)),
        path: fn2('haumea.loaders.path', (_inputs, p) => force(p)),
        scoped: fn2('haumea.loaders.scoped', () => unknown('haumea loaders.scoped (scopedImport) is not evaluated')),
      }),
      matchers: attrs({
        nix: fn('haumea.matchers.nix', (f) => matcher((name) => name.length > 4 && name.endsWith('.nix'), f)),
        always: fn('haumea.matchers.always', (f) => matcher(() => true, f)),
        extension: fn2('haumea.matchers.extension', (ext, f) => {
          const e = knownString(force(ext));
          return e === undefined ? unknown('haumea matchers.extension of an unknown extension') : matcher((name) => name.length > e.length + 1 && name.endsWith(`.${e}`), f);
        }),
        regex: fn2('haumea.matchers.regex', (re, f) => attrs({ matches: fn('matches', (name) => apply(builtin(world, 'match'), re, name)), loader: f })),
        json: matcher((name) => name.endsWith('.json'), ready(dataLoader('JSON'))),
        toml: matcher((name) => name.endsWith('.toml'), ready(dataLoader('TOML'))),
      }),
      transformers: attrs({
        liftDefault: fn2('haumea.transformers.liftDefault', (_cursor, mod) => liftDefault(force(mod))),
        hoistLists: fn2('haumea.transformers.hoistLists', (from, to) => hoister(from, to, 'lists')),
        hoistAttrs: fn2('haumea.transformers.hoistAttrs', (from, to) => hoister(from, to, 'attrs')),
        prependUnderscore: fn2('haumea.transformers.prependUnderscore', (_cursor, mod) => prependUnderscore(force(mod))),
      }),
    },
    { complete: false },
  );
}

function builtin(world: ModuleWorld, name: string): Value {
  return force(world.evaluator.builtins.attrs.get(name)?.thunk);
}

function matcher(accepts: (name: string) => boolean, loader: Thunk): Value {
  return attrs({
    matches: fn('matches', (name) => {
      const n = knownString(force(name));
      return n === undefined ? unknown('file name') : { kind: 'bool', value: accepts(n) };
    }),
    loader,
  });
}

function dataLoader(format: string): Value {
  return fn2(`haumea ${format} loader`, () => unknown(`haumea: ${format} files are data, not evaluated`));
}

function loadFile(world: ModuleWorld, p: Thunk): Value {
  const file = fsPath(force(p));
  return file === undefined ? notAPath('haumea loader', force(p)) : world.evaluator.evalFile(file);
}

/**
 * `loaders.default`: a function file is called with the inputs its formals name (their defaults
 * never apply); `loaders.callPackage`: with those `inputs` has, so defaults do.
 */
function loadFunctionFile(world: ModuleWorld, inputs: Thunk, p: Thunk, onlyPresent: boolean): Value {
  const v = loadFile(world, p);
  if (v.kind !== 'function') return v.kind === 'attrs' && v.attrs.has('__functor') ? apply(v, attrs({})) : v;
  const given = force(inputs);
  const args = new Map<string, Binding>();
  for (const name of v.formals?.names ?? []) {
    const b = given.kind === 'attrs' ? given.attrs.get(name) : undefined;
    if (b) args.set(name, b);
    else if (!onlyPresent) args.set(name, { thunk: ready(unknown(`haumea: no input named ${name}`)) });
  }
  return v.apply(ready({ kind: 'attrs', attrs: args, complete: true }));
}

function load(world: ModuleWorld, argsThunk: Thunk, callerFile: string | undefined): Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown('haumea.load of a non-attrset');
  const srcValue = force(args.attrs.get('src')?.thunk);
  const src = fsPath(srcValue);
  if (src === undefined) return notAPath('haumea.load src', srcValue);
  const inputs = args.attrs.get('inputs')?.thunk ?? ready(attrs({}));
  const loaderThunk = args.attrs.get('loader')?.thunk;
  const transformers = lazyThunk(() => list(flattenList(args.attrs.get('transformer')?.thunk)));
  const views = new Map<string, Value>();

  const node = (dir: string): DirNode => {
    let memo: Map<string, Child> | undefined | null = null;
    return { path: dir, children: () => (memo === null ? (memo = readChildren(dir, cursorOf(dir))) : memo) };
  };
  const cursorOf = (dir: string): string[] => {
    const rel = posix.relative(src, dir);
    return rel === '' ? [] : rel.split('/').map((part) => parseName(part, 'directory')?.name ?? part);
  };
  const readChildren = (dir: string, cursor: string[]): Map<string, Child> | undefined => {
    const listing = entries(world, dir);
    if (!listing) return undefined;
    const out = new Map<string, Child>();
    for (const [entry, kind] of listing) {
      const type = kind === 'directory' ? 'directory' : 'regular';
      const parsed = parseName(entry, type);
      if (!parsed) continue;
      const path = posix.join(dir, entry);
      let child: Child | undefined;
      if (type === 'directory') child = { kind: 'directory', visibility: parsed.visibility, node: node(path) };
      else {
        const content = fileContent(path, parsed.bare, cursor);
        if (content) child = { kind: 'file', visibility: parsed.visibility, content };
      }
      if (!child) continue;
      const before = out.get(parsed.name);
      out.set(parsed.name, before ? { kind: 'conflict', visibility: child.visibility, why: `haumea: ${entry} conflicts with another entry named ${parsed.name} in ${dir}` } : child);
    }
    return out;
  };
  const root = node(src);

  /** The value of a file: its loader applied to the inputs, `self`, `super` and `root` (seen from its directory). */
  const fileContent = (path: string, bareName: string, cursor: string[]): Thunk | undefined => {
    const loader = pickLoader(world, loaderThunk, bareName);
    if (!loader) return undefined;
    recordImport(world, callerFile, path);
    let self: Thunk;
    const pov: PointOfView = { external: false, cursor };
    const rootView = lazyThunk(() => view(root, [], pov));
    const loaderInputs = lazyThunk(() => {
      const given = force(inputs);
      const m = new Map<string, Binding>(given.kind === 'attrs' ? given.attrs : []);
      m.set('root', { thunk: rootView });
      m.set('super', { thunk: lazyThunk(() => cursor.reduce<Value>((v, k) => (v.kind === 'attrs' ? force(v.attrs.get(k)?.thunk) : v), force(rootView))) });
      m.set('self', { thunk: lazyThunk(() => force(self)) });
      return { kind: 'attrs', attrs: m, complete: given.kind !== 'attrs' || given.complete };
    });
    self = lazyThunk(() => loader(loaderInputs, ready({ kind: 'path', path })));
    return self;
  };

  const view = (dir: DirNode, cursor: readonly string[], pov: PointOfView): Value => {
    const key = `${pov.external ? '<external>' : pov.cursor.join('/')}|${cursor.join('/')}`;
    const memo = views.get(key);
    if (memo) return memo;
    const children = dir.children();
    if (!children) return unknown(`haumea: cannot read ${dir.path}`);
    const visible = (v: Visibility) =>
      v === 'public' || (!pov.external && (v === 'root' || (v === 'super' && cursor.every((c, i) => pov.cursor[i] === c))));
    const names = [...children].filter(([, c]) => visible(c.visibility)).map(([n]) => n);
    const set = lazyAttrs(
      () => names,
      (name) => {
        const c = names.includes(name) ? children.get(name) : undefined;
        if (!c) return undefined;
        if (c.kind === 'file') return { thunk: c.content };
        if (c.kind === 'conflict') return { thunk: ready(unknown(c.why)) };
        return { thunk: lazyThunk(() => view(c.node, [...cursor, name], pov)) };
      },
      () => true,
    );
    const cursorValue = list(cursor.map((c) => str(c)));
    const ts = force(transformers);
    let result: Value = set;
    for (const t of ts.kind === 'list' ? ts.items : []) result = apply(force(t), cursorValue, result);
    views.set(key, result);
    return result;
  };

  return view(root, [], { external: true });
}

/** A file's attribute name and visibility, as haumea parses entry names (files lose their last extension). */
function parseName(entry: string, type: 'directory' | 'regular'): { name: string; bare: string; visibility: Visibility } | undefined {
  const m = type === 'directory' ? /^(_{0,2})(.+)$/.exec(entry) : /^(_{0,2})(.+)\.[^.]+$/.exec(entry);
  if (!m) return undefined;
  const visibility: Visibility = m[1] === '' ? 'public' : m[1] === '_' ? 'root' : 'super';
  return { name: m[2], bare: entry.slice(m[1].length), visibility };
}

/** How a file is loaded: the loader function for `.nix` files, or the first matcher accepting the name. */
function pickLoader(world: ModuleWorld, loaderThunk: Thunk | undefined, fileName: string): ((inputs: Thunk, path: Thunk) => Value) | undefined {
  const loader = loaderThunk ? force(loaderThunk) : undefined;
  if (!loader || loader.kind !== 'list') {
    if (!fileName.endsWith('.nix') || fileName.length <= 4) return undefined;
    const haumeaDefault = (inputs: Thunk, p: Thunk) => loadFunctionFile(world, inputs, p, false);
    return loader ? (inputs, p) => apply(loader, inputs, p) : haumeaDefault;
  }
  for (const item of loader.items) {
    const m = force(item);
    if (m.kind !== 'attrs') return () => unknown('haumea: a matcher that is not an attribute set');
    const verdict = apply(force(m.attrs.get('matches')?.thunk), str(fileName));
    const f = m.attrs.get('loader')?.thunk;
    if (verdict.kind === 'unknown') return () => unknown('haumea: a matcher could not be decided');
    if (verdict.kind === 'bool' && verdict.value) return (inputs, p) => apply(force(f), inputs, p);
    if (verdict.kind === 'list') return (inputs, p) => apply(force(f), verdict, inputs, p);
  }
  return undefined;
}

function flattenList(t: Thunk | undefined, depth = 0): Thunk[] {
  if (!t) return [];
  const v = force(t);
  if (v.kind !== 'list' || depth > 8) return [t];
  return v.items.flatMap((item) => flattenList(item, depth + 1));
}

/** `liftDefault`: the attributes of `default` join the directory's, which must not have them already. */
function liftDefault(mod: Value): Value {
  if (mod.kind !== 'attrs') return mod;
  const d = mod.attrs.get('default');
  if (!d) return mod;
  const lifted = force(d.thunk);
  if (lifted.kind !== 'attrs') return unknown('haumea liftDefault: `default` is not an attribute set');
  const out = new Map([...mod.attrs].filter(([k]) => k !== 'default'));
  for (const [k, b] of lifted.attrs) {
    if (out.has(k)) return unknown(`haumea liftDefault: \`default\` and its directory both define ${k}`);
    out.set(k, b);
  }
  return { kind: 'attrs', attrs: out, complete: mod.complete && lifted.complete };
}

/**
 * `hoistLists from to` / `hoistAttrs from to`: each child's `from` attribute moves up to its
 * directory's `from` (lists concatenated, attribute sets keyed by the child's name), and at the
 * root becomes `to`.
 */
function hoister(fromThunk: Thunk, toThunk: Thunk, shape: 'lists' | 'attrs'): Value {
  return fn2('haumea hoist', (cursor, modThunk) => {
    const from = knownString(force(fromThunk));
    const to = knownString(force(toThunk));
    const mod = force(modThunk);
    if (from === undefined || to === undefined) return unknown('haumea hoist of an unknown attribute name');
    if (mod.kind !== 'attrs') return mod;
    const c = force(cursor);
    const target = c.kind === 'list' && c.items.length === 0 ? to : from;
    const out = new Map<string, Binding>();
    const hoisted: Thunk[] = [];
    const hoistedAttrs = new Map<string, Binding>();
    for (const [name, b] of mod.attrs) {
      const v = force(b.thunk);
      const inner = v.kind === 'attrs' ? v.attrs.get(from) : undefined;
      if (!inner || v.kind !== 'attrs') {
        out.set(name, b);
        continue;
      }
      out.set(name, { thunk: ready({ kind: 'attrs', attrs: new Map([...v.attrs].filter(([k]) => k !== from)), complete: v.complete }) });
      if (shape === 'lists') hoisted.push(inner.thunk);
      else hoistedAttrs.set(name, inner);
    }
    if (shape === 'lists' && hoisted.length > 0) {
      out.set(target, {
        thunk: lazyThunk(() => {
          const items: Thunk[] = [];
          let complete = true;
          for (const h of hoisted) {
            const l = force(h);
            if (l.kind === 'list') {
              items.push(...l.items);
              complete &&= l.complete;
            } else complete = false;
          }
          return { kind: 'list', items, complete };
        }),
      });
    }
    if (shape === 'attrs' && hoistedAttrs.size > 0) out.set(target, { thunk: ready({ kind: 'attrs', attrs: hoistedAttrs, complete: true }) });
    return { kind: 'attrs', attrs: out, complete: mod.complete };
  });
}

/** `prependUnderscore`: names that are not Nix identifiers (`42`) get a leading `_`. */
function prependUnderscore(mod: Value): Value {
  if (mod.kind !== 'attrs') return mod;
  const out = new Map<string, Binding>();
  for (const [k, b] of mod.attrs) out.set(/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(k) ? k : `_${k}`, b);
  return { kind: 'attrs', attrs: out, complete: mod.complete };
}
