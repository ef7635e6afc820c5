/**
 * Two independent flakes side by side in one workspace (`examples/homelab` and `examples/seed`):
 * nothing the editor shows about one host may point into, or name a bridge of, the other. Every
 * related location, hover link, definition, reference, code lens target, completion item and tree
 * row is checked against the directory of the host it is about. A second variant gives both hosts
 * a bridge called `br0` with taps on it, which a workspace-wide lookup cannot tell apart; a third
 * puts unit files on disk in the seed host's directory, which are that host's alone.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Outcome } from '../../../server/src/engine/model';
import type { AnalysisSnapshot } from '../../../server/src/engine/service';
import { LineIndex, type Location, type Position } from '../../../server/src/engine/text';
import { createLanguageService, type WorkspaceService } from '../../../server/src/engine/workspace';
import { networkTree } from '../../../server/src/protocol/networkTree';
import { buildNetworkGraph, type GraphNode } from '../../../server/src/engine/views/networkGraph';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const REPO = join(__dirname, '..', '..', '..');

/** Which directory of the workspace each configuration lives in. */
const HOME = { hypervisor: 'homelab', hv: 'seed' } as const;
type Host = keyof typeof HOME;
const BRIDGES: Record<Host, string[]> = { hypervisor: ['br0'], hv: ['brprim4'] };

interface SideBySide {
  root: string;
  service: WorkspaceService;
  snapshot: AnalysisSnapshot;
  dispose(): void;
}

/** The two examples copied into one temp workspace, optionally edited, scanned and analysed. */
async function sideBySide(edit?: (root: string) => void): Promise<SideBySide> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'microvm-net-two-flakes-')));
  for (const name of Object.values(HOME)) {
    cpSync(join(REPO, 'examples', name), join(root, name), { recursive: true });
    rmSync(join(root, name, 'expected.json'));
  }
  edit?.(root);
  const service = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
  await service.scan();
  const snapshot = service.analyze();
  return {
    root,
    service,
    snapshot,
    dispose() {
      service.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function hostOf(o: Outcome): Host {
  const host = o.interface.host;
  assert.ok(host === 'hypervisor' || host === 'hv', `unexpected host ${host}`);
  return host;
}

function assertInside(ws: SideBySide, host: Host, file: string, what: string): void {
  const home = join(ws.root, HOME[host]) + sep;
  assert.ok(file.startsWith(home), `${what} (host ${host}) points at ${file.slice(ws.root.length + 1)}, outside ${HOME[host]}/`);
}

/** The files a hover's markdown links to. */
function linkedFiles(markdown: string): string[] {
  return [...markdown.matchAll(/\]\((file:\/\/[^)#]+)(?:#L\d+)?\)/g)].map((m) => fileURLToPath(m[1]));
}

/** The position just after `needle` in a file (the first occurrence). */
function after(file: string, needle: string): Position {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${file}`);
  return new LineIndex(text).positionAt(at + needle.length);
}

const networkFile = (ws: SideBySide, host: Host) =>
  join(ws.root, HOME[host], 'hosts', host === 'hypervisor' ? 'hypervisor' : 'hv', 'network.nix');

function checkEveryView(ws: SideBySide, bridges: Record<Host, string[]>): void {
  const { snapshot, service } = ws;
  const outcomes = snapshot.outcomes;
  assert.deepEqual([...new Set(outcomes.map(hostOf))].sort(), ['hv', 'hypervisor'], 'both configurations are found');

  // Diagnostics about a tap: their related locations stay in the tap's host.
  for (const [file, diagnostics] of snapshot.diagnostics) {
    for (const d of diagnostics) {
      const host = d.outcome ? hostOf(d.outcome) : (Object.keys(HOME) as Host[]).find((h) => file.startsWith(join(ws.root, HOME[h]) + sep))!;
      assertInside(ws, host, d.location.file, `${d.code} itself`);
      for (const r of d.related) assertInside(ws, host, r.location.file, `related information of ${d.code} ("${r.message}")`);
    }
  }
  assert.ok([...snapshot.diagnostics.values()].flat().some((d) => d.related.length > 0), 'some diagnostic has related information to check');

  // Hover and definition on every tap id.
  for (const o of outcomes) {
    const host = hostOf(o);
    const at = o.interface.id.location;
    const hover = service.hover(at.file, at.range.start);
    assert.ok(hover, `a hover on ${o.interface.id.location.file}`);
    for (const file of linkedFiles(hover.markdown)) assertInside(ws, host, file, `a link in the hover of a tap`);
    for (const other of (Object.keys(HOME) as Host[]).filter((h) => h !== host)) {
      for (const bridge of bridges[other].filter((b) => !bridges[host].includes(b))) {
        assert.doesNotMatch(hover.markdown, new RegExp(`\`${bridge}\``), `the hover of a ${host} tap names ${other}'s bridge ${bridge}`);
      }
    }
    for (const l of service.definition(at.file, at.range.start)) assertInside(ws, host, l.file, 'the definition of a tap');
  }

  for (const host of Object.keys(HOME) as Host[]) {
    const file = networkFile(ws, host);
    const text = readFileSync(file, 'utf8');
    const bridgeAt = after(file, 'networkConfig.Bridge = "');

    // Bridge completion offers this host's bridges only.
    const labels = service.completions(file, bridgeAt).map((c) => c.label).sort();
    assert.deepEqual(labels, [...bridges[host]].sort(), `bridge completion in ${HOME[host]}'s network.nix`);

    // Hover and definition on Bridge=: the netdev of this host.
    const hover = service.hover(file, bridgeAt);
    assert.ok(hover, `a hover on Bridge= in ${HOME[host]}`);
    const links = linkedFiles(hover.markdown);
    assert.ok(links.length > 0, `the Bridge= hover links its netdev: ${hover.markdown}`);
    for (const linked of links) assertInside(ws, host, linked, 'a link in the hover of Bridge=');
    const definitions = service.definition(file, bridgeAt);
    assert.equal(definitions.length, 1, `one netdev defines the bridge of ${HOME[host]}`);
    assertInside(ws, host, definitions[0].file, 'the definition of Bridge=');

    // Code lenses and references of the units in this file.
    const lenses = service.codeLenses(file);
    assert.ok(lenses.length > 0, `code lenses in ${HOME[host]}'s network.nix`);
    for (const lens of lenses) for (const target of lens.targets) assertInside(ws, host, target.file, `a code lens target (${lens.title})`);
    for (const unitName of text.matchAll(/networks\."([^"]+)"/g)) {
      const at = after(file, `networks."${unitName[1]}`);
      for (const l of service.references(file, at)) assertInside(ws, host, l.file, `a reference of ${unitName[1]}`);
    }
  }

  // The tree: a host level, each host's bridges and taps its own, no row twice.
  const tree = treeByHost(snapshot);
  assert.deepEqual(tree.map((h) => h.host).sort(), ['hv', 'hypervisor']);
  let rows = 0;
  for (const group of tree) {
    const host = group.host as Host;
    rows += group.taps.length;
    for (const tap of group.taps) assertInside(ws, host, tap.location!.file, `tree row ${tap.label}`);
    for (const b of group.bridges) assert.ok(bridges[host].includes(b.name), `bridge node ${b.name} under ${host}`);
    const names = group.bridges.map((b) => b.name);
    assert.equal(new Set(names).size, names.length, `one node per bridge under ${host}`);
  }
  assert.equal(rows, outcomes.length, 'every tap is one row, none twice');
}

/** The tree view's rows (protocol/networkTree.ts over the network map) per host: its bridges and every tap under it. */
function treeByHost(snapshot: AnalysisSnapshot): { host: string; bridges: { name: string; taps: GraphNode[] }[]; taps: GraphNode[] }[] {
  const tapsUnder = (node: { node: GraphNode; children: { node: GraphNode }[] }) => node.children.filter((c) => c.node.kind === 'tap').map((c) => c.node);
  return networkTree(buildNetworkGraph(snapshot)).map((h) => ({
    host: h.node.label,
    bridges: h.children.filter((c) => c.node.kind === 'bridge').map((b) => ({ name: b.node.label, taps: tapsUnder(b) })),
    taps: h.children.flatMap(tapsUnder),
  }));
}

test('two flakes side by side: no related location, hover, completion, lens or tree row crosses hosts', async () => {
  const ws = await sideBySide();
  try {
    checkEveryView(ws, BRIDGES);
  } finally {
    ws.dispose();
  }
});

test('two flakes that both call their bridge br0: each tap, netdev and tree node stays with its host', async () => {
  const ws = await sideBySide((root) => {
    // The seed host names its bridge br0 too, and bridges its tap to it.
    const file = join(root, 'seed', 'hosts', 'hv', 'network.nix');
    const text = readFileSync(file, 'utf8').replaceAll('brprim4', 'br0').replace('matchConfig.Name = "enp3s0";', 'matchConfig.Name = [ "enp3s0" "my-microvm" ];');
    writeFileSync(file, text);
  });
  try {
    const seedTap = ws.snapshot.outcomes.find((o) => o.interface.host === 'hv')!;
    assert.equal(seedTap.status, 'bridged', 'the edited seed bridges its tap');
    assert.equal(seedTap.bridge, 'br0');
    assertInside(ws, 'hv', (seedTap.via?.location as Location).file, 'the unit bridging the seed tap');
    checkEveryView(ws, { hypervisor: ['br0'], hv: ['br0'] });
    const tree = treeByHost(ws.snapshot);
    const br0 = tree.flatMap((h) => h.bridges.filter((b) => b.name === 'br0').map((b) => `${h.host}: ${b.taps.map((t) => t.label).join(' ')}`));
    assert.deepEqual(br0.sort(), ['hv: my-microvm', 'hypervisor: vm-dns vm-git'], 'two br0 nodes, one per host');
  } finally {
    ws.dispose();
  }
});

test('unit files on disk in one host\'s directory: only that host sees them', async () => {
  const ws = await sideBySide((root) => {
    const dir = join(root, 'seed', 'hosts', 'hv', 'network');
    mkdirSync(dir);
    writeFileSync(join(dir, '30-brfile.netdev'), '[NetDev]\nName=brfile\nKind=bridge\n');
    writeFileSync(join(dir, '30-media.network'), '[Match]\nName=media-*\n\n[Network]\nBridge=brfile\n');
  });
  try {
    checkEveryView(ws, { hypervisor: ['br0'], hv: ['brprim4', 'brfile'] });
    const unitFile = join(ws.root, 'seed', 'hosts', 'hv', 'network', '30-media.network');
    const at = after(unitFile, 'Bridge=');
    assert.deepEqual(ws.service.completions(unitFile, at).map((c) => c.label).sort(), ['brfile', 'brprim4'], 'completion in the unit file');
    const [definition, ...more] = ws.service.definition(unitFile, at);
    assert.equal(more.length, 0);
    assert.equal(definition.file, join(ws.root, 'seed', 'hosts', 'hv', 'network', '30-brfile.netdev'));
  } finally {
    ws.dispose();
  }
});

test('unit files no configuration installs: never a related hint, offered only after the host\'s own bridges', async () => {
  const ws = await sideBySide((root) => {
    const dir = join(root, 'stray', 'etc', 'systemd', 'network');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '10-brstray.netdev'), '[NetDev]\nName=brstray\nKind=bridge\n');
    writeFileSync(join(dir, '10-stray.network'), '[Match]\nName=stray-*\n\n[Network]\nBridge=brstray\n');
  });
  try {
    for (const [file, diagnostics] of ws.snapshot.diagnostics) {
      for (const d of diagnostics) {
        for (const r of d.related) assert.ok(!r.location.file.includes(`${sep}stray${sep}`), `${file}: ${d.code} names a stray unit: ${r.message}`);
      }
    }
    for (const host of Object.keys(HOME) as Host[]) {
      const file = networkFile(ws, host);
      const labels = ws.service.completions(file, after(file, 'networkConfig.Bridge = "')).map((c) => c.label);
      assert.deepEqual(labels.slice(0, BRIDGES[host].length), BRIDGES[host], `${host}'s own bridges come first: ${labels.join(', ')}`);
      assert.ok(labels.every((l) => BRIDGES[host].includes(l) || l === 'brstray'), `no other host's bridge: ${labels.join(', ')}`);
    }
  } finally {
    ws.dispose();
  }
});
