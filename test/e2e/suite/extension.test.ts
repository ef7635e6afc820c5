/// <reference types="mocha" />
/**
 * The extension in a real VS Code, through the `vscode` API only: the workspace folder is a copy
 * of one example (examples/<name>, with its expected.json), the suite checks what that file
 * promises — diagnostics on the tap ids, hovers, quick fixes that really clear the warning —
 * and runs the extension's commands.
 *
 * The client exports no API, so the tree view's data is checked through the tap report command
 * (it renders the same `microvmNet/tapReport` answer the tree shows) and, in the code-server
 * harness, through the rendered tree itself (scripts/e2e/ui-smoke.mjs).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  BREAK,
  COMMANDS,
  EXTENSION_ID,
  SEVERITY,
  codeOf,
  describeDiagnostics,
  findDiagnostic,
  intendedBridge,
  loadFixture,
  ours,
  positionOf,
  quickFixes,
  reportOpenedBy,
  uriOf,
  waitFor,
  waitForDiagnostic,
  waitForHover,
  type ExpectedDiagnostic,
} from './util';

const fixture = loadFixture();
const tapDiagnostics = fixture.diagnostics.filter((d) => d.code === 'tap-without-bridge');
const bridged = fixture.interfaces.filter((i) => i.status === 'bridged' && i.bridge);

describe(`microvm-net in the "${fixture.name}" example`, function () {
  let extension: vscode.Extension<unknown>;

  before(async function () {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded (is extensionDevelopmentPath the repository?)`);
    extension = found;
    await extension.activate();
    // Open the files the diagnostics are on, as a user would.
    for (const file of new Set(fixture.diagnostics.map((d) => d.file))) {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uriOf(fixture, file)), { preview: false });
    }
  });

  after(async function () {
    // Leave no dirty buffers behind (the workspace is a throw-away copy).
    await vscode.workspace.saveAll(false);
  });

  it('activates and contributes its commands and its explorer view', async function () {
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const command of COMMANDS) assert.ok(commands.includes(command), `command ${command} is not registered`);
    // Every contributed view gets a `<id>.focus` command; it only resolves when the view exists
    // and its `when` clause (microvmNet.active) holds.
    await vscode.commands.executeCommand('microvmNet.network.focus');
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  describe('once the language server has analysed the workspace', function () {
    before(async function () {
      // One generous wait for the first diagnostic (cold start, workspace scan); if it never
      // comes the server is not working and every test below would only time out.
      this.timeout(150_000);
      const first = fixture.diagnostics[0];
      if (!first) return;
      try {
        await waitForDiagnostic(fixture, first, 120_000);
      } catch (e) {
        throw new Error(
          `no diagnostics from the language server: ${e instanceof Error ? e.message : String(e)}. ` +
            'Is dist/server.js built, and does the "MicroVM Network" output channel show a start error?',
        );
      }
    });

    it('publishes exactly the expected diagnostics, each on the tap id', async function () {
      for (const expected of fixture.diagnostics) {
        const d = await waitForDiagnostic(fixture, expected);
        assert.equal(d.severity, SEVERITY[expected.severity], `${expected.code}: severity`);
        for (const part of expected.messageIncludes ?? []) assert.ok(d.message.includes(part), `message ${JSON.stringify(d.message)} lacks ${part}`);
        const doc = await vscode.workspace.openTextDocument(uriOf(fixture, expected.file));
        const tap = fixture.interfaces.find((i) => i.file === expected.file && i.line === expected.line && i.column === expected.column);
        if (tap) assert.equal(doc.getText(d.range), `"${tap.id}"`, 'the diagnostic covers the tap id');
        assert.ok(d.relatedInformation?.length, 'the diagnostic links the unit that sets the bridge');
        for (const related of d.relatedInformation ?? []) {
          assert.ok(related.location.uri.fsPath.startsWith(fixture.root.fsPath), `related ${related.location.uri} is outside the workspace`);
          await vscode.workspace.fs.stat(related.location.uri);
        }
      }
      // Nothing else from us anywhere in the workspace.
      const all = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.filter(ours).map((d) => ({ uri, d })));
      const unexpected = all.filter(
        ({ uri, d }) =>
          !fixture.diagnostics.some(
            (e) => uriOf(fixture, e.file).toString() === uri.toString() && e.code === codeOf(d) && d.range.start.isEqual(positionOf(e)),
          ),
      );
      assert.deepEqual(
        unexpected.map(({ uri, d }) => `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1} ${codeOf(d)}`),
        [],
        'unexpected microvm-net diagnostics',
      );
    });

    for (const expected of tapDiagnostics) {
      it(`hover on ${expected.file}:${expected.line} says the tap is on no bridge and names ${intendedBridge(expected)}`, async function () {
        const uri = uriOf(fixture, expected.file);
        const at = positionOf(expected).translate(0, 2);
        const text = await waitForHover(uri, at, 'no bridge');
        const bridge = BREAK ? `${intendedBridge(expected)}-broken-on-purpose` : intendedBridge(expected);
        assert.ok(text.includes(`\`${bridge}\``), `hover names bridge ${bridge}:\n${text}`);
        const tap = tapAt(expected);
        if (tap) assert.ok(text.includes(`tap \`${tap.id}\``), `hover names tap ${tap.id}:\n${text}`);
      });
    }

    for (const tap of bridged) {
      it(`hover on ${tap.file}:${tap.line} (${tap.id}) names bridge ${tap.bridge} and the deciding unit`, async function () {
        const uri = uriOf(fixture, tap.file);
        const text = await waitForHover(uri, positionOf(tap).translate(0, 1), 'bridged to');
        // Several taps may share one id expression (genAttrs): the hover shows one of them.
        assert.ok(text.includes(`bridged to \`${tap.bridge}\``), `hover: ${text}`);
        assert.match(text, /decided by `[^`]+`/);
      });
    }

    it('the Show Tap Report command lists every tap with its status and bridge (the tree view data)', async function () {
      await waitForAllDiagnostics(fixture.diagnostics);
      const { text, languageId } = await reportOpenedBy('microvmNet.showTapReport');
      assert.equal(languageId, 'markdown');
      assert.match(text, new RegExp(`^${fixture.interfaces.length} tap interface\\(s\\)`, 'm'), text);
      for (const tap of fixture.interfaces) {
        const row = text.split('\n').find((l) => l.includes(`| \`${tap.id}\` |`));
        assert.ok(row, `no report row for ${tap.id}:\n${text}`);
        assert.ok(row.includes(`| ${tap.status} |`), `status of ${tap.id}: ${row}`);
        assert.ok(row.includes(`| ${tap.bridge ?? '—'} |`), `bridge of ${tap.id}: ${row}`);
      }
    });

    it('Show Network Map opens the map webview beside the tree (its drawing is checked in scripts/e2e/ui-map.mjs)', async function () {
      await vscode.commands.executeCommand('microvmNet.showMap');
      const tab = await waitFor('the map tab', () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'MicroVM network map'),
      );
      await vscode.window.tabGroups.close(tab);
    });

    it('Re-scan Workspace keeps the same diagnostics', async function () {
      await vscode.commands.executeCommand('microvmNet.rescan');
      await waitForAllDiagnostics(fixture.diagnostics);
    });

    it('Restart Language Server comes back with the same diagnostics and hovers', async function () {
      await vscode.commands.executeCommand('microvmNet.restartServer');
      await waitForAllDiagnostics(fixture.diagnostics);
      for (const expected of tapDiagnostics) await waitForHover(uriOf(fixture, expected.file), positionOf(expected).translate(0, 2), 'no bridge');
    });

    for (const expected of tapDiagnostics) {
      it(`an inlay hint after ${tapAt(expected)?.id ?? '?'} says → no bridge`, async function () {
        const uri = uriOf(fixture, expected.file);
        const labels = await waitFor(
          () => `inlay hints in ${expected.file}`,
          async () => {
            const hints = await inlayHints(uri);
            const at = hints.filter((h) => h.position.line === expected.line - 1).map(hintLabel);
            return at.includes('→ no bridge') ? at : undefined;
          },
        );
        assert.deepEqual(labels, ['→ no bridge']);
      });
    }

    for (const expected of tapDiagnostics) {
      const tap = tapAt(expected);
      const id = tap?.id ?? '?';
      const bridge = intendedBridge(expected);
      it(`quick fixes for ${id}: distinct titles, one preferred (add it to the unit's Name=)`, async function () {
        const d = await waitForDiagnostic(fixture, expected);
        const actions = await quickFixes(uriOf(fixture, expected.file), d.range);
        assert.ok(actions.length >= 2, `quick fixes: ${actions.map((a) => a.title).join(' | ')}`);
        assert.equal(new Set(actions.map((a) => a.title)).size, actions.length, 'titles are distinct');
        // Repairs first, then the suppression comments ("Ignore … here", "… in this file").
        const firstIgnore = actions.findIndex((a) => a.title.startsWith('Ignore '));
        assert.ok(firstIgnore >= 1, `repairs come before the suppressions: ${actions.map((a) => a.title).join(' | ')}`);
        assert.ok(actions.slice(firstIgnore).every((a) => a.title.startsWith('Ignore ') && a.title.includes(expected.code)), 'the suppressions name the code and come last');
        for (const a of actions) {
          assert.equal(a.kind?.value, vscode.CodeActionKind.QuickFix.value, `${a.title}: kind`);
          assert.ok(a.edit, `${a.title}: carries an edit`);
          if (a.title.startsWith('Ignore ')) continue;
          assert.ok(a.title.includes(bridge), `${a.title}: names the bridge ${bridge}`);
          // (`vscode.executeCodeActionProvider` drops CodeAction.diagnostics, so which diagnostic an
          // action answers is checked by the LSP and neovim tests, not here.)
        }
        const preferred = actions.filter((a) => a.isPreferred);
        assert.equal(preferred.length, 1, 'exactly one preferred fix');
        assert.ok(preferred[0].title.startsWith(`Add '${id}' to Name=`), preferred[0].title);
      });

      it(`applying the preferred fix through workspace.applyEdit clears the warning on ${id}`, async function () {
        const uri = uriOf(fixture, expected.file);
        const d = await waitForDiagnostic(fixture, expected);
        const fix = (await quickFixes(uri, d.range)).find((a) => a.isPreferred);
        assert.ok(fix?.edit, 'a preferred fix with an edit');
        const touched = fix.edit.entries().map(([u]) => u);
        for (const u of touched) assert.ok(u.fsPath.startsWith(fixture.root.fsPath), `the fix writes outside the workspace: ${u}`);

        assert.equal(await vscode.workspace.applyEdit(fix.edit), true, 'applyEdit succeeded');
        await waitFor(
          () => `${expected.code} on ${id} to clear (now: ${describeDiagnostics(uri)})`,
          () => !findDiagnostic(fixture, expected),
        );
        for (const u of touched) {
          const doc = await vscode.workspace.openTextDocument(u);
          assert.ok(doc.isDirty, `${vscode.workspace.asRelativePath(u)} holds the unsaved fix`);
          assert.ok(doc.getText().includes(id), `${vscode.workspace.asRelativePath(u)} now names ${id}`);
          // The edited file gains no diagnostics of its own.
          assert.deepEqual(vscode.languages.getDiagnostics(u).filter(ours).map(codeOf), []);
        }
        const text = await waitForHover(uri, positionOf(expected).translate(0, 2), 'bridged to');
        assert.ok(text.includes(`bridged to \`${bridge}\``), `hover after the fix: ${text}`);
        const again = await quickFixes(uri, d.range);
        assert.ok(!again.some((a) => a.title === fix.title), `the applied fix is offered again: ${again.map((a) => a.title).join(' | ')}`);

        const { text: report } = await reportOpenedBy('microvmNet.showTapReport');
        const row = report.split('\n').find((l) => l.includes(`| \`${id}\` |`));
        assert.ok(row?.includes('| bridged |') && row.includes(`| ${bridge} |`), `report row after the fix: ${row}`);
      });
    }

    it('rename a bridge from its netdev Name: the fixed taps follow it (re-analysed)', async function () {
      const expected = tapDiagnostics[0];
      assert.ok(expected, 'the example has a tap without bridge (expected.json)');
      const bridge = intendedBridge(expected);
      const renamed = 'brrenamed0';
      let at: { uri: vscode.Uri; position: vscode.Position } | undefined;
      for (const uri of await vscode.workspace.findFiles('**/*.{nix,netdev}')) {
        const doc = await vscode.workspace.openTextDocument(uri);
        const offset = doc.getText().search(new RegExp(`Name\\s*=\\s*"?${bridge}\\b`));
        if (offset < 0) continue;
        at = { uri, position: doc.positionAt(doc.getText().indexOf(bridge, offset) + 1) };
        break;
      }
      assert.ok(at, `the netdev defining ${bridge}`);
      const edit = (await vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', at.uri, at.position, renamed)) as vscode.WorkspaceEdit;
      assert.ok(edit && edit.size > 0, 'rename answers an edit');
      assert.equal(await vscode.workspace.applyEdit(edit), true);
      const tapUri = uriOf(fixture, expected.file);
      const text = await waitForHover(tapUri, positionOf(expected).translate(0, 2), `\`${renamed}\``);
      assert.ok(text.includes(`bridged to \`${renamed}\``), text);
      const labels = (await inlayHints(tapUri)).filter((h) => h.position.line === expected.line - 1).map(hintLabel);
      assert.deepEqual(labels, [`→ ${renamed}`]);
    });
  });
});

async function inlayHints(uri: vscode.Uri): Promise<vscode.InlayHint[]> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  return ((await vscode.commands.executeCommand('vscode.executeInlayHintProvider', uri, range)) as vscode.InlayHint[] | undefined) ?? [];
}

function hintLabel(h: vscode.InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

function tapAt(d: ExpectedDiagnostic) {
  return fixture.interfaces.find((i) => i.file === d.file && i.line === d.line && i.column === d.column);
}

function waitForAllDiagnostics(expected: ExpectedDiagnostic[]): Promise<unknown> {
  return Promise.all(expected.map((e) => waitForDiagnostic(fixture, e)));
}
