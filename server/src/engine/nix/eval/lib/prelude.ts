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
  inherit splitByAndCompare listFilesRecursive;
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
  'listFilesRecursive', 'pathType', 'pathIsDirectory', 'pathIsRegularFile',
] as const;
