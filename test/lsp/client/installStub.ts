/** Imported first by client tests: `require('vscode')` resolves to the stub from here on. */
import { installVscodeStub } from './vscodeStub';

installVscodeStub();
