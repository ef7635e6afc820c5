/**
 * What shell text does to links, in the terms the facts need: which device it puts on which
 * master (`ip link set [dev] <dev> ... master <br>`, `brctl addif`), which links it creates
 * (`ip link add <br> type bridge`, `brctl addbr`), which devices it gives addresses or routes
 * (`ip addr add ... dev <dev>`, `ip route add ... dev <dev>`), and which commands it runs that we
 * cannot see into. The shell itself is read by `shell/` (an abstract interpreter over text that may
 * be only partly known); this module turns its marks back into meanings and knows systemd's
 * specifiers (`%i`), which are not shell.
 */
import { HOLE, pattern, UNKNOWN_STRING, type StrPart, type StrPattern } from '../pattern';
import { interpretScript, type At, type RunOptions, type ScriptText } from './shell/interpreter';
import { DEVICE_MARK, EACH_TAP_MARK, REF_CLOSE, REF_OPEN } from './shell/lexer';

export { DEVICE_MARK, EACH_TAP_MARK, REF_CLOSE, REF_OPEN } from './shell/lexer';
export type { At, RunOptions, ScriptText } from './shell/interpreter';

/** The device a command acts on. */
export type Device =
  | { kind: 'named'; name: StrPattern }
  /** Every tap of the VM (the loop of microvm.nix's tap unit). */
  | { kind: 'each-tap' }
  /** The device a udev rule runs for (`%k`). */
  | { kind: 'event-device' };

export type LinkEffect<O> =
  | { kind: 'attach'; device: Device; bridge: StrPattern; at: At<O> }
  | { kind: 'create'; name: StrPattern; linkKind: string | null; at: At<O> }
  | { kind: 'configure'; device: Device; what: 'address' | 'route'; at: At<O> }
  | { kind: 'opaque'; command: StrPattern; args: StrPattern[]; at: At<O> }
  /** `systemctl start <unit>`; the unit keeps its marks (`attach@<device>.service`). */
  | { kind: 'start'; unit: StrPattern; at: At<O> };

/** What a script does to links, run with what is known of its arguments and environment. */
export function linkEffects<O>(script: ScriptText<O>, opts: RunOptions<O> = {}): LinkEffect<O>[] {
  return interpretScript(script, opts).map((e): LinkEffect<O> => {
    switch (e.kind) {
      case 'attach':
        return { kind: 'attach', device: device(e.device), bridge: withoutMarks(e.master), at: e.at };
      case 'create':
        return { kind: 'create', name: withoutMarks(e.name), linkKind: e.linkKind, at: e.at };
      case 'configure':
        return { kind: 'configure', device: device(e.device), what: e.what, at: e.at };
      case 'opaque':
        return { kind: 'opaque', command: e.command, args: e.args.map(withoutMarks), at: e.at };
      case 'start':
        return e;
    }
  });
}

function device(p: StrPattern): Device {
  if (p.parts.length === 1 && p.parts[0] === EACH_TAP_MARK) return { kind: 'each-tap' };
  if (p.parts.length === 1 && p.parts[0] === DEVICE_MARK) return { kind: 'event-device' };
  return { kind: 'named', name: withoutMarks(p) };
}

const MARKS = new RegExp(`${REF_OPEN}[^${REF_CLOSE}]*${REF_CLOSE}|[${DEVICE_MARK}${EACH_TAP_MARK}${REF_OPEN}${REF_CLOSE}]`);

/** A pattern with every mark turned into a hole: marks never reach names we report. */
export function withoutMarks(p: StrPattern): StrPattern {
  if (!p.parts.some((x) => typeof x === 'string' && MARKS.test(x))) return p;
  const out: StrPart[] = [];
  const global = new RegExp(MARKS.source, 'g');
  for (const part of p.parts) {
    if (typeof part !== 'string') {
      out.push(part);
      continue;
    }
    let last = 0;
    for (const m of part.matchAll(global)) {
      out.push(part.slice(last, m.index), HOLE);
      last = m.index! + m[0].length;
    }
    out.push(part.slice(last));
  }
  return pattern(out);
}

/**
 * systemd's specifiers in a unit directive (`ExecStart=` and friends; never in the script file a
 * NixOS `script` becomes): `%i`/`%I` the instance, `%n`/`%N`/`%p` the unit's names, `%%` a
 * percent sign; any other specifier is not known here.
 */
export function expandSpecifiers(text: StrPattern, unit: { name: string; instance: StrPattern | null }): StrPattern {
  const at = unit.name.indexOf('@');
  const prefix = at >= 0 ? unit.name.slice(0, at) : unit.name;
  const values: Record<string, StrPattern> = {
    i: unit.instance ?? UNKNOWN_STRING,
    I: unit.instance ?? UNKNOWN_STRING,
    n: unit.instance && at >= 0 ? pattern([`${prefix}@`, ...unit.instance.parts, '.service']) : at >= 0 ? UNKNOWN_STRING : pattern([`${unit.name}.service`]),
    N: unit.instance && at >= 0 ? pattern([`${prefix}@`, ...unit.instance.parts]) : at >= 0 ? UNKNOWN_STRING : pattern([unit.name]),
    p: pattern([prefix]),
    '%': pattern(['%']),
  };
  const out: StrPart[] = [];
  for (const part of text.parts) {
    if (typeof part !== 'string') {
      out.push(part);
      continue;
    }
    for (let i = 0; i < part.length; i++) {
      const c = part[i];
      if (c !== '%' || i + 1 >= part.length) {
        out.push(c);
        continue;
      }
      const value = values[part[i + 1]];
      out.push(...(value ?? UNKNOWN_STRING).parts);
      i++;
    }
  }
  return pattern(out);
}

// ---------------------------------------------------------------------------------------------
// The earlier interface, kept for the callers and tests that read master commands only.

export interface MasterCommand {
  /** The device named by the command; null when `allTaps`. */
  tap: StrPattern | null;
  /** The device is the loop variable over the VM's taps. */
  allTaps: boolean;
  bridge: StrPattern;
  /** 0-based line of the command inside the script text (holes count as no line breaks). */
  line: number;
}

export interface ParseOptions {
  /** Variables that stand for each of the VM's taps. Default: `id` and `$1`. */
  allTapVars?: Iterable<string>;
  /** What `%i` (systemd template instance) expands to; default a hole. */
  instance?: StrPattern | null;
  /** Shell variables with a known value (`1` for the first positional parameter). */
  vars?: Record<string, StrPattern>;
}

/** Every `ip link set <dev> master <br>` / `brctl addif <br> <dev...>` in a script. */
export function parseMasterCommands(script: StrPattern, opts: ParseOptions = {}): MasterCommand[] {
  const tapVars = new Set(opts.allTapVars ?? ['id', '1']);
  const vars: Record<string, StrPattern> = {};
  const args: StrPattern[] = [];
  const each = pattern([EACH_TAP_MARK]);
  for (const v of tapVars) {
    if (/^[0-9]+$/.test(v)) args[Number(v) - 1] = each;
    else vars[v] = each;
  }
  for (const [k, v] of Object.entries(opts.vars ?? {})) {
    if (/^[0-9]+$/.test(k)) args[Number(k) - 1] = v;
    else vars[k] = v;
  }
  const text = expandSpecifiers(script, { name: 'unit@', instance: opts.instance ?? null });
  const out: MasterCommand[] = [];
  for (const e of linkEffects({ text, origin: null }, { vars, args: [...args].map((a) => a ?? UNKNOWN_STRING) })) {
    if (e.kind !== 'attach' || e.device.kind === 'event-device') continue;
    const allTaps = e.device.kind === 'each-tap';
    out.push({ tap: allTaps ? null : (e.device as { name: StrPattern }).name, allTaps, bridge: e.bridge, line: e.at.line });
  }
  return out;
}
