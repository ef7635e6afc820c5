/**
 * Fix #4 (host side): override the host's `microvm-tap-interfaces@` unit, in the form the
 * microvm.nix layout in use needs (flakeLock.ts `tapServiceLayout`):
 *  - current layout (tap-up script, or no flake.lock): an additive drop-in per VM,
 *    `systemd.services."microvm-tap-interfaces@<vm>" = { overrideStrategy = "asDropin";
 *    serviceConfig.ExecStartPost = [ "<ip> link set <id> master <br>" ]; };`
 *  - older layout: `systemd.services."microvm-tap-interfaces@".script = lib.mkForce ''...''`
 *    reproducing the old loop plus `ip link set $id master <br>` (attaches every tap of every
 *    VM of the host, so it is only offered when that harms no other interface).
 * Inserted into the host module that defines `microvm.vms` (the tap's own file when the VM is
 * declared there), else the host's networking module (the file of its Nix network units).
 * `<ip>` is `${lib.getExe' pkgs.iproute2 "ip"}`, or `/run/current-system/sw/bin/ip` in a plain
 * attrset module that has no function to add `lib`/`pkgs` to.
 */
import { tapServiceLayout } from '../flakeLock';
import type { NodeOf, ParsedNixFile } from '../nix/ast';
import { basename, bridgesTap, harmless, makeFix, scriptFor, simulationBridge, tapId, type Candidate, type FixTarget } from './common';
import { BRIDGE_MARK, bridgeSlot, type OffsetEdit } from './edits';
import { nixString, systemdExecWord } from './quote';
import { appendToList, attrsValue, definesPath, ensureNames, findPath, indentedString, insertPath, moduleBody, type Step } from './nixEdit';
import { IP_EXE } from './tapUp';

const SYSTEM_IP = '/run/current-system/sw/bin/ip';

interface HostModule {
  file: string;
  text: string;
  parsed: ParsedNixFile;
  attrs: NodeOf<'attrs'>;
  steps: Step[];
}

export function hostServiceFixes(t: FixTarget): Candidate[] {
  const id = tapId(t.iface);
  if (id === undefined) return [];
  const layout = tapServiceLayout(t.snapshot.facts.microvmLastModified);
  const host = hostModule(t);
  if (!host) return [];
  const fix = layout === 'tap-up' ? dropIn(t, host, id) : oldScript(t, host);
  return fix ? [{ kind: 'service-override', fix }] : [];
}

/** The host module to edit: where `microvm.vms` is defined, else the host's networking module. */
function hostModule(t: FixTarget): HostModule | null {
  const files: string[] = [t.iface.location.file];
  for (const u of t.snapshot.facts.units) if (u.source === 'nix' && u.host !== null && u.host === t.iface.host) files.push(u.location.file);
  for (const s of t.snapshot.facts.scripts) if (s.host !== null && s.host === t.iface.host) files.push(s.location.file);
  const modules: HostModule[] = [];
  for (const file of [...new Set(files)]) {
    if (!file.endsWith('.nix')) continue;
    const text = t.env.textOf(file);
    if (text === null) continue;
    const parsed = t.env.parseNix(file, text);
    const body = moduleBody(parsed);
    if (!body) continue;
    const steps: Step[] = body.fn ? [{ node: body.fn }, { node: body.attrs }] : [{ node: body.attrs }];
    modules.push({ file, text, parsed, attrs: body.attrs, steps });
  }
  const vmName = t.iface.vm;
  const definesVm = modules.find((m) =>
    vmName ? definesPath(m.attrs, ['microvm', 'vms', vmName]) : definesPath(m.attrs, ['microvm', 'vms']),
  );
  if (definesVm) return definesVm;
  if (t.iface.host === null) return null;
  return modules.find((m) => m.file !== t.iface.location.file && definesPath(m.attrs, ['systemd', 'network'])) ?? null;
}

function dropIn(t: FixTarget, host: HostModule, id: string) {
  const vm = t.iface.vm;
  // The VM's name becomes a unit instance name (and a file name under /etc/systemd): only
  // characters systemd allows there, so a name cannot climb out of the drop-in directory.
  if (vm === null || !/^[A-Za-z0-9:_.-]+$/.test(vm)) return null;
  // systemd reads `$$` and `%%` in a command line where a shell (and our script reader) would
  // not: names that need quoting there get the tap-up form, which is a real shell script.
  if (systemdExecWord(id) !== id || (t.bridge.name !== null && systemdExecWord(t.bridge.name) !== t.bridge.name)) return null;
  const bridge = simulationBridge(t);
  const unit = `microvm-tap-interfaces@${vm}`;
  const script = scriptFor(t.iface, bridge, 'service-override', { unit: `${unit}.service`, vm, guest: undefined });
  if (!bridgesTap(t.snapshot.facts, { scripts: [script] }, t.iface, bridge)) return null;
  const names = ensureNames(host.parsed, host.steps, ['lib', 'pkgs']);
  const ip = names === null ? SYSTEM_IP : IP_EXE;
  // `ip` is our own antiquotation (or a plain path); the words after it are quoted for systemd's
  // command line, then for the Nix string around it.
  const words = nixString(` link set ${systemdExecWord(id)} master `).slice(1, -1);
  const command = `"${ip}${words}${bridgeSlot('exec-word-in-nix-string')}"`;
  const path = ['systemd', 'services', unit];
  const edits: OffsetEdit[] = [];
  const existing = findPath(host.attrs, path);
  if (existing) {
    // Already overridden for this VM: add the command to its ExecStartPost list.
    if (existing.binding.value.kind !== 'attrs') return null;
    const post = findPath(existing.binding.value, ['serviceConfig', 'ExecStartPost']);
    if (!post || post.binding.value.kind !== 'list') return null;
    const edit = appendToList(host.parsed, post.binding.value, command);
    if (!edit) return null;
    edits.push(edit);
  } else {
    const result = insertPath(
      host.parsed,
      host.attrs,
      path,
      attrsValue([
        ['overrideStrategy', '"asDropin"'],
        ['serviceConfig.ExecStartPost', `[ ${command} ]`],
      ]),
    );
    if ('conflict' in result) return null;
    edits.push(result.edit);
  }
  if (names) edits.push(...names);
  return makeFix(t, `Attach \`${id}\` to ${BRIDGE_MARK} with an ExecStartPost drop-in for ${unit}.service (${basename(host.file)})`, [
    { file: host.file, text: host.text, edits, nix: true },
  ]);
}

/** The tap loop of microvm.nix's host module before 2024-11-27 (docs/domain/microvm.md §3), plus the master line. */
export function oldTapLoop(ip: string, bridge: string): (unit: string) => string[] {
  return (u) => [
    'cd /var/lib/microvms/$1',
    'TAP_FLAGS=""',
    'if [ -e current/share/microvm/tap-flags ]; then',
    `${u}TAP_FLAGS=$(cat current/share/microvm/tap-flags)`,
    'fi',
    'for id in $(cat current/share/microvm/tap-interfaces); do',
    `${u}if [ -e /sys/class/net/$id ]; then`,
    `${u}${u}${ip} tuntap del name $id mode tap`,
    `${u}fi`,
    `${u}${ip} tuntap add name $id mode tap user microvm $TAP_FLAGS`,
    `${u}${ip} link set $id up`,
    `${u}${ip} link set $id master ${bridge}`,
    'done',
  ];
}

function oldScript(t: FixTarget, host: HostModule) {
  const bridge = simulationBridge(t);
  const script = scriptFor(t.iface, bridge, 'service-override', { tap: null, allTaps: true, vm: null, unit: 'microvm-tap-interfaces@.service' });
  if (!bridgesTap(t.snapshot.facts, { scripts: [script] }, t.iface, bridge)) return null;
  if (!harmless(t.snapshot, { scripts: [script] }, t.iface, bridge)) return null;
  const names = ensureNames(host.parsed, host.steps, ['lib', 'pkgs']);
  if (names === null) return null; // lib.mkForce is required to replace upstream's script
  const path = ['systemd', 'services', 'microvm-tap-interfaces@', 'script'];
  const result = insertPath(host.parsed, host.attrs, path, (nl, unit) => 'lib.mkForce ' + indentedString(oldTapLoop('${pkgs.iproute2}/bin/ip', bridgeSlot('shell-word-in-indented-string')))(nl, unit));
  if ('conflict' in result) return null;
  return makeFix(
    t,
    `Override microvm-tap-interfaces@ (microvm.nix before 2024-11-27) to attach every tap to ${BRIDGE_MARK} (${basename(host.file)})`,
    [{ file: host.file, text: host.text, edits: [result.edit, ...names], nix: true }],
  );
}
