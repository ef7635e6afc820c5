/**
 * package.json `contributes.configuration` must be exactly what the settings schema
 * (server/src/protocol/settings.ts) generates: same keys, defaults, types, descriptions, scopes.
 * The project file's schema (schemas/microvm-net.schema.json) must agree with both and with
 * the diagnostic registry. To regenerate after changing the schema:
 *   MICROVM_NET_WRITE_SETTINGS=1 node --import tsx --test test/unit/settings-sync.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  configurationContribution,
  DEFAULT_SETTINGS,
  mergeSettings,
  sanitizeSettings,
  combineFolderSettings,
  SETTINGS_SCHEMA,
  SETTINGS_SECTION,
  SEVERITY_OVERRIDES,
} from '../../server/src/protocol/settings';
import { DIAGNOSTIC_DEFINITIONS } from '../../server/src/engine/checks/codes';
import { PROJECT_SCHEMA_PATH, renderProjectSchemaText } from '../../scripts/project-schema';

const packagePath = join(__dirname, '..', '..', 'package.json');

test('package.json contributes.configuration equals the generated schema', () => {
  const text = readFileSync(packagePath, 'utf8');
  const pkg = JSON.parse(text);
  const expected = configurationContribution();
  if (process.env.MICROVM_NET_WRITE_SETTINGS === '1') {
    pkg.contributes = { ...pkg.contributes, configuration: expected };
    writeFileSync(packagePath, JSON.stringify(pkg, null, 2) + '\n');
  }
  assert.deepEqual(
    JSON.parse(readFileSync(packagePath, 'utf8')).contributes?.configuration,
    // Through JSON, as package.json holds it (drops `undefined`, copies arrays).
    JSON.parse(JSON.stringify(expected)),
    'regenerate with MICROVM_NET_WRITE_SETTINGS=1 (see this file)',
  );
});

test('the schema covers every engine setting once, with its default and a fitting type', () => {
  const engineKeys = Object.keys(DEFAULT_SETTINGS).sort();
  const schemaKeys = SETTINGS_SCHEMA.filter((s) => !s.clientOnly).map((s) => String(s.key)).sort();
  assert.deepEqual(schemaKeys, engineKeys);
  assert.equal(new Set(SETTINGS_SCHEMA.map((s) => s.key)).size, SETTINGS_SCHEMA.length);
  for (const spec of SETTINGS_SCHEMA) {
    if (!spec.clientOnly) assert.deepEqual(spec.default, DEFAULT_SETTINGS[spec.key as keyof typeof DEFAULT_SETTINGS], String(spec.key));
    const value = spec.default;
    const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    assert.equal(actual, spec.schema.type, `${String(spec.key)}: default is ${actual}`);
    assert.ok(spec.description.length > 10, `${String(spec.key)} has a description`);
  }
  const trace = configurationContribution().properties[`${SETTINGS_SECTION}.trace.server`];
  assert.deepEqual(trace.enum, ['off', 'messages', 'verbose'], 'languageclient reads <id>.trace.server');
});

test('sanitizing keeps well-typed values only', () => {
  assert.deepEqual(
    sanitizeSettings({ exclude: ['a', 1], maxFiles: -3, maxFileSize: 10, defaultBridge: 'br0', severity: { x: 'off', y: 'loud' } }),
    { maxFileSize: 10, defaultBridge: 'br0', severity: { x: 'off' } },
  );
  assert.deepEqual(sanitizeSettings(null), {});
  assert.deepEqual(mergeSettings(sanitizeSettings('nonsense')), DEFAULT_SETTINGS);
});

test('folder settings combine: excludes unioned, the rest from the first folder setting it', () => {
  const combined = combineFolderSettings([{ exclude: ['a'], maxFiles: 3 }, { exclude: ['a', 'b'], maxFiles: 9, defaultBridge: 'br1' }]);
  assert.deepEqual(combined, { ...DEFAULT_SETTINGS, exclude: ['a', 'b'], maxFiles: 3, defaultBridge: 'br1' });
  assert.deepEqual(combineFolderSettings([]), DEFAULT_SETTINGS);
});

test('untrusted workspaces: limited, and a folder cannot set what fixes write or what is read', () => {
  const pkg = JSON.parse(readFileSync(packagePath, 'utf8'));
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.deepEqual(untrusted.restrictedConfigurations, ['defaultBridge', 'exclude', 'maxFiles', 'maxFileSize'].map((k) => `${SETTINGS_SECTION}.${k}`));
  for (const key of untrusted.restrictedConfigurations) assert.ok(key in pkg.contributes.configuration.properties, key);
  assert.match(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'), /Untrusted workspaces\*\* are supported, limited/);
});

test('the project file, the editor settings and the registry agree: same codes, same levels, a setting for each shared key', () => {
  const schemaText = readFileSync(PROJECT_SCHEMA_PATH, 'utf8');
  assert.equal(schemaText, renderProjectSchemaText(), 'schemas/microvm-net.schema.json differs from the registry: run `npm run docs:schema`');
  const schema = JSON.parse(schemaText);
  const severity = schema.properties.severity;
  assert.deepEqual(severity.propertyNames.enum, DIAGNOSTIC_DEFINITIONS.map((d) => d.code), 'every registry code, in registry order');
  const contributed = JSON.parse(readFileSync(packagePath, 'utf8')).contributes.configuration.properties;
  const editorSeverity = contributed[`${SETTINGS_SECTION}.severity`];
  // The editor setting offers each registry code as a key of its own (an enum in the settings UI).
  assert.deepEqual(Object.keys(editorSeverity.properties), DIAGNOSTIC_DEFINITIONS.map((d) => d.code), 'microvmNet.severity: every registry code, in registry order');
  for (const [code, entry] of Object.entries(editorSeverity.properties as Record<string, { enum: string[] }>)) {
    assert.deepEqual(severity.additionalProperties.enum, entry.enum, `same severity levels as microvmNet.severity.${code}`);
  }
  assert.deepEqual(severity.additionalProperties.enum, [...SEVERITY_OVERRIDES]);
  // Each project-file key an editor setting also holds: same shape, so one can stand for the other.
  const shared: Record<string, string> = { exclude: 'exclude', 'default-bridge': 'defaultBridge', severity: 'severity' };
  for (const [key, setting] of Object.entries(shared)) {
    const editor = contributed[`${SETTINGS_SECTION}.${setting}`];
    assert.ok(editor, `microvmNet.${setting} exists`);
    assert.equal(schema.properties[key].type, editor.type, `${key} and microvmNet.${setting} have one type`);
    if (editor.items) assert.equal(schema.properties[key].items.type, editor.items.type);
  }
  const projectOnly = Object.keys(schema.properties).filter((k) => !(k in shared));
  assert.deepEqual(projectOnly, ['assume'], 'only [assume] has no editor setting (facts belong to the repository)');
});
