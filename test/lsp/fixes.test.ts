/**
 * Every quick-fix kind end to end through the built server (`node dist/server.js --stdio`), the
 * way an editor applies it: code action → WorkspaceEdit (TextDocumentEdit, CreateFile) applied
 * to the buffers and sent back as didChange (creates also make the file on disk, which the
 * watcher reports), then re-checked:
 *  - the diagnostic is gone;
 *  - every edited Nix file re-parses with no more syntax errors than before, edited unit files
 *    get no networkd-syntax diagnostic, and no new warning or error appears in touched files;
 *  - no action is offered any more for the tap;
 *  - saved to disk and closed, the tap is reported bridged to the intended bridge.
 * Kinds (server/src/engine/fixes): add-name (Nix unit, unit file), create-unit (Nix unit, new
 * .network file), tap-up, host-service (current layout drop-in, old layout mkForce script),
 * qemu-bridge, define-bridge (Nix netdev, new .netdev file).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity, type CodeAction, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, nixSyntaxErrors, removeWorkspaces } from './workspaces';

before(ensureBuilt);
after(removeWorkspaces);

type Kind =
  | 'add-name (Nix unit)'
  | 'add-name (unit file)'
  | 'create-unit (Nix unit)'
  | 'create-unit (new .network file)'
  | 'tap-up'
  | 'host-service (asDropin)'
  | 'host-service (old layout mkForce)'
  | 'qemu-bridge'
  | 'define-bridge (Nix netdev)'
  | 'define-bridge (new .netdev file)';

const ALL_KINDS: Kind[] = [
  'add-name (Nix unit)',
  'add-name (unit file)',
  'create-unit (Nix unit)',
  'create-unit (new .network file)',
  'tap-up',
  'host-service (asDropin)',
  'host-service (old layout mkForce)',
  'qemu-bridge',
  'define-bridge (Nix netdev)',
  'define-bridge (new .netdev file)',
];

/** The kind of an offered action, from its title and the shape of its edit. */
function kindOf(action: CodeAction): Kind | null {
  const changes = action.edit?.documentChanges ?? [];
  const creates = changes.filter((c) => 'kind' in c && c.kind === 'create').map((c) => (c as { uri: string }).uri);
  const edited = changes.filter((c): c is TextDocumentEdit => 'textDocument' in c).map((c) => c.textDocument.uri);
  const text = changes
    .filter((c): c is TextDocumentEdit => 'textDocument' in c)
    .flatMap((c) => c.edits.map((e) => ('newText' in e ? e.newText : '')))
    .join('');
  const t = action.title;
  if (t.startsWith("Add '")) return edited.some((u) => u.endsWith('.nix')) ? 'add-name (Nix unit)' : 'add-name (unit file)';
  if (/^Create .*bridging/.test(t)) return creates.some((u) => u.endsWith('.network')) ? 'create-unit (new .network file)' : 'create-unit (Nix unit)';
  if (t.includes('binScripts.tap-up')) return 'tap-up';
  if (t.includes('ExecStartPost') && text.includes('overrideStrategy = "asDropin"')) return 'host-service (asDropin)';
  if (t.startsWith('Override microvm-tap-interfaces@') && text.includes('lib.mkForce')) return 'host-service (old layout mkForce)';
  if (t.startsWith('Let qemu attach')) return 'qemu-bridge';
  if (/^Define bridge/.test(t) && edited.some((u) => u.endsWith('.nix'))) return 'define-bridge (Nix netdev)';
  if (/^Create .*\.netdev defining bridge/.test(t) && creates.some((u) => u.endsWith('.netdev'))) return 'define-bridge (new .netdev file)';
  return null;
}

const OLD_LOCK = readFileSync(join(__dirname, '..', 'fixtures', 'service-override-old-layout', 'flake.lock'), 'utf8');

interface Case {
  name: string;
  workspace: () => string;
  /** The file holding the tap (relative), its diagnostic code and id, and the bridge it should end up on. */
  tapFile: string;
  code: string;
  id: string;
  bridge: string;
  /** The kinds this workspace must offer; each is applied on a fresh copy. */
  kinds: Kind[];
}

const CASES: Case[] = [
  {
    name: 'seed (Nix units, current microvm.nix layout)',
    workspace: () => copyWorkspace('seed'),
    tapFile: 'hosts/hv/vms.nix',
    code: 'tap-without-bridge',
    id: 'my-microvm',
    bridge: 'brprim4',
    kinds: ['add-name (Nix unit)', 'create-unit (Nix unit)', 'tap-up', 'host-service (asDropin)'],
  },
  {
    name: 'seed with a flake.lock pinning microvm.nix before 2024-11-27',
    workspace: () => copyWorkspace('seed', { files: { 'flake.lock': OLD_LOCK } }),
    tapFile: 'hosts/hv/vms.nix',
    code: 'tap-without-bridge',
    id: 'my-microvm',
    bridge: 'brprim4',
    kinds: ['host-service (old layout mkForce)'],
  },
  {
    name: 'seed-files (unit files on disk, qemu guest)',
    workspace: () => copyWorkspace('seed-files'),
    tapFile: 'vms/my-microvm.nix',
    code: 'tap-without-bridge',
    id: 'my-microvm',
    bridge: 'brprim4',
    kinds: ['add-name (unit file)', 'create-unit (new .network file)', 'tap-up', 'qemu-bridge'],
  },
  {
    name: 'bridge-not-defined (Nix units)',
    workspace: () => copyWorkspace('bridge-not-defined'),
    tapFile: 'hosts/lab/vms.nix',
    code: 'bridge-not-defined',
    id: 'vm-grafana',
    bridge: 'br-vms',
    kinds: ['define-bridge (Nix netdev)'],
  },
  {
    name: 'seed-files with a unit naming a bridge no netdev defines',
    workspace: () =>
      copyWorkspace('seed-files', {
        files: { 'etc/systemd/network/15-vms.network': '[Match]\nName=my-*\n\n[Network]\nBridge=br-vms\n' },
      }),
    tapFile: 'vms/my-microvm.nix',
    code: 'bridge-not-defined',
    id: 'my-microvm',
    bridge: 'br-vms',
    kinds: ['define-bridge (new .netdev file)'],
  },
];

async function startOn(c: Case): Promise<{ client: LspClient; root: string; uri: string; diagnostic: Diagnostic }> {
  const root = c.workspace();
  const client = await LspClient.start({ roots: [root] });
  const uri = await client.openFile(join(root, c.tapFile));
  const diagnostic = await client.waitForDiagnostic(uri, (d) => d.code === c.code, 30_000);
  return { client, root, uri, diagnostic };
}

/** A request round trip: every notification the server sent before it has arrived. */
async function settle(client: LspClient): Promise<void> {
  await client.connection.sendRequest('microvmNet/tapReport');
}

const problemsIn = (client: LspClient, uri: string) =>
  (client.diagnostics.get(uri) ?? [])
    .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
    .map((d) => `${d.code}: ${d.message}`);

const verified = new Set<Kind>();

describe('every quick-fix kind, applied through the built server and re-checked', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      test(`offers ${c.kinds.join(', ')}; one preferred, each tied to the diagnostic`, async () => {
        const { client, uri, diagnostic } = await startOn(c);
        try {
          const actions = await client.codeActions(uri, diagnostic);
          const kinds = actions.map(kindOf);
          for (const kind of c.kinds) assert.ok(kinds.includes(kind), `${kind} not among:\n${actions.map((a) => a.title).join('\n')}`);
          assert.equal(actions.filter((a) => a.isPreferred).length, 1);
          for (const a of actions) {
            assert.equal(a.kind, 'quickfix');
            assert.deepEqual(a.diagnostics, [diagnostic], a.title);
          }
        } finally {
          await client.stop();
        }
      });

      for (const kind of c.kinds) {
        test(`${kind}: warning gone, files re-parse, not offered again, bridged once saved`, async () => {
          const { client, root, uri, diagnostic } = await startOn(c);
          try {
            const action = (await client.codeActions(uri, diagnostic)).find((a) => kindOf(a) === kind);
            assert.ok(action?.edit, kind);
            // The state of every file the edit touches, before.
            const targets = (action.edit.documentChanges ?? []).map((ch) => ('textDocument' in ch ? ch.textDocument.uri : ch.kind === 'create' ? ch.uri : ''));
            const before = new Map<string, { text: string | null; problems: string[] }>();
            for (const t of targets) {
              const path = fileURLToPath(t);
              before.set(t, { text: client.text(t) ?? (existsSync(path) ? readFileSync(path, 'utf8') : null), problems: problemsIn(client, t) });
            }

            const touched = await client.applyWorkspaceEdit(action.edit);
            const dump = () => touched.map((t) => `--- ${t}\n${client.text(t)}`).join('\n');
            await client.waitForDiagnostics(uri, (ds) => !ds.some((d) => d.code === c.code), 30_000).catch((e: Error) => {
              throw new Error(`${action.title}: ${e.message.split('\n')[0]}\n${dump()}`);
            });
            await settle(client);

            for (const t of touched) {
              const text = client.text(t)!;
              const was = before.get(t);
              if (t.endsWith('.nix')) {
                const errors = await nixSyntaxErrors(text);
                const previous = was?.text ? await nixSyntaxErrors(was.text) : 0;
                assert.ok(errors <= previous, `${action.title}: ${errors} syntax errors in ${t} (was ${previous})\n${text}`);
              } else {
                const syntax = (client.diagnostics.get(t) ?? []).filter((d) => String(d.code).startsWith('networkd-syntax'));
                assert.deepEqual(syntax, [], `${action.title}: ${t}\n${text}`);
              }
              const added = problemsIn(client, t).filter((p) => !was?.problems.includes(p));
              assert.deepEqual(added, [], `${action.title}: new problems in ${t}\n${dump()}`);
            }

            const whole = { start: { line: 0, character: 0 }, end: { line: client.text(uri)!.split('\n').length, character: 0 } };
            const again = await client.codeActions(uri, whole);
            assert.deepEqual(
              again.map((a) => a.title),
              [],
              `${action.title}: still offered actions after applying it`,
            );

            // Saved and closed, the server reads the result from disk like a fresh start would.
            await client.save(touched);
            for (const t of touched) await client.close(t);
            if (!touched.includes(uri)) await client.close(uri);
            const report = (await client.connection.sendRequest('microvmNet/tapReport')) as {
              taps: { id: string; status: string; bridge: string | null; location: { uri: string } }[];
            };
            const tap = report.taps.find((x) => x.id === c.id && x.location.uri === fileUri(join(root, c.tapFile)));
            assert.ok(tap, `${c.id} in the report`);
            assert.deepEqual([tap.status, tap.bridge], ['bridged', c.bridge], action.title);
            verified.add(kind);
          } finally {
            await client.stop();
          }
        });
      }
    });
  }

  test('all fix kinds were verified', () => {
    assert.deepEqual(ALL_KINDS.filter((k) => !verified.has(k)), []);
  });
});
