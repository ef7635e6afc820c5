/** Quick fixes that change another file get a command that opens it at the change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import './client/installStub';
import { otherFileTarget } from '../../client/src/revealEdits';

test('the first other file an edit touches is revealed at its first change; none for edits in place', () => {
  const here = 'file:///ws/vms.nix';
  const there = 'file:///ws/network.nix';
  assert.deepEqual(otherFileTarget(here, [[here, [{ line: 3 }]], [there, [{ line: 14 }, { line: 20 }]]]), { uri: there, at: { line: 14 } });
  assert.equal(otherFileTarget(here, [[here, [{ line: 3 }]]]), null);
  assert.deepEqual(otherFileTarget(here, [['file:///ws/new.network', []]]), { uri: 'file:///ws/new.network', at: null });
});
