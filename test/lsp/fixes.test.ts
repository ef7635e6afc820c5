/**
 * The seed scenario end to end through the built server: the warning, the hover naming the
 * unit that decides, and every offered fix applied like an editor would (WorkspaceEdit on the
 * buffers, sent back as didChange), then re-checked: the warning is gone, no new error appears
 * in any edited file, and the same fix is not offered again.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { BUILT_SERVER, LspClient, REPO } from './harness';

const skip = existsSync(BUILT_SERVER) ? false : `${BUILT_SERVER} not built`;
const copies: string[] = [];
after(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh copy of the seed fixture and a server over it, with vms.nix open. */
async function seed(): Promise<{ client: LspClient; uri: string; diagnostic: Diagnostic }> {
  const root = mkdtempSync(join(tmpdir(), 'microvm-net-fix-'));
  copies.push(root);
  cpSync(join(REPO, 'test', 'fixtures', 'seed'), root, { recursive: true });
  const client = await LspClient.start({ roots: [root] });
  const uri = await client.openFile(join(root, 'hosts', 'hv', 'vms.nix'));
  const diagnostic = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
  return { client, uri, diagnostic };
}

const errorsIn = (client: LspClient, uri: string) =>
  (client.diagnostics.get(uri) ?? []).filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.code}: ${d.message}`);

describe('seed scenario over the built server', { skip }, () => {
  test('hover on the tap id explains the outcome and names the deciding unit', async () => {
    const { client, uri, diagnostic } = await seed();
    try {
      const hover = await client.hover(uri, diagnostic.range.start);
      assert.ok(hover && typeof hover.contents === 'object' && 'kind' in hover.contents);
      assert.equal(hover.contents.kind, 'markdown');
      assert.match(hover.contents.value, /my-microvm/);
      assert.match(hover.contents.value, /10-uplink\.network/);
      assert.deepEqual(hover.range, diagnostic.range);
    } finally {
      await client.stop();
    }
  });

  test('offers quick fixes tied to the warning, exactly one preferred', async () => {
    const { client, uri, diagnostic } = await seed();
    try {
      const actions = await client.codeActions(uri, diagnostic);
      assert.ok(actions.length >= 2, `fixes: ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(actions.filter((a) => a.isPreferred).length, 1);
      for (const action of actions) {
        assert.equal(action.kind, 'quickfix');
        assert.equal(action.diagnostics?.[0].code, 'tap-without-bridge');
        assert.ok(action.edit?.documentChanges?.length, action.title);
      }
    } finally {
      await client.stop();
    }
  });

  // One server per fix: each starts from the untouched seed.
  test('each fix, applied, clears the warning without new errors and is not offered again', async () => {
    const probe = await seed();
    const titles = (await probe.client.codeActions(probe.uri, probe.diagnostic)).map((a) => a.title);
    await probe.client.stop();
    assert.ok(titles.length > 0);

    for (const title of titles) {
      const { client, uri, diagnostic } = await seed();
      try {
        const action = (await client.codeActions(uri, diagnostic)).find((a: CodeAction) => a.title === title);
        assert.ok(action?.edit, title);
        const touched = await client.applyWorkspaceEdit(action.edit);
        const before = new Map(touched.map((t) => [t, errorsIn(client, t)]));
        await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000).catch((e: Error) => {
          throw new Error(`${title}: ${e.message.split('\n')[0]}\n${touched.map((t) => `--- ${t}\n${client.text(t)}`).join('\n')}`);
        });
        // Every edit went out before the wait, within one debounce window, so the analysis that
        // cleared the warning saw all touched buffers.
        for (const t of touched) {
          const newErrors = errorsIn(client, t).filter((e) => !before.get(t)?.includes(e));
          assert.deepEqual(newErrors, [], `${title}: new errors in ${t}`);
        }
        const again = await client.codeActions(uri, diagnostic.range);
        assert.ok(!again.some((a) => a.title === title), `${title}: offered again`);
      } finally {
        await client.stop();
      }
    }
  });
});
