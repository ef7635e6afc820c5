/**
 * The "Network" view (own activity bar container "MicroVM Network"): host → "no bridge (N)"
 * first → bridges (empty ones too: the fix targets) and macvtap links → taps → VMs, names in
 * natural order. The shape is protocol/networkTree.ts over the server's network map, the same
 * value the map draws. Every item opens the source it comes from. The map is fetched lazily when
 * the view is shown and again after each analysis the server announces.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { GraphNode } from '../../server/src/engine/views/networkGraph';
import type { NetworkGraphResult, ProtocolLocation } from '../../server/src/protocol/protocol';
import { networkTree, uplinksOf, type NetworkTreeNode } from '../../server/src/protocol/networkTree';
import { protocol } from './lazy';

type Node = NetworkTreeNode<ProtocolLocation>;

export class TapTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private graph: Promise<NetworkGraphResult | null> | null = null;
  private shown: NetworkGraphResult | null = null;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.graph = null;
    this.changed.fire();
  }

  /** Ids by tree path: a VM with two taps is a node under each, and VS Code wants ids unique. */
  private readonly ids = new WeakMap<Node, string>();

  async getChildren(node?: Node): Promise<Node[]> {
    if (node) return this.withIds(node.children, this.ids.get(node) ?? '');
    const graph = await (this.graph ??= this.fetch());
    this.shown = graph;
    return graph ? this.withIds(networkTree(graph), '') : [];
  }

  private withIds(nodes: Node[], parent: string): Node[] {
    for (const n of nodes) this.ids.set(n, `${parent}/${n.node.id}`);
    return nodes;
  }

  getTreeItem(treeNode: Node): vscode.TreeItem {
    const { node, children } = treeNode;
    const expandable = children.length === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded;
    const item = new vscode.TreeItem(node.label, node.kind === 'tap' && children.length ? vscode.TreeItemCollapsibleState.Collapsed : expandable);
    // A stable id keeps a row's place and expansion across refreshes (one after each analysis).
    item.id = this.ids.get(treeNode);
    item.contextValue = node.kind === 'tap' ? `tap.${protocol().statusCategory(node.status ?? 'unknown')}` : node.kind;
    item.tooltip = tooltip(node);
    if (node.location) item.command = reveal(node.location, `Open the definition of ${node.label}`);
    switch (node.kind) {
      case 'host':
        item.description = node.detail.join(' · ');
        item.iconPath = new vscode.ThemeIcon('server');
        break;
      case 'group':
        item.iconPath = node.group === 'no-bridge' ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('question');
        if (node.group === 'routed') item.iconPath = new vscode.ThemeIcon('arrow-swap');
        break;
      case 'bridge': {
        const uplinks = this.shown ? uplinksOf(this.shown, node.id) : [];
        item.description = [...node.detail.filter((d) => !d.startsWith('defined by')), ...(uplinks.length ? [`uplink ${uplinks.join(', ')}`] : [])].join(' · ');
        item.iconPath = node.problem ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('type-hierarchy-sub');
        break;
      }
      case 'link':
        item.description = node.detail.join(' · ');
        item.iconPath = new vscode.ThemeIcon('plug');
        break;
      case 'tap':
        item.description = node.detail.join(' · ');
        item.iconPath = statusIcon(node);
        break;
      default:
        item.iconPath = new vscode.ThemeIcon('vm');
        item.description = node.detail.join(' · ') || undefined;
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async fetch(): Promise<NetworkGraphResult | null> {
    const client = this.client();
    if (!client?.isRunning()) return null;
    try {
      return await client.sendRequest(protocol().NetworkGraphRequest);
    } catch (e) {
      this.log.warn(`network map request for the tree failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
}

function tooltip(node: GraphNode<ProtocolLocation>): vscode.MarkdownString | string {
  if (node.problems.length === 0) return [node.label, ...node.detail].join('\n');
  const markdown = new vscode.MarkdownString();
  markdown.appendText(`${node.label}: ${node.detail.join(', ')}`);
  for (const problem of node.problems) markdown.appendMarkdown('\n\n- ').appendText(problem);
  return markdown;
}

function reveal(location: ProtocolLocation, title: string): vscode.Command {
  const { start, end } = location.range;
  const selection = new vscode.Range(start.line, start.character, end.line, end.character);
  return { title, command: 'vscode.open', arguments: [vscode.Uri.parse(location.uri), { selection } satisfies vscode.TextDocumentShowOptions] };
}

function statusIcon(node: GraphNode<ProtocolLocation>): vscode.ThemeIcon {
  if (node.problem === 'error') return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  switch (protocol().statusCategory(node.status ?? 'unknown')) {
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
