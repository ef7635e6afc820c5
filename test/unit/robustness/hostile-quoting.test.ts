/**
 * The quoting layer (fixes/quote.ts) on hostile strings: each function's output, read back by the
 * format's own reader, is exactly the input. Readers: our Nix evaluator for `"…"` and `''…''`
 * strings (the tree-sitter grammar and the lexer rules it follows), a POSIX single-quote reader,
 * systemd's command-line unquoting (written out below from systemd's rules), and our unit-file
 * parser for comments. Random strings from the hostile alphabet plus hand-picked payloads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  displayName,
  interfaceNameRefusal,
  nixIndentedLine,
  nixString,
  shellWord,
  systemdExecWord,
  unitComment,
  unitValueRefusal,
} from '../../../server/src/engine/fixes/quote';
import { parseUnitText } from '../../../server/src/engine/networkd';
import { linkEffects } from '../../../server/src/engine/nix/scripts';
import { known, knownText } from '../../../server/src/engine/pattern';
import { Rng } from '../../fuzz/rng';
import { evalJs } from '../nix/eval/util';
import { HAZARDOUS_VALID_BRIDGES, HOSTILE_BRIDGES, HOSTILE_VM_NAME } from './hostile/workspaces';

const ALPHABET = ["'", "''", "'''", '"', '$', '${', '{', '}', '\\', '\n', '\r', '\t', '`', ';', '%', '%%', '$$', ' ', '#', '[', ']', '=', 'a', 'b', '0', 'é', '😀', '\u202e', '\u2028'];
const PAYLOADS = [
  HOSTILE_VM_NAME,
  ...HOSTILE_BRIDGES.filter((b) => !b.includes('\u0000')),
  ...HAZARDOUS_VALID_BRIDGES,
  "'; touch /tmp/x; '",
  "'''${x}''",
  "$'\\n'",
  "a'$",
  "'${",
  "x''$y",
  '"; rm -rf /; "',
  '\\${x}',
  'end\\',
];

function samples(seed: number, count: number): string[] {
  const rng = new Rng(seed, 0);
  const out = [...PAYLOADS];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = rng.int(12) + 1;
    for (let k = 0; k < n; k++) s += rng.pick(ALPHABET);
    out.push(s);
  }
  return out;
}

test('nixString: the evaluator reads back exactly the input', async () => {
  for (const s of samples(1, 150)) {
    assert.equal(await evalJs(nixString(s)), s, JSON.stringify(s));
  }
});

test("nixIndentedLine: a `''…''` string holding it reads back as the input (one line; no antiquotation but a constant space)", async () => {
  for (const s of samples(2, 150)) {
    const literal = `''\n  ${nixIndentedLine(s)}\n''`;
    assert.equal(await evalJs(literal), s + '\n', `${JSON.stringify(s)} written as ${literal}`);
    assert.ok(!/\n/.test(nixIndentedLine(s)), 'one line');
  }
});

/** POSIX shell: the word as `sh` reads it, for words made only of single-quoted parts and `\'`. */
function readShellWord(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    if (word[i] === "'") {
      const close = word.indexOf("'", i + 1);
      assert.ok(close > i, `unterminated quote in ${word}`);
      out += word.slice(i + 1, close);
      i = close + 1;
    } else if (word[i] === '\\') {
      out += word[i + 1];
      i += 2;
    } else assert.fail(`unquoted ${JSON.stringify(word[i])} in ${word}`);
  }
  return out;
}

test('shellWord: one word the shell (and our script parser) reads back as the input', () => {
  for (const s of samples(3, 200)) {
    const word = shellWord(s);
    assert.equal(readShellWord(word), s, word);
    if (/^[^\n\r\u0000]*$/.test(s) && s !== '') {
      // Shell text (a script), not a systemd directive: no specifier is expanded.
      const [attach] = linkEffects({ text: known(`ip link set dev vm-a master ${word}`), origin: null }).filter((e) => e.kind === 'attach');
      assert.equal(attach && attach.kind === 'attach' && knownText(attach.bridge), s, `our parser on ${word}`);
    }
  }
});

/** systemd's command-line word: unquote, C-unescape, `$$` → `$`, `%%` → `%` (no other `$` or `%` may remain). */
function readSystemdWord(word: string): string {
  let body = word;
  if (word.startsWith('"')) {
    assert.ok(word.endsWith('"') && word.length >= 2, word);
    body = word.slice(1, -1);
  } else assert.ok(!/[\s"'\\]/.test(word), `unquoted special in ${word}`);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const n = body[++i];
      if (n === 'x') {
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else out += n;
    } else if (c === '$' || c === '%') {
      assert.equal(body[i + 1], c, `a lone ${c} in ${word} would be expanded`);
      out += c;
      i++;
    } else {
      assert.ok(c !== '"', `unescaped quote in ${word}`);
      out += c;
    }
  }
  return out;
}

test('systemdExecWord: one word systemd reads back as the input (no variable or specifier expansion)', () => {
  for (const s of samples(4, 200)) {
    const word = systemdExecWord(s);
    assert.ok(!/[\n\r]/.test(word), 'one line');
    assert.equal(readSystemdWord(word), s, word);
  }
});

test('unitComment: always one inert comment line, never a continuation', () => {
  for (const s of samples(5, 200)) {
    const line = `# Puts the tap vm-a of MicroVM ${unitComment(s)} on br0.`;
    assert.ok(!/[\n\r\u0000\u2028\u2029\u0085]/.test(line), JSON.stringify(line));
    const unit = parseUnitText('/x.network', `${line}\n[Match]\nName=vm-a\n`);
    assert.deepEqual(
      unit.entries.map((e) => [e.section, e.key, e.value]),
      [['Match', 'Name', 'vm-a']],
      JSON.stringify(s),
    );
  }
});

test('interface names: the kernel rule (1–15 bytes, no /, :, whitespace or NUL, not . or ..) and systemd’s', () => {
  for (const ok of ['br0', 'vm-web', 'a', 'x'.repeat(15), ...HAZARDOUS_VALID_BRIDGES]) assert.equal(interfaceNameRefusal(ok), null, ok);
  const refused: [string, RegExp][] = [
    ['', /cannot be empty/],
    ['x'.repeat(16), /16 bytes long/],
    ['ééééééééé', /18 bytes long/],
    ['.', /not allowed/],
    ['..', /not allowed/],
    ['br/0', /`\/`/],
    ['br:0', /`:`/],
    ['br 0', /a space/],
    ['br\t0', /U\+0009/],
    ['br\n0', /U\+000A/],
    ['br\u00000', /U\+0000/],
    ['br%d', /systemd-networkd/],
    ['123', /systemd-networkd/],
    ['all', /systemd-networkd/],
    ['bré', /systemd-networkd/],
  ];
  for (const [name, why] of refused) assert.match(interfaceNameRefusal(name) ?? 'accepted', why, JSON.stringify(name));
  // Every hostile bridge of the fixtures is refused.
  for (const b of HOSTILE_BRIDGES) assert.notEqual(interfaceNameRefusal(b), null, JSON.stringify(b));
});

test('unit values: quotes, backslashes and (for Name=) glob characters are refused; names are shown on one line', () => {
  assert.equal(unitValueRefusal('vm-a'), null);
  assert.match(unitValueRefusal("vm'a") ?? '', /quote or a backslash/);
  assert.match(unitValueRefusal('vm\\') ?? '', /quote or a backslash/);
  assert.match(unitValueRefusal('vm*', { literalGlob: true }) ?? '', /glob character/);
  assert.match(unitValueRefusal('!vm', { literalGlob: true }) ?? '', /negation/);
  assert.equal(unitValueRefusal('vm*'), null, 'Bridge= is not a glob');
  const shown = displayName(HOSTILE_VM_NAME);
  assert.ok(!shown.includes('\n') && shown.includes('\\u{a}'), shown);
  assert.ok(displayName('x'.repeat(500)).length < 60);
});
