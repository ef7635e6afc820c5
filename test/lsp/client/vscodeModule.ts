/** What `require('vscode')` returns under `installVscodeStub()` (see vscodeStub.ts). */
import { vscodeStub } from './vscodeStub';

export = vscodeStub;
