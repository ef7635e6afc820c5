/**
 * Positions and line breaks through the built server: UTF-16 ranges with CJK and emoji before
 * the tap id (same line and previous line), incremental edits and a fix on such a file; CRLF
 * files (exact ranges, fix edits that keep CRLF); and multi-root workspaces (each folder its own
 * diagnostics, a removed folder's diagnostics cleared).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { bareLineFeeds, copyWorkspace, nixSyntaxErrors, removeWorkspaces, toCrlf } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

const ID_LINE = '            id = "my-microvm";';
const CJK = '日本語 😀';

/** Where `needle` sits in `text`, as an LSP range (characters are UTF-16 code units, like JS strings). */
function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not found`);
  const before = text.slice(0, offset).split(/\r?\n/);
  const line = before.length - 1;
  const character = before[line].length;
  assert.ok(!needle.includes('\n'));
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

async function seedWith(idLine: string, opts: { crlf?: boolean } = {}) {
  const root = copyWorkspace('seed', {
    transform: (rel, text) => {
      const t = rel === join('hosts', 'hv', 'vms.nix') ? text.replace(ID_LINE, idLine) : text;
      return opts.crlf ? toCrlf(t) : t;
    },
  });
  const client = await LspClient.start({ roots: [root] });
  const uri = await client.openFile(join(root, 'hosts', 'hv', 'vms.nix'));
  const diagnostic = await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
  return { root, client, uri, diagnostic };
}

const hoverRange = async (client: LspClient, uri: string, at: Range['start']) => (await client.hover(uri, at))?.range;

describe('UTF-16 positions with CJK and emoji before the tap id', () => {
  for (const [where, idLine] of [
    ['on the same line', `            /* ${CJK} */ id = "my-microvm";`],
    ['on the previous line', `            # ${CJK} comment\n${ID_LINE}`],
  ] as const) {
    test(`${where}: exact diagnostic and hover ranges, incremental edits, a fix`, async () => {
      const { client, uri, diagnostic } = await seedWith(idLine);
      try {
        const text = client.text(uri)!;
        assert.deepEqual(diagnostic.range, rangeOf(text, '"my-microvm"'));
        const mid = { line: diagnostic.range.start.line, character: diagnostic.range.start.character + 4 };
        assert.deepEqual(await hoverRange(client, uri, mid), diagnostic.range);

        // Incremental: lengthen the id (16 bytes: too long), range given in UTF-16.
        await client.change(uri, [{ range: rangeOf(text, '"my-microvm"'), text: '"my-microvm-long1"' }]);
        const long = await client.waitForDiagnostic(uri, (d) => d.code === 'interface-name-too-long', 30_000);
        assert.deepEqual(long.range, rangeOf(client.text(uri)!, '"my-microvm-long1"'));
        // One more emoji right before the id, inserted after the first one: everything shifts by 2 units.
        const at = rangeOf(client.text(uri)!, 'id = ').start;
        await client.change(uri, [{ range: { start: at, end: at }, text: '/* 🎉 */ ' }]);
        const shifted = await client.waitForDiagnostic(
          uri,
          (d) => d.code === 'interface-name-too-long' && d.range.start.character !== long.range.start.character,
          30_000,
        );
        assert.deepEqual(shifted.range, rangeOf(client.text(uri)!, '"my-microvm-long1"'));
        assert.equal(shifted.range.start.character, long.range.start.character + '/* 🎉 */ '.length);
        // Back to the original id: the seed warning returns on the exact range.
        await client.change(uri, [{ range: rangeOf(client.text(uri)!, '"my-microvm-long1"'), text: '"my-microvm"' }]);
        const back = await client.waitForDiagnostics(
          uri,
          (ds) => ds.some((d) => d.code === 'tap-without-bridge') && !ds.some((d) => d.code === 'interface-name-too-long'),
          30_000,
        );
        const warning = back.find((d) => d.code === 'tap-without-bridge')!;
        assert.deepEqual(warning.range, rangeOf(client.text(uri)!, '"my-microvm"'));

        // A fix editing this very file (the guest's tap-up script) lands where it should.
        const tapUp = (await client.codeActions(uri, warning)).find((a) => a.title.includes('binScripts.tap-up'));
        assert.ok(tapUp?.edit);
        await client.applyWorkspaceEdit(tapUp.edit);
        await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000);
        const fixed = client.text(uri)!;
        assert.equal(await nixSyntaxErrors(fixed), 0, fixed);
        assert.ok(fixed.includes(CJK) && fixed.includes('🎉'), fixed);
        assert.match(fixed, /binScripts\.tap-up = lib\.mkAfter ''\n.* link set dev 'my-microvm' master 'brprim4'\n/);
      } finally {
        await client.stop();
      }
    });
  }
});

describe('CRLF files', () => {
  const editedTexts = (client: LspClient, touched: string[]) => touched.map((t) => [t, client.text(t)!] as const);

  async function applyEach(
    workspace: string,
    tapFile: string,
    select: (a: CodeAction) => boolean,
    check: (client: LspClient, uri: string, diagnostic: Diagnostic, touched: string[]) => Promise<void> | void,
  ) {
    const probeRoot = copyWorkspace(workspace, { transform: (_rel, text) => toCrlf(text) });
    const probe = await LspClient.start({ roots: [probeRoot] });
    const probeUri = await probe.openFile(join(probeRoot, tapFile));
    const d = await probe.waitForDiagnostic(probeUri, (x) => x.code === 'tap-without-bridge', 30_000);
    const titles = (await probe.codeActions(probeUri, d)).filter(select).map((a) => a.title);
    await probe.stop();
    assert.ok(titles.length > 0);
    for (const title of titles) {
      const root = copyWorkspace(workspace, { transform: (_rel, text) => toCrlf(text) });
      const client = await LspClient.start({ roots: [root] });
      try {
        const uri = await client.openFile(join(root, tapFile));
        const diagnostic = await client.waitForDiagnostic(uri, (x) => x.code === 'tap-without-bridge', 30_000);
        const action = (await client.codeActions(uri, diagnostic)).find((a) => a.title === title);
        assert.ok(action?.edit, title);
        const touched = await client.applyWorkspaceEdit(action.edit);
        await client.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'tap-without-bridge'), 30_000);
        await check(client, uri, diagnostic, touched);
      } finally {
        await client.stop();
      }
    }
  }

  test('seed in CRLF: exact range and hover; every fix edit of an existing file keeps CRLF', async () => {
    const { client, uri, diagnostic } = await seedWith(ID_LINE, { crlf: true });
    try {
      assert.ok(client.text(uri)!.includes('\r\n'));
      // expected.json: line 12, column 18 (1-based); a CR is not a character of the line.
      assert.deepEqual(diagnostic.range, { start: { line: 11, character: 17 }, end: { line: 11, character: 29 } });
      assert.deepEqual(await hoverRange(client, uri, { line: 11, character: 20 }), diagnostic.range);
    } finally {
      await client.stop();
    }
    await applyEach('seed', 'hosts/hv/vms.nix', () => true, async (c, _uri, _d, touched) => {
      for (const [t, text] of editedTexts(c, touched)) {
        assert.equal(bareLineFeeds(text), 0, `${t}:\n${JSON.stringify(text)}`);
        assert.equal(await nixSyntaxErrors(text), 0);
      }
    });
  });

  test('seed-files in CRLF: Name= added to a CRLF unit file and the qemu edit keep CRLF', async () => {
    await applyEach(
      'seed-files',
      'vms/my-microvm.nix',
      (a) => a.title.startsWith("Add '") || a.title.startsWith('Let qemu'),
      (c, _uri, _d, touched) => {
        for (const [t, text] of editedTexts(c, touched)) assert.equal(bareLineFeeds(text), 0, `${t}:\n${JSON.stringify(text)}`);
      },
    );
  });
});

describe('multi-root workspace', () => {
  test('each folder gets its own diagnostics; removing a folder clears its diagnostics', async () => {
    const seed = copyWorkspace('seed');
    const homelab = copyWorkspace('examples/homelab');
    const seedVms = fileUri(join(seed, 'hosts', 'hv', 'vms.nix'));
    const labVms = fileUri(join(homelab, 'hosts', 'hypervisor', 'vms.nix'));
    const client = await LspClient.start({ roots: [seed, homelab] });
    try {
      const a = await client.waitForDiagnostic(seedVms, (d) => d.code === 'tap-without-bridge', 30_000);
      const b = await client.waitForDiagnostic(labVms, (d) => d.code === 'tap-without-bridge', 30_000);
      assert.deepEqual(a.range.start, { line: 11, character: 17 });
      assert.match(a.message, /brprim4/);
      // homelab expected.json: line 55, column 20.
      assert.deepEqual(b.range.start, { line: 54, character: 19 });
      assert.match(b.message, /tap-media/);
      assert.match(b.message, /br0/);
      assert.doesNotMatch(b.message, /brprim4/);
      // A hover in each folder names that folder's own unit.
      const hb = await client.hover(labVms, b.range.start);
      assert.ok(hb && typeof hb.contents === 'object' && 'value' in hb.contents);
      assert.match(hb.contents.value, /tap-media/);

      await client.foldersChanged([], [homelab]);
      await client.waitForDiagnostics(labVms, (ds) => ds.length === 0, 30_000);
      await client.connection.sendRequest('microvmNet/tapReport');
      assert.ok(client.diagnostics.get(seedVms)?.some((d) => d.code === 'tap-without-bridge'), 'seed keeps its warning');
      const report = (await client.connection.sendRequest('microvmNet/tapReport')) as { taps: { id: string }[] };
      assert.deepEqual(report.taps.map((t) => t.id), ['my-microvm']);

      await client.foldersChanged([homelab], []);
      await client.waitForDiagnostic(labVms, (d) => d.code === 'tap-without-bridge', 30_000);
    } finally {
      await client.stop();
    }
  });
});

describe('hover on a bridged tap', () => {
  test('names the unit that bridges it (homelab: vm-dns by 20-lan)', async () => {
    const homelab = copyWorkspace('examples/homelab');
    const client = await LspClient.start({ roots: [homelab] });
    try {
      const uri = await client.openFile(join(homelab, 'hosts', 'hypervisor', 'vms.nix'));
      await client.waitForDiagnostic(uri, (d) => d.code === 'tap-without-bridge', 30_000);
      // expected.json: vm-dns and vm-git share the generated id at line 23, column 18.
      const hover = await client.hover(uri, { line: 22, character: 20 });
      assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
      assert.match(hover.contents.value, /20-lan/);
      assert.match(hover.contents.value, /br0/);
    } finally {
      await client.stop();
    }
  });
});
