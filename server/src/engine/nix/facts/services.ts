/**
 * Which Nix options hold scripts that wire taps, and what each is run with:
 *  - the guest's `microvm.binScripts.tap-up` (kind `bin-script`, run by the host's tap unit);
 *  - `systemd.services.<n>`: `script` (run with `scriptArgs`), `preStart`, `postStart`, ... (files
 *    NixOS writes, where systemd's `%i` means nothing) and `serviceConfig.Exec*` (directives, where
 *    it does); overrides of `microvm-tap-interfaces@` are kind `service-override`, any other unit
 *    `custom-service`;
 *  - template units (`attach@`) run once per instance something asks for: `attach@vm-a.service`
 *    named by a unit's `wants`/`wantedBy`/..., a template that instantiates it with the same
 *    instance (`microvm@` runs once per VM of the host), a udev rule's `SYSTEMD_WANTS`.
 * Scripts the commands name are followed: `/etc/<x>` from `environment.etc`, programs of
 * `environment.systemPackages` or the unit's `path`, scripts Nix writes (writtenScripts.ts).
 */
import type { ScriptKind } from '../../model';
import { HOLE, knownText, pattern, UNKNOWN_STRING, type StrPattern } from '../../pattern';
import type { Location } from '../../text';
import type { Evaluator } from '../eval/evaluator';
import { force } from '../eval/helpers';
import { sortByOrder, type Configuration } from '../modules';
import { DEVICE_MARK, expandSpecifiers, linkEffects, type LinkEffect, type ScriptText } from '../scripts';
import type { Value } from '../value';
import { valueLoc } from './common';
import { addScriptFacts, noScriptFacts, scriptFacts, type ScriptFacts, type ScriptRunner } from './scriptFacts';
import { udevFacts } from './udev';
import { WrittenScripts, type TextOrigin } from './writtenScripts';

const TAP_SERVICE = 'microvm-tap-interfaces@';
/** Templates microvm.nix instantiates once per VM of the host, with the VM's name. */
const PER_VM_TEMPLATES = ['microvm@', 'microvm-tap-interfaces@', 'microvm-macvtap-interfaces@', 'microvm-pci-devices@', 'microvm-virtiofsd@'];
/** NixOS writes these to script files; only `script` is run with arguments (`scriptArgs`). */
const SCRIPT_FILES = ['script', 'preStart', 'postStart', 'reload', 'preStop', 'postStop'];
/** Unit options whose entries start other units (`wantedBy` and friends point the other way). */
const STARTS = ['wants', 'requires', 'requisite', 'bindsTo', 'partOf', 'upholds'];
const STARTED_BY = ['wantedBy', 'requiredBy', 'upheldBy'];
const UNIT_KINDS = ['services', 'targets', 'timers', 'sockets', 'paths'];

export interface HostScriptContext {
  cfg: Configuration;
  ev: Evaluator;
  host: string;
  /** The VMs the host runs; null when not known. */
  vms: string[] | null;
  fallback: Location;
  readText: (file: string) => string | undefined;
  /** Template instances udev rules ask for (`ENV{SYSTEMD_WANTS}+="attach@%k.service"`). */
  udevWants?: TemplateInstance[];
}

/** One run of a template unit: its instance, and the VM when the instance is one. */
export interface TemplateInstance {
  template: string;
  instance: StrPattern;
  vm: string | null;
  /** For an instance that is a udev rule's device (`%k`): the devices it runs for. */
  deviceGlobs?: string[];
  uncertain?: string;
}

interface Text {
  value: StrPattern;
  origin: TextOrigin;
  /** Defined under a condition that is not statically known: what it does may not happen. */
  conditional: boolean;
}

const CONDITIONAL = 'it is defined under a condition that is not statically known';

/** Script facts of a host: its udev rules and its systemd services. */
export function hostScriptFacts(ctx: Omit<HostScriptContext, 'udevWants'>): ScriptFacts {
  const written = new WrittenScripts(ctx.ev);
  const commands = new CommandScripts(ctx.cfg, written);
  const udev = udevFacts(ctx.cfg, ctx.host, ctx.fallback, written, commands, ctx.readText);
  const out = noScriptFacts();
  addScriptFacts(out, udev);
  addScriptFacts(out, serviceScriptFacts({ ...ctx, udevWants: udev.wants }, written, commands));
  return out;
}

/** Script facts of a host's systemd services. */
export function serviceScriptFacts(ctx: HostScriptContext, written: WrittenScripts, commands: CommandScripts): ScriptFacts {
  const { cfg } = ctx;
  const root = ['systemd', 'services'];
  const out = noScriptFacts();
  const instances = templateInstances(ctx);
  for (const svc of cfg.keysAt(root).keys) {
    const base = [...root, svc];
    const at = svc.indexOf('@');
    const template = at >= 0 && at === svc.length - 1;
    const prefix = at >= 0 ? svc.slice(0, at + 1) : null;
    const tapService = prefix === TAP_SERVICE;
    const kind: ScriptKind = tapService ? 'service-override' : 'custom-service';
    const files = SCRIPT_FILES.map((f) => ({ field: f, texts: textsAt(cfg, [...base, f], ctx.fallback, written) }));
    const directives: Text[] = [];
    const sc = [...base, 'serviceConfig'];
    for (const k of cfg.keysAt(sc).keys) if (k.startsWith('Exec')) directives.push(...textsAt(cfg, [...sc, k], ctx.fallback, written));
    if (directives.length === 0 && files.every((f) => f.texts.length === 0)) continue;
    const enable = cfg.scalarAt([...base, 'enable']);
    if (enable.value.kind === 'bool' && !enable.value.value && !enable.conditional) continue;
    const env = environment(cfg, base);
    const bins = new Map([...commands.programs(), ...programsIn(cfg, [...base, 'path'], written)]);
    const resolve = (c: StrPattern) => commands.resolve(c, bins);
    const scriptArgs = cfg.scalarAt([...base, 'scriptArgs']);
    const runs: TemplateInstance[] = template
      ? instances.get(svc) ?? []
      : [{ template: svc, instance: prefix ? pattern([svc.slice(at + 1)]) : UNKNOWN_STRING, vm: tapService ? svc.slice(at + 1) : null }];
    for (const run of runs) {
      const unitName = prefix ? `${prefix}${instanceText(run.instance)}.service` : `${svc}.service`;
      const runner: ScriptRunner = { kind, host: ctx.host, vm: run.vm, unit: template ? (run.vm !== null || knownText(run.instance) !== undefined ? unitName : `${svc}.service`) : unitName };
      if (run.deviceGlobs) runner.deviceGlobs = run.deviceGlobs;
      if (run.uncertain) runner.uncertain = run.uncertain;
      const unit = { name: svc, instance: prefix ? run.instance : null };
      const run1 = (t: Text, text: StrPattern, args: StrPattern[] | null) => {
        const effects = linkEffects({ text, origin: t.origin }, { args, vars: env.vars, closedEnvironment: env.closed, resolve });
        addScriptFacts(out, scriptFacts(effects, t.conditional && !runner.uncertain ? { ...runner, uncertain: CONDITIONAL } : runner, ctx.readText));
      };
      for (const { field, texts } of files) {
        // Upstream's tap unit ran its script with `scriptArgs = "%i"`: `$1` is the VM.
        const args = field !== 'script' ? [] : tapService ? [run.instance] : argumentsOf(scriptArgs.value, unit);
        for (const t of texts) run1(t, t.value, args);
      }
      for (const d of directives) run1(d, expandSpecifiers(withoutExecPrefix(d.value), unit), []);
    }
  }
  return out;
}

/** `microvm.binScripts.tap-up` lines of a guest, run by `microvm-tap-interfaces@<vm>` on its host. */
/** What `microvm.binScripts.tap-up` does, before knowing who runs it (a guest's, once per host). */
export interface BinScriptEffects {
  effects: LinkEffect<TextOrigin>[];
  conditional: boolean;
}

export function binScriptEffects(cfg: Configuration, ev: Evaluator, fallback: Location): BinScriptEffects[] {
  const written = new WrittenScripts(ev);
  const texts = textsAt(cfg, ['microvm', 'binScripts', 'tap-up'], fallback, written);
  return texts.map((t) => ({ effects: linkEffects({ text: t.value, origin: t.origin }, { args: [], resolve: (c) => written.resolve(c) }), conditional: t.conditional }));
}

export function binScriptFacts(scripts: BinScriptEffects[], at: { host: string | null; vm: string | null }, readText: (file: string) => string | undefined): ScriptFacts {
  const runner: ScriptRunner = { kind: 'bin-script', host: at.host, vm: at.vm, unit: at.vm ? `${TAP_SERVICE}${at.vm}.service` : undefined };
  const out = noScriptFacts();
  for (const s of scripts) addScriptFacts(out, scriptFacts(s.effects, s.conditional ? { ...runner, uncertain: CONDITIONAL } : runner, readText));
  return out;
}

function instanceText(p: StrPattern): string {
  return p.parts.map((x) => (typeof x === 'string' ? x.replaceAll(DEVICE_MARK, '%k') : '*')).join('');
}

/** The texts defined at a path (a string, or a list of strings), in merge order. */
function textsAt(cfg: Configuration, path: string[], fallback: Location, written: WrittenScripts): Text[] {
  const out: Text[] = [];
  const push = (v: Value, location: Location | undefined, conditional: boolean) => {
    if (v.kind === 'list') {
      for (const item of v.items) push(force(item), item.location, conditional);
      return;
    }
    const text = written.textOf(v, location);
    if (text === undefined) return;
    const literal = v.kind === 'string' ? v.location : undefined;
    out.push({ value: text, origin: { location: literal ?? location ?? fallback }, conditional });
  };
  for (const s of sortByOrder(cfg.selectAt(path))) push(s.def.value, valueLoc(s.def, fallback), s.conditional);
  return out;
}

/** `ExecStart=` prefixes (`-`, `+`, `!`, `!!`, `:`, `@`) say how to run it, not what. */
function withoutExecPrefix(p: StrPattern): StrPattern {
  const first = p.parts[0];
  if (typeof first !== 'string') return p;
  const m = /^[-+!:@]+/.exec(first);
  return m ? pattern([first.slice(m[0].length), ...p.parts.slice(1)]) : p;
}

/** `scriptArgs = "%i x"`: the script's arguments, split as systemd splits a command line. */
function argumentsOf(v: Value, unit: { name: string; instance: StrPattern | null }): StrPattern[] | null {
  if (v.kind === 'unknown' && v.reason === 'no definition') return [];
  if (v.kind !== 'string') return null;
  const expanded = expandSpecifiers(v.value, unit);
  const out: StrPattern[] = [];
  let current: (string | typeof HOLE)[] = [];
  const flush = () => {
    if (current.length) out.push(pattern(current));
    current = [];
  };
  for (const part of expanded.parts) {
    if (typeof part !== 'string') {
      current.push(part);
      continue;
    }
    part.split(/(\s+)/).forEach((piece) => {
      if (/^\s+$/.test(piece)) flush();
      else if (piece) current.push(piece);
    });
  }
  flush();
  return out;
}

/** A unit's `environment` and `Environment=`; closed unless an `EnvironmentFile=` may add to it. */
function environment(cfg: Configuration, base: string[]): { vars: Record<string, StrPattern>; closed: boolean } {
  const vars: Record<string, StrPattern> = {};
  const keys = cfg.keysAt([...base, 'environment']);
  let closed = keys.complete && keys.patternKeys.length === 0 && cfg.keysAt([...base, 'serviceConfig']).complete;
  for (const k of keys.keys) {
    const v = cfg.scalarAt([...base, 'environment', k]).value;
    vars[k] = v.kind === 'string' ? v.value : v.kind === 'int' ? pattern([String(v.value)]) : UNKNOWN_STRING;
  }
  for (const s of cfg.selectAt([...base, 'serviceConfig', 'Environment'])) {
    const v = s.def.value;
    const items = v.kind === 'list' ? v.items.map((i) => force(i)) : [v];
    for (const item of items) {
      const t = item.kind === 'string' ? knownText(item.value) : undefined;
      if (t === undefined) {
        closed = false;
        continue;
      }
      for (const m of t.matchAll(/(?:^|\s)"?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) vars[m[1]] = pattern([m[2].replace(/^"|"$/g, '')]);
    }
  }
  if (cfg.liveDefsAt([...base, 'serviceConfig', 'EnvironmentFile']).length > 0) closed = false;
  return { vars, closed };
}

// -- commands a script may run ---------------------------------------------------------------

/** Scripts the commands of a host's units may name: `/etc/<x>` and programs on the PATH. */
export class CommandScripts {
  private etc: Map<string, ScriptText<TextOrigin> | undefined> | undefined;
  private systemPrograms: Map<string, ScriptText<TextOrigin>> | undefined;

  constructor(
    private readonly cfg: Configuration,
    private readonly written: WrittenScripts,
  ) {}

  programs(): Map<string, ScriptText<TextOrigin>> {
    return (this.systemPrograms ??= programsIn(this.cfg, ['environment', 'systemPackages'], this.written));
  }

  resolve(command: StrPattern, programs: Map<string, ScriptText<TextOrigin>>): ScriptText<TextOrigin> | undefined {
    const byReference = this.written.resolve(command);
    if (byReference) return byReference;
    const t = knownText(command);
    if (t === undefined) return undefined;
    if (t.startsWith('/etc/')) return this.etcFiles().get(t.slice('/etc/'.length).replace(/^static\//, ''));
    const onPath = /^(?:\/run\/current-system\/sw\/bin\/)?([^/]+)$/.exec(t);
    return onPath ? programs.get(onPath[1]) : undefined;
  }

  private etcFiles(): Map<string, ScriptText<TextOrigin> | undefined> {
    if (this.etc) return this.etc;
    const etc = new Map<string, ScriptText<TextOrigin> | undefined>();
    const root = ['environment', 'etc'];
    for (const key of this.cfg.keysAt(root).keys) {
      const field = (f: string) => this.cfg.selectAt([...root, key, f])[0]?.def;
      const enable = field('enable');
      if (enable?.value.kind === 'bool' && !enable.value.value) continue;
      const target = field('target');
      const name = (target?.value.kind === 'string' ? knownText(target.value.value) : undefined) ?? key;
      const def = field('text') ?? field('source');
      etc.set(name, def ? this.written.scriptOf(def.value, valueLoc(def, this.cfgFallback(def.location))) : undefined);
    }
    return (this.etc = etc);
  }

  private cfgFallback(l: Location | undefined): Location {
    return l ?? { file: this.cfg.name, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }
}

/** Programs under `bin/` of the scripts Nix writes in a package list (`systemPackages`, `path`). */
function programsIn(cfg: Configuration, path: string[], written: WrittenScripts): Map<string, ScriptText<TextOrigin>> {
  const out = new Map<string, ScriptText<TextOrigin>>();
  for (const item of cfg.listAt(path).items) {
    const program = written.programOf(force(item.thunk), item.thunk.location);
    if (program) out.set(program.name, program.script);
  }
  return out;
}

// -- template instances -----------------------------------------------------------------------

/** Each template service's runs: the instances the host's units (and udev rules) ask for. */
function templateInstances(ctx: HostScriptContext): Map<string, TemplateInstance[]> {
  const { cfg } = ctx;
  const found = new Map<string, Map<string, TemplateInstance>>();
  const add = (i: TemplateInstance) => {
    const list = found.get(i.template) ?? new Map<string, TemplateInstance>();
    const key = i.instance.parts.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
    if (!list.has(key)) list.set(key, i);
    found.set(i.template, list);
  };
  const unknownInstance = (template: string, why: string) => add({ template, instance: UNKNOWN_STRING, vm: null, uncertain: why });
  // template -> templates that run with the same instance
  const sameInstance = new Map<string, Set<string>>();
  const link = (from: string, to: string) => {
    const set = sameInstance.get(from) ?? new Set<string>();
    set.add(to);
    sameInstance.set(from, set);
  };
  for (const kind of UNIT_KINDS) {
    for (const unit of cfg.keysAt(['systemd', kind]).keys) {
      const unitTemplate = unit.endsWith('@') ? unit : null;
      if (kind === 'services' && unit.includes('@') && !unitTemplate) {
        const at = unit.indexOf('@');
        const template = unit.slice(0, at + 1);
        const instance = unit.slice(at + 1);
        add({ template, instance: pattern([instance]), vm: PER_VM_TEMPLATES.includes(template) ? instance : null });
      }
      for (const field of [...STARTS, ...STARTED_BY]) {
        for (const item of cfg.listAt(['systemd', kind, unit, field]).items) {
          const v = force(item.thunk);
          const name = v.kind === 'string' ? knownText(v.value) : undefined;
          const m = name === undefined ? null : /^(.+@)(.*)\.service$/.exec(name);
          if (!m) continue;
          const [, template, instance] = m;
          const forward = STARTS.includes(field);
          if (instance === '' || instance === '%i' || instance === '%I') {
            // `microvm@.service.wants/attach@.service`: attach@X runs for every microvm@X
            if (unitTemplate && forward) link(unitTemplate, template);
            else if (unitTemplate && !forward && instance === '') link(template, unitTemplate);
          } else if (forward && !instance.includes('%')) {
            add({ template, instance: pattern([instance]), vm: null });
          } else if (forward) {
            unknownInstance(template, `its instances come from \`${unit}\` (\`${name}\`), which is not followed`);
          }
        }
      }
    }
  }
  for (const i of ctx.udevWants ?? []) add(i);
  for (const template of PER_VM_TEMPLATES) {
    // Which VMs is not known, but these run for each of them: what does not name the VM still holds.
    if (ctx.vms === null) add({ template, instance: UNKNOWN_STRING, vm: null });
    else for (const vm of ctx.vms) add({ template, instance: pattern([vm]), vm });
  }
  // Instances flow along same-instance links (a fixed point: links may form chains).
  for (let changed = true, guard = 0; changed && guard < 32; guard++) {
    changed = false;
    for (const [from, tos] of sameInstance) {
      for (const to of tos) {
        for (const i of found.get(from)?.values() ?? []) {
          const before = found.get(to)?.size ?? 0;
          add({ ...i, template: to });
          if ((found.get(to)?.size ?? 0) > before) changed = true;
        }
      }
    }
  }
  const out = new Map<string, TemplateInstance[]>();
  for (const [template, list] of found) out.set(template, [...list.values()]);
  for (const svc of cfg.keysAt(['systemd', 'services']).keys) {
    if (svc.endsWith('@') && !out.has(svc)) {
      out.set(svc, [{ template: svc, instance: UNKNOWN_STRING, vm: null, uncertain: `nothing in the configuration is seen to start an instance of \`${svc}.service\`` }]);
    }
  }
  return out;
}
