/**
 * The tap report the tree view reads (server/src/lsp/report.ts): a macvtap carries its link, so
 * the tree can show it under that link; a `type = "bridge"` interface carries its bridge, so it
 * sits under the bridge like a tap.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { UriMap } from '../../../server/src/lsp/convert';
import { tapReport } from '../../../server/src/lsp/report';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

async function entries(fixture: string) {
  const service = await createLanguageService({ roots: [join(FIXTURES, fixture)], settings: DEFAULT_SETTINGS });
  try {
    const scan = await service.scan();
    return tapReport(service.analyze(), new UriMap(), scan).taps;
  } finally {
    service.dispose();
  }
}

test('tap report: macvtaps carry their link (null when unset), other interfaces none', async () => {
  const placed = await entries('macvtap-link-is-bridge-port');
  assert.deepEqual(placed.map((t) => [t.id, t.link]).sort(), [['vm-nas', 'enp5s0'], ['vm-nas-br', 'br0']]);
  const missing = await entries('macvtap-settings-missing');
  assert.deepEqual(missing.map((t) => [t.id, t.link]).sort(), [['vm-media', null], ['vm-media2', null], ['vm-media3', 'eno1']]);
  const types = await entries('interface-types-qemu');
  assert.deepEqual(types.filter((t) => t.type !== 'macvtap').map((t) => 'link' in t), [false, false, false]);
});

test('tap report: a type = "bridge" interface has its bridge, like a tap attached to it', async () => {
  const report = await entries('qemu-bridge-helper');
  assert.deepEqual(report.map((t) => [t.id, t.bridge, t.via?.kind]).sort(), [['vm-builder', 'br0', 'qemu-bridge-helper'], ['vm-kiosk', 'br0', 'qemu-bridge-helper']]);
});
