/**
 * `schemas/microvm-net.schema.json`, the published schema of the project file, rendered from the
 * diagnostic registry (the codes `[severity]` accepts) and the settings' severity levels.
 * `npm run docs:schema` rewrites it; test/unit/settings-sync.test.ts fails while it differs, and
 * test/unit/config/projectSchema.test.ts holds the hand validator (config/projectFile.ts) to it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_DEFINITIONS } from '../server/src/engine/checks/codes';
import { SEVERITY_OVERRIDES } from '../server/src/protocol/settings';

export const PROJECT_SCHEMA_PATH = join(__dirname, '..', 'schemas', 'microvm-net.schema.json');

const names = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };

function oneOrMany(entry: Record<string, unknown>) {
  return { oneOf: [entry, { type: 'array', items: entry }] };
}

export function renderProjectSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/microvm-net/microvm-net/schemas/microvm-net.schema.json',
    title: 'microvm-net project file (microvm-net.toml)',
    description: 'Read by `microvm-net check` and the language server from the nearest microvm-net.toml above each root; editor settings and command-line flags override it.',
    type: 'object',
    additionalProperties: false,
    properties: {
      exclude: {
        description: 'Globs (picomatch syntax, relative to each root) of files and folders never scanned, added to the defaults.',
        type: 'array',
        items: { type: 'string', minLength: 1 },
      },
      'default-bridge': { description: 'The bridge quick fixes and `check --fix` use when none can be inferred.', type: 'string' },
      severity: {
        description: 'Severity per diagnostic code; "off" silences it.',
        type: 'object',
        propertyNames: { enum: DIAGNOSTIC_DEFINITIONS.map((d) => d.code) },
        additionalProperties: { enum: [...SEVERITY_OVERRIDES] },
      },
      assume: {
        description: 'Facts the workspace cannot show; each is named in the reasons it decides.',
        type: 'object',
        additionalProperties: false,
        properties: {
          networkd: oneOrMany({
            description: 'systemd-networkd is enabled (or not) on these hosts.',
            type: 'object',
            additionalProperties: false,
            required: ['hosts', 'enabled'],
            properties: { hosts: names, enabled: { type: 'boolean' } },
          }),
          bridges: oneOrMany({
            description: 'These bridges exist on these hosts, created outside the workspace.',
            type: 'object',
            additionalProperties: false,
            required: ['hosts', 'names'],
            properties: { hosts: names, names },
          }),
          runs: oneOrMany({
            description: 'This host runs these VMs although its configuration does not list them.',
            type: 'object',
            additionalProperties: false,
            required: ['host', 'vms'],
            properties: { host: { type: 'string', minLength: 1 }, vms: names },
          }),
        },
      },
    },
  };
}

export function renderProjectSchemaText(): string {
  return `${JSON.stringify(renderProjectSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(PROJECT_SCHEMA_PATH, renderProjectSchemaText());
  process.stdout.write(`${PROJECT_SCHEMA_PATH}: written from the registry\n`);
}
