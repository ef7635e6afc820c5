/**
 * The network map (engine/views/networkGraph.ts) through `microvm-net graph` on real fixtures:
 * golden mermaid, dot and json, the groups and empty bridges the map and the tree rely on, and
 * the README's mermaid block, which must be this command's output for examples/homelab.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../../server/src/cli/args';
import { runCli } from '../../../server/src/cli/check';
import { createLanguageService } from '../../../server/src/engine/workspace';
import { naturalCompare } from '../../../server/src/engine/views/naturalSort';

const repo = path.join(__dirname, '..', '..', '..');
const GOLDEN = path.join(__dirname, 'graph-golden');

async function graph(target: string, format: string): Promise<string> {
  let out = '';
  let err = '';
  const code = await runCli(
    ['graph', target, '--format', format],
    { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {}, cwd: repo },
    { createService: createLanguageService },
  );
  assert.equal(code, 0, err);
  return out;
}

function assertGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `golden file ${name} is missing (UPDATE_GOLDEN=1 writes it)`);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `graph output differs from ${name} (UPDATE_GOLDEN=1 to rewrite)`);
}

const FIXTURES = ['test/fixtures/seed', 'test/fixtures/routed', 'test/fixtures/two-hosts', 'examples/homelab'];
const EXTENSIONS: Record<string, string> = { mermaid: 'mmd', dot: 'dot', json: 'json' };

for (const fixture of FIXTURES) {
  for (const format of ['mermaid', 'dot', 'json']) {
    test(`graph ${fixture} --format ${format} matches its golden file`, async () => {
      assertGolden(`${path.basename(fixture)}.${EXTENSIONS[format]}`, await graph(fixture, format));
    });
  }
}

interface JsonNode {
  id: string;
  kind: string;
  label: string;
  host: string | null;
  detail: string[];
  group?: string;
  problem: string | null;
  location: { file: string; line: number; column: number } | null;
}

async function nodesOf(fixture: string): Promise<{ nodes: JsonNode[]; edges: { from: string; to: string; label?: string }[] }> {
  return JSON.parse(await graph(fixture, 'json'));
}

test('seed: the tap is in the "no bridge" group with a warning, brprim4 is drawn empty with its uplink', async () => {
  const { nodes, edges } = await nodesOf('test/fixtures/seed');
  const tap = nodes.find((n) => n.kind === 'tap' && n.label === 'my-microvm')!;
  const parent = edges.find((e) => e.to === tap.id)!.from;
  const group = nodes.find((n) => n.id === parent)!;
  assert.equal(group.group, 'no-bridge');
  assert.equal(group.label, 'no bridge (1)');
  assert.equal(tap.problem, 'warning');
  assert.deepEqual(tap.location, { file: 'hosts/hv/vms.nix', line: 12, column: 18 });
  const bridge = nodes.find((n) => n.kind === 'bridge' && n.label === 'brprim4')!;
  assert.ok(bridge, 'the empty bridge brprim4 is a node');
  assert.equal(bridge.detail[0], '0 taps');
  const uplink = nodes.find((n) => n.kind === 'uplink')!;
  assert.equal(uplink.label, 'enp3s0');
  assert.ok(edges.some((e) => e.from === uplink.id && e.to === bridge.id));
});

test('routed: each routed tap carries its routes; two-hosts: one br per host, the unbridged tap on beta', async () => {
  const routed = await nodesOf('test/fixtures/routed');
  const vm2 = routed.nodes.find((n) => n.kind === 'tap' && n.label === 'vm2')!;
  assert.ok(vm2.detail.includes('routes 10.0.0.2/32, fec0::2/128'), vm2.detail.join(' | '));
  const two = await nodesOf('test/fixtures/two-hosts');
  const hosts = two.nodes.filter((n) => n.kind === 'host').map((n) => n.label);
  assert.deepEqual(hosts, ['alpha', 'beta']);
  const b2 = two.nodes.find((n) => n.label === 'tap-b2')!;
  assert.equal(b2.host, 'host:beta');
  assert.equal(two.nodes.find((n) => n.id === two.edges.find((e) => e.to === b2.id)!.from)!.group, 'no-bridge');
  assert.equal(two.nodes.filter((n) => n.kind === 'uplink').length, 0, 'a tap glob is no uplink');
});

test('natural sort: digit runs by value, ties by code unit', () => {
  const names = ['vm-s10', 'vm-s2', 'vm-s1', 'br10', 'br9', 'vm-s02', 'A', 'a'];
  assert.deepEqual([...names].sort(naturalCompare), ['A', 'a', 'br9', 'br10', 'vm-s1', 'vm-s02', 'vm-s2', 'vm-s10']);
});

test('README: the mermaid block under "Network map" is `microvm-net graph examples/homelab` output', async () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const block = /<!-- graph: examples\/homelab -->\n```mermaid\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has no "<!-- graph: examples/homelab -->" mermaid block');
  assert.equal(block[1], await graph('examples/homelab', 'mermaid'), 'regenerate with: node bin/microvm-net.js graph examples/homelab');
});

test('graph arguments: mermaid by default, --format dot|json, a bad format or an unknown flag is a usage error', () => {
  assert.deepEqual(parseArgs(['graph']), { kind: 'graph', options: { paths: [], format: 'mermaid', exclude: [] } });
  assert.deepEqual(parseArgs(['graph', 'a', '--format=dot', '--exclude', 'x/**']), { kind: 'graph', options: { paths: ['a'], format: 'dot', exclude: ['x/**'] } });
  assert.throws(() => parseArgs(['graph', '--format', 'svg']), UsageError);
  assert.throws(() => parseArgs(['graph', '--fix']), UsageError);
  assert.throws(() => parseArgs(['graph', '--format', 'json', '--format', 'dot']), UsageError);
});

test('README: every image it shows is in the repository', () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((m) => m[1]);
  assert.ok(images.length >= 4, `README shows ${images.length} images`);
  assert.deepEqual(images.filter((image) => !fs.existsSync(path.join(repo, image))), []);
});
