/**
 * `lib` functions written in Nix itself (our own Nix, over builtins only): the ones whose
 * semantics are laziness and fixed points (makeExtensible, composeManyExtensions) or that are
 * simply clearer as Nix. Being builtins-only, the prelude is tested against the real Nix
 * (`nix-instantiate --eval`) as well as run by our evaluator. `PRELUDE_NAMES` lists what it
 * defines, so `lib`'s keys are known without evaluating it (a test keeps the two equal).
 */
export const PRELUDE_FILE = '/nix/store/microvm-net-prelude/lib.nix';

export const PRELUDE_TEXT = `
let
  foldr = op: nul: list:
    let
      len = builtins.length list;
      go = n: if n == len then nul else op (builtins.elemAt list n) (go (n + 1));
    in go 0;
  concatMapAttrs = f: v:
    builtins.foldl' (acc: set: acc // set) { } (map (name: f name v.\${name}) (builtins.attrNames v));
  extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
  composeExtensions = f: g: final: prev:
    let
      fApplied = f final prev;
      prev' = prev // fApplied;
    in fApplied // g final prev';
  fix = f: let x = f x; in x;
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  makeExtensibleWithCustomName = extenderName: rattrs:
    fix' (self: (rattrs self) // { \${extenderName} = f: makeExtensibleWithCustomName extenderName (extends f rattrs); });
  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if builtins.isAttrs attrs then builtins.concatMap (collect pred) (builtins.attrValues attrs)
    else [ ];
  splitByAndCompare = p: yes: no: a: b:
    if p a then (if p b then yes a b else -1) else (if p b then 1 else no a b);
  listFilesRecursive = dir:
    let entries = builtins.readDir dir;
    in builtins.concatMap (name:
      if entries.\${name} == "directory" then listFilesRecursive (dir + "/\${name}") else [ (dir + "/\${name}") ]
    ) (builtins.attrNames entries);
  filterAttrsRecursive = pred: set:
    builtins.listToAttrs (builtins.concatMap (name:
      let v = set.\${name}; in
      if pred name v then [ { inherit name; value = if builtins.isAttrs v then filterAttrsRecursive pred v else v; } ] else [ ]
    ) (builtins.attrNames set));
in {
  inherit extends composeExtensions fix' makeExtensibleWithCustomName concatMapAttrs foldr;
  composeManyExtensions = foldr (x: y: composeExtensions x y) (final: prev: { });
  makeExtensible = makeExtensibleWithCustomName "extend";
  toExtension = f: if builtins.isFunction f then (final: prev: let fPrev = f prev; in if builtins.isFunction fPrev then f final prev else fPrev) else (final: prev: f);
  foldlAttrs = f: init: set: builtins.foldl' (acc: name: f acc name set.\${name}) init (builtins.attrNames set);
  inherit collect;
  getAttrs = names: attrs: builtins.listToAttrs (map (n: { name = n; value = attrs.\${n}; }) names);
  cartesianProduct = attrsOfLists:
    builtins.foldl' (listOfAttrs: attrName:
      builtins.concatMap (attrs: map (v: attrs // { \${attrName} = v; }) attrsOfLists.\${attrName}) listOfAttrs
    ) [ { } ] (builtins.attrNames attrsOfLists);
  singleton = x: [ x ];
  remove = e: builtins.filter (x: x != e);
  assertMsg = pred: msg: pred || builtins.throw msg;
  importJSON = path: builtins.fromJSON (builtins.readFile path);
  importTOML = path: builtins.fromTOML (builtins.readFile path);
  fileContents = file:
    let s = builtins.readFile file; n = builtins.stringLength s;
    in if n > 0 && builtins.substring (n - 1) 1 s == "\\n" then builtins.substring 0 (n - 1) s else s;
  makeSearchPath = subDir: paths: builtins.concatStringsSep ":" (map (p: "\${toString p}/\${subDir}") paths);
  makeBinPath = paths: builtins.concatStringsSep ":" (map (p: "\${toString p}/bin") paths);
  makeLibraryPath = paths: builtins.concatStringsSep ":" (map (p: "\${toString p}/lib") paths);
  makeOverridable = f: f;
  cleanSource = src: src;
  cleanSourceWith = { src, ... }: src;
  sourceByRegex = src: regexes: src;
  compare = a: b: if a < b then -1 else if b < a then 1 else 0;
  inherit splitByAndCompare listFilesRecursive filterAttrsRecursive;
  throwIf = cond: msg: if cond then builtins.throw msg else (x: x);
  throwIfNot = cond: msg: if cond then (x: x) else builtins.throw msg;
  warnIf = cond: msg: if cond then builtins.trace "warning: \${msg}" else (x: x);
  warnIfNot = cond: msg: if cond then (x: x) else builtins.trace "warning: \${msg}";
  subtractLists = e: builtins.filter (x: !(builtins.elem x e));
  intersectLists = e: builtins.filter (x: builtins.elem x e);
  replicate = n: elem: builtins.genList (_: elem) n;
  defaultTo = default: maybeValue: if maybeValue != null then maybeValue else default;
  mapNullable = f: a: if a == null then a else f a;
  findSingle = pred: default: multiple: list:
    let found = builtins.filter pred list; n = builtins.length found;
    in if n == 0 then default else if n != 1 then multiple else builtins.head found;
  "genAttrs'" = xs: f: builtins.listToAttrs (map f xs);
  mapAttrsRecursiveCond = cond: f: set:
    let recurse = path: builtins.mapAttrs (name: value:
      if builtins.isAttrs value && cond value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  zipAttrsWithNames = names: f: sets:
    builtins.listToAttrs (map (name: { inherit name; value = f name (builtins.catAttrs name sets); }) names);
  sortOn = f: list: map (p: p.v) (builtins.sort (a: b: a.k < b.k) (map (v: { k = f v; inherit v; }) list));
  isStringLike = x: builtins.isString x || builtins.isPath x || x ? outPath || x ? __toString;
  setDefaultModuleLocation = file: m: { _file = file; imports = [ m ]; };
  pathType = path: (builtins.readDir (builtins.dirOf path)).\${builtins.baseNameOf path};
  pathIsDirectory = path: builtins.pathExists path && (builtins.readDir (builtins.dirOf path)).\${builtins.baseNameOf path} == "directory";
  pathIsRegularFile = path: builtins.pathExists path && (builtins.readDir (builtins.dirOf path)).\${builtins.baseNameOf path} == "regular";
  mapCartesianProduct = f: attrsOfLists: map f (builtins.foldl' (listOfAttrs: attrName:
      builtins.concatMap (attrs: map (v: attrs // { \${attrName} = v; }) attrsOfLists.\${attrName}) listOfAttrs
    ) [ { } ] (builtins.attrNames attrsOfLists));
}
`;

/** Everything the prelude defines (kept equal to its attribute names by a test). */
export const PRELUDE_NAMES = [
  'extends', 'composeExtensions', "fix'", 'makeExtensibleWithCustomName', 'concatMapAttrs', 'foldr', 'composeManyExtensions',
  'makeExtensible', 'toExtension', 'foldlAttrs', 'collect', 'getAttrs', 'cartesianProduct', 'singleton', 'remove', 'assertMsg',
  'importJSON', 'importTOML', 'fileContents', 'makeSearchPath', 'makeBinPath', 'makeLibraryPath', 'makeOverridable',
  'cleanSource', 'cleanSourceWith', 'sourceByRegex', 'compare', 'splitByAndCompare', 'mapCartesianProduct',
  'listFilesRecursive', 'pathType', 'pathIsDirectory', 'pathIsRegularFile', 'filterAttrsRecursive', 'throwIf', 'throwIfNot',
  'warnIf', 'warnIfNot', 'subtractLists', 'intersectLists', 'replicate', 'defaultTo', 'mapNullable', 'findSingle', "genAttrs'",
  'mapAttrsRecursiveCond', 'zipAttrsWithNames', 'sortOn', 'isStringLike', 'setDefaultModuleLocation',
] as const;
