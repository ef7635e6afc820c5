/**
 * Script attachments: `ip link set <tap> master <br>` run by
 *  - the guest's `microvm.binScripts.tap-up` (kind `bin-script`),
 *  - host overrides of `microvm-tap-interfaces@` / `microvm-tap-interfaces@<vm>` (`service-override`),
 *  - any other `systemd.services.<x>` (`custom-service`).
 */
import type { ScriptAttachment, ScriptKind } from '../../model';
import { displayPattern, known, UNKNOWN_STRING, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import { force } from '../eval/helpers';
import { sortByOrder, type Configuration, type Def } from '../modules';
import { parseMasterCommands } from '../scripts';
import type { Thunk, Value } from '../value';
import { scriptLineLocation, valueLoc } from './common';

const TAP_SERVICE = 'microvm-tap-interfaces@';
const SCRIPT_FIELDS = ['script', 'preStart', 'postStart', 'reload', 'preStop', 'postStop'];

interface Text {
  value: StrPattern;
  location: Location;
}

function mayAttach(p: StrPattern): boolean {
  const t = displayPattern(p);
  return t.includes('master') || t.includes('addif');
}

function textsAt(cfg: Configuration, path: string[], fallback: Location): Text[] {
  const out: Text[] = [];
  for (const s of sortByOrder(cfg.selectAt(path))) {
    const v = s.def.value;
    pushText(out, v, undefined, s.def, fallback);
  }
  return out;
}

function pushText(out: Text[], v: Value, t: Thunk | undefined, def: Def, fallback: Location): void {
  if (v.kind === 'string') {
    if (mayAttach(v.value)) out.push({ value: v.value, location: v.location ?? t?.location ?? valueLoc(def, fallback) });
  } else if (v.kind === 'list') {
    for (const item of v.items) pushText(out, force(item), item, def, fallback);
  }
}

function attachments(
  texts: Text[],
  base: Omit<ScriptAttachment, 'tap' | 'allTaps' | 'bridge' | 'location'>,
  opts: { instance?: StrPattern | null; tapService: boolean },
  readText: (file: string) => string | undefined,
): ScriptAttachment[] {
  const out: ScriptAttachment[] = [];
  for (const text of texts) {
    // In the tap unit, `$1` is the VM (scriptArgs = "%i"); the loop variable is the tap.
    const cmds = parseMasterCommands(text.value, opts.tapService
        ? { instance: opts.instance, allTapVars: tapLoopVars(text.value), vars: { '1': opts.instance ?? UNKNOWN_STRING } }
        : { instance: opts.instance });
    for (const c of cmds) {
      out.push({
        ...base,
        tap: c.tap,
        allTaps: c.allTaps,
        bridge: c.bridge,
        location: scriptLineLocation(text.location, c.line, readText),
      });
    }
  }
  return out;
}

function tapLoopVars(p: StrPattern): string[] {
  const vars = ['id'];
  const text = p.parts.map((x) => (typeof x === 'string' ? x : '\u0000')).join('');
  for (const m of text.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g)) vars.push(m[1]);
  return vars;
}

/** Attachments in the host's systemd services. */
export function serviceAttachments(cfg: Configuration, host: string, fallback: Location, readText: (file: string) => string | undefined): ScriptAttachment[] {
  const root = ['systemd', 'services'];
  const out: ScriptAttachment[] = [];
  for (const svc of cfg.keysAt(root).keys) {
    const base = [...root, svc];
    const tapService = svc.startsWith(TAP_SERVICE);
    const vm = tapService ? svc.slice(TAP_SERVICE.length) || null : null;
    const kind: ScriptKind = tapService ? 'service-override' : 'custom-service';
    const texts: Text[] = [];
    for (const f of SCRIPT_FIELDS) texts.push(...textsAt(cfg, [...base, f], fallback));
    const sc = [...base, 'serviceConfig'];
    for (const k of cfg.keysAt(sc).keys) if (k.startsWith('Exec')) texts.push(...textsAt(cfg, [...sc, k], fallback));
    if (texts.length === 0) continue;
    out.push(
      ...attachments(texts, { kind, host, vm, unit: `${svc}.service` }, { instance: vm ? known(vm) : null, tapService }, readText),
    );
  }
  return out;
}

/** `microvm.binScripts.tap-up` lines of a guest. */
export function binScriptAttachments(
  cfg: Configuration,
  host: string | null,
  vm: string | null,
  fallback: Location,
  readText: (file: string) => string | undefined,
): ScriptAttachment[] {
  const texts = textsAt(cfg, ['microvm', 'binScripts', 'tap-up'], fallback);
  return attachments(texts, { kind: 'bin-script', host, vm, unit: vm ? `${TAP_SERVICE}${vm}.service` : undefined }, { instance: null, tapService: false }, readText);
}
