/**
 * The engine against hand-written expectations: every `test/fixtures/<case>/expected.json` and
 * every `examples/<name>/expected.json` (so the README's examples can't rot).
 *
 * expected.json (all fields optional except where noted):
 *   description          why the case exists and which spec points it relies on
 *   interfaces           REQUIRED. Complete, order-insensitive list of outcomes. Each entry is a
 *                        subset match: only the listed fields are compared. Fields: id (display
 *                        form, holes as `*`), idKnown, type, status, bridge (null = none),
 *                        via (via.kind, null = absent), vm, host (null = unknown/none), mac,
 *                        file (relative to the fixture), line, column (1-based, UTF-16, start of
 *                        the id value), reasonIncludes (substrings of the joined reasons, each
 *                        as the JSON prints it: "why (file:line)").
 *   diagnostics          REQUIRED. Exactly this multiset of (code, file, line) must be reported
 *                        unless diagnosticsAtLeast is true. Optional per entry: column, severity,
 *                        messageIncludes / messageExcludes (substrings the message must / must not
 *                        hold), relatedIn (a folder of the fixture every related location lies in).
 *   diagnosticsAtLeast   extra diagnostics beyond `diagnostics` are tolerated.
 *   optionalDiagnostics  (extension) entries that MAY appear, each at most once; used where the
 *                        spec leaves open whether a second, redundant diagnostic is reported (e.g.
 *                        on the first occurrence of a duplicate). Same fields; `code` may be
 *                        omitted to accept any code at that file/line.
 *   notices              (extension) the complete list of notice kinds with their counts,
 *                        [{ kind, count }], grouped as the CLI's JSON `notices` groups them.
 *
 * Whatever a case expects, every interface must come with at least one reason (docs/cli.md §4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createLanguageService } from '../../server/src/engine/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/protocol/settings';
import { displayPattern, isKnown } from '../../server/src/engine/pattern';
import { reportReason } from '../../server/src/cli/report';
import { collectNotices, groupNotices } from '../../server/src/engine/notices';
import type { Diagnostic, Outcome } from '../../server/src/engine/model';

interface ExpectedInterface {
  id?: string;
  idKnown?: boolean;
  type?: string | null;
  status?: string;
  bridge?: string | null;
  via?: string | null;
  vm?: string | null;
  host?: string | null;
  mac?: string | null;
  file?: string;
  line?: number;
  column?: number;
  reasonIncludes?: string[];
}

interface ExpectedDiagnostic {
  code?: string;
  file: string;
  line: number;
  column?: number;
  severity?: string;
  messageIncludes?: string[];
  messageExcludes?: string[];
  relatedIn?: string;
}

interface Expected {
  description?: string;
  interfaces: ExpectedInterface[];
  diagnostics: ExpectedDiagnostic[];
  diagnosticsAtLeast?: boolean;
  optionalDiagnostics?: ExpectedDiagnostic[];
  notices?: { kind: string; count: number }[];
}

interface ActualInterface {
  id: string;
  idKnown: boolean;
  type: string | null;
  status: string;
  bridge: string | null;
  via: string | null;
  vm: string | null;
  host: string | null;
  mac: string | null;
  file: string;
  line: number;
  column: number;
  reasons: string[];
}

interface ActualDiagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  /** Files of the related locations, relative to the fixture. */
  related: string[];
}

const repoRoot = join(__dirname, '..', '..');

function caseDirs(): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  for (const base of ['test/fixtures', 'examples']) {
    const abs = join(repoRoot, base);
    if (!existsSync(abs)) continue;
    for (const entry of readdirSync(abs).sort()) {
      const dir = join(abs, entry);
      if (statSync(dir).isDirectory() && existsSync(join(dir, 'expected.json'))) {
        out.push({ name: `${base}/${entry}`, dir });
      }
    }
  }
  return out;
}

function rel(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}

function toActualInterface(dir: string, o: Outcome): ActualInterface {
  const itf = o.interface;
  return {
    id: displayPattern(itf.id.value),
    idKnown: isKnown(itf.id.value),
    type: itf.type,
    status: o.status,
    bridge: o.bridge,
    via: o.via?.kind ?? null,
    vm: itf.vm,
    host: itf.host,
    mac: itf.mac ? displayPattern(itf.mac.value) : null,
    file: rel(dir, itf.id.location.file),
    line: itf.id.location.range.start.line + 1,
    column: itf.id.location.range.start.character + 1,
    reasons: o.reasons.map((r) => reportReason(dir, r, o)),
  };
}

function toActualDiagnostics(dir: string, map: Map<string, Diagnostic[]>): ActualDiagnostic[] {
  const out: ActualDiagnostic[] = [];
  for (const [file, list] of map) {
    for (const d of list) {
      out.push({
        code: d.code,
        file: rel(dir, file),
        line: d.location.range.start.line + 1,
        column: d.location.range.start.character + 1,
        severity: d.severity,
        message: d.message,
        related: d.related.map((r) => rel(dir, r.location.file)),
      });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

const SCALAR_KEYS = ['id', 'idKnown', 'type', 'status', 'bridge', 'via', 'vm', 'host', 'mac', 'file', 'line', 'column'] as const;

function interfaceMismatches(e: ExpectedInterface, a: ActualInterface): string[] {
  const out: string[] = [];
  for (const key of SCALAR_KEYS) {
    if (!(key in e)) continue;
    const want = e[key];
    const got = a[key];
    if (want !== got) out.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  const reasons = a.reasons.join('\n');
  for (const s of e.reasonIncludes ?? []) {
    if (!reasons.includes(s)) out.push(`reasons do not include ${JSON.stringify(s)}`);
  }
  return out;
}

function diagnosticMatches(e: ExpectedDiagnostic, a: ActualDiagnostic): boolean {
  if (e.code !== undefined && e.code !== a.code) return false;
  if (e.file !== a.file || e.line !== a.line) return false;
  if (e.column !== undefined && e.column !== a.column) return false;
  if (e.severity !== undefined && e.severity !== a.severity) return false;
  if (e.relatedIn !== undefined && !a.related.every((file) => file.startsWith(`${e.relatedIn}/`))) return false;
  if ((e.messageExcludes ?? []).some((s) => a.message.includes(s))) return false;
  return (e.messageIncludes ?? []).every((s) => a.message.includes(s));
}

/** Assigns each expected item to a distinct actual item (augmenting paths); returns the pairing. */
function assign<E, A>(expected: E[], actual: A[], fits: (e: E, a: A) => boolean): (number | undefined)[] {
  const ownerOf: (number | undefined)[] = new Array(actual.length).fill(undefined);
  const pairOf: (number | undefined)[] = new Array(expected.length).fill(undefined);
  const tryAssign = (ei: number, seen: Set<number>): boolean => {
    for (let ai = 0; ai < actual.length; ai++) {
      if (seen.has(ai) || !fits(expected[ei], actual[ai])) continue;
      seen.add(ai);
      const owner = ownerOf[ai];
      if (owner === undefined || tryAssign(owner, seen)) {
        ownerOf[ai] = ei;
        pairOf[ei] = ai;
        return true;
      }
    }
    return false;
  };
  expected.forEach((_, ei) => tryAssign(ei, new Set()));
  return pairOf;
}

function showInterface(a: ActualInterface): string {
  const { reasons, ...rest } = a;
  return `${JSON.stringify(rest)}\n      reasons: ${reasons.map((r) => JSON.stringify(r)).join(' | ') || '(none)'}`;
}

function showDiagnostic(a: ActualDiagnostic): string {
  const related = a.related.length ? ` related: ${a.related.join(', ')}` : '';
  return `${a.code} ${a.file}:${a.line}:${a.column} [${a.severity}] ${JSON.stringify(a.message)}${related}`;
}

function compare(expected: Expected, interfaces: ActualInterface[], diagnostics: ActualDiagnostic[]): string[] {
  const problems: string[] = [];

  // Interfaces: complete, order-insensitive, subset match per entry.
  const pairs = assign(expected.interfaces, interfaces, (e, a) => interfaceMismatches(e, a).length === 0);
  const usedActual = new Set(pairs.filter((p): p is number => p !== undefined));
  expected.interfaces.forEach((e, i) => {
    if (pairs[i] !== undefined) return;
    // Explain against the closest candidate: same id if any, else every unused actual.
    const sameId = interfaces.filter((a, ai) => !usedActual.has(ai) && (e.id === undefined || a.id === e.id));
    const candidates = sameId.length ? sameId : interfaces.filter((_, ai) => !usedActual.has(ai));
    const detail = candidates.length
      ? candidates.map((a) => `    vs ${showInterface(a)}\n      ${interfaceMismatches(e, a).join('; ')}`).join('\n')
      : '    (no unmatched actual interface left)';
    problems.push(`missing interface ${JSON.stringify(e)}\n${detail}`);
  });
  interfaces.forEach((a, ai) => {
    if (!usedActual.has(ai)) problems.push(`unexpected interface ${showInterface(a)}`);
  });

  // Diagnostics: exact multiset of required ones, plus tolerated optional ones.
  const dpairs = assign(expected.diagnostics, diagnostics, diagnosticMatches);
  const usedDiag = new Set(dpairs.filter((p): p is number => p !== undefined));
  expected.diagnostics.forEach((e, i) => {
    if (dpairs[i] !== undefined) return;
    const near = diagnostics.filter((a, ai) => !usedDiag.has(ai) && a.file === e.file && (e.code === undefined || a.code === e.code));
    const detail = near.length ? near.map((a) => `    near: ${showDiagnostic(a)}`).join('\n') : '    (nothing with that code in that file)';
    problems.push(`missing diagnostic ${JSON.stringify(e)}\n${detail}`);
  });
  if (!expected.diagnosticsAtLeast) {
    const rest = diagnostics.filter((_, ai) => !usedDiag.has(ai));
    const optional = expected.optionalDiagnostics ?? [];
    const opairs = assign(rest, optional, (a, o) => diagnosticMatches(o, a));
    rest.forEach((a, i) => {
      if (opairs[i] === undefined) problems.push(`unexpected diagnostic ${showDiagnostic(a)}`);
    });
  }
  return problems;
}

for (const { name, dir } of caseDirs()) {
  test(name, async () => {
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    assert.ok(Array.isArray(expected.interfaces), 'expected.json: "interfaces" must be a list');
    assert.ok(Array.isArray(expected.diagnostics), 'expected.json: "diagnostics" must be a list');

    const service = await createLanguageService({ roots: [dir], settings: DEFAULT_SETTINGS });
    let interfaces: ActualInterface[];
    let diagnostics: ActualDiagnostic[];
    let notices: { kind: string; count: number }[];
    try {
      const scan = await service.scan();
      const snap = service.analyze();
      interfaces = snap.outcomes.map((o) => toActualInterface(dir, o));
      diagnostics = toActualDiagnostics(dir, snap.diagnostics);
      notices = groupNotices(collectNotices(snap.facts, scan.skipped)).map((g) => ({ kind: g.kind, count: g.count }));
    } finally {
      service.dispose();
    }

    const problems = compare(expected, interfaces, diagnostics);
    if (expected.notices && JSON.stringify(notices) !== JSON.stringify(expected.notices)) {
      problems.push(`notices: expected ${JSON.stringify(expected.notices)}, got ${JSON.stringify(notices)}`);
    }
    for (const a of interfaces) if (a.reasons.length === 0) problems.push(`no reason given for ${showInterface(a)}`);
    if (problems.length) {
      const report = [
        `${name}: ${problems.length} mismatch(es)`,
        expected.description ? `  case: ${expected.description}` : '',
        ...problems.map((p) => `  - ${p}`),
        '  actual interfaces:',
        ...(interfaces.length ? interfaces.map((a) => `    ${showInterface(a)}`) : ['    (none)']),
        '  actual diagnostics:',
        ...(diagnostics.length ? diagnostics.map((a) => `    ${showDiagnostic(a)}`) : ['    (none)']),
      ].filter(Boolean);
      assert.fail(report.join('\n'));
    }
  });
}
