/**
 * The systemd-network TextMate grammar, tokenized with the same engine VS Code uses
 * (vscode-textmate + the Oniguruma WASM build), so the assertions are about real scopes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const repo = join(__dirname, '..', '..', '..');
const grammarPath = join(repo, 'syntaxes', 'systemd-network.tmLanguage.json');
const grammarJson = JSON.parse(readFileSync(grammarPath, 'utf8'));
const SCOPE = 'source.systemd-network';

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(join(repo, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === SCOPE ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const loaded = await registry.loadGrammar(SCOPE);
  assert.ok(loaded);
  grammar = loaded;
});

/** Each token of each line as [text, innermost scope that is not the root]. */
function tokenize(text: string): [string, string][][] {
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.at(-1)!.replace(/\.systemd-network$/, '')]);
  });
}

function scopeOf(line: [string, string][], text: string): string | undefined {
  return line.find(([t]) => t === text)?.[1];
}

describe('systemd-network grammar', () => {
  test('every regex compiles and every scope ends in the language suffix', () => {
    const scopes = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (['match', 'begin', 'end'].includes(key)) {
          assert.doesNotThrow(() => new oniguruma.OnigScanner([value as string]), `${key}: ${value}`);
        }
        if (['name', 'contentName'].includes(key) && typeof value === 'string') scopes.add(value);
        walk(value);
      }
    };
    walk(grammarJson.patterns);
    walk(grammarJson.repository);
    assert.equal(grammarJson.scopeName, SCOPE);
    for (const scope of scopes) assert.match(scope, /\.systemd-network$/, scope);
    for (const expected of [
      'comment.line.number-sign.systemd-network',
      'entity.name.section.systemd-network',
      'support.type.property-name.systemd-network',
      'keyword.operator.assignment.systemd-network',
      'string.unquoted.value.systemd-network',
      'constant.language.boolean.systemd-network',
      'keyword.operator.glob.wildcard.systemd-network',
      'constant.character.escape.line-continuation.systemd-network',
    ]) {
      assert.ok(scopes.has(expected), expected);
    }
  });

  test('sections, keys, = and values', () => {
    const [section, assignment] = tokenize('[Network]\nBridge=br0');
    assert.equal(scopeOf(section, 'Network'), 'entity.name.section');
    assert.equal(scopeOf(section, '['), 'punctuation.definition.section.begin');
    assert.equal(scopeOf(assignment, 'Bridge'), 'support.type.property-name');
    assert.equal(scopeOf(assignment, '='), 'keyword.operator.assignment');
    assert.equal(scopeOf(assignment, 'br0'), 'string.unquoted.value');
  });

  test('comments only at line start: an inline # stays part of the value', () => {
    const [comment, indented, semicolon, inline] = tokenize('# a comment\n   # indented\n; also\nBridge=br0 # lan');
    assert.equal(comment[0][1], 'punctuation.definition.comment');
    assert.equal(scopeOf(comment, ' a comment'), 'comment.line.number-sign');
    assert.ok(indented.some(([, s]) => s === 'comment.line.number-sign'));
    assert.ok(semicolon.some(([, s]) => s === 'comment.line.number-sign'));
    assert.equal(scopeOf(inline, 'br0 # lan'), 'string.unquoted.value');
  });

  test('booleans only when they are the whole value', () => {
    const [yes, upper, text] = tokenize('KeepMaster=yes\nUnmanaged=True\nDescription=bridge on lan');
    assert.equal(scopeOf(yes, 'yes'), 'constant.language.boolean');
    assert.equal(scopeOf(upper, 'True'), 'constant.language.boolean');
    assert.equal(scopeOf(text, 'bridge on lan'), 'string.unquoted.value');
  });

  test('globs and negation in Name=', () => {
    const [line] = tokenize('Name=vm-* !vm-skip? tap[0-9]');
    assert.equal(scopeOf(line, '*'), 'keyword.operator.glob.wildcard');
    assert.equal(scopeOf(line, '!'), 'keyword.operator.negation');
    assert.equal(scopeOf(line, '?'), 'keyword.operator.glob.wildcard');
    assert.equal(scopeOf(line, '[0-9]'), 'keyword.operator.glob.bracket');
    assert.equal(scopeOf(line, 'vm-'), 'string.unquoted.value');
    const [quoted] = tokenize('Name="vm-*"');
    assert.equal(scopeOf(quoted, '"vm-*"'), 'string.quoted.double');
    const [bridge] = tokenize('Bridge=br*');
    assert.equal(scopeOf(bridge, 'br*'), 'string.unquoted.value', 'globs are for match keys only');
  });

  test('a trailing backslash continues the value on the next line', () => {
    const [first, second, third] = tokenize('Name=vm-a \\\n  vm-b\n[Network]');
    assert.equal(scopeOf(first, '\\'), 'constant.character.escape.line-continuation');
    assert.equal(scopeOf(second, '  vm-b'), 'string.unquoted.value');
    assert.equal(scopeOf(third, 'Network'), 'entity.name.section');
  });

  test('specifiers', () => {
    const [line] = tokenize('Description=unit %N on %H');
    assert.equal(scopeOf(line, '%N'), 'constant.other.placeholder');
  });
});
