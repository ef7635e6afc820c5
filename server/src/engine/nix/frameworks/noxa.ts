/**
 * noxa (github:0xCCF4/noxa): `lib.noxa-instantiate { modules; specialArgs; }` evaluates its
 * modules as a module system (class `noxa`) whose options that matter here are
 *  - `nodes.<name>`: one NixOS host each, a submodule with `configuration` (the host's NixOS
 *    modules, merged as one module) and `specialArgs`;
 *  - `defaults`: modules of every node's submodule (so `name` is the node's name there), which
 *    is how `defaults.configuration` and `defaults.specialArgs` reach every host;
 *  - `nodeNames` (bookkeeping, no effect on the hosts).
 * Each node is evaluated as a NixOS system of `configuration`, noxa's own NixOS modules
 * (`nixosModules.default`: secrets, ssh, wireguard — outside the workspace, so a gap), and the
 * module arguments `name`, `noxaHost` (the node's name) and `nodes` (every node's config); its
 * special arguments are noxa's `agenix` / `agenix-rekey`, then the node's `specialArgs`, then
 * `noxa = { lib; }`. The result is an evalModules value: `config.nodes.<name>.configuration` is
 * the host's config (what flakes hand to `nixosConfigurations.<name>.config`).
 * The directory helpers: `nixDirectoryToList dir` (every `*.nix` but `default.nix`, then every
 * `<dir>/default.nix`), `nixDirectoryToAttr dir` (the same by file name, `.nix` kept; files win
 * over directories) and `nixDirectoryToAttr' dir` (by name without `.nix`, `default.nix` as
 * `default`, as its users' `removeAttrs … [ "default" ]` show).
 * Not modelled: noxa's own noxa modules (wireguard, ssh: they only add to what its NixOS modules
 * read, which is the gap already), `nixos-instantiate` (the older API), the other `lib` functions.
 */
import { posix } from 'node:path';
import { known } from '../../pattern';
import { attrs, fn, force, ready, unknown } from '../eval/helpers';
import { opaque, anyKeyAttrs } from '../outside';
import { lazyAttrs, lazyThunk, mergeAttrs, type Configuration, type ModuleWorld, type SystemCall } from '../modules';
import type { AttrsValue, Binding, Thunk, Value } from '../value';
import { entries, exists, fsPath, notAPath } from './files';

/** Where the model's own Nix text lives (never a workspace path). */
const MODEL_FILE = '/nix/store/noxa-model/model.nix';

/** The options of noxa's top level and of one node, as far as the hosts depend on them. */
const MODEL = `{
  top = { lib, ... }: {
    options.nodes = lib.mkOption { type = lib.types.attrsOf lib.types.deferredModule; default = { }; };
    options.defaults = lib.mkOption { type = lib.types.deferredModule; default = { }; };
    options.nodeNames = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
  };
  node = { lib, ... }: {
    options.configuration = lib.mkOption { type = lib.types.deferredModule; default = { }; };
    options.specialArgs = lib.mkOption { type = lib.types.attrsOf lib.types.raw; default = { }; };
  };
}`;

interface NoxaModel {
  world: ModuleWorld;
  inputName: string;
  /** The noxa input itself (the `noxa` special argument of noxa's module system). */
  input: Thunk;
  lib: Thunk;
  model: Thunk;
}

export function noxaInput(world: ModuleWorld, inputName: string): Value {
  let input: Value;
  let lib: Value;
  const model = lazyThunk(() => world.evaluator.evalSource(MODEL_FILE, MODEL));
  const ctx: NoxaModel = { world, inputName, input: lazyThunk(() => input), lib: lazyThunk(() => lib), model };
  const functions = new Map<string, Binding>([
    ['noxa-instantiate', { thunk: ready(fn(`${inputName}.lib.noxa-instantiate`, (args) => instantiate(ctx, args))) }],
    ['nixDirectoryToList', { thunk: ready(fn(`${inputName}.lib.nixDirectoryToList`, (dir) => directoryList(world, dir))) }],
    ['nixDirectoryToAttr', { thunk: ready(fn(`${inputName}.lib.nixDirectoryToAttr`, (dir) => directoryAttrs(world, dir, false))) }],
    ["nixDirectoryToAttr'", { thunk: ready(fn(`${inputName}.lib.nixDirectoryToAttr'`, (dir) => directoryAttrs(world, dir, true))) }],
  ]);
  functions.set('net', { thunk: lazyThunk(() => netLib(world, `${inputName}.lib.net`)) });
  lib = openAttrs(functions, (k) => opaque(world, `${inputName}.lib.${k}`));
  input = openAttrs(new Map([['lib', { thunk: ready(lib) }]]), (k) => opaque(world, `${inputName}.${k}`));
  return input;
}

/** Known attributes, every other one (but `__functor`: this is no function) from outside. */
function openAttrs(known: Map<string, Binding>, other: (key: string) => Value): AttrsValue {
  const others = new Map<string, Binding>();
  return lazyAttrs(
    () => [...known.keys()],
    (k) => {
      if (known.has(k)) return known.get(k);
      if (k === '__functor') return undefined;
      let b = others.get(k);
      if (!b) others.set(k, (b = { thunk: lazyThunk(() => other(k)) }));
      return b;
    },
    () => false,
  );
}

/**
 * The option types nix-net-lib documents (its README's table), which noxa passes on as
 * \`lib.net.types\`: the set is complete, so \`with noxa.lib.net.types;\` hides no other name.
 */
const NET_TYPES = ['ip', 'ipNetwork', 'ipNoMask', 'ipExplicitMask', 'ip4', 'ip4Network', 'ip4NoMask', 'ip4ExplicitMask', 'ip6', 'ip6Network', 'ip6NoMask', 'ip6ExplicitMask'];

function netLib(world: ModuleWorld, name: string): Value {
  const types = attrs(new Map(NET_TYPES.map((t) => [t, lazyThunk(() => opaque(world, `${name}.types.${t}`))])));
  return openAttrs(new Map([['types', { thunk: ready(types) }]]), (k) => opaque(world, `${name}.${k}`));
}

/** `*.nix` files of `dir` (not `default.nix`) and `<sub>/default.nix` of its directories, as Nix lists them. */
function nixFiles(world: ModuleWorld, dir: string): { files: [string, string][]; directories: [string, string][] } | undefined {
  const list = entries(world, dir);
  if (!list) return undefined;
  const files: [string, string][] = [];
  const directories: [string, string][] = [];
  for (const [name, kind] of list) {
    const p = posix.join(dir, name);
    if (kind === 'regular' && name.endsWith('.nix')) files.push([name, p]);
    else if (kind === 'directory' && exists(world, posix.join(p, 'default.nix'))) directories.push([name, posix.join(p, 'default.nix')]);
  }
  return { files, directories };
}

function listedDirectory(dirThunk: Thunk, what: string): { dir: string } | Value {
  const v = force(dirThunk);
  const dir = fsPath(v);
  return dir === undefined ? notAPath(what, v) : { dir };
}

function directoryList(world: ModuleWorld, dirThunk: Thunk): Value {
  const at = listedDirectory(dirThunk, 'nixDirectoryToList');
  if (!('dir' in at)) return at;
  const found = nixFiles(world, at.dir);
  if (!found) return unknown(`nixDirectoryToList: ${at.dir} cannot be listed`);
  const paths = [...found.files.filter(([n]) => n !== 'default.nix'), ...found.directories].map(([, p]) => ({ kind: 'path', path: p }) as Value);
  return { kind: 'list', items: paths.map((p) => ready(p)), complete: true };
}

function directoryAttrs(world: ModuleWorld, dirThunk: Thunk, stripped: boolean): Value {
  const what = stripped ? "nixDirectoryToAttr'" : 'nixDirectoryToAttr';
  const at = listedDirectory(dirThunk, what);
  if (!('dir' in at)) return at;
  const found = nixFiles(world, at.dir);
  if (!found) return unknown(`${what}: ${at.dir} cannot be listed`);
  const out = new Map<string, Binding>();
  for (const [name, p] of found.directories) out.set(name, { thunk: ready({ kind: 'path', path: p }) });
  for (const [name, p] of found.files) {
    if (!stripped && name === 'default.nix') continue;
    out.set(stripped ? name.slice(0, -'.nix'.length) : name, { thunk: ready({ kind: 'path', path: p }) });
  }
  return { kind: 'attrs', attrs: out, complete: true };
}

function modelPiece(ctx: NoxaModel, name: string): Value {
  const m = force(ctx.model);
  return m.kind === 'attrs' ? force(m.attrs.get(name)?.thunk) : m;
}

/** A well-known input noxa passes its hosts (its own agenix / agenix-rekey): modules that never touch networking. */
function inertInput(world: ModuleWorld, name: string): Value {
  return attrs({ nixosModules: anyKeyAttrs((k) => world.marker({ kind: 'inert', name: `${name}.nixosModules.${k}` })) }, { complete: false });
}

function instantiate(ctx: NoxaModel, argsThunk: Thunk): Value {
  const { world, inputName } = ctx;
  const args = force(argsThunk);
  if (args.kind !== 'attrs') return unknown(`${inputName}.lib.noxa-instantiate of a ${args.kind}, not an attribute set`);
  const modules = args.attrs.get('modules')?.thunk;
  // Arguments besides modules, class and specialArgs are special arguments too.
  const rest = new Map([...args.attrs].filter(([k]) => !['modules', 'class', 'specialArgs'].includes(k)));
  const specialArgs = mergeAttrs(mergeAttrs(args.attrs.get('specialArgs')?.thunk ?? ready(attrs({})), ready(attrs({ noxa: ctx.input }))), ready({ kind: 'attrs', attrs: rest, complete: true }));
  const top = world.makeModuleConfiguration({
    name: '<noxa>',
    kind: 'modules',
    modules: [{ thunk: ready(modelPiece(ctx, 'top')) }, ...(modules ? [{ thunk: modules }] : [])],
    specialArgs,
  });
  const nodeKeys = () => top.keysAt(['nodes']);
  const nodeCalls = new Map<string, SystemCall>();
  const nodeConfigs: AttrsValue = lazyAttrs(
    () => nodeKeys().keys,
    (k) => (nodeKeys().keys.includes(k) ? { thunk: lazyThunk(() => world.configurationOf(callOf(k)).config) } : undefined),
    () => nodeKeys().complete,
  );
  const callOf = (name: string): SystemCall => {
    let call = nodeCalls.get(name);
    if (!call) nodeCalls.set(name, (call = nodeCall(ctx, top, name, specialArgs, nodeConfigs)));
    return call;
  };
  const nodeValue = (name: string): Value => {
    const call = callOf(name);
    const own = new Map<string, Binding>([
      ['configuration', { thunk: lazyThunk(() => world.configurationOf(call).config) }],
      ['options', { thunk: ready(unknown(`options of the noxa node ${name}`)) }],
    ]);
    return openAttrs(own, (k) => unknown(`nodes.${name}.${k} of noxa is not modelled`));
  };
  const nodes = lazyAttrs(
    () => nodeKeys().keys,
    (k) => (nodeKeys().keys.includes(k) ? { thunk: lazyThunk(() => nodeValue(k)), keyLocation: nodeLocation(top, k) } : undefined),
    () => nodeKeys().complete,
  );
  const config = lazyAttrs(
    () => [...new Set(['nodes', ...top.keysAt([]).keys])],
    (k) => (k === 'nodes' ? { thunk: ready(nodes) } : k === '__functor' ? undefined : { thunk: lazyThunk(() => top.view([k])) }),
    () => false,
  );
  return attrs({ config, options: unknown('options of a noxa configuration'), _module: attrs({ args: top.view(['_module', 'args']) }, { complete: false }) }, { complete: false });
}

function nodeLocation(top: Configuration, name: string) {
  return top.defsAt(['nodes', name]).find((d) => d.binding?.keyLocation)?.binding?.keyLocation;
}

/** The NixOS system of one node: its submodule (defaults first) evaluated, then its configuration built. */
function nodeCall(ctx: NoxaModel, top: Configuration, name: string, specialArgs: Thunk | undefined, nodeConfigs: AttrsValue): SystemCall {
  const { world, inputName } = ctx;
  const nameValue: Value = { kind: 'string', value: known(name) };
  const node = world.makeModuleConfiguration({
    name: `<noxa node ${name}>`,
    kind: 'modules',
    modules: [
      { thunk: ready(modelPiece(ctx, 'node')) },
      { thunk: lazyThunk(() => top.view(['defaults'])) },
      // Through the typed `nodes` value: one node is a deferred module, `{ imports = defs; }`.
      { thunk: lazyThunk(() => {
        const nodes = top.view(['nodes']);
        return nodes.kind === 'attrs' ? force(nodes.attrs.get(name)?.thunk) : nodes;
      }) },
    ],
    specialArgs,
    moduleArgs: {
      name: ready(nameValue),
      noxaConfig: lazyThunk(() => top.config),
      _prefix: ready({ kind: 'list', items: [ready({ kind: 'string', value: known('nodes') }), ready(nameValue)], complete: true }),
    },
  });
  const moduleArgs = attrs({ _module: attrs({ args: attrs({ name: nameValue, noxaHost: nameValue, nodes: nodeConfigs }) }) });
  const systemModules: Thunk[] = [
    lazyThunk(() => node.view(['configuration'])),
    ready(moduleArgs),
    ready(world.external(`${inputName}.nixosModules.default`)),
  ];
  const own = attrs({ agenix: inertInput(world, 'agenix'), 'agenix-rekey': inertInput(world, 'agenix-rekey') });
  const noxaArg = attrs({ noxa: attrs({ lib: ctx.lib }) });
  return {
    modules: ready({ kind: 'list', items: systemModules, complete: true }),
    specialArgs: mergeAttrs(mergeAttrs(ready(own), lazyThunk(() => node.view(['specialArgs']))), ready(noxaArg)),
    location: nodeLocation(top, name),
    name,
  };
}
