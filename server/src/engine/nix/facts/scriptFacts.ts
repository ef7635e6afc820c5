/**
 * What a script's effects on links mean as facts: attachments (`master`), addresses and routes,
 * links it creates, and — for a command we cannot see into that names a tap — a possible
 * attachment to a bridge we cannot know (so that the tap's answer is `unknown`, never a false
 * "attached to nothing").
 */
import type { AddressAssignment, CreatedLink, ScriptAttachment, ScriptKind, TapTarget } from '../../model';
import { displayPattern, known, knownText, UNKNOWN_STRING } from '../../pattern';
import { LineIndex, type Location } from '../../text';
import type { Device, LinkEffect } from '../scripts';
import { scriptLineLocation } from './common';
import type { TextOrigin } from './writtenScripts';

export interface ScriptFacts {
  scripts: ScriptAttachment[];
  addresses: AddressAssignment[];
  links: CreatedLink[];
}

export function noScriptFacts(): ScriptFacts {
  return { scripts: [], addresses: [], links: [] };
}

export function addScriptFacts(into: ScriptFacts, more: ScriptFacts): void {
  into.scripts.push(...more.scripts);
  into.addresses.push(...more.addresses);
  into.links.push(...more.links);
}

/** Who runs the script, for every fact it yields. */
export interface ScriptRunner {
  kind: ScriptKind;
  host: string | null;
  vm: string | null;
  unit?: string;
  guest?: string;
  /** The devices a udev rule runs for (`KERNEL==` globs): what `%k` stands for. */
  deviceGlobs?: string[];
  uncertain?: string;
}

/** Interface names as Linux takes them (at most 15 bytes, no `/`, `:`, `%` or spaces). */
const IFNAME = /^[!-~]{1,15}$/;

export function scriptFacts(effects: LinkEffect<TextOrigin>[], runner: ScriptRunner, readText: (file: string) => string | undefined): ScriptFacts {
  const out = noScriptFacts();
  const base = (location: Location, device: Device): TapTarget => {
    const target: TapTarget = { tap: null, allTaps: false, location, host: runner.host, vm: runner.vm };
    if (device.kind === 'named') target.tap = device.name;
    else if (device.kind === 'each-tap') target.allTaps = true;
    else target.tapGlobs = runner.deviceGlobs ?? ['*'];
    if (runner.unit !== undefined) target.unit = runner.unit;
    if (runner.guest !== undefined) target.guest = runner.guest;
    if (runner.uncertain !== undefined) target.uncertain = runner.uncertain;
    return target;
  };
  for (const e of effects) {
    const location = effectLocation(e.at.origin, e.at.line, readText);
    switch (e.kind) {
      case 'attach':
        out.scripts.push({ ...base(location, e.device), kind: runner.kind, bridge: e.bridge });
        break;
      case 'configure':
        out.addresses.push({ ...base(location, e.device), kind: runner.kind, what: e.what });
        break;
      case 'create':
        out.links.push({ name: e.name, kind: e.linkKind, by: runner.unit ?? runner.kind, location, host: runner.host, ...(runner.uncertain ? { uncertain: runner.uncertain } : {}) });
        break;
      case 'start':
        // Units a script starts matter to template instances (udev.ts), not as facts of their own.
        break;
      case 'opaque': {
        const command = displayPattern(e.command);
        const why = `\`${command}\` is run with it and cannot be read`;
        for (const arg of e.args) {
          const name = knownText(arg);
          if (name === undefined || !IFNAME.test(name)) continue;
          // It may put the tap on a bridge, or create the bridge it names: both stay unknown.
          out.scripts.push({ ...base(location, { kind: 'named', name: known(name) }), kind: runner.kind, bridge: UNKNOWN_STRING, uncertain: why });
          out.links.push({ name: known(name), kind: null, by: runner.unit ?? runner.kind, uncertain: why, location, host: runner.host });
        }
        break;
      }
    }
  }
  return out;
}

/** Where line `line` of a script is written. */
export function effectLocation(origin: TextOrigin, line: number, readText: (file: string) => string | undefined): Location {
  if (!origin.wholeFile) return scriptLineLocation(origin.location, line, readText);
  const text = readText(origin.location.file);
  if (text === undefined) return origin.location;
  const lines = new LineIndex(text);
  if (line >= lines.lineCount) return origin.location;
  const start = lines.offsetAt({ line, character: 0 });
  const end = line + 1 < lines.lineCount ? lines.offsetAt({ line: line + 1, character: 0 }) : text.length;
  const content = text.slice(start, end).replace(/\r?\n$/, '');
  const indent = content.length - content.trimStart().length;
  return { file: origin.location.file, range: { start: { line, character: indent }, end: { line, character: content.trimEnd().length } } };
}
