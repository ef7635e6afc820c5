/**
 * Explorer view "MicroVM network": taps on no bridge first, then bridges → taps → VMs (a
 * `type = "bridge"` interface sits under its bridge like a tap), then macvtap links → macvtaps →
 * VMs. Every item opens the source it comes from. The report is fetched lazily when the view is
 * shown and again after each analysis the server announces.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ProtocolLocation, TapReport, TapReportEntry } from '../../server/src/protocol/protocol';
import { protocol } from './lazy';

type Node =
  | { kind: 'bridge'; name: string; taps: TapReportEntry[] }
  | { kind: 'link'; name: string; taps: TapReportEntry[] }
  | { kind: 'tap'; tap: TapReportEntry }
  | { kind: 'vm'; tap: TapReportEntry };

export class TapTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private report: Promise<TapReport | null> | null = null;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.report = null;
    this.changed.fire();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'bridge' || node?.kind === 'link') return node.taps.map((tap) => ({ kind: 'tap', tap }));
    if (node?.kind === 'tap') return [{ kind: 'vm', tap: node.tap }];
    if (node) return [];
    const report = await (this.report ??= this.fetch());
    if (!report) return [];
    const unattached = report.taps.filter((t) => t.bridge === null && !t.link).sort(byId);
    const bridges = new Map<string, TapReportEntry[]>();
    for (const tap of report.taps) if (tap.bridge !== null) bridges.set(tap.bridge, [...(bridges.get(tap.bridge) ?? []), tap]);
    const links = new Map<string, TapReportEntry[]>();
    for (const tap of report.taps) if (tap.bridge === null && tap.link) links.set(tap.link, [...(links.get(tap.link) ?? []), tap]);
    return [
      ...unattached.map((tap): Node => ({ kind: 'tap', tap })),
      ...[...bridges.keys()].sort().map((name): Node => ({ kind: 'bridge', name, taps: bridges.get(name)!.sort(byId) })),
      ...[...links.keys()].sort().map((name): Node => ({ kind: 'link', name, taps: links.get(name)!.sort(byId) })),
    ];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'bridge') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      const undefinedBridge = node.taps.some((t) => t.status === 'bridge-undefined');
      item.description = `${node.taps.length} tap${node.taps.length === 1 ? '' : 's'}${undefinedBridge ? ' · no netdev defines it' : ''}`;
      item.iconPath = new vscode.ThemeIcon(undefinedBridge ? 'warning' : 'type-hierarchy-sub');
      item.contextValue = 'bridge';
      const via = node.taps.find((t) => t.via?.location)?.via?.location;
      if (via) item.command = reveal(via, `Open the unit that attaches taps to ${node.name}`);
      return item;
    }
    if (node.kind === 'link') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `link · ${node.taps.length} macvtap${node.taps.length === 1 ? '' : 's'}`;
      item.iconPath = new vscode.ThemeIcon('plug');
      item.contextValue = 'link';
      return item;
    }
    if (node.kind === 'tap') {
      const tap = node.tap;
      const item = new vscode.TreeItem(tap.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = tap.via?.unit ? `${tap.status} · ${tap.via.unit}` : tap.status;
      item.tooltip = new vscode.MarkdownString(
        [`**${tap.id}**: ${tap.status}${tap.bridge ? ` on \`${tap.bridge}\`` : ''}`, ...tap.reasons.map((r) => `- ${r}`)].join('\n\n'),
      );
      item.iconPath = statusIcon(tap);
      item.contextValue = `tap.${protocol().statusCategory(tap.status)}`;
      item.command = reveal(tap.location, 'Open the tap definition');
      return item;
    }
    const item = new vscode.TreeItem(node.tap.vm ?? '(VM not statically known)', vscode.TreeItemCollapsibleState.None);
    item.description = node.tap.host ? `on ${node.tap.host}` : undefined;
    item.iconPath = new vscode.ThemeIcon('vm');
    item.contextValue = 'vm';
    item.command = reveal(node.tap.location, 'Open the interface definition');
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async fetch(): Promise<TapReport | null> {
    const client = this.client();
    if (!client?.isRunning()) return null;
    try {
      return await client.sendRequest(protocol().TapReportRequest);
    } catch (e) {
      this.log.warn(`tap report failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
}

function reveal(location: ProtocolLocation, title: string): vscode.Command {
  const { start, end } = location.range;
  const selection = new vscode.Range(start.line, start.character, end.line, end.character);
  return { title, command: 'vscode.open', arguments: [vscode.Uri.parse(location.uri), { selection } satisfies vscode.TextDocumentShowOptions] };
}

function statusIcon(tap: TapReportEntry): vscode.ThemeIcon {
  switch (protocol().statusCategory(tap.status)) {
    case 'bridged':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'problem':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'unknown':
      return new vscode.ThemeIcon('question');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

function byId(a: TapReportEntry, b: TapReportEntry): number {
  return a.id.localeCompare(b.id) || (a.vm ?? '').localeCompare(b.vm ?? '');
}
