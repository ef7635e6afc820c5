/**
 * Entry of the integration suite (`extensionTestsPath`): the extension host `require`s this
 * module and awaits `run()`. The same compiled module is run by @vscode/test-electron (desktop
 * VS Code, `npm run test:vscode`) and by code-server in chromium (`npm run test:e2e`).
 *
 * The mocha report goes to the console (test-electron prints it) and to
 * test-output/e2e/<fixture>.mocha.log, which the code-server harness prints: the console of a
 * remote extension host is not reliably forwarded to the page.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** test-output/e2e (this file is compiled to test-output/e2e/out/suite/index.js). */
export const OUTPUT_DIR = resolve(__dirname, '..', '..');

export function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const name = folder ? basename(folder.uri.fsPath) : 'no-folder';
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const logFile = join(OUTPUT_DIR, `${name}.mocha.log`);
  writeFileSync(logFile, '');

  const consoleLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    appendFileSync(logFile, format(...args) + '\n');
    consoleLog(...args);
  };

  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, slow: 10_000 });
  // The coexistence run (a folder named `coexist`) has no expected.json: it runs its own file.
  mocha.addFile(join(__dirname, name === 'coexist' ? 'coexist.test.js' : 'extension.test.js'));
  return new Promise((done, fail) => {
    try {
      mocha.run((failures) => {
        Mocha.reporters.Base.consoleLog = consoleLog;
        if (failures > 0) fail(new Error(`${failures} integration test(s) failed in ${name}`));
        else done();
      });
    } catch (e) {
      Mocha.reporters.Base.consoleLog = consoleLog;
      fail(e);
    }
  });
}
