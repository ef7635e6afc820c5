/**
 * One fake snapshot exercising every report feature: bridged, routed, without-bridge, unknown
 * (pattern id, no configuration reaches it) and not-applicable interfaces, each with reasons
 * resting on their own files; diagnostics of every severity, out of order, with related locations
 * and the outcome they report; a CJK/emoji line; two configurations; notices: a file with syntax
 * errors, a skipped file, and two Nix problems of one kind in two files (one line in the text).
 */
import * as path from 'node:path';
import type { AnalysisSnapshot } from '../../../server/src/engine/service';
import { located } from '../../../server/src/engine/reasons';
import { diag, holed, host, loc, outcome, snapshot } from './helpers';

/** Line 3 (0-based) of hosts/h3/guest.nix: UTF-16 positions differ from bytes and code points. */
export const EMOJI_LINE = '  /* 网络 🚀 */ { type = "tap"; id = "vm-émoji"; mac = "02:00:00:00:00:03"; }';
export const EMOJI_ID_CHAR = EMOJI_LINE.indexOf('"vm-émoji"') + 1; // 0-based UTF-16, inside the quotes

export function sampleSnapshot(base: string): AnalysisSnapshot {
  const f = (rel: string) => path.join(base, ...rel.split('/'));
  const vms = f('hosts/h1/vms.nix');
  const net = f('hosts/h1/net.nix');
  const guest = f('hosts/h3/guest.nix');
  const unitFile = f('etc/systemd/network/30-vm.network');
  const db = outcome({
    id: 'vm-db',
    at: loc(vms, 19, 14, 19, 19),
    mac: '02:00:00:00:00:02',
    vm: 'db',
    status: 'unmanaged',
    reasons: [
      'no loaded .network unit matches `vm-db`, so systemd-networkd leaves it unmanaged',
      located('`20-vms.network` bridges Name=vm-web to `br0` but does not match it', loc(net, 29, 4)),
    ],
  });
  return snapshot({
    hosts: [host('h1', loc(f('flake.nix'), 4, 4)), host('h3', loc(f('flake.nix'), 9, 4))],
    outcomes: [
      db,
      outcome({
        id: 'vm-web',
        at: loc(vms, 11, 14, 11, 20),
        mac: '02:00:00:00:00:01',
        status: 'bridged',
        bridge: 'br0',
        via: { kind: 'networkd-nix', unit: '20-vms.network', location: loc(net, 29, 4) },
        reasons: [located('`20-vms.network` matches `vm-web` first (Name=vm-web) and sets Bridge=br0, defined by `10-br0.netdev` (Kind=bridge)', loc(net, 29, 4))],
      }),
      outcome({
        id: holed('vm-'),
        at: loc(f('hosts/h2/vms.nix'), 4, 11, 4, 28),
        mac: holed('02:00:'),
        vm: null,
        host: null,
        status: 'unknown',
        unplaced: 'no configuration imports hosts/h2/vms.nix',
        reasons: ['no configuration imports hosts/h2/vms.nix'],
      }),
      outcome({
        id: 'vm-émoji',
        at: loc(guest, 3, EMOJI_ID_CHAR, 3, EMOJI_ID_CHAR + 8),
        mac: '02:00:00:00:00:03',
        vm: 'emoji',
        host: 'h3',
        status: 'routed',
        via: { kind: 'networkd-file', unit: '30-vm.network', location: loc(unitFile, 0, 0) },
        reasons: [located('`30-vm.network` matches `vm-émoji` first (Name="vm-émoji") and sets no Bridge=; it configures addresses or routes', loc(unitFile, 0, 0))],
      }),
      outcome({
        id: 'mv0',
        at: loc(guest, 5, 30, 5, 33),
        type: 'macvtap',
        mac: null,
        vm: 'emoji',
        host: 'h3',
        status: 'not-applicable',
        reasons: ['a `macvtap` interface is not attached to a bridge by the host'],
      }),
      outcome({
        id: 'br-tap',
        at: loc(guest, 6, 30, 6, 36),
        type: 'bridge',
        mac: '02:00:00:00:00:04',
        vm: 'emoji',
        host: 'h3',
        status: 'bridged',
        bridge: 'br1',
        via: { kind: 'qemu-bridge-helper' },
        reasons: ['qemu-bridge-helper creates the tap and attaches it to `br1`'],
      }),
    ],
    diagnostics: [
      diag('mac-not-local', 'info', 'MAC 12:00:00:00:00:09 is not locally administered', loc(guest, 3, 60, 3, 77)),
      diag(
        'interface-name-invalid',
        'error',
        'interface name "vm-émoji" contains a non-ASCII character',
        loc(guest, 3, EMOJI_ID_CHAR, 3, EMOJI_ID_CHAR + 8),
      ),
      diag(
        'tap-without-bridge',
        'warning',
        'tap vm-db (VM db on h1) matches no network unit and nothing attaches it to a bridge',
        loc(vms, 19, 14, 19, 19),
        [{ location: loc(net, 29, 4, 29, 30), message: 'the unit bridging vm-* taps (Name=vm-web)' }],
        db,
      ),
      diag('duplicate-interface-id', 'error', 'id vm-db is also used by VM db2', loc(vms, 19, 14, 19, 19), [
        { location: loc(vms, 25, 14, 25, 19), message: 'also used here' },
      ]),
      diag('networkd-syntax-quoted-name', 'hint', 'Name= is quoted; networkd keeps the quotes', loc(unitFile, 1, 5, 1, 12)),
    ],
    files: [
      { file: vms, kind: 'nix', syntaxErrors: 0, problems: [] },
      { file: f('hosts/broken.nix'), kind: 'nix', syntaxErrors: 2, problems: [] },
      { file: f('vendor/huge.nix'), kind: 'other', syntaxErrors: 0, problems: [{ kind: 'file-too-large', message: 'larger than 2097152 bytes: skipped' }] },
      { file: f('hosts/h2/vms.nix'), kind: 'nix', syntaxErrors: 0, problems: [{ kind: 'interfaces-not-evaluated', message: 'h2: microvm.interfaces could not be fully evaluated' }] },
      { file: f('hosts/h2/more.nix'), kind: 'nix', syntaxErrors: 0, problems: [{ kind: 'interfaces-not-evaluated', message: 'h2: a microvm.interfaces entry could not be evaluated' }] },
    ],
    stats: { files: 41, nixFiles: 37, networkdFiles: 4, ms: 212 },
  });
}
