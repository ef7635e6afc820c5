/**
 * digga (github:divnix/digga), built on flake-utils-plus: `lib.mkFlake { self; inputs ? self.inputs;
 * nixos; … }` where `nixos` (a module, or a path to one, of the options `hosts`, `hostDefaults`,
 * `importables`; its `imports` are followed) gives
 *  - `nixosConfigurations.<name>` for every `nixos.hosts.<name>` (`system`, `channelName`,
 *    `modules`, a single module or nested lists flattened), over `nixos.hostDefaults` (itself a
 *    module: `system`, `channelName`, `modules`, `exportedModules`, the older `externalModules`,
 *    `specialArgs`/`extraArgs` as flake-utils-plus takes them, its `imports` followed), with
 *    digga's own default modules (home-manager defaults, nix settings, `config.lib.digga`:
 *    inert) and the special arguments `importables // { self; inputs; }` (`suites`,
 *    `profiles`, … as module arguments);
 *  - `nixosModules` from `hostDefaults.exportedModules` (named by file), every other argument
 *    not one of digga's options as an output.
 * `lib`: `rakeLeaves` (a tree of the `.nix` files and `default.nix` directories), `flattenTree`
 * (dotted names), `importHosts dir` (`{ hosts.<name>.modules = [ file ]; }` for each leaf),
 * `importExportableModules dir`, `importOverlays dir`, `exportModules`, flake-utils' `eachSystem`
 * family. Not modelled: `home`, `devshell`, `channels` and their overlays, `outputsBuilder`,
 * `deploy`/`mkDeployNodes`, `mkHomeConfigurations`, tests, the `hosts` module argument (other
 * hosts' configs).
 */
import { posix } from 'node:path';
import { attrs, fn, force, list, ready, unknown } from '../eval/helpers';
import { lazyAttrs, lazyThunk, mergeAttrs, type ModuleWorld } from '../modules';
import type { Binding, Thunk, Value } from '../value';
import { entries, exists, fsPath, notAPath } from './files';
import { exportModules, flakeUtilsLib, fupMkFlake } from './flakeUtils';

/** mkFlake arguments that are digga's options (everything else is an output). */
const DIGGA_OPTIONS = new Set(['self', 'inputs', 'supportedSystems', 'channelsConfig', 'channels', 'outputsBuilder', 'nixos', 'home', 'devshell']);

/** Where the model's own Nix text lives (never a workspace path). */
const OPTIONS_FILE = '/nix/store/digga-model/options.nix';

/** The options of `nixos` that matter here, as digga declares them (list options concatenate). */
const NIXOS_OPTIONS = `{ lib, ... }: {
  options.hosts = lib.mkOption { default = { }; };
  options.hostDefaults = lib.mkOption { default = { }; };
  options.importables = lib.mkOption { default = { }; };
}`;

export function diggaInput(world: ModuleWorld, inputName: string): Value {
  const inert = (name: string) => world.marker({ kind: 'inert', name: `${inputName}.nixosModules.${name}` });
  const lib = new Map<string, Binding>(Object.entries(flakeUtilsLib()).map(([k, v]) => [k, { thunk: ready(v) }]));
  const set = (k: string, v: Value) => lib.set(k, { thunk: ready(v) });
  set('mkFlake', attrs({
    __functor: fn('digga mkFlake', () => fn(`${inputName}.lib.mkFlake`, (args) => mkFlake(world, inputName, args))),
    options: fn('digga mkFlake.options', () => unknown('digga option declarations are not modelled')),
  }));
  set('rakeLeaves', fn('rakeLeaves', (dir) => withPath('rakeLeaves', dir, (p) => rakeLeaves(world, p))));
  set('flattenTree', fn('flattenTree', (tree) => flattenTree(force(tree))));
  set('importHosts', fn('importHosts', (dir) => withPath('importHosts', dir, (p) => {
    const leaves = flattenTree(rakeLeaves(world, p));
    if (leaves.kind !== 'attrs') return leaves;
    const hosts = new Map<string, Binding>([...leaves.attrs].map(([n, b]) => [n, { thunk: ready(attrs({ modules: list([b.thunk]) })), keyLocation: b.keyLocation }]));
    return attrs({ hosts: { kind: 'attrs', attrs: hosts, complete: leaves.complete } });
  })));
  const leafList = (key: string) => fn(key, (dir) => withPath(key, dir, (p) => {
    const leaves = flattenTree(rakeLeaves(world, p));
    if (leaves.kind !== 'attrs') return leaves;
    return attrs({ [key === 'importOverlays' ? 'overlays' : 'exportedModules']: list([...leaves.attrs.values()].map((b) => b.thunk), { complete: leaves.complete }) });
  }));
  set('importExportableModules', leafList('importExportableModules'));
  set('importOverlays', leafList('importOverlays'));
  set('exportModules', fn('exportModules', exportModules));
  return attrs(
    {
      lib: { kind: 'attrs', attrs: lib, complete: false },
      nixosModules: attrs({ bootstrapIso: inert('bootstrapIso'), nixConfig: inert('nixConfig') }, { complete: false }),
    },
    { complete: false },
  );
}

function withPath(what: string, dir: Thunk, f: (p: string) => Value): Value {
  const v = force(dir);
  const p = fsPath(v);
  return p === undefined ? notAPath(what, v) : f(p);
}

/**
 * `rakeLeaves dir`: each `.nix` file as its name without `.nix`, each directory holding a
 * `default.nix` as itself, any other directory as the same again (left out when empty).
 */
function rakeLeaves(world: ModuleWorld, dir: string, depth = 0): Value {
  const listing = entries(world, dir);
  if (!listing) return unknown(`rakeLeaves: cannot read ${dir}`);
  const out = new Map<string, Binding>();
  let complete = true;
  for (const [name, kind] of listing) {
    const p = posix.join(dir, name);
    if (kind === 'regular' && name.endsWith('.nix')) out.set(name.slice(0, -'.nix'.length), { thunk: ready({ kind: 'path', path: p }) });
    else if (kind === 'directory') {
      if (exists(world, posix.join(p, 'default.nix'))) out.set(name, { thunk: ready({ kind: 'path', path: p }) });
      else if (depth < 16) {
        const sub = rakeLeaves(world, p, depth + 1);
        if (sub.kind === 'attrs' && sub.attrs.size === 0) continue;
        if (sub.kind !== 'attrs') complete = false;
        out.set(name, { thunk: ready(sub) });
      }
    }
  }
  return { kind: 'attrs', attrs: out, complete };
}

/** `flattenTree`: the paths of a rakeLeaves tree under their dotted names (`a.b.c`). */
function flattenTree(tree: Value): Value {
  if (tree.kind !== 'attrs') return tree.kind === 'unknown' ? tree : unknown('flattenTree of a non-attrset');
  const out = new Map<string, Binding>();
  let complete = tree.complete;
  const walk = (v: Value, prefix: string[], depth: number) => {
    if (v.kind !== 'attrs' || depth > 16) return;
    for (const [k, b] of v.attrs) {
      const child = force(b.thunk);
      const name = [...prefix, k];
      if (child.kind === 'path') out.set(name.join('.'), { thunk: ready(child) });
      else if (child.kind === 'attrs') {
        if (!child.complete) complete = false;
        walk(child, name, depth + 1);
      } else if (child.kind === 'unknown') complete = false;
    }
  };
  walk(tree, [], 0);
  return { kind: 'attrs', attrs: out, complete };
}

/** digga's `modules` options: one module or (nested) lists of them, as one flat list. */
function moduleList(v: Value | undefined): { items: Thunk[]; complete: boolean } {
  if (!v || v.kind === 'null') return { items: [], complete: true };
  if (v.kind !== 'list') return { items: [ready(v)], complete: v.kind !== 'unknown' };
  const items: Thunk[] = [];
  let complete = v.complete;
  for (const item of v.items) {
    const x = force(item);
    if (x.kind === 'list') {
      const inner = moduleList(x);
      items.push(...inner.items);
      complete &&= inner.complete;
    } else items.push(item);
  }
  return { items, complete };
}

function mkFlake(world: ModuleWorld, inputName: string, argsThunk: Thunk): Value {
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown('digga mkFlake of a non-attrset');
  const self = args.attrs.get('self')?.thunk ?? ready(unknown('digga mkFlake without self'));
  const inputs = args.attrs.get('inputs')?.thunk ?? lazyThunk(() => {
    const s = force(self);
    return s.kind === 'attrs' ? force(s.attrs.get('inputs')?.thunk) : unknown('digga mkFlake without inputs');
  });
  const nixosArg = args.attrs.get('nixos')?.thunk;
  const nixos = world.makeModuleConfiguration({
    name: '<digga nixos>',
    kind: 'modules',
    modules: [{ thunk: ready(world.evaluator.evalSource(OPTIONS_FILE, NIXOS_OPTIONS)) }, ...(nixosArg ? [{ thunk: nixosArg }] : [])],
    specialArgs: ready(attrs({ self, inputs })),
  });
  // hostDefaults is a module of its own: each definition of it is a module, whose `imports`
  // (importExportableModules) add to its lists.
  const hostDefaults = world.makeModuleConfiguration({
    name: '<digga hostDefaults>',
    kind: 'modules',
    modules: nixos.liveDefsAt(['hostDefaults']).map((d) => ({ thunk: ready(d.def.value), file: d.def.location?.file })),
    specialArgs: ready(attrs({ self, inputs })),
  });
  const defaults = (key: string): Value | undefined => (hostDefaults.liveDefsAt([key]).length > 0 ? hostDefaults.view([key]) : undefined);
  const defaultModules = lazyThunk(() => {
    const parts = [moduleList(defaults('modules')), moduleList(defaults('externalModules')), moduleList(defaults('exportedModules'))];
    const internal = ready(world.marker({ kind: 'inert', name: `${inputName} default host modules` }));
    return list([...parts.flatMap((p) => p.items), internal], { complete: parts.every((p) => p.complete) });
  });
  const importables = lazyThunk(() => {
    const v = nixos.view(['importables']);
    return v.kind === 'attrs' ? v : attrs({});
  });
  const scalar = (v: Value): Thunk | undefined => (v.kind === 'string' ? ready(v) : undefined);
  const hostDefaultsArg = lazyThunk(() => {
    const m = new Map<string, Binding>();
    const system = scalar(defaults('system') ?? unknown());
    if (system) m.set('system', { thunk: system });
    m.set('modules', { thunk: defaultModules });
    // digga's own special arguments win over any the user gives (fup's mergeAny, digga's on the right).
    const given = defaults('specialArgs');
    m.set('specialArgs', { thunk: mergeAttrs(given ? ready(given) : undefined, mergeAttrs(importables, ready(attrs({ self, inputs }))))! });
    const extraArgs = defaults('extraArgs');
    if (extraArgs) m.set('extraArgs', { thunk: ready(extraArgs) });
    return { kind: 'attrs', attrs: m, complete: true };
  });
  const hostsView = nixos.view(['hosts']);
  const hosts = new Map<string, Binding>();
  if (hostsView.kind === 'attrs') {
    for (const name of hostsView.attrs.keys()) {
      hosts.set(name, {
        thunk: lazyThunk(() => {
          const m = new Map<string, Binding>();
          const defined = (key: string) => (nixos.liveDefsAt(['hosts', name, key]).length > 0 ? nixos.view(['hosts', name, key]) : undefined);
          const system = scalar(defined('system') ?? unknown());
          if (system) m.set('system', { thunk: system });
          const own = moduleList(defined('modules'));
          m.set('modules', { thunk: ready(list(own.items, { complete: own.complete })) });
          for (const key of ['specialArgs', 'extraArgs']) {
            const v = defined(key);
            if (v) m.set(key, { thunk: ready(v) });
          }
          return { kind: 'attrs', attrs: m, complete: true };
        }),
        keyLocation: hostsView.attrs.get(name)?.keyLocation,
      });
    }
  }
  const fupArgs = new Map<string, Binding>([...args.attrs].filter(([k]) => !DIGGA_OPTIONS.has(k)));
  fupArgs.set('self', { thunk: self });
  fupArgs.set('inputs', { thunk: inputs });
  fupArgs.set('hosts', { thunk: ready({ kind: 'attrs', attrs: hosts, complete: hostsView.kind === 'attrs' && hostsView.complete }) });
  fupArgs.set('hostDefaults', { thunk: hostDefaultsArg });
  const outputs = fupMkFlake(world, ready({ kind: 'attrs', attrs: fupArgs, complete: args.complete }));
  if (outputs.kind !== 'attrs') return outputs;
  const m = new Map(outputs.attrs);
  m.set('nixosModules', {
    thunk: lazyThunk(() => exportModules(ready(list(moduleList(defaults('exportedModules')).items.filter((t) => fsPath(force(t)) !== undefined))))),
  });
  return lazyAttrs(() => [...m.keys()], (k) => m.get(k), () => false);
}

