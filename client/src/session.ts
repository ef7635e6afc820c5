/**
 * The language client's life: created and started on the next turn of the event loop after
 * activation (so `activate()` returns before vscode-languageclient is even loaded), restarted
 * on request, stopped on deactivation. Commands and views ask `ready()` for the client, which
 * waits for a start in progress instead of failing while the server comes up.
 */
import type * as vscode from 'vscode';
import type { DocumentSelector, LanguageClient } from 'vscode-languageclient/node';
import { clientFactory, languageClientModule, protocol } from './lazy';
import type { TapStatusItem } from './statusItem';

export interface SessionHooks {
  selector(): DocumentSelector;
  nixDefined(): boolean;
  /** Analysis announced by the server (status item, tree). */
  summary(summary: import('../../server/src/protocol/protocol').AnalysisSummary): void;
}

export class ClientSession implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private stopped = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: TapStatusItem,
    private readonly hooks: SessionHooks,
  ) {}

  /** Schedules the start after the current turn; returns at once. */
  startSoon(): void {
    this.starting ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.start());
  }

  /** The client once a start in progress has finished; undefined if it could not start. */
  async ready(): Promise<LanguageClient | undefined> {
    await this.starting;
    return this.client;
  }

  /** Where the extension's files are (the map's bundle). */
  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** The client if one exists now (views polling without waiting). */
  get current(): LanguageClient | undefined {
    return this.client;
  }

  /** Restarts the server, or retries a start that failed. */
  async restart(): Promise<void> {
    const client = await this.ready();
    if (this.stopped) return;
    if (client) {
      await client.restart();
      return;
    }
    this.starting = this.start();
    await this.starting;
  }

  /** New document selector (a Nix language extension came or went): restart with it. */
  async reselect(): Promise<void> {
    const client = await this.ready();
    if (!client || this.stopped) return;
    client.clientOptions.documentSelector = this.hooks.selector();
    await client.restart();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.dispose();
    if (client?.isRunning()) await client.stop();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async start(): Promise<LanguageClient | undefined> {
    if (this.stopped) return undefined;
    let client: LanguageClient | undefined;
    try {
      const { State } = languageClientModule();
      client = clientFactory().createLanguageClient(this.context, this.output, this.hooks.nixDefined());
      this.client = client;
      this.disposables.push(
        client.onNotification(protocol().AnalysisSummaryNotification, (summary) => this.hooks.summary(summary)),
        client.onDidChangeState(({ newState }) => {
          if (newState === State.Stopped) this.status.stopped();
        }),
      );
      await client.start();
      return client;
    } catch (e) {
      this.output.error(`could not start the language server: ${e instanceof Error ? e.message : String(e)}`);
      this.status.stopped();
      return client;
    }
  }
}
