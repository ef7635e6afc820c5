/**
 * import-tree (github:vic/import-tree): `import-tree ./modules` is the module
 * `{ imports = [ <every .nix file below ./modules> ]; }`, a file left out when its path relative
 * to the tree's root has a component starting with `_`; a list of paths (nested lists, values
 * with an `outPath`, other trees) is walked the same way, and anything that is not a path is
 * passed through as a module.
 *
 * Modelled, as its README documents it: the callable value and its builder methods `.filter`,
 * `.filterNot`, `.match`, `.matchNot` (on the root-relative path string), `.initFilter`
 * (replaces the default `.nix` filter), `.map` (composed, first first), `.addPath`, `.addAPI`
 * (methods bound to the tree), `.withLib`, `.leafs`, `.pipeTo`, `.files`, `.result`, `.new`; a
 * tree used directly as a module (called with module arguments) imports its accumulated paths.
 * A file whose filter cannot be decided statically is left out and makes the list incomplete
 * (a gap), never guessed.
 */
import { apply, attrs, fn, force, getAttr, list, ready, str, unknown } from '../eval/helpers';
import { lazyThunk, type ModuleWorld } from '../modules';
import type { AttrsValue, Thunk, Value } from '../value';
import { filesBelow, fsPath, isDirectory } from './files';

type PathFilter = { kind: 'predicate'; fn: Thunk; negate: boolean } | { kind: 'regex'; regex: Thunk; negate: boolean };

interface TreeState {
  roots: Thunk[];
  filters: PathFilter[];
  /** Applied to every selected item, first added first. */
  maps: Thunk[];
  lib?: Thunk;
  /** Set by `.leafs` (the file list itself) or `.pipeTo f`: the result is no longer a module. */
  pipe?: { kind: 'leafs' } | { kind: 'function'; fn: Thunk };
  initFilter?: Thunk;
  api: [string, Thunk][];
}

const INITIAL: TreeState = { roots: [], filters: [], maps: [], api: [] };

export function importTreeInput(world: ModuleWorld): Value {
  return tree(world, INITIAL);
}

function tree(world: ModuleWorld, state: TreeState): AttrsValue {
  const next = (change: Partial<TreeState>) => tree(world, { ...state, ...change });
  const addFilter = (f: PathFilter) => next({ filters: [...state.filters, f] });
  let self: AttrsValue;
  const methods: Record<string, Value | Thunk> = {
    __config: attrs({ __functor: fn('import-tree.__config', () => unknown('import-tree internals')) }, { complete: false }),
    __functor: fn('import-tree', () => fn('import-tree', (arg) => call(world, state, arg))),
    filter: fn('import-tree.filter', (f) => addFilter({ kind: 'predicate', fn: f, negate: false })),
    filterNot: fn('import-tree.filterNot', (f) => addFilter({ kind: 'predicate', fn: f, negate: true })),
    match: fn('import-tree.match', (re) => addFilter({ kind: 'regex', regex: re, negate: false })),
    matchNot: fn('import-tree.matchNot', (re) => addFilter({ kind: 'regex', regex: re, negate: true })),
    map: fn('import-tree.map', (f) => next({ maps: [...state.maps, f] })),
    addPath: fn('import-tree.addPath', (p) => next({ roots: [...state.roots, p] })),
    addAPI: fn('import-tree.addAPI', (api) => {
      const a = force(api);
      if (a.kind !== 'attrs') return unknown('import-tree.addAPI of a non-attrset');
      return next({ api: [...state.api.filter(([k]) => !a.attrs.has(k)), ...[...a.attrs].map(([k, b]): [string, Thunk] => [k, b.thunk])] });
    }),
    withLib: fn('import-tree.withLib', (lib) => next({ lib })),
    initFilter: fn('import-tree.initFilter', (f) => next({ initFilter: f })),
    pipeTo: fn('import-tree.pipeTo', (f) => next({ pipe: { kind: 'function', fn: f } })),
    leafs: lazyThunk(() => next({ pipe: { kind: 'leafs' } })),
    result: lazyThunk(() => call(world, state, ready(list([])))),
    files: lazyThunk(() => call(world, { ...state, pipe: { kind: 'leafs' } }, ready(list([])))),
    new: lazyThunk(() => tree(world, INITIAL)),
  };
  // Methods added with `.addAPI` are late-bound: each receives the tree it is called on.
  for (const [name, g] of state.api) methods[name] = lazyThunk(() => apply(force(g), self));
  self = attrs(methods, { complete: false });
  return self;
}

/** Calling a tree: with module arguments it is a module of its accumulated roots, else of `arg` too. */
function call(world: ModuleWorld, state: TreeState, arg: Thunk): Value {
  const a = force(arg);
  const inModuleEvaluation = a.kind === 'attrs' && a.attrs.has('options');
  const roots = inModuleEvaluation ? state.roots : [...state.roots, arg];
  if (!state.pipe) {
    return attrs({ imports: lazyThunk(() => selected(world, state, roots)) });
  }
  if (!state.lib) return unknown('import-tree: the tree is read before `.withLib` was called');
  const pipe = state.pipe;
  const files = lazyThunk(() => selected(world, state, roots));
  return pipe.kind === 'leafs' ? force(files) : apply(force(pipe.fn), files);
}

type Item = { value: Value; file?: string };

/** The items a tree selects from `roots`, filtered and mapped. */
function selected(world: ModuleWorld, state: TreeState, roots: Thunk[]): Value {
  const flat: Value[] = [];
  let complete = true;
  const flatten = (t: Thunk, depth: number) => {
    const v = force(t);
    if (v.kind === 'list' && depth < 16) {
      for (const item of v.items) flatten(item, depth + 1);
      if (!v.complete) complete = false;
    } else flat.push(v);
  };
  roots.forEach((r) => flatten(r, 0));
  const directories = flat.map((v) => fsPath(v)).filter((p): p is string => p !== undefined && isDirectory(world, p));
  const items: Item[] = [];
  for (const v of flat) {
    if (v.kind === 'unknown') {
      complete = false;
      continue;
    }
    if (v.kind === 'attrs' && v.attrs.has('__config') && v.attrs.has('__functor')) {
      // Another tree in the list: its own files, selected by its own filters.
      const withLib = getAttr(v, 'withLib');
      const configured = withLib.kind === 'function' ? apply(withLib, state.lib ?? world.evaluator.lib) : v;
      const files = getAttr(configured, 'files');
      if (files.kind !== 'list') complete = false;
      else for (const f of files.items) items.push({ value: force(f), file: fsPath(force(f)) });
      continue;
    }
    const p = fsPath(v);
    if (p !== undefined && isDirectory(world, p)) {
      const below = filesBelow(world, p);
      if (!below) complete = false;
      for (const file of below ?? []) items.push({ value: { kind: 'path', path: file }, file });
    } else if (p !== undefined) items.push({ value: v.kind === 'path' ? v : { kind: 'path', path: p }, file: p });
    else if (v.kind === 'string' || v.kind === 'path') complete = false;
    else items.push({ value: v });
  }
  const out: Thunk[] = [];
  for (const item of items) {
    const keep = accepts(world, state, item, directories);
    if (keep === undefined) {
      complete = false;
      continue;
    }
    if (!keep) continue;
    let value: Value = item.value;
    for (const f of state.maps) value = apply(force(f), value);
    out.push(ready(value));
  }
  return list(out, { complete });
}

/** Whether an item passes the tree's filters; undefined when a filter cannot be decided. */
function accepts(world: ModuleWorld, state: TreeState, item: Item, directories: string[]): boolean | undefined {
  let subject: Value;
  if (item.file !== undefined) {
    const root = directories.find((d) => item.file!.startsWith(d.replace(/\/+$/, '') + '/'));
    const relative = root === undefined ? item.file : item.file.slice(root.replace(/\/+$/, '').length);
    subject = str(relative);
    if (!state.initFilter && !(relative.endsWith('.nix') && !relative.includes('/_'))) return false;
  } else subject = item.value;
  const checks: (() => boolean | undefined)[] = [];
  if (state.initFilter) {
    const init = state.initFilter;
    checks.push(() => truth(apply(force(init), subject)));
  }
  for (const f of state.filters) {
    checks.push(() => {
      const r = f.kind === 'predicate' ? truth(apply(force(f.fn), subject)) : regexMatches(world, f.regex, subject);
      return r === undefined ? undefined : r !== f.negate;
    });
  }
  let undecided = false;
  for (const check of checks) {
    const r = check();
    if (r === false) return false;
    if (r === undefined) undecided = true;
  }
  return undecided ? undefined : true;
}

function truth(v: Value): boolean | undefined {
  return v.kind === 'bool' ? v.value : undefined;
}

function regexMatches(world: ModuleWorld, regex: Thunk, subject: Value): boolean | undefined {
  if (subject.kind !== 'string') return undefined;
  const r = apply(getAttr(world.evaluator.builtins, 'match'), regex, subject);
  if (r.kind === 'null') return false;
  return r.kind === 'list' ? true : undefined;
}

