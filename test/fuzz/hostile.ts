/**
 * Hostile generators for the fuzz harness (issue 13): workspaces an attacker writes, and the
 * properties that must hold on each.
 *
 *   names     a VM name, tap id or bridge (networking.bridges or microvmNet.defaultBridge) built
 *             from newlines, quotes, `${`, `''`, NUL, unit-file directives, over-long runs;
 *             every fix offered is applied on disk through the CLI's writer and re-analysed
 *   bytes     a BOM and bytes that are not UTF-8 in the file a fix edits
 *   fifo      FIFOs under Nix and unit names, imported or not
 *   lines     a huge Name= line or a huge Nix string
 *   globs     pathological exclude globs against long names
 *
 * Counted: crashes (an exception out of the engine, the writer or the glob compiler), hangs (a
 * case over HANG_MS; a real hang never returns and fails the run by its timeout), bytes changed
 * outside an edit's range, and payloads: a marker (`PWN`) from a name that the re-analysis finds
 * anywhere but as that exact name (a unit setting, a script's bridge, an interface id), or a
 * created unit with more than the keys the fix writes.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeWithOffsets } from '../../server/src/cli/byteEdits';
import { writeChange } from '../../server/src/cli/fileWriter';
import { sha256Of } from '../../server/src/engine/files';
import { PLACEHOLDER_DEFAULT } from '../../server/src/engine/fixes/edits';
import { nixString } from '../../server/src/engine/fixes/quote';
import { compileGlobs, GlobError } from '../../server/src/engine/glob';
import { parseUnitText } from '../../server/src/engine/networkd';
import { displayPattern } from '../../server/src/engine/pattern';
import { RootGuard } from '../../server/src/engine/roots';
import type { AnalysisSnapshot, Fix, TextEdit } from '../../server/src/engine/service';
import { LineIndex } from '../../server/src/engine/text';
import { createLanguageService } from '../../server/src/engine/workspace';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/protocol/settings';
import { cleanupHostile, hostileWorkspace, SHADOWING_UNITS, type HostOptions } from '../unit/robustness/hostile/workspaces';
import { Rng } from './rng';

/** Over this a case counts as a hang (the largest cases take a few seconds on a loaded 2-core machine). */
export const HANG_MS = 30_000;
const MARK = 'PWN';
const PIECES = ['\n', '\r', '\r\n', "'", "''", "'''", '"', '${', '}', '$', '\\', '`', ';', ' ', '\t', '#', '[Match]', 'Name=*', '[Network]', 'Bridge=', '%', '\u0000', '\u202e', 'é', MARK];

export type HostileKind = 'names' | 'bytes' | 'fifo' | 'lines' | 'globs';
export const HOSTILE_KINDS: readonly HostileKind[] = ['names', 'bytes', 'fifo', 'lines', 'globs'];

export interface HostileFinding {
  index: number;
  kind: HostileKind;
  what: string;
  detail: string;
}

export interface HostileSummary {
  cases: number;
  byKind: Record<HostileKind, number>;
  fixesApplied: number;
  crashes: HostileFinding[];
  hangs: HostileFinding[];
  bytesOutsideEdits: HostileFinding[];
  payloads: HostileFinding[];
  slowestMs: number;
}

function hostileName(rng: Rng): string {
  let s = rng.chance(0.3) ? 'vm' : '';
  for (let k = rng.int(5) + 1; k > 0; k--) s += rng.pick(PIECES);
  if (!s.includes(MARK)) s += MARK;
  if (rng.chance(0.1)) s += 'x'.repeat(rng.int(300));
  return s;
}

/** A valid-looking name with quoting hazards (it may or may not be a valid interface name). */
function hazardName(rng: Rng): string {
  const hazards = ["'", '"', '$', '{', '}', '\\', '`', ';', "''", '${'];
  let s = 'b';
  for (let k = rng.int(4) + 1; k > 0; k--) s += rng.pick(hazards);
  return (s + MARK).slice(0, 15);
}

interface Context {
  made: string[];
  summary: HostileSummary;
  index: number;
  kind: HostileKind;
}

function finding(ctx: Context, list: HostileFinding[], what: string, detail: string): void {
  list.push({ index: ctx.index, kind: ctx.kind, what, detail: detail.slice(0, 2000) });
}

/** Text ranges of the edits → the new file's bytes must hold the old bytes between them, unchanged. */
function checkBytesOutsideEdits(ctx: Context, file: string, before: Buffer, after: Buffer, edits: readonly TextEdit[]): void {
  const old = decodeWithOffsets(before);
  const lines = new LineIndex(old.text);
  const crlf = /\r\n/.test(old.text.slice(0, old.text.indexOf('\n') + 1));
  const spans = edits
    .map((e) => ({ from: old.byteAt[lines.offsetAt(e.range.start)], to: old.byteAt[lines.offsetAt(e.range.end)], insert: Buffer.from(crlf ? e.newText.replace(/\r?\n/g, '\r\n') : e.newText) }))
    .sort((a, b) => a.from - b.from);
  let at = 0;
  let pos = 0;
  for (const s of spans) {
    const gap = before.subarray(at, s.from);
    if (!after.subarray(pos, pos + gap.length).equals(gap)) return finding(ctx, ctx.summary.bytesOutsideEdits, file, `bytes before offset ${s.from} changed`);
    pos += gap.length + s.insert.length;
    at = s.to;
  }
  if (!after.subarray(pos).equals(before.subarray(at))) finding(ctx, ctx.summary.bytesOutsideEdits, file, 'bytes after the last edit changed');
}

/** Every place the re-analysis shows a marker from a name: it must be that exact name. */
function checkPayloads(ctx: Context, snapshot: AnalysisSnapshot, names: string[], what: string): void {
  // A name is also read the way systemd reads the unit line NixOS writes: spaces and tabs around it dropped.
  const allowed = new Set(names.flatMap((n) => [n, n.replace(/^[ \t]+|[ \t]+$/g, '')]));
  const seen: [string, string][] = [];
  for (const u of snapshot.facts.units) for (const s of u.settings) seen.push([`${u.name} ${s.section}.${s.key}`, displayPattern(s.value)]);
  for (const s of snapshot.facts.scripts) seen.push([`script ${s.unit ?? s.kind}`, displayPattern(s.bridge)]);
  for (const i of snapshot.facts.interfaces) seen.push([`interface`, displayPattern(i.id.value)]);
  for (const [where, value] of seen) {
    if (!value.includes(MARK)) continue;
    const words = where.endsWith('Match.Name') ? value.split(/\s+/) : [value];
    if (words.every((w) => allowed.has(w) || !w.includes(MARK))) continue;
    finding(ctx, ctx.summary.payloads, what, `${where} = ${JSON.stringify(value)} (names: ${JSON.stringify(names)})`);
  }
}

/** Applies one fix on disk with the CLI's writer (snippets filled with a real name), then checks it. */
async function applyAndCheck(ctx: Context, dir: string, settings: Partial<Settings>, fix: Fix, names: string[]): Promise<void> {
  const fill = (t: string) => (fix.isSnippet ? t.split('${1:' + PLACEHOLDER_DEFAULT + '}').join('br-filled').replace(/\\([\\$}])/g, '$1') : t);
  const guard = new RootGuard([dir]);
  const backups = new Map<string, Buffer>();
  for (const change of fix.edit.changes) {
    const before = readFileSync(change.file);
    backups.set(change.file, before);
    const edits = change.edits.map((e) => ({ ...e, newText: fill(e.newText) }));
    writeChange({ file: change.file, edits, sha256: change.sha256 ?? sha256Of(before) }, guard);
    checkBytesOutsideEdits(ctx, change.file, before, readFileSync(change.file), edits);
  }
  for (const create of fix.edit.creates) {
    writeFileSync(create.file, create.text, { flag: 'wx' });
    const unit = parseUnitText(create.file, create.text);
    const keys = unit.entries.map((e) => `${e.section}.${e.key}`).sort().join(' ');
    if (!['Match.Name Network.Bridge', 'NetDev.Kind NetDev.Name'].includes(keys)) finding(ctx, ctx.summary.payloads, fix.title, `created unit has ${keys}`);
  }
  ctx.summary.fixesApplied++;
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS, ...settings } });
  try {
    await service.scan();
    checkPayloads(ctx, service.analyze(), [...names, 'br-filled'], fix.title);
  } finally {
    service.dispose();
    for (const [file, bytes] of backups) writeFileSync(file, bytes);
    for (const create of fix.edit.creates) rmSync(create.file, { force: true });
  }
}

async function analyseAndFix(ctx: Context, dir: string, settings: Partial<Settings>, names: string[]): Promise<void> {
  const service = await createLanguageService({ roots: [dir], settings: { ...DEFAULT_SETTINGS, ...settings } });
  let fixes: Fix[] = [];
  try {
    await service.scan();
    const snapshot = service.analyze();
    checkPayloads(ctx, snapshot, names, 'analysis');
    for (const d of [...snapshot.diagnostics.values()].flat()) {
      service.hover(d.location.file, d.location.range.start);
      fixes.push(...service.fixes(d.location.file, d.location.range).filter((f) => !f.disabled));
    }
  } finally {
    service.dispose();
  }
  if (fixes.length > 6) fixes = fixes.slice(0, 6);
  for (const fix of fixes) await applyAndCheck(ctx, dir, settings, fix, names);
}

async function namesCase(ctx: Context, rng: Rng): Promise<void> {
  const vm = rng.chance(0.5) ? hostileName(rng) : 'web';
  const tapId = rng.chance(0.3) ? (rng.chance(0.5) ? hostileName(rng) : hazardName(rng)) : 'vm-web';
  const bridge = rng.chance(0.5) ? hazardName(rng) : hostileName(rng);
  const viaSetting = rng.chance(0.4) || bridge.includes('\u0000');
  const options: HostOptions = {
    vmName: vm.includes('\u0000') ? vm.replace(/\u0000/g, '') : vm,
    tapId: tapId.replace(/\u0000/g, ''),
    hypervisor: rng.pick(['qemu', 'cloud-hypervisor']),
    hostExtra: viaSetting ? '' : `  networking.bridges.${nixString(bridge.replace(/\u0000/g, ''))}.interfaces = [ ];`,
    files: rng.chance(0.5) ? SHADOWING_UNITS : {},
  };
  const dir = hostileWorkspace(ctx.made, options);
  await analyseAndFix(ctx, dir, viaSetting ? { defaultBridge: bridge } : {}, [options.vmName!, options.tapId!, bridge.replace(/\u0000/g, '')]);
}

async function bytesCase(ctx: Context, rng: Rng): Promise<void> {
  const options: HostOptions = { formals: 'config, ...', hostExtra: '  networking.bridges.br0.interfaces = [ ];' };
  const dir = hostileWorkspace(ctx.made, options);
  const host = join(dir, 'host.nix');
  const lines = readFileSync(host, 'utf8').split('\n');
  const junk = () => Buffer.from(rng.pick(['\xff', '\xfe\xfe', '\xc3\x28', '\xed\xa0\x80', '\xf0\x9f\x98', '\xe9', '\xef\xbb\xbf']), 'latin1');
  const parts: Buffer[] = rng.chance(0.5) ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  for (const line of lines) {
    if (rng.chance(0.2)) parts.push(Buffer.from('# '), junk(), Buffer.from('\n'));
    parts.push(Buffer.from(line + '\n'));
  }
  let bytes = Buffer.concat(parts);
  if (rng.chance(0.3)) bytes = Buffer.from(bytes.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  writeFileSync(host, bytes);
  await analyseAndFix(ctx, dir, {}, ['br0']);
}

async function fifoCase(ctx: Context, rng: Rng): Promise<void> {
  const names = ['a.nix', 'b.network', 'c.netdev', 'd.nix'];
  const imported = names.filter((n) => n.endsWith('.nix') && rng.chance(0.6)).map((n) => `./${n}`);
  const dir = hostileWorkspace(ctx.made, { hostExtra: imported.length ? `  imports = [ ${imported.join(' ')} ];` : '', files: SHADOWING_UNITS });
  for (const n of names) {
    const path = n.endsWith('.nix') ? join(dir, n) : join(dir, 'etc/systemd/network', n);
    mkdirSync(join(path, '..'), { recursive: true });
    if (spawnSync('mkfifo', [path]).status !== 0) throw new Error(`mkfifo ${path}`);
  }
  await analyseAndFix(ctx, dir, {}, []);
}

async function linesCase(ctx: Context, rng: Rng): Promise<void> {
  const words = Array.from({ length: 10_000 + rng.int(140_000) }, (_, i) => `w${i}`).join(rng.pick([' ', ' \\\n']));
  const files: Record<string, string> = { ...SHADOWING_UNITS };
  if (rng.chance(0.5)) files['etc/systemd/network/05-huge.network'] = `[Match]\nName=${words}\n\n[Network]\nBridge=br0\n`;
  else files['big.nix'] = `{ x = "${words}"; y = [ ${words.split(' ').slice(0, 20_000).map((w) => `"${w}"`).join(' ')} ]; }\n`;
  const dir = hostileWorkspace(ctx.made, { files, hostExtra: files['big.nix'] ? '  imports = [ ./big.nix ];' : '' });
  await analyseAndFix(ctx, dir, {}, []);
}

function globsCase(ctx: Context, rng: Rng): void {
  const parts = ['*', 'a', '**', '/', '?', '{a,b}', '[a-z]', '[z-a]', '[', '{', 'b', '.', '!', '@(', ')'];
  const globs: string[] = [];
  for (let g = rng.int(4) + 1; g > 0; g--) {
    let glob = '';
    for (let k = rng.int(30) + 1; k > 0; k--) glob += rng.pick(parts);
    globs.push(glob);
  }
  let matcher;
  try {
    matcher = compileGlobs(globs);
  } catch (error) {
    if (error instanceof GlobError) return;
    throw error;
  }
  for (const length of [64, 255, 2000]) {
    matcher('a'.repeat(length));
    matcher(`${'a/'.repeat(64)}${'a'.repeat(length)}`);
  }
}

export async function fuzzHostile(options: { seed: number; runs: number; minutes?: number; only?: number[]; onCase?: (index: number, kind: HostileKind) => void }): Promise<HostileSummary> {
  const summary: HostileSummary = {
    cases: 0,
    byKind: { names: 0, bytes: 0, fifo: 0, lines: 0, globs: 0 },
    fixesApplied: 0,
    crashes: [],
    hangs: [],
    bytesOutsideEdits: [],
    payloads: [],
    slowestMs: 0,
  };
  const deadline = options.minutes !== undefined ? Date.now() + options.minutes * 60_000 : Infinity;
  const indices = options.only ?? Array.from({ length: options.runs }, (_, i) => i);
  for (const index of indices) {
    if (Date.now() >= deadline) break;
    const rng = new Rng(options.seed, 7_000_000 + index);
    // Names carry the injection risk, so they get the largest share.
    const kind = rng.pick<HostileKind>(['names', 'names', 'names', 'names', 'bytes', 'bytes', 'fifo', 'lines', 'globs', 'globs']);
    const ctx: Context = { made: [], summary, index, kind };
    options.onCase?.(index, kind);
    const started = performance.now();
    try {
      if (kind === 'names') await namesCase(ctx, rng);
      else if (kind === 'bytes') await bytesCase(ctx, rng);
      else if (kind === 'fifo') await fifoCase(ctx, rng);
      else if (kind === 'lines') await linesCase(ctx, rng);
      else globsCase(ctx, rng);
    } catch (error) {
      finding(ctx, summary.crashes, kind, error instanceof Error ? (error.stack ?? error.message) : String(error));
    } finally {
      cleanupHostile(ctx.made);
    }
    const ms = performance.now() - started;
    summary.slowestMs = Math.max(summary.slowestMs, ms);
    if (ms > HANG_MS) finding(ctx, summary.hangs, kind, `${Math.round(ms)} ms`);
    summary.cases++;
    summary.byKind[kind]++;
  }
  return summary;
}
