import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvaluator, toJs } from './util';
import { libScope } from '../../../../server/src/engine/nix/eval/scope';
import type { Value } from '../../../../server/src/engine/nix/value';

async function evalModule(files: Record<string, string>, entry: string): Promise<{ v: unknown; ev: Awaited<ReturnType<typeof makeEvaluator>> }> {
  const ev = await makeEvaluator(files);
  const f = ev.evalFile(entry);
  let v: Value = f;
  if (f.kind === 'function') {
    const args = libScope(ev).moduleArgs({ config: { kind: 'unknown', reason: 'config' } });
    v = f.apply({ force: () => args });
  }
  return { v: toJs(v, 12), ev };
}

test('VM taps generated with genAttrs', async () => {
  const { v } = await evalModule(
    {
      '/ws/host.nix': `{ lib, ... }: {
        microvm.vms = lib.genAttrs [ "web" "db" ] (name: {
          config.microvm.interfaces = [ { type = "tap"; id = "vm-\${name}"; mac = "02:00:00:00:00:01"; } ];
        });
      }`,
    },
    '/ws/host.nix',
  );
  assert.deepEqual(v, {
    microvm: {
      vms: {
        web: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm-web', mac: '02:00:00:00:00:01' }] } } },
        db: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm-db', mac: '02:00:00:00:00:01' }] } } },
      },
    },
  });
});

test('imap1 + listToAttrs over a list imported from another file', async () => {
  const { v, ev } = await evalModule(
    {
      '/ws/vms.nix': '[ "alpha" "beta" ]',
      '/ws/host.nix': `{ lib, ... }:
        let vms = import ./vms.nix;
        in {
          microvm.vms = builtins.listToAttrs (lib.imap1 (i: name: lib.nameValuePair name {
            config.microvm.interfaces = [ { type = "tap"; id = "vm\${toString i}"; mac = "02:00:00:00:00:0\${toString i}"; } ];
          }) vms);
        }`,
    },
    '/ws/host.nix',
  );
  assert.deepEqual(v, {
    microvm: {
      vms: {
        alpha: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm1', mac: '02:00:00:00:00:01' }] } } },
        beta: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm2', mac: '02:00:00:00:00:02' }] } } },
      },
    },
  });
  assert.deepEqual([...(ev.imports.get('/ws/host.nix') ?? [])], ['/ws/vms.nix']);
});

test('mapAttrs over an attrset of VMs', async () => {
  const { v } = await evalModule(
    {
      '/ws/host.nix': `{ lib, ... }:
        let vms = { web = { n = 1; }; db = { n = 2; }; };
        in { microvm.vms = lib.mapAttrs (name: vm: { config.microvm.interfaces = [ { type = "tap"; id = "tap-\${name}-\${toString vm.n}"; } ]; }) vms; }`,
    },
    '/ws/host.nix',
  );
  assert.deepEqual(v, {
    microvm: {
      vms: {
        web: { config: { microvm: { interfaces: [{ type: 'tap', id: 'tap-web-1' }] } } },
        db: { config: { microvm: { interfaces: [{ type: 'tap', id: 'tap-db-2' }] } } },
      },
    },
  });
});

test('genList + listToAttrs making "30-vm${toString i}" routed networks', async () => {
  const { v } = await evalModule(
    {
      '/ws/net.nix': `{ lib, ... }: {
        systemd.network.networks = builtins.listToAttrs (builtins.genList (i: {
          name = "30-vm\${toString i}";
          value = { matchConfig.Name = "vm\${toString i}"; address = [ "10.0.0.\${toString (i + 1)}/32" ]; };
        }) 3);
      }`,
    },
    '/ws/net.nix',
  );
  assert.deepEqual(v, {
    systemd: {
      network: {
        networks: {
          '30-vm0': { matchConfig: { Name: 'vm0' }, address: ['10.0.0.1/32'] },
          '30-vm1': { matchConfig: { Name: 'vm1' }, address: ['10.0.0.2/32'] },
          '30-vm2': { matchConfig: { Name: 'vm2' }, address: ['10.0.0.3/32'] },
        },
      },
    },
  });
});

test('VMs generated from builtins.readDir with filterAttrs / mapAttrs\' / attrNames', async () => {
  const { v } = await evalModule(
    {
      '/ws/vms/web.nix': '{ id = "vm-web"; }',
      '/ws/vms/db.nix': '{ id = "vm-db"; }',
      '/ws/vms/README': 'not nix',
      '/ws/host.nix': `{ lib, ... }:
        let
          entries = lib.filterAttrs (n: t: t == "regular" && lib.hasSuffix ".nix" n) (builtins.readDir ./vms);
          vms = lib.mapAttrs' (n: _: lib.nameValuePair (lib.removeSuffix ".nix" n) (import (./vms + "/\${n}"))) entries;
        in {
          names = builtins.attrNames vms;
          microvm.vms = lib.mapAttrs (name: vm: { config.microvm.interfaces = [ { type = "tap"; inherit (vm) id; } ]; }) vms;
        }`,
    },
    '/ws/host.nix',
  );
  assert.deepEqual(v, {
    names: ['db', 'web'],
    microvm: {
      vms: {
        db: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm-db' }] } } },
        web: { config: { microvm: { interfaces: [{ type: 'tap', id: 'vm-web' }] } } },
      },
    },
  });
});

test('id from config.networking.hostName is a pattern with a hole', async () => {
  const { v } = await evalModule(
    { '/ws/guest.nix': '{ config, ... }: { microvm.interfaces = [ { type = "tap"; id = "vm-${config.networking.hostName}"; } ]; }' },
    '/ws/guest.nix',
  );
  assert.deepEqual(v, { microvm: { interfaces: [{ type: 'tap', id: 'vm-*' }] } });
});

test('import ./x.nix { args } and directories meaning default.nix', async () => {
  const { v } = await evalModule(
    {
      '/ws/lib/default.nix': '{ prefix }: { mk = n: "${prefix}-${n}"; }',
      '/ws/host.nix': 'let l = import ./lib { prefix = "vm"; }; in { id = l.mk "a"; }',
    },
    '/ws/host.nix',
  );
  assert.deepEqual(v, { id: 'vm-a' });
});

test('module wrappers stay visible: mkIf / mkMerge / mkForce around interfaces', async () => {
  const { v } = await evalModule(
    {
      '/ws/g.nix': `{ lib, ... }: lib.mkMerge [
        { microvm.interfaces = lib.mkForce [ { type = "tap"; id = "vm-a"; } ]; }
        (lib.mkIf true { microvm.hypervisor = "qemu"; })
      ]`,
    },
    '/ws/g.nix',
  );
  assert.deepEqual(v, {
    _type: 'merge',
    contents: [
      { microvm: { interfaces: { _type: 'override', priority: 50, content: [{ type: 'tap', id: 'vm-a' }] } } },
      { _type: 'if', condition: true, content: { microvm: { hypervisor: 'qemu' } } },
    ],
  });
});

test('invalidate drops memoised results of a file and its importers', async () => {
  const files: Record<string, string> = { '/ws/a.nix': '1', '/ws/b.nix': '(import ./a.nix) + 1' };
  const ev = await makeEvaluator(files);
  assert.equal(toJs(ev.evalFile('/ws/b.nix')), 2);
  files['/ws/a.nix'] = '10';
  assert.equal(toJs(ev.evalFile('/ws/b.nix')), 2, 'memoised');
  ev.invalidate('/ws/a.nix');
  assert.equal(toJs(ev.evalFile('/ws/b.nix')), 11);
});

test('paths outside the workspace are unknown', async () => {
  const ev = await makeEvaluator({ '/ws/a.nix': 'import /etc/nixos/hardware.nix' });
  assert.equal(ev.evalFile('/ws/a.nix').kind, 'unknown');
});
