/**
 * Per-host findings reused across edits (checks/hostFindings.ts) give what a fresh analysis of the
 * same texts gives: after every edit, the long-lived service's facts, outcomes, diagnostics and
 * suppressed findings equal a new service's. The edits are the ones a stale per-host result would
 * get wrong: a finding two hosts share and only the first reports (bridge-no-carrier on a unit of a
 * shared module) must move to the other host when an edit of the first host takes its taps away;
 * per-machine duplicates (MACs, ids) appear and go with edits of one host and never involve the
 * other host's identical values; a guest no host runs names every MicroVM host, so renaming a host
 * changes its outcome; a shared module's edit reaches both hosts; an interface written into a file
 * nothing imports is found without reading every text again; and a suppression comment added to
 * one file (only that file's comments are read again) sets its finding apart and gives it back.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { Diagnostic } from '../../../server/src/engine/model';
import type { AnalysisSnapshot } from '../../../server/src/engine/service';
import { LineIndex } from '../../../server/src/engine/text';
import { createLanguageService, type WorkspaceService } from '../../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol/settings';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const FLAKE = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  outputs = { self, nixpkgs, microvm, ... }: {
    nixosConfigurations.alpha = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./hosts/alpha ];
    };
    nixosConfigurations.beta = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./hosts/beta ];
    };
  };
}
`;

/** A bridge only taps join, waiting for a carrier: one unit, in a module both hosts import. */
const SHARED_NET = `{ ... }:
{
  systemd.network = {
    enable = true;
    netdevs."10-vmbr".netdevConfig = {
      Kind = "bridge";
      Name = "vmbr";
    };
    networks."10-vmbr" = {
      matchConfig.Name = "vmbr";
      networkConfig = {
        Address = "10.10.0.1/24";
        DHCPServer = true;
      };
    };
    networks."20-vms" = {
      matchConfig.Name = "vm-*";
      networkConfig.Bridge = "vmbr";
    };
  };
}
`;

const host = (name: string) => `{ ... }:
{
  imports = [ ../../shared/net.nix ./vms.nix ];
  networking.hostName = "${name}";
  system.stateVersion = "24.11";
}
`;

const vms = (vmsOf: [string, string, string][]) => `{ ... }:
{
${vmsOf.map(([vm, id, mac]) => `  microvm.vms.${vm}.config = {
    microvm.interfaces = [ { type = "tap"; id = "${id}"; mac = "${mac}"; } ];
    system.stateVersion = "24.11";
  };
`).join('')}}
`;

function workspace(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'microvm-net-hostfindings-')));
  dirs.push(root);
  const files: Record<string, string> = {
    'flake.nix': FLAKE,
    'shared/net.nix': SHARED_NET,
    'hosts/alpha/default.nix': host('alpha'),
    'hosts/alpha/vms.nix': vms([
      ['a1', 'vm-a1', '02:00:00:00:01:01'],
      ['a2', 'vm-a2', '02:00:00:00:01:02'],
    ]),
    'hosts/beta/default.nix': host('beta'),
    // The same MAC as alpha's a1 on another machine: no duplicate.
    'hosts/beta/vms.nix': vms([['b1', 'vm-b1', '02:00:00:00:01:01']]),
    // Nothing imports it: an interface written here is reported as unplaced.
    'notes/draft.nix': `{ ... }:
{
  draft = [ ];
}
`,
    // A guest no host runs.
    'guests/lonely.nix': `{ ... }:
{
  microvm.interfaces = [ { type = "tap"; id = "vm-lonely"; mac = "02:00:00:00:09:01"; } ];
}
`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function view(snap: AnalysisSnapshot): unknown {
  return JSON.parse(JSON.stringify({ facts: snap.facts, outcomes: snap.outcomes, diagnostics: [...snap.diagnostics], suppressed: snap.suppressed ?? [] }));
}

function all(snap: AnalysisSnapshot, code: string): Diagnostic[] {
  return [...snap.diagnostics.values()].flat().filter((d) => d.code === code);
}

class Session {
  private version = 1;
  readonly texts = new Map<string, string>();
  private constructor(
    readonly root: string,
    readonly live: WorkspaceService,
  ) {}

  static async start(): Promise<Session> {
    const root = workspace();
    const live = await createLanguageService({ roots: [root], settings: DEFAULT_SETTINGS });
    await live.scan();
    live.analyze();
    return new Session(root, live);
  }

  /** Replaces `from` by `to` in the open buffer of `path` (opened from disk on first use), analyses, and compares with a fresh service. */
  async edit(path: string, from: string, to: string): Promise<AnalysisSnapshot> {
    const file = join(this.root, path);
    let text = this.texts.get(file);
    if (text === undefined) {
      text = (await import('node:fs')).readFileSync(file, 'utf8');
      this.live.openDocument(file, text, ++this.version);
    }
    const at = text.indexOf(from);
    assert.ok(at >= 0, `${from} not in ${path}`);
    const lines = new LineIndex(text);
    this.live.changeDocument(file, ++this.version, [{ range: { start: lines.positionAt(at), end: lines.positionAt(at + from.length) }, text: to }]);
    this.texts.set(file, text.slice(0, at) + to + text.slice(at + from.length));
    return this.compared(`after replacing ${from} in ${path}`);
  }

  async compared(what: string): Promise<AnalysisSnapshot> {
    const snap = this.live.analyze();
    const fresh = await createLanguageService({ roots: [this.root], settings: DEFAULT_SETTINGS });
    try {
      await fresh.scan();
      for (const [file, text] of this.texts) fresh.openDocument(file, text, 1);
      assert.ok(isDeepStrictEqual(view(snap), view(fresh.analyze())), `${what}: the incremental analysis differs from a fresh one`);
    } finally {
      fresh.dispose();
    }
    return snap;
  }
}

test('a finding two hosts share moves to the other host when an edit of the first takes its taps away, and back', async () => {
  const s = await Session.start();
  try {
    const before = await s.compared('at the start');
    const carrier = all(before, 'bridge-no-carrier');
    assert.equal(carrier.length, 1, 'one finding for the shared unit');
    assert.match(carrier[0].message, /on `alpha`/);
    // alpha's taps no longer match vm-*: alpha's bridge has no tap port, beta's finding is the one.
    let snap = await s.edit('hosts/alpha/vms.nix', 'id = "vm-a1"', 'id = "xa-a1"');
    snap = await s.edit('hosts/alpha/vms.nix', 'id = "vm-a2"', 'id = "xa-a2"');
    const moved = all(snap, 'bridge-no-carrier');
    assert.equal(moved.length, 1);
    assert.match(moved[0].message, /on `beta`/);
    snap = await s.edit('hosts/alpha/vms.nix', 'id = "xa-a1"', 'id = "vm-a1"');
    const back = all(snap, 'bridge-no-carrier');
    assert.equal(back.length, 1);
    assert.match(back[0].message, /on `alpha`/);
  } finally {
    s.live.dispose();
  }
});

test('per-machine duplicates follow edits of one host and never pair it with the other host', async () => {
  const s = await Session.start();
  try {
    assert.equal(all(await s.compared('at the start'), 'duplicate-mac').length, 0, "beta's b1 shares a1's MAC on another machine");
    let snap = await s.edit('hosts/alpha/vms.nix', '02:00:00:00:01:02', '02:00:00:00:01:01');
    const macs = all(snap, 'duplicate-mac');
    assert.equal(macs.length, 2, 'a1 and a2 on alpha');
    assert.ok(macs.every((d) => d.location.file.endsWith('hosts/alpha/vms.nix')));
    // beta takes the same id as alpha's a1: no duplicate (another host); then twice on beta: one.
    snap = await s.edit('hosts/beta/vms.nix', 'id = "vm-b1"', 'id = "vm-a1"');
    assert.equal(all(snap, 'duplicate-interface-id').length, 0);
    snap = await s.edit('hosts/alpha/vms.nix', '02:00:00:00:01:01"; } ];\n    system.stateVersion = "24.11";\n  };\n  microvm.vms.a2', '02:00:00:00:01:03"; } ];\n    system.stateVersion = "24.11";\n  };\n  microvm.vms.a2');
    assert.equal(all(snap, 'duplicate-mac').length, 0, 'alpha has distinct MACs again');
    snap = await s.edit('hosts/alpha/vms.nix', 'id = "vm-a2"', 'id = "vm-a1"');
    const ids = all(snap, 'duplicate-interface-id');
    assert.equal(ids.length, 2, 'a1 and a2 on alpha');
    assert.ok(ids.every((d) => d.location.file.endsWith('hosts/alpha/vms.nix')));
  } finally {
    s.live.dispose();
  }
});

test('an edit of a module both hosts import reaches both hosts', async () => {
  const s = await Session.start();
  try {
    // Configured without carrier: no host has the finding any more.
    let snap = await s.edit('shared/net.nix', 'DHCPServer = true;', 'DHCPServer = true;\n        ConfigureWithoutCarrier = true;');
    assert.equal(all(snap, 'bridge-no-carrier').length, 0);
    snap = await s.edit('shared/net.nix', '\n        ConfigureWithoutCarrier = true;', '');
    assert.equal(all(snap, 'bridge-no-carrier').length, 1);
  } finally {
    s.live.dispose();
  }
});

test('renaming a host changes the outcome of a guest no host runs (it names every MicroVM host), and the findings follow the new name', async () => {
  const s = await Session.start();
  try {
    const lonely = (snap: AnalysisSnapshot) => snap.outcomes.find((o) => o.interface.guest.includes('lonely') || o.interface.location.file.endsWith('guests/lonely.nix'));
    assert.match(lonely(await s.compared('at the start'))?.reasons.join('') ?? '', /hosts: `alpha`, `beta`/);
    let snap = await s.edit('flake.nix', 'nixosConfigurations.beta', 'nixosConfigurations.gamma');
    assert.match(lonely(snap)?.reasons.join('') ?? '', /hosts: `alpha`, `gamma`/);
    // alpha's taps leave the shared bridge: the shared finding is gamma's now.
    snap = await s.edit('hosts/alpha/vms.nix', 'id = "vm-a1"', 'id = "xa-a1"');
    snap = await s.edit('hosts/alpha/vms.nix', 'id = "vm-a2"', 'id = "xa-a2"');
    assert.match(all(snap, 'bridge-no-carrier')[0]?.message ?? '', /on `gamma`/);
  } finally {
    s.live.dispose();
  }
});

test('an interface written into a file nothing imports is reported, and goes again, as a fresh analysis says', async () => {
  const s = await Session.start();
  try {
    const unplaced = (snap: AnalysisSnapshot) => snap.facts.interfaces.filter((i) => i.unplaced !== undefined && i.location.file.endsWith('notes/draft.nix'));
    assert.equal(unplaced(await s.compared('at the start')).length, 0);
    let snap = await s.edit('notes/draft.nix', 'draft = [ ];', 'draft = [ { type = "tap"; id = "vm-draft"; mac = "02:00:00:00:0d:01"; } ];');
    assert.equal(unplaced(snap).length, 1);
    // An edit elsewhere keeps it (the file is not read again, its literal is remembered).
    snap = await s.edit('hosts/beta/vms.nix', 'id = "vm-b1"', 'id = "vm-b2"');
    assert.equal(unplaced(snap).length, 1);
    snap = await s.edit('notes/draft.nix', 'id = "vm-draft"; ', '');
    assert.equal(unplaced(snap).length, 0, 'no id, no interface literal');
  } finally {
    s.live.dispose();
  }
});

test('a suppression comment written, then taken away, in one host file moves its finding to suppressed and back', async () => {
  const s = await Session.start();
  try {
    await s.edit('hosts/alpha/vms.nix', '02:00:00:00:01:02', '02:00:00:00:01:01');
    const line = '    microvm.interfaces = [ { type = "tap"; id = "vm-a1"';
    let snap = await s.edit('hosts/alpha/vms.nix', line, `    # microvm-net: ignore duplicate-mac -- a test\n${line}`);
    assert.equal(all(snap, 'duplicate-mac').length, 1);
    assert.equal((snap.suppressed ?? []).filter((d) => d.code === 'duplicate-mac').length, 1);
    snap = await s.edit('hosts/alpha/vms.nix', '    # microvm-net: ignore duplicate-mac -- a test\n', '');
    assert.equal(all(snap, 'duplicate-mac').length, 2);
    assert.equal((snap.suppressed ?? []).length, 0);
  } finally {
    s.live.dispose();
  }
});
