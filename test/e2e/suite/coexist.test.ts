/// <reference types="mocha" />
/**
 * Coexistence: another extension (test/e2e/coexist-extension, a stand-in for systemd-conf or
 * systemd-network) owns `.network` files under its own language id, and the workspace maps
 * `*.network` to it. Our diagnostics and hovers must still reach the unit file: the client's
 * document selector matches unit files by pattern too (client/src/selector.ts). Runs on a copy
 * of test/fixtures/networkd-syntax-miscased in a folder named `coexist`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { BREAK, EXTENSION_ID, SOURCE, waitFor, waitForHover } from './util';

const OTHER_LANGUAGE = 'other-systemd';
const UNIT = 'etc/systemd/network/20-vms.network';

describe('coexistence with another extension that owns .network files', function () {
  this.timeout(150_000);
  let uri: vscode.Uri;

  before(async function () {
    const ours = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ours, `extension ${EXTENSION_ID} is not loaded`);
    await ours.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder');
    uri = vscode.Uri.joinPath(folder.uri, UNIT);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  });

  it(`the unit file is in the other extension's language (${OTHER_LANGUAGE}), not ours`, async function () {
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(vscode.extensions.getExtension('microvm-net-test.other-systemd-language'), 'the stand-in extension is loaded');
    assert.equal(doc.languageId, OTHER_LANGUAGE);
  });

  it('our diagnostic still appears on the unit file (networkd-syntax-miscased on line 6)', async function () {
    const code = BREAK ? 'networkd-syntax-broken-on-purpose' : 'networkd-syntax-miscased';
    const found = await waitFor(
      () =>
        `${code} on ${UNIT}:6 (now, in the workspace: ${
          vscode.languages
            .getDiagnostics()
            .flatMap(([u, ds]) => ds.map((d) => `${vscode.workspace.asRelativePath(u)}:${d.range.start.line + 1} ${d.source}:${String(typeof d.code === 'object' ? d.code.value : d.code)}`))
            .join(', ') || 'none'
        })`,
      () =>
        vscode.languages
          .getDiagnostics(uri)
          .find((d) => d.source === SOURCE && (typeof d.code === 'object' ? d.code.value : d.code) === code && d.range.start.line === 5),
      90_000,
    );
    assert.equal(found.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('our hover still answers on the unit file ([Match] Name= lists the tap it catches)', async function () {
    const text = await waitForHover(uri, new vscode.Position(1, 6), 'catches');
    assert.ok(text.includes('vm-web'), `hover: ${text}`);
    assert.ok(text.includes('br-lan'), `hover: ${text}`);
  });
});
