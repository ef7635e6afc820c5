/**
 * The project file through the built server, against the CLI: on the fixtures that carry a
 * microvm-net.toml, the server publishes exactly the findings `microvm-net check --format json`
 * reports (file, line, column, code, severity); the open project file is live (an edit applies
 * before it is saved, and its own problems are published on it); editor settings override it;
 * and "Ignore this here" silences the finding without leaving an unused suppression.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

const CLI = join(__dirname, '..', '..', 'bin', 'microvm-net.js');
const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

function cliFindings(root: string): string[] {
  const run = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', '--fail-on', 'never'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { diagnostics: { file: string; line: number; column: number; code: string; severity: string }[] };
  return report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`).sort();
}

function lspFindings(client: LspClient, root: string): string[] {
  const out: string[] = [];
  for (const [uri, ds] of client.diagnostics) {
    const file = relative(root, fileURLToPath(uri));
    for (const d of ds) out.push(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity ?? 0]} ${String(d.code)}`);
  }
  return out.sort();
}

async function settled(client: LspClient): Promise<void> {
  await client.waitForNotification<{ scanning: boolean }>('microvmNet/analysisSummary', (s) => !s.scanning, 60_000);
}

for (const name of ['assume-networkd', 'assume-bridges', 'assumption-contradicted', 'config-invalid', 'suppression-unused']) {
  test(`${name}: the server publishes what the CLI reports, with the project file`, async () => {
    const root = copyWorkspace(name);
    const expected = cliFindings(root);
    const client = await LspClient.start({ roots: [root] });
    try {
      await settled(client);
      await client.waitFor('the CLI\'s findings', () => JSON.stringify(lspFindings(client, root)) === JSON.stringify(expected) || undefined, 30_000).catch(() => undefined);
      assert.deepEqual(lspFindings(client, root), expected);
      if (name !== 'assume-networkd' && name !== 'assume-bridges') assert.ok(expected.length > 0, 'the comparison is not between two empty lists');
    } finally {
      await client.stop();
    }
  });
}

test('an open microvm-net.toml applies as it is typed; its problems are published on it; settings override it', async () => {
  const root = copyWorkspace('suppression-unused');
  const tomlPath = join(root, 'microvm-net.toml');
  let severity: Record<string, string> = {};
  const client = await LspClient.start({ roots: [root], settings: () => ({ severity }) });
  try {
    const web = fileUri(join(root, 'vms', 'web.nix'));
    await client.waitForDiagnostic(web, (d) => d.code === 'suppression-unused', 60_000);
    const toml = await client.open(fileUri(tomlPath), '[severity]\nsuppression-unused = "off"\n', 'toml');
    await client.waitForDiagnostics(web, (ds) => !ds.some((d) => d.code === 'suppression-unused'), 30_000);

    await client.replaceText(toml, '"off"', '"loud"');
    const problem = await client.waitForDiagnostic(toml, (d) => d.code === 'config-invalid', 30_000);
    assert.deepEqual([problem.range.start.line, problem.range.start.character], [1, 21]);
    await client.waitForDiagnostic(web, (d) => d.code === 'suppression-unused');

    await client.replaceText(toml, '"loud"', '"off"');
    await client.waitForDiagnostics(web, (ds) => !ds.some((d) => d.code === 'suppression-unused'), 30_000);
    severity = { 'suppression-unused': 'warning' };
    await client.configurationChanged();
    const overridden = await client.waitForDiagnostic(web, (d) => d.code === 'suppression-unused', 30_000);
    assert.equal(SEVERITY[overridden.severity ?? 0], 'warning', 'the editor setting wins over the project file');
  } finally {
    await client.stop();
  }
});

test('"Ignore this here" inserts the comment above the finding; the finding goes and no unused suppression comes', async () => {
  const root = copyWorkspace('examples/homelab');
  const client = await LspClient.start({ roots: [root] });
  try {
    const uri = await client.openFile(join(root, 'hosts', 'hypervisor', 'vms.nix'));
    const diagnostic: Diagnostic = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 60_000);
    const actions = await client.codeActions(uri, diagnostic);
    const ignore = actions.find((a) => a.title === "Ignore 'tap-without-bridge' here");
    assert.ok(ignore?.edit, actions.map((a) => a.title).join(', '));
    assert.notEqual(ignore.isPreferred, true);
    assert.ok(actions.findIndex((a) => a === ignore) > actions.findIndex((a) => a.isPreferred), 'after the repairs');
    await client.applyWorkspaceEdit(ignore.edit);
    const lines = client.text(uri)!.split('\n');
    assert.match(lines[diagnostic.range.start.line], /^\s+# microvm-net: ignore tap-without-bridge — reason$/);
    await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000);
    assert.ok(!client.diagnostics.get(uri)!.some((d) => d.code === 'suppression-unused'));
  } finally {
    await client.stop();
  }
});
