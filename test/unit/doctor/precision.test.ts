/**
 * Precision of the networking doctor's guest-side codes (microvm.md §9): on every fixture and
 * example that is not one of their own cases, and on the regression corpus (real repositories,
 * every row a working setup or unknowable), they report nothing at warning or error level; on the
 * fixtures and examples, nothing at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DIAGNOSTICS } from '../../../server/src/engine/checks/codes';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { findCorpus } from '../corpus/findCorpus';

const repo = join(__dirname, '..', '..', '..');

const DOCTOR_CODES = new Set<string>(
  [
    DIAGNOSTICS.guestNicUnconfigured,
    DIAGNOSTICS.guestAddressOutsideSubnet,
    DIAGNOSTICS.guestGatewayUnreachable,
    DIAGNOSTICS.duplicateGuestAddress,
    DIAGNOSTICS.guestDhcpNoServer,
    DIAGNOSTICS.routedNoHostRoute,
    DIAGNOSTICS.duplicateVmIndex,
    DIAGNOSTICS.natMissing,
    DIAGNOSTICS.guestVethCaptured,
    DIAGNOSTICS.wirelessBridgePort,
  ].map((d) => d.code),
);

async function doctorDiagnostics(dir: string): Promise<{ code: string; severity: string; where: string }[]> {
  const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
  try {
    await service.scan();
    const snapshot = service.analyze();
    return [...snapshot.diagnostics.values()]
      .flat()
      .filter((d) => DOCTOR_CODES.has(d.code))
      .map((d) => ({ code: d.code, severity: d.severity, where: `${relative(dir, d.location.file)}:${d.location.range.start.line + 1}` }));
  } finally {
    service.dispose();
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((d) => statSync(d).isDirectory());
}

test('the doctor codes are silent on every other fixture and example', async () => {
  const workspaces = [...subdirs(join(repo, 'test', 'fixtures')), ...subdirs(join(repo, 'examples'))].filter((d) => !DOCTOR_CODES.has(d.split('/').pop()!));
  assert.ok(workspaces.length > 80, `only ${workspaces.length} fixtures and examples found`);
  const found: string[] = [];
  for (const dir of workspaces) for (const d of await doctorDiagnostics(dir)) found.push(`${relative(repo, dir)}/${d.where} ${d.severity} ${d.code}`);
  assert.deepEqual(found, []);
});


test('the doctor codes raise no warning on the corpus', async () => {
  const corpus = findCorpus();
  assert.ok(corpus, 'no shared/corpus found beside the repository; set MICROVM_NET_CORPUS');
  const falseWarnings: string[] = [];
  let information = 0;
  const dirs = subdirs(corpus);
  assert.ok(dirs.length > 5, `only ${dirs.length} corpus repositories`);
  for (const dir of dirs) {
    for (const d of await doctorDiagnostics(dir)) {
      if (d.severity === 'warning' || d.severity === 'error') falseWarnings.push(`${relative(corpus, dir)}/${d.where} ${d.code}`);
      else information++;
    }
  }
  console.log(`corpus: ${information} doctor notes at information level`);
  assert.deepEqual(falseWarnings, []);
});
