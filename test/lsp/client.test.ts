/**
 * The VS Code client without VS Code: `vscode` is a stub (client/vscodeStub.ts).
 *  - errorHandler.ts: a crashed server is restarted and the output channel says so, up to 4
 *    times in 3 minutes, then it stays down with a message naming the restart command;
 *  - activation of the built bundle (dist/client/extension.js): `activate()` returns before
 *    vscode-languageclient is loaded, the client starts on the next turn, and a server that
 *    cannot start is reported in the output channel. Timings are printed, not asserted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { before, describe, test } from 'node:test';
// First: client modules below require `vscode`.
import './client/installStub';
import { ReportingErrorHandler } from '../../client/src/errorHandler';
import { SHOW_REFERENCES_COMMAND } from '../../server/src/protocol/protocol';
import { ensureBuilt, REPO } from './harness';
import { fakeOutputChannel, recorded, resetRecorded } from './client/vscodeStub';

/** The languageclient enums the handler answers with (the module itself needs the `vscode` stub). */
const { CloseAction, ErrorAction } = require('vscode-languageclient/node') as {
  CloseAction: { Restart: number; DoNotRestart: number };
  ErrorAction: { Continue: number; Shutdown: number };
};

describe('errorHandler: a crashed server is restarted and the output channel says so', () => {
  const load = () => {
    const output = fakeOutputChannel('MicroVM Network');
    return { handler: new ReportingErrorHandler(output as never), output };
  };

  test('each crash restarts and is logged, with the count; the fifth in 3 minutes stays down', async (t) => {
    const { handler, output } = load();
    let now = 1_000_000;
    t.mock.method(Date, 'now', () => now);
    for (let i = 1; i <= 4; i++) {
      now += 1000;
      const result = await handler.closed();
      assert.deepEqual(result, { action: CloseAction.Restart, handled: true });
      assert.deepEqual(output.lines.at(-1), {
        level: 'warn',
        message: `the MicroVM network language server stopped unexpectedly; restarting it (${i} of 4 within 3 minutes)`,
      });
    }
    now += 1000;
    const fifth = await handler.closed();
    assert.equal(fifth.action, CloseAction.DoNotRestart);
    assert.match(fifth.message ?? '', /crashed 5 times in 3 minutes and will not be restarted.*Restart Language Server/);
    assert.equal(output.lines.at(-1)?.level, 'error');
    assert.equal(output.lines.at(-1)?.message, fifth.message);
  });

  test('crashes further apart than 3 minutes keep being restarted', async (t) => {
    const { handler, output } = load();
    let now = 0;
    t.mock.method(Date, 'now', () => now);
    for (let i = 0; i < 10; i++) {
      now += 61_000; // at most 3 within any 3-minute window
      assert.equal((await handler.closed()).action, CloseAction.Restart);
    }
    assert.equal(output.lines.filter((l) => l.level === 'warn').length, 10);
    assert.match(output.lines.at(-1)!.message, /restarting it \(3 of 4 within 3 minutes\)/);
  });

  test('connection errors: a few are tolerated and logged, a stream of them shuts down', async () => {
    const { handler, output } = load();
    const message = { jsonrpc: '2.0', method: 'textDocument/hover' };
    assert.deepEqual(await handler.error(new Error('garbled'), message, 1), { action: ErrorAction.Continue, handled: true });
    assert.deepEqual(await handler.error(new Error('garbled'), undefined, 3), { action: ErrorAction.Continue, handled: true });
    assert.deepEqual(await handler.error(new Error('garbled'), undefined, 4), { action: ErrorAction.Shutdown });
    assert.equal(output.lines.length, 3);
    assert.match(output.lines[0].message, /connection error \(.*textDocument\/hover.*\): garbled/);
  });
});

describe('activation of the built client bundle', () => {
  before(ensureBuilt);

  test('activate() returns before vscode-languageclient loads; the client starts on the next turn', async () => {
    resetRecorded();
    const bundle = join(REPO, 'dist', 'client', 'extension.js');
    const t0 = performance.now();
    const extension = require(bundle) as { activate(c: unknown): unknown; deactivate(): Promise<void> };
    const t1 = performance.now();
    let startReached = 0;
    const context = {
      subscriptions: [] as { dispose(): void }[],
      // Stands in for a server that cannot start: reached only once the client is being created.
      asAbsolutePath(p: string) {
        startReached = performance.now();
        throw new Error(`no server here (${p})`);
      },
    };
    const returned = extension.activate(context);
    const t2 = performance.now();

    assert.equal(returned, undefined, 'activate() does not wait for the server');
    assert.deepEqual(recorded.fallbackReads, [], 'nothing but the wiring touched vscode during load and activate');
    assert.equal(startReached, 0, 'the client is created after activate() returned');
    const commands = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).contributes.commands.map((c: { command: string }) => c.command);
    assert.deepEqual([...recorded.commands.keys()].sort(), [...commands].sort());
    assert.deepEqual(recorded.treeProviders, ['microvmNet.network']);

    const output = recorded.channels.find((c) => c.name === 'MicroVM Network')!;
    const failure = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const poll = () => {
        const line = output.lines.find((l) => l.level === 'error');
        if (line) resolve(line.message);
        else if (Date.now() > deadline) reject(new Error(`no start failure logged: ${JSON.stringify(output.lines)}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
    assert.match(failure, /could not start the language server: no server here \(dist\/server\.js\)/);
    assert.ok(recorded.fallbackReads.length > 0, 'vscode-languageclient was loaded for the start');
    assert.equal(recorded.statusItems[0].text, '$(error) MicroVM');
    assert.equal(recorded.statusItems[0].tooltip, 'MicroVM Network: the language server is not running');

    // The showReferences id the lenses use is the one registered at activation.
    assert.ok(recorded.commands.has(SHOW_REFERENCES_COMMAND));

    await extension.deactivate();
    for (const d of context.subscriptions) d.dispose();
    assert.ok(t1 > t0 && t2 > t1 && startReached > t2);
  });

  test('timings in plain node (printed, not asserted): bundle load, activate(), deferred client load', () => {
    const runs = Array.from({ length: 5 }, () => {
      const r = spawnSync(process.execPath, [join(__dirname, 'client', 'measureActivation.js'), join(REPO, 'dist', 'client', 'extension.js')], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { require: number; activate: number; startAfter: number | null };
    });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const m = {
      require: median(runs.map((r) => r.require)),
      activate: median(runs.map((r) => r.activate)),
      startAfter: median(runs.map((r) => r.startAfter ?? NaN)),
    };
    console.log(
      `client bundle (median of 5): require ${m.require} ms, activate() ${m.activate} ms; ` +
        `the client is created ${m.startAfter} ms after activate() returned (vscode-languageclient loads in between)`,
    );
    for (const r of runs) assert.ok(r.startAfter !== null && r.startAfter >= 0, 'the client is created after activate() returned');
  });
});
