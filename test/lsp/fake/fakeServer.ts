/** The real LSP wiring (startServer) over FakeService; spawned by the plumbing tests. */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from '../../../server/src/lsp/server';
import { FakeService } from './fakeService';

startServer(createConnection(ProposedFeatures.all), {
  name: 'microvm-net-lsp-fake',
  version: '0.0.0',
  createService: async (opts) => {
    if (process.env.FAKE_FAIL_CREATE === '1') throw new Error('fake engine cannot start');
    return new FakeService({
      ...opts,
      noLiveSettings: process.env.FAKE_NO_LIVE_SETTINGS === '1',
      scanStepMs: Number(process.env.FAKE_SCAN_STEP_MS ?? 120),
    });
  },
});
