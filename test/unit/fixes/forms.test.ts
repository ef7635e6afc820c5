/**
 * Each fix kind on a purpose-built workspace: the exact form of the edit, and soundness after
 * applying it (harness.ts: tap bridged, diagnostic gone, no new syntax errors, nothing offered
 * again, text outside the edits untouched, nothing outside the workspace).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fix } from '../../../server/src/engine/service';
import { knownText } from '../../../server/src/engine/pattern';
import type { AnalysisSnapshot } from '../../../server/src/engine/service';
import type { Settings } from '../../../server/src/protocol/settings';
import { insideRoots } from '../../../server/src/engine/fixes/common';
import { applyAndCheck, cleanup, fixableDiagnostics, open, workspace } from './harness';

after(cleanup);

const FLAKE = (host: string) => `{
  inputs.microvm.url = "github:microvm-nix/microvm.nix";
  outputs = { self, nixpkgs, microvm, ... }: {
    nixosConfigurations.${host} = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ microvm.nixosModules.host ./hosts/${host} ];
    };
  };
}
`;

const HOST_DEFAULT = `{ ... }:
{
  imports = [ ./network.nix ./vms.nix ];
  networking.hostName = "hv";
}
`;

function vm(name: string, id: string, hypervisor = 'cloud-hypervisor', indent = '    '): string {
  return `${indent}${name}.config = {
${indent}  microvm.hypervisor = "${hypervisor}";
${indent}  microvm.interfaces = [
${indent}    { type = "tap"; id = "${id}"; mac = "02:00:00:00:00:0${id.length % 10}"; }
${indent}  ];
${indent}};
`;
}

const NETWORK_NIX = (match: string) => `{ ... }:
{
  systemd.network = {
    enable = true;
    netdevs."10-br0".netdevConfig = { Kind = "bridge"; Name = "br0"; };
    networks."20-lan" = {
${match}
      networkConfig.Bridge = "br0";
    };
  };
}
`;

function hostWorkspace(files: Record<string, string>): string {
  return workspace({ 'flake.nix': FLAKE('hv'), 'hosts/hv/default.nix': HOST_DEFAULT, ...files });
}

async function fixesFor(dir: string, id: string, settings: Partial<Settings> = {}) {
  const { service, snapshot } = await open(dir, settings);
  const d = fixableDiagnostics(snapshot).find((x) => {
    const o = snapshot.outcomes.find((o) => o.interface.id.location.file === x.location.file && o.interface.id.location.range.start.line === x.location.range.start.line);
    return o && knownText(o.interface.id.value) === id;
  });
  assert.ok(d, `a fixable diagnostic for ${id}`);
  const fixes = service.fixes(d.location.file, d.location.range);
  service.dispose();
  assert.equal(fixes.filter((f) => f.preferred).length, 1, 'exactly one preferred');
  return { snapshot, d, fixes };
}

function edited(fix: Fix, file: string): string[] {
  return fix.edit.changes.filter((c) => c.file.endsWith(file)).flatMap((c) => c.edits.map((e) => e.newText));
}

function statusOf(snapshot: AnalysisSnapshot, id: string) {
  const o = snapshot.outcomes.find((o) => knownText(o.interface.id.value) === id)!;
  return `${o.status} ${o.bridge}`;
}

test('#1 covering glob: one Name= entry bridges every uncovered tap sharing the prefix', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}${vm('db', 'vm-db')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const glob = fixes.find((f) => f.title.startsWith('Add `vm-*`'));
  assert.ok(glob, fixes.map((f) => f.title).join('\n'));
  assert.equal(glob.preferred, true);
  assert.equal(glob.title, 'Add `vm-*` (covers `vm-web`, `vm-db`) to Name= of 20-lan.network (bridge br0)');
  assert.deepEqual(edited(glob, 'network.nix'), ['[ ', ' "vm-*" ]']);
  assert.ok(fixes.some((f) => f.title === 'Add `vm-web` to Name= of 20-lan.network (bridge br0)' && !f.preferred));
  await applyAndCheck(dir, snapshot, d, glob, { also: (s) => assert.equal(statusOf(s, 'vm-db'), 'bridged br0') });
});

test('#1 never makes a glob that would catch a physical link or the bridge', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('a', 'enp1a')}${vm('b', 'enp1b')}  };\n}\n`,
  });
  // `enp1*` would also catch the uplink enp1s0 (and change what 20-lan does to it).
  const { fixes } = await fixesFor(dir, 'enp1a');
  assert.ok(!fixes.some((f) => f.title.includes('*')), fixes.map((f) => f.title).join('\n'));
  assert.ok(fixes.some((f) => f.title.startsWith('Add `enp1a` to Name=') && f.preferred));
});

test('#1 Nix forms: `name` shortcut gets one more word, a one-per-line list one more line', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const add = fixes.find((f) => f.preferred)!;
  assert.equal(add.title, 'Add `vm-web` to Name= of 20-lan.network (bridge br0)');
  assert.deepEqual(edited(add, 'network.nix'), [' vm-web']);
  await applyAndCheck(dir, snapshot, d, add);
  assert.ok(readFileSync(join(dir, 'hosts/hv/network.nix'), 'utf8').includes('name = "enp1s0 vm-web";'));

  const dir2 = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig = {\n        Name = [\n          "enp1s0"\n          "enp2s0"\n        ];\n      };'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const second = await fixesFor(dir2, 'vm-web');
  const add2 = second.fixes.find((f) => f.preferred)!;
  assert.deepEqual(edited(add2, 'network.nix'), ['\n          "vm-web"']);
  await applyAndCheck(dir2, second.snapshot, second.d, add2);
});

test('#1 in a CRLF .network file: a new Name= line after the last one, never joining a negated line', async () => {
  const dir = workspace({
    'etc/systemd/network/10-br0.netdev': '[NetDev]\r\nName=br0\r\nKind=bridge\r\n',
    'etc/systemd/network/20-lan.network': '[Match]\r\nName=en*\r\nName=!vm-db\r\n\r\n[Network]\r\nBridge=br0\r\n',
    'vms/web.nix': '{ ... }:\n{\n  microvm.interfaces = [ { type = "tap"; id = "vm-web"; mac = "02:00:00:00:00:01"; } ];\n}\n',
    'vms/db.nix': '{ ... }:\n{\n  microvm.interfaces = [ { type = "tap"; id = "vm-db"; mac = "02:00:00:00:00:02"; } ];\n}\n',
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const add = fixes.find((f) => f.preferred)!;
  assert.equal(add.title, 'Add `vm-web` to Name= of 20-lan.network (bridge br0)');
  assert.deepEqual(edited(add, '20-lan.network'), ['\r\nName=vm-web']);
  await applyAndCheck(dir, snapshot, d, add, { also: (s) => assert.equal(statusOf(s, 'vm-db'), 'unmanaged null') });
  assert.equal(readFileSync(join(dir, 'etc/systemd/network/20-lan.network'), 'utf8'), '[Match]\r\nName=en*\r\nName=!vm-db\r\nName=vm-web\r\n\r\n[Network]\r\nBridge=br0\r\n');
});

test('#1 is not offered on a unit whose Name= list is only negative', async () => {
  const dir = workspace({
    'etc/systemd/network/10-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n',
    'etc/systemd/network/20-all.network': '[Match]\nName=!vm-*\n\n[Network]\nBridge=br0\n',
    'vms/web.nix': '{ ... }:\n{\n  microvm.interfaces = [ { type = "tap"; id = "vm-web"; mac = "02:00:00:00:00:01"; } ];\n}\n',
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  assert.ok(!fixes.some((f) => f.title.startsWith('Add ')), fixes.map((f) => f.title).join('\n'));
  const create = fixes.find((f) => f.preferred)!;
  assert.equal(create.title, 'Create 05-microvm-vm-web.network bridging `vm-web` to br0');
  assert.equal(create.edit.creates[0].file, join(dir, 'etc/systemd/network/05-microvm-vm-web.network'));
  await applyAndCheck(dir, snapshot, d, create);
});

test('#2 when shadowed: a unit sorting before the shadowing one, in the host\'s Nix style (tabs)', async () => {
  const network = [
    '{ ... }:',
    '{',
    '\tsystemd.network.enable = true;',
    '\tsystemd.network.netdevs."10-br0".netdevConfig = { Kind = "bridge"; Name = "br0"; };',
    '\tsystemd.network.networks."10-dhcp" = {',
    '\t\tmatchConfig.Name = "*";',
    '\t\tnetworkConfig.DHCP = "yes";',
    '\t};',
    '\tsystemd.network.networks."20-vms" = {',
    '\t\tmatchConfig.Name = "vm-*";',
    '\t\tnetworkConfig.Bridge = "br0";',
    '\t};',
    '}',
    '',
  ].join('\n');
  const dir = hostWorkspace({
    'hosts/hv/network.nix': network,
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  assert.equal(d.code, 'tap-shadowed');
  const create = fixes.find((f) => f.preferred)!;
  assert.equal(create.title, 'Create systemd.network.networks."05-microvm-web" in network.nix bridging `vm-web` to br0');
  assert.deepEqual(edited(create, 'network.nix'), [
    '\n\tsystemd.network.networks."05-microvm-web" = {\n\t\tmatchConfig.Name = "vm-web";\n\t\tnetworkConfig.Bridge = "br0";\n\t};',
  ]);
  // The script fixes would race with networkd removing the master: not offered.
  assert.ok(!fixes.some((f) => f.title.includes('tap-up') || f.title.includes('ExecStartPost')), fixes.map((f) => f.title).join('\n'));
  await applyAndCheck(dir, snapshot, d, create);
});

test('#3 and #4 (current layout): lib/pkgs added to the formals; drop-in per VM', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ config, ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const tapUp = fixes.find((f) => f.title.includes('binScripts.tap-up'))!;
  assert.deepEqual(edited(tapUp, 'vms.nix'), [
    ', lib, pkgs',
    `\n      microvm.binScripts.tap-up = lib.mkAfter ''\n        \${lib.getExe' pkgs.iproute2 "ip"} link set dev 'vm-web' master 'br0'\n      '';`,
  ]);
  await applyAndCheck(dir, snapshot, d, tapUp);

  const dir2 = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ config, ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const again = await fixesFor(dir2, 'vm-web');
  const dropIn = again.fixes.find((f) => f.title.includes('ExecStartPost'))!;
  assert.equal(dropIn.title, 'Attach `vm-web` to br0 with an ExecStartPost drop-in for microvm-tap-interfaces@web.service (vms.nix)');
  assert.deepEqual(edited(dropIn, 'vms.nix'), [
    `\n  systemd.services."microvm-tap-interfaces@web" = {\n    overrideStrategy = "asDropin";\n    serviceConfig.ExecStartPost = [ "\${lib.getExe' pkgs.iproute2 "ip"} link set vm-web master br0" ];\n  };`,
    ', lib, pkgs',
  ]);
  await applyAndCheck(dir2, again.snapshot, again.d, dropIn);
});

test('a plain attrset module: no tap-up (needs lib.mkAfter); the drop-in uses the system ip', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  assert.ok(!fixes.some((f) => f.title.includes('binScripts')), fixes.map((f) => f.title).join('\n'));
  const dropIn = fixes.find((f) => f.title.includes('ExecStartPost'))!;
  assert.ok(edited(dropIn, 'vms.nix')[0].includes('"/run/current-system/sw/bin/ip link set vm-web master br0"'));
  await applyAndCheck(dir, snapshot, d, dropIn);
});

test('#4 on the old layout (flake.lock before 2024-11-27): mkForce script reproducing the tap loop', async () => {
  const lock = JSON.stringify({
    nodes: { microvm: { locked: { lastModified: 1717243384, owner: 'microvm-nix', repo: 'microvm.nix', type: 'github' } }, root: { inputs: { microvm: 'microvm' } } },
    root: 'root',
    version: 7,
  });
  const dir = hostWorkspace({
    'flake.lock': lock,
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ lib, pkgs, ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}${vm('db', 'db-1')}  };\n}\n`,
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const old = fixes.find((f) => f.title.startsWith('Override microvm-tap-interfaces@'))!;
  assert.ok(old, fixes.map((f) => f.title).join('\n'));
  assert.ok(!fixes.some((f) => f.title.includes('ExecStartPost')));
  const text = edited(old, 'vms.nix').join('');
  assert.ok(text.includes(`systemd.services."microvm-tap-interfaces@".script = lib.mkForce ''`), text);
  for (const line of [
    'cd /var/lib/microvms/$1',
    'for id in $(cat current/share/microvm/tap-interfaces); do',
    '${pkgs.iproute2}/bin/ip tuntap add name $id mode tap user microvm $TAP_FLAGS',
    '${pkgs.iproute2}/bin/ip link set $id up',
    '${pkgs.iproute2}/bin/ip link set $id master br0',
  ]) {
    assert.ok(text.includes(line), line);
  }
  await applyAndCheck(dir, snapshot, d, old, { also: (s) => assert.equal(statusOf(s, 'db-1'), 'bridged br0') });
});

test('no bridge known: a snippet placeholder; with microvmNet.defaultBridge: that bridge', async () => {
  // Two bridges exist (a script can only join one that does), so neither is the one to infer.
  const files = {
    'hosts/hv/network.nix': '{ ... }:\n{\n  networking.useNetworkd = false;\n  networking.bridges.br0.interfaces = [ ];\n  networking.bridges.br-lab.interfaces = [ ];\n}\n',
    'hosts/hv/vms.nix': `{ lib, pkgs, ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web', 'qemu')}  };\n}\n`,
  };
  const dir = hostWorkspace(files);
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  assert.ok(fixes.length > 0);
  for (const f of fixes) assert.equal(f.isSnippet, true, f.title);
  const tapUp = fixes.find((f) => f.preferred)!;
  assert.equal(tapUp.title, "Attach `vm-web` to a bridge in the guest's microvm.binScripts.tap-up (vms.nix)");
  const text = edited(tapUp, 'vms.nix').join('');
  assert.ok(text.includes(`\\\${lib.getExe' pkgs.iproute2 "ip"\\} link set dev 'vm-web' master '\${1:br0}'`), text);
  await applyAndCheck(dir, snapshot, d, tapUp);

  const dir2 = hostWorkspace(files);
  const settings = { defaultBridge: 'br-lab' };
  const withDefault = await fixesFor(dir2, 'vm-web', settings);
  const fix = withDefault.fixes.find((f) => f.preferred)!;
  assert.equal(fix.isSnippet, undefined);
  assert.ok(fix.title.includes('br-lab'));
  await applyAndCheck(dir2, withDefault.snapshot, withDefault.d, fix, { settings, bridge: 'br-lab' });
});

test('#5 for qemu: type replaced, bridge added on its own line', async () => {
  const dir = workspace({
    'etc/systemd/network/10-br0.netdev': '[NetDev]\nName=br0\nKind=bridge\n',
    'etc/systemd/network/20-lan.network': '[Match]\nName=en*\n\n[Network]\nBridge=br0\n',
    'vms/web.nix':
      '{ ... }:\n{\n  microvm.hypervisor = "qemu";\n  microvm.interfaces = [\n    {\n      type = "tap";\n      id = "vm-web";\n      mac = "02:00:00:00:00:01";\n    }\n  ];\n}\n',
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  const qemu = fixes.find((f) => f.title.startsWith('Let qemu'))!;
  assert.equal(qemu.title, 'Let qemu attach `vm-web` itself: type = "bridge"; bridge = "br0"; (web.nix)');
  assert.deepEqual(edited(qemu, 'web.nix'), ['"bridge"', '\n      bridge = "br0";']);
  assert.equal(qemu.preferred, false);
  await applyAndCheck(dir, snapshot, d, qemu);
});

test('#5 is never offered for a hypervisor without bridge support', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web', 'firecracker')}  };\n}\n`,
  });
  const { fixes } = await fixesFor(dir, 'vm-web');
  assert.ok(!fixes.some((f) => f.title.includes('type = "bridge"')));
});

test('bridge-not-defined: define the bridge the winning unit names (preferred), as a .netdev next to it', async () => {
  const dir = workspace({
    'etc/systemd/network/20-vms.network': '[Match]\nName=vm-*\n\n[Network]\nBridge=br-vms\n',
    'vms/web.nix': '{ ... }:\n{\n  microvm.interfaces = [ { type = "tap"; id = "vm-web"; mac = "02:00:00:00:00:01"; } ];\n}\n',
  });
  const { snapshot, d, fixes } = await fixesFor(dir, 'vm-web');
  assert.equal(d.code, 'bridge-not-defined');
  const define = fixes.find((f) => f.preferred)!;
  assert.equal(define.title, 'Create 10-br-vms.netdev defining bridge `br-vms` (named by 20-vms.network)');
  assert.deepEqual(define.edit.creates, [{ file: join(dir, 'etc/systemd/network/10-br-vms.netdev'), text: '[NetDev]\nName=br-vms\nKind=bridge\n' }]);
  await applyAndCheck(dir, snapshot, d, define, { bridge: 'br-vms' });
});

test('a range away from the diagnostic gets no fix; fixes only ever touch files inside the roots', async () => {
  const dir = hostWorkspace({
    'hosts/hv/network.nix': NETWORK_NIX('      matchConfig.Name = "enp1s0";'),
    'hosts/hv/vms.nix': `{ ... }:\n{\n  microvm.vms = {\n${vm('web', 'vm-web')}  };\n}\n`,
  });
  const { service } = await open(dir);
  const file = join(dir, 'hosts/hv/vms.nix');
  assert.deepEqual(service.fixes(file, { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }), []);
  const d = fixableDiagnostics(service.analyze())[0];
  for (const f of service.fixes(file, d.location.range)) {
    for (const c of [...f.edit.changes, ...f.edit.creates]) assert.ok(c.file.startsWith(dir + '/'), c.file);
  }
  service.dispose();
  assert.equal(insideRoots(['/ws'], '/ws/a/b.network'), true);
  assert.equal(insideRoots(['/ws'], '/ws2/b.network'), false);
  assert.equal(insideRoots(['/ws'], '/ws/../etc/b.network'), false);
  assert.equal(insideRoots([], '/ws/b.network'), false);
});
