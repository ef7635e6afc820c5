/**
 * The device checks on the regression corpus (`shared/corpus`, real working setups): none of
 * their codes may be reported there, at any severity — and the corpus must really exercise them:
 * its macvtap interfaces, whose links and modes come from computed values, are read with both
 * values known, so the macvtap rules run on them rather than staying silent for lack of facts.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DIAGNOSTICS } from '../../../server/src/engine/checks/codes';
import { knownText } from '../../../server/src/engine/pattern';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';
import { findCorpus } from './findCorpus';


const DEVICE_CODES: ReadonlySet<string> = new Set(
  [
    DIAGNOSTICS.interfaceTypeUnsupported,
    DIAGNOSTICS.bridgeTypeUnsupported,
    DIAGNOSTICS.forwardPortsNeedUser,
    DIAGNOSTICS.tapVhostIgnored,
    DIAGNOSTICS.macvtapLinkMissing,
    DIAGNOSTICS.macvtapModeMissing,
    DIAGNOSTICS.macvtapLinkUndefined,
    DIAGNOSTICS.macvtapLinkIsBridgePort,
    DIAGNOSTICS.macvtapPassthruConflict,
    DIAGNOSTICS.tapPrecreatedConflict,
    DIAGNOSTICS.bridgeHelperDenied,
    DIAGNOSTICS.bridgeNoCarrier,
    DIAGNOSTICS.bridgeNotDefined,
  ].map((d) => d.code),
);

/** How many corpus macvtap interfaces have a statically known link and mode (raise it, never lower it). */
const KNOWN_MACVTAPS_FLOOR = 28;


test('corpus: no device diagnostic at any severity, with the macvtap links and modes known', { timeout: 10 * 60_000 }, async () => {
  const corpus = findCorpus();
  assert.ok(corpus, 'no shared/corpus found beside the repository; set MICROVM_NET_CORPUS');
  const dirs = readdirSync(corpus).filter((n) => statSync(join(corpus, n)).isDirectory());
  const reported: string[] = [];
  let knownMacvtaps = 0;
  for (const name of dirs) {
    const dir = join(corpus, name);
    const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
    try {
      await service.scan();
      const snapshot = service.analyze();
      for (const [file, list] of snapshot.diagnostics) {
        for (const d of list) if (DEVICE_CODES.has(d.code)) reported.push(`${name}/${file.slice(dir.length + 1)}:${d.location.range.start.line + 1} ${d.code} (${d.severity}): ${d.message}`);
      }
      for (const o of snapshot.outcomes) {
        const m = o.interface.macvtap;
        if (m?.link && m.mode && knownText(m.link.value) !== undefined && knownText(m.mode.value) !== undefined) knownMacvtaps++;
      }
    } finally {
      service.dispose();
    }
  }
  assert.deepEqual(reported, []);
  assert.ok(knownMacvtaps >= KNOWN_MACVTAPS_FLOOR, `only ${knownMacvtaps} corpus macvtaps with known link and mode (floor ${KNOWN_MACVTAPS_FLOOR})`);
});
