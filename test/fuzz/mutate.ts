/**
 * Mutation operators over Nix and systemd-networkd unit files: byte flips, truncation, token
 * deletion/duplication/splicing, deep nesting, huge strings, random unicode, line-ending mixes,
 * evaluation bombs. Every operator is a pure function of (rng, input), so an input is
 * reproducible from its seed.
 */
import type { Rng } from './rng';

export type FileKind = 'nix' | 'unit';

export interface FuzzInput {
  text: string;
  /** Raw bytes when a byte-level operator produced something that is not valid UTF-8. */
  bytes?: Uint8Array;
}

export interface MutationContext {
  kind: FileKind;
  /** Other corpus texts of the same kind, for splicing. */
  donors: readonly string[];
  /** Multiplier for sizes (depth, string length): 1 in the unit suite, larger in long runs. */
  scale: number;
  /** Also use snippets that trigger known, reported, still-open hangs (KNOWN_HANGS). */
  includeKnownHangs?: boolean;
}

/**
 * Snippets that reproduce open bugs in code this suite may not change (reported, with a
 * regression test marked todo in test/unit/robustness/regressions.test.ts). Left out unless
 * asked for, so one hit does not stall a run for minutes.
 */
export const KNOWN_HANGS: ReadonlySet<string> = new Set([
  // builtins.match / builtins.split run workspace regexes through JS RegExp: catastrophic backtracking.
  'builtins.match "(a*)*b" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"',
  'builtins.split "(a|a)*" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
]);

/**
 * Also open: tree-sitter-nix parses long operator chains (`1 + 1 + ...`, `- - - 1`) in time
 * quadratic in their length, and the parse has no budget (16,000 `1+` take ~20 s, 170,000 `-`
 * never finished). Without includeKnownHangs such chains are kept short.
 */
const OPERATOR_CHAIN_CAP = 300;
const OPERATOR_TEMPLATES: ReadonlySet<string> = new Set(['-', '1 + ', ' + 1', '[ 1 ] ++ ', '{ } // ']);

type Operator = (rng: Rng, input: FuzzInput, ctx: MutationContext) => FuzzInput;

const encoder = new TextEncoder();
const lenient = new TextDecoder('utf-8', { fatal: false });

const t = (text: string): FuzzInput => ({ text });

/** Tokens: whitespace runs, identifiers, numbers, simple strings, interpolation openers, single characters. */
export function tokenize(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][\w'-]*|\d+(?:\.\d+)?|"(?:[^"\\\n]|\\.)*"|\$\{|''|\/\*|\*\/|[\s\S]/g) ?? [];
}

function randomOffset(rng: Rng, text: string): number {
  return rng.int(text.length + 1);
}

/** An offset at a token boundary (never inside an identifier), or anywhere. */
function boundary(rng: Rng, text: string): number {
  const tokens = tokenize(text);
  if (tokens.length === 0) return 0;
  const k = rng.int(tokens.length + 1);
  let off = 0;
  for (let i = 0; i < k; i++) off += tokens[i].length;
  return off;
}

function insertAt(text: string, at: number, s: string): string {
  return text.slice(0, at) + s + text.slice(at);
}

// ---------------------------------------------------------------------------------------------
// Byte level

const byteFlip: Operator = (rng, input) => {
  const bytes = new Uint8Array(input.bytes ?? encoder.encode(input.text));
  if (bytes.length === 0) return { text: '\0', bytes: new Uint8Array([0]) };
  const n = rng.size(Math.max(1, Math.min(64, bytes.length >> 3)));
  for (let i = 0; i < n; i++) {
    const at = rng.int(bytes.length);
    switch (rng.int(4)) {
      case 0:
        bytes[at] ^= 1 << rng.int(8);
        break;
      case 1:
        bytes[at] = rng.int(256);
        break;
      case 2:
        bytes[at] = rng.pick([0x00, 0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff, 0x0d, 0x0a, 0x22, 0x24, 0x7b, 0x7d, 0x5c]);
        break;
      default:
        bytes[at] = bytes[rng.int(bytes.length)];
    }
  }
  return { text: lenient.decode(bytes), bytes };
};

const byteInsert: Operator = (rng, input) => {
  const bytes = input.bytes ?? encoder.encode(input.text);
  const at = rng.int(bytes.length + 1);
  const runs = [
    [0xef, 0xbb, 0xbf], // BOM
    [0xc3], // truncated 2-byte sequence
    [0xe2, 0x82], // truncated 3-byte sequence
    [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
    [0xed, 0xa0, 0x80], // encoded surrogate (invalid)
    [0xc0, 0xaf], // overlong '/'
    [0xff, 0xfe],
    [0x00],
    [0x0d],
  ];
  const extra = rng.pick(runs);
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(extra, at);
  out.set(bytes.subarray(at), at + extra.length);
  return { text: lenient.decode(out), bytes: out };
};

// ---------------------------------------------------------------------------------------------
// Text level

const truncate: Operator = (rng, input) => {
  const at = randomOffset(rng, input.text);
  return t(rng.chance(0.8) ? input.text.slice(0, at) : input.text.slice(at));
};

const tokenDelete: Operator = (rng, input) => {
  const tokens = tokenize(input.text);
  if (tokens.length === 0) return input;
  const n = rng.size(8);
  for (let i = 0; i < n && tokens.length > 0; i++) {
    const at = rng.int(tokens.length);
    tokens.splice(at, rng.chance(0.2) ? rng.size(20) : 1);
  }
  return t(tokens.join(''));
};

const tokenDuplicate: Operator = (rng, input) => {
  const tokens = tokenize(input.text);
  if (tokens.length === 0) return input;
  const at = rng.int(tokens.length);
  const len = Math.min(tokens.length - at, rng.size(30));
  const copies = rng.chance(0.1) ? rng.size(200) : 1;
  // Joined as strings: spreading a large token array into push() overflows the stack.
  const chunk = tokens.slice(at, at + len).join('');
  return t(tokens.slice(0, at + len).join('') + chunk.repeat(copies) + tokens.slice(at + len).join(''));
};

const tokenSwap: Operator = (rng, input) => {
  const tokens = tokenize(input.text);
  if (tokens.length < 2) return input;
  const a = rng.int(tokens.length);
  const b = rng.int(tokens.length);
  [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
  return t(tokens.join(''));
};

const splice: Operator = (rng, input, ctx) => {
  if (ctx.donors.length === 0) return input;
  const donor = rng.pick(ctx.donors);
  const from = rng.int(donor.length + 1);
  const piece = donor.slice(from, from + rng.size(400));
  const at = boundary(rng, input.text);
  const drop = rng.chance(0.5) ? rng.size(100) : 0;
  return t(input.text.slice(0, at) + piece + input.text.slice(at + drop));
};

const NIX_NEST: readonly [string, string][] = [
  ['[ ', ' ]'],
  ['{ a = ', '; }'],
  ['rec { a = ', '; }'],
  ['(', ')'],
  ['let x = ', '; in x'],
  ['let x = 1; in ', ''],
  ['x: ', ''],
  ['{ x ? 1, ... }: ', ''],
  ['"${', '}"'],
  ["''${", "}''"],
  ['if true then ', ' else null'],
  ['if false then null else ', ''],
  ['with { }; ', ''],
  ['assert true; ', ''],
  ['!', ''],
  ['-', ''],
  ['1 + ', ''],
  ['', ' + 1'],
  ['[ 1 ] ++ ', ''],
  ['{ } // ', ''],
  ['lib.mkIf true (', ')'],
  ['lib.mkMerge [ ', ' ]'],
  ['builtins.head [ ', ' ]'],
  ['(x: x) (', ')'],
];

function nested(rng: Rng, kind: FileKind, depth: number, inner: string, includeKnownHangs?: boolean): string {
  if (kind === 'unit') {
    // Continuation chains and header floods are the unit-file analogue of nesting.
    return rng.chance(0.5) ? `Name=${'vm-a \\\n'.repeat(depth)}vm-b\n` : '[Match]\n'.repeat(depth);
  }
  const [open, close] = rng.pick(NIX_NEST);
  const d = chainDepth(open, close, depth, includeKnownHangs);
  return open.repeat(d) + inner + close.repeat(d);
}

function chainDepth(open: string, close: string, depth: number, includeKnownHangs: boolean | undefined): number {
  return !includeKnownHangs && (OPERATOR_TEMPLATES.has(open) || OPERATOR_TEMPLATES.has(close)) ? Math.min(depth, OPERATOR_CHAIN_CAP) : depth;
}

const deepNest: Operator = (rng, input, ctx) => {
  const depth = Math.min(200_000, rng.size(2000 * ctx.scale));
  const text = input.text;
  if (ctx.kind === 'nix') {
    // Wrap an existing binding's value, so the nesting is reached by the evaluator.
    const eqs = [...text.matchAll(/=\s*/g)];
    if (eqs.length > 0 && rng.chance(0.7)) {
      const m = rng.pick(eqs);
      const start = m.index! + m[0].length;
      const semi = text.indexOf(';', start);
      if (semi > start) {
        const [open, close] = rng.pick(NIX_NEST);
        const d = chainDepth(open, close, depth, ctx.includeKnownHangs);
        return t(text.slice(0, start) + open.repeat(d) + text.slice(start, semi) + close.repeat(d) + text.slice(semi));
      }
    }
  }
  return t(insertAt(text, boundary(rng, text), nested(rng, ctx.kind, depth, '1', ctx.includeKnownHangs)));
};

const hugeString: Operator = (rng, input, ctx) => {
  const len = Math.min(4_000_000, rng.size(200_000 * ctx.scale));
  let ch = rng.pick(['a', 'é', '😀', '\\', '$', ' ', '${', "''", '\\\n', '\t', '*', '-']);
  // Bare runs of '-' or '*' are operator chains (see OPERATOR_CHAIN_CAP): 800,000 '*' around a
  // binding never finished parsing.
  if ((ch === '-' || ch === '*') && ctx.kind === 'nix' && !ctx.includeKnownHangs) ch = '~';
  const body = ch.repeat(Math.max(1, Math.floor(len / ch.length)));
  let piece: string;
  if (ctx.kind === 'nix') {
    piece = rng.pick([`"${body}"`, `''${body}''`, `# ${body}\n`, `/* ${body} */`, body, `"vm-${body}"`]);
  } else {
    piece = rng.pick([`Name=${body}\n`, `${body}\n`, `[${body}]\n`, `# ${body}\n`, `Bridge=${body}\n`, `MACAddress=${body}\n`]);
  }
  return t(insertAt(input.text, boundary(rng, input.text), piece));
};

const UNICODE_POOLS: readonly string[][] = [
  ['\0', '\x01', '\x7f', '\x1b', '\x0b', '\x0c', '\x85'],
  ['é', 'ß', 'Ω', 'ж', '\u00a0'],
  ['日', '本', '語', '網', '橋'],
  ['😀', '🐧', '🌉', '\u{1F3F3}\u{FE0F}\u200D\u{1F308}', '𝒳'],
  ['\u0301', '\u0308', '\u20dd'], // combining marks
  ['\ud800', '\udfff', '\udc00\ud800'], // lone / reversed surrogates
  ['\u2028', '\u2029', '\r', '\n\r', '\r\r\n'], // odd line separators
  ['\ufeff', '\u200b', '\u200d', '\u202e', '\u2066', '\ufffd', '\uffff'],
];

function randomChar(rng: Rng): string {
  if (rng.chance(0.1)) return String.fromCodePoint(rng.int(0x110000 - 0x800) + (rng.chance(0.5) ? 0 : 0x800));
  return rng.pick(rng.pick(UNICODE_POOLS));
}

const unicode: Operator = (rng, input) => {
  let text = input.text;
  const n = rng.size(30);
  for (let i = 0; i < n; i++) {
    const at = rng.chance(0.5) ? randomOffset(rng, text) : boundary(rng, text);
    let s = '';
    const k = rng.size(8);
    for (let j = 0; j < k; j++) s += randomChar(rng);
    text = rng.chance(0.3) ? text.slice(0, at) + s + text.slice(at + s.length) : insertAt(text, at, s);
  }
  return t(text);
};

const lineEndings: Operator = (rng, input) => {
  const text = input.text;
  switch (rng.int(5)) {
    case 0:
      return t(text.replace(/\r?\n/g, '\r\n'));
    case 1:
      return t(text.replace(/\r\n/g, '\n').replace(/\n/g, '\r'));
    case 2:
      return t(text.replace(/\r?\n/g, () => rng.pick(['\n', '\r\n', '\r', '\n\r', '\r\r\n', '\u2028'])));
    case 3:
      return t(text.replace(/\r?\n/g, (m) => (rng.chance(0.5) ? '\r\n' : m)));
    default:
      return t(text + rng.pick(['\r', '\r\n', '\\', '\\\r\n', '\n\n\n']));
  }
};

const bom: Operator = (rng, input) => t(rng.pick(['\ufeff', '\ufeff\ufeff', '\ufeff\n']) + input.text);

const repeatFile: Operator = (rng, input, ctx) => {
  const n = Math.min(400, rng.size(20 * ctx.scale));
  return t(input.text.repeat(n));
};

const numbers: Operator = (rng, input) =>
  t(
    input.text.replace(/\d+/g, (m) =>
      rng.chance(0.3) ? rng.pick(['0', '-1', '99999999999999999999', '9007199254740993', '1e308', '0.0', '00', '4294967296', '18446744073709551616']) : m,
    ),
  );

const NIX_SNIPPETS: readonly string[] = [
  'import ./.',
  'import ./default.nix',
  'import ../..',
  'import /etc/passwd',
  'import <nixpkgs>',
  'builtins.readDir ./.',
  'builtins.readDir /',
  'builtins.readFile /etc/shadow',
  'builtins.fetchurl "http://127.0.0.1/"',
  'builtins.exec [ "touch" "/tmp/pwned" ]',
  'let a = a; in a',
  'rec { a = a; }.a',
  'let f = x: f x; in f 1',
  'let f = n: if n == 0 then 0 else f (n - 1) + f (n - 1); in f 40',
  'builtins.genList (x: x) 100000000',
  'builtins.length (builtins.genList (x: x) 10000000)',
  'builtins.foldl\' (a: b: a ++ a) [ 1 ] (builtins.genList (x: x) 64)',
  'let d = s: s + s; in d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d "ab"))))))))))))))))))))))))))))))',
  'let d = s: s // { x = s; y = s; }; in d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d { })))))))))))))))))))',
  'builtins.concatStringsSep "" (builtins.genList (x: "aaaaaaaaaaaaaaaa") 10000000)',
  'lib.range 0 1000000000',
  'lib.genAttrs (map toString (lib.range 0 100000)) (n: { id = "vm-${n}"; type = "tap"; })',
  'builtins.listToAttrs (builtins.genList (i: { name = toString i; value = i; }) 1000000)',
  'builtins.toJSON (builtins.genList (x: x) 1000000)',
  'builtins.fromJSON "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["',
  'builtins.match "(a*)*b" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"',
  'builtins.split "(a|a)*" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
  'builtins.replaceStrings [ "" ] [ "x" ] "abc"',
  'builtins.substring 0 (-1) "abc"',
  'builtins.elemAt [ ] 5',
  'builtins.div 1 0',
  '1 / 0',
  'builtins.throw "boom"',
  'abort "boom"',
  'builtins.tryEval (throw "x")',
  'builtins.seq (throw "x") 1',
  'builtins.deepSeq (let x = [ x ]; in x) 1',
  'builtins.toString { __toString = self: self; }',
  '{ __functor = self: self; } 1',
  'builtins.getAttr "__proto__" { }',
  '{ __proto__ = 1; constructor = 2; hasOwnProperty = 3; }',
  '{ "${"a"}${"b"}" = 1; ${"c"} = 2; }',
  'builtins.attrNames (builtins.getEnv "HOME")',
  'builtins.getEnv "PATH"',
  'builtins.currentTime',
  'builtins.storePath /nix/store',
  'builtins.path { path = /.; }',
  'builtins.filterSource (p: t: true) ./.',
  'builtins.scopedImport { } ./.',
  'builtins.genericClosure { startSet = [ { key = 1; } ]; operator = x: [ { key = x.key + 1; } ]; }',
  'lib.fix (self: { a = self.b; b = self.a; })',
  'lib.fix (self: [ self ])',
  'lib.mkForce (lib.mkOverride 10 (lib.mkDefault (lib.mkOrder 5 null)))',
  'lib.mkIf (builtins.pathExists ./x) { }',
  '"vm-${toString 1.5}"',
  '"${./.}"',
  '~/x',
  '<nixpkgs/nixos/modules>',
  'https://example.org/x',
  '0x10',
  '1.e5',
  '.5',
  '"\\u{1F600}"',
  '"${',
  "''${",
  '/*',
  '# ',
  '\\',
  'or',
  '...',
  '@',
  '?',
  '//',
  '->',
];

const UNIT_SNIPPETS: readonly string[] = [
  '[Match]\n',
  '[Network]\n',
  '[NetDev]\n',
  '[Link]\n',
  '[match]\n',
  '[Match\n',
  '[Ma"tch]\n',
  '[]\n',
  '[Match] trailing\n',
  'Name=*\n',
  'Name=vm-*\n',
  'Name=!vm-*\n',
  'Name=\n',
  'Name="vm-a"\n',
  'Name=vm-a # comment\n',
  'Name=*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n',
  'Name=[!a-z][[:alpha:]][\\]*?[a-\n',
  'Name=[[[[[[[[[[[[[[[[[[\n',
  'Name=\\*\\?\\[\n',
  'Name=' + 'vm-x '.repeat(500) + '\n',
  'Bridge=br0\n',
  'Bridge=\n',
  'Bridge=br0 br1\n',
  'Bridge=/dev/null\n',
  'Kind=bridge\n',
  'Kind=\n',
  'Type=ether\n',
  'Type=!ether\n',
  'MACAddress=02:00:00:00:00:01 zz:zz\n',
  'PermanentMACAddress=ff:ff:ff:ff:ff:ff\n',
  'Driver=tun\n',
  'Path=pci-*\n',
  'Property=ID_NET=*\n',
  'Host=!*\n',
  'Virtualization=!yes\n',
  'KernelCommandLine=\n',
  'Unmanaged=yes\n',
  'Unmanaged=maybe\n',
  'KeepMaster=yes\n',
  'Bond=bond0\n',
  'VRF=vrf0\n',
  'DHCP=yes\n',
  'Address=10.0.0.1/24\n',
  '\\\n',
  '\\',
  '=\n',
  '=value\n',
  'key\n',
  '; comment\n',
  '# comment\n',
  '\0',
  '\r',
];

const snippet: Operator = (rng, input, ctx) => {
  const pool = (ctx.kind === 'nix' ? NIX_SNIPPETS : UNIT_SNIPPETS).filter((x) => ctx.includeKnownHangs || !KNOWN_HANGS.has(x));
  const piece = rng.pick(pool);
  const text = input.text;
  if (ctx.kind === 'nix' && rng.chance(0.6)) {
    // Replace a binding's value so the snippet gets evaluated.
    const eqs = [...text.matchAll(/=\s*/g)];
    if (eqs.length > 0) {
      const m = rng.pick(eqs);
      const start = m.index! + m[0].length;
      const semi = text.indexOf(';', start);
      if (semi > start) return t(text.slice(0, start) + piece + text.slice(semi));
    }
  }
  if (ctx.kind === 'unit' && rng.chance(0.5)) {
    const lines = text.split('\n');
    lines.splice(rng.int(lines.length + 1), rng.chance(0.3) ? 1 : 0, piece.replace(/\n$/, ''));
    return t(lines.join('\n'));
  }
  return t(insertAt(text, boundary(rng, text), piece));
};

export const OPERATORS: Readonly<Record<string, Operator>> = {
  byteFlip,
  byteInsert,
  truncate,
  tokenDelete,
  tokenDuplicate,
  tokenSwap,
  splice,
  deepNest,
  hugeString,
  unicode,
  lineEndings,
  bom,
  repeatFile,
  numbers,
  snippet,
};

/** Relative weights: cheap structural damage most often, big inputs more rarely. */
const WEIGHTS: Readonly<Record<string, number>> = {
  byteFlip: 10,
  byteInsert: 4,
  truncate: 8,
  tokenDelete: 12,
  tokenDuplicate: 8,
  tokenSwap: 6,
  splice: 8,
  deepNest: 6,
  hugeString: 3,
  unicode: 10,
  lineEndings: 8,
  bom: 2,
  repeatFile: 2,
  numbers: 4,
  snippet: 14,
};

function pickOperator(rng: Rng): string {
  const names = Object.keys(WEIGHTS);
  const total = names.reduce((s, n) => s + WEIGHTS[n], 0);
  let r = rng.int(total);
  for (const n of names) {
    r -= WEIGHTS[n];
    if (r < 0) return n;
  }
  return names[0];
}

/** Applies 1–4 random operators; returns the result and the operator names, in order. */
export function mutate(rng: Rng, text: string, ctx: MutationContext): { input: FuzzInput; ops: string[] } {
  let input: FuzzInput = { text };
  const ops: string[] = [];
  const n = rng.chance(0.6) ? 1 : rng.range(2, 4);
  for (let i = 0; i < n; i++) {
    const name = pickOperator(rng);
    input = OPERATORS[name](rng, input, ctx);
    ops.push(name);
    // Keep compound inputs bounded (a repeat after a huge string would reach hundreds of MB).
    if (input.text.length > 8_000_000) {
      input = { text: input.text.slice(0, 8_000_000) };
      ops.push('clip');
    }
  }
  return { input, ops };
}
