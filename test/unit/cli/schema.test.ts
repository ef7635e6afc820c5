import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../../../server/src/cli/report';
import { formatJson } from '../../../server/src/cli/json';
import { validate } from './schemaValidator';
import { FIXTURES } from './golden';
import { sampleSnapshot } from './sample';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../server/src/cli/report.schema.json'), 'utf8'));
const real = () => JSON.parse(formatJson(buildReport(sampleSnapshot('/ws'), { base: '/ws' })));

test('the JSON report validates against report.schema.json', () => {
  assert.deepEqual(validate(schema, real()), []);
  assert.deepEqual(validate(schema, JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sample.report.json'), 'utf8'))), []);
});

test('the schema rejects what the contract forbids', () => {
  const extraTop = { ...real(), files: [] };
  assert.match(validate(schema, extraTop).join('\n'), /unexpected property files/);

  const noVersion = real();
  delete noVersion.version;
  assert.match(validate(schema, noVersion).join('\n'), /missing version/);

  const badStatus = real();
  badStatus.interfaces[0].status = 'attached';
  assert.match(validate(schema, badStatus).join('\n'), /not in enum/);

  const zeroColumn = real();
  zeroColumn.diagnostics[0].column = 0;
  assert.match(validate(schema, zeroColumn).join('\n'), /below 1/);

  const backslash = real();
  backslash.diagnostics[0].file = 'hosts\\a.nix';
  assert.match(validate(schema, backslash).join('\n'), /does not match/);

  const viaExtra = real();
  viaExtra.interfaces[0].via.extra = 1;
  assert.match(validate(schema, viaExtra).join('\n'), /unexpected property extra/);

  const nullMacOk = real();
  nullMacOk.interfaces[0].mac = null;
  assert.deepEqual(validate(schema, nullMacOk), []);

  const numberId = real();
  numberId.interfaces[0].id = 3;
  assert.match(validate(schema, numberId).join('\n'), /expected string/);
});
