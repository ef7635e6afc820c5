/**
 * Explorer view "MicroVM network": per host, taps on no bridge first, then bridges → taps → VMs
 * (protocol/tapTree.ts groups them; a bridge belongs to one host). With a single host the host
 * level is left out. Every item opens the source it comes from. The report is fetched lazily
 * when the view is shown and again after each analysis the server announces.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ProtocolLocation, TapReport, TapReportEntry } from '../../server/src/protocol/protocol';
import { groupTapsByHost, type TapTreeHost } from '../../server/src/protocol/tapTree';
import { protocol } from './lazy';

type Node =
  | { kind: 'host'; group: TapTreeHost }
  | { kind: 'bridge'; host: string | null; name: string; taps: TapReportEntry[] }
  | { kind: 'tap'; tap: TapReportEntry }
  | { kind: 'vm'; tap: TapReportEntry };

function hostChildren(group: TapTreeHost): Node[] {
  return [
    ...group.unattached.map((tap): Node => ({ kind: 'tap', tap })),
    ...group.bridges.map((b): Node => ({ kind: 'bridge', host: group.host, name: b.name, taps: b.taps })),
  ];
}

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
    if (node?.kind === 'host') return hostChildren(node.group);
    if (node?.kind === 'bridge') return node.taps.map((tap) => ({ kind: 'tap', tap }));
    if (node?.kind === 'tap') return [{ kind: 'vm', tap: node.tap }];
    if (node) return [];
    const report = await (this.report ??= this.fetch());
    if (!report) return [];
    const hosts = groupTapsByHost(report.taps);
    if (hosts.length === 1) return hostChildren(hosts[0]);
    return hosts.map((group): Node => ({ kind: 'host', group }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'host') {
      const group = node.group;
      const item = new vscode.TreeItem(group.host ?? '(no configuration runs these)', vscode.TreeItemCollapsibleState.Expanded);
      const taps = group.unattached.length + group.bridges.reduce((n, b) => n + b.taps.length, 0);
      item.description = `${taps} tap${taps === 1 ? '' : 's'}, ${group.bridges.length} bridge${group.bridges.length === 1 ? '' : 's'}`;
      item.iconPath = new vscode.ThemeIcon('server');
      item.contextValue = 'host';
      return item;
    }
    if (node.kind === 'bridge') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      const undefinedBridge = node.taps.some((t) => t.status === 'bridge-undefined');
      item.description = `${node.taps.length} tap${node.taps.length === 1 ? '' : 's'}${undefinedBridge ? ' · no netdev defines it' : ''}`;
      item.iconPath = new vscode.ThemeIcon(undefinedBridge ? 'warning' : 'type-hierarchy-sub');
      item.contextValue = 'bridge';
      if (node.host) item.tooltip = `${node.name} on ${node.host}`;
      const via = node.taps.find((t) => t.via?.location)?.via?.location;
      if (via) item.command = reveal(via, `Open the unit that attaches taps to ${node.name}`);
      return item;
    }
    if (node.kind === 'tap') {
      const tap = node.tap;
      const item = new vscode.TreeItem(tap.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = tap.via?.unit ? `${tap.status} · ${tap.via.unit}` : tap.status;
      item.tooltip = new vscode.MarkdownString(
        [`**${tap.id}**: ${tap.status}${tap.bridge ? ` on \`${tap.bridge}\`` : ''}`, ...tap.reasons.map((r) => `- ${r.text} (${where(r.location)})`)].join('\n\n'),
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

function where(location: ProtocolLocation): string {
  return `${vscode.workspace.asRelativePath(vscode.Uri.parse(location.uri))}:${location.range.start.line + 1}`;
}
