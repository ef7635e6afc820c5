/**
 * `microvmNet/networkGraph` from the built server (the map webview's and the tree's data): the
 * seed's tap in the "no bridge" group with a warning and its definition's URI, then — after an
 * unsaved edit of the open network.nix adds it to the uplink unit's Name= — under brprim4.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NetworkGraphResult } from '../../server/src/protocol/protocol';
import { ensureBuilt, fileUri, LspClient } from './harness';
import { copyWorkspace, removeWorkspaces } from './workspaces';

before(ensureBuilt);

describe('microvmNet/networkGraph over the seed', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = copyWorkspace('seed');
    client = await LspClient.start({ roots: [root] });
  });
  after(async () => {
    await client?.stop();
    removeWorkspaces();
  });

  const parentOf = (graph: NetworkGraphResult, label: string) => {
    const tap = graph.nodes.find((n) => n.kind === 'tap' && n.label === label);
    assert.ok(tap, `no tap node ${label}`);
    const edge = graph.edges.find((e) => e.to === tap.id);
    return { tap, parent: graph.nodes.find((n) => n.id === edge?.from) };
  };

  test('the tap hangs off "no bridge (1)", warned, opening its id; an unsaved edit moves it under brprim4', async () => {
    const vms = fileUri(join(root, 'hosts/hv/vms.nix'));
    await client.waitForDiagnostic(vms, (d) => d.code === 'tap-without-bridge', 30_000);
    const before = (await client.connection.sendRequest('microvmNet/networkGraph')) as NetworkGraphResult;
    const { tap, parent } = parentOf(before, 'my-microvm');
    assert.equal(parent?.kind, 'group');
    assert.equal(parent?.label, 'no bridge (1)');
    assert.equal(tap.problem, 'warning');
    assert.equal(tap.location?.uri, vms);
    assert.ok(before.nodes.some((n) => n.kind === 'bridge' && n.label === 'brprim4' && n.detail[0] === '0 taps'), 'the empty bridge is a node');

    const network = await client.openFile(join(root, 'hosts/hv/network.nix'));
    await client.replaceText(network, 'matchConfig.Name = "enp3s0";', 'matchConfig.Name = "enp3s0 my-microvm";');
    await client.waitForDiagnostics(vms, (ds) => !ds.some((d) => d.code === 'tap-without-bridge'), 30_000);
    const after = (await client.connection.sendRequest('microvmNet/networkGraph')) as NetworkGraphResult;
    assert.equal(parentOf(after, 'my-microvm').parent?.label, 'brprim4');
    assert.equal(parentOf(after, 'my-microvm').tap.problem, null);
  });
});
