/**
 * Test doubles for the CLI: snapshot builders and a fake LanguageService, so CLI tests do not
 * depend on the real engine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic, FileReport, HostFacts, MicrovmInterface, Outcome, OutcomeStatus, Reason, Severity, Via } from '../../../server/src/engine/model';
import { HOLE, known, pattern, type StrPattern } from '../../../server/src/engine/pattern';
import type {
  AnalysisSnapshot,
  CodeLensInfo,
  CompletionInfo,
  Fix,
  HoverResult,
  LanguageService,
  ScanProgress,
  ScanReport,
  SymbolInfo,
} from '../../../server/src/engine/service';
import type { Location, Position, Range } from '../../../server/src/engine/text';
import type { CliIo, ServiceOptions } from '../../../server/src/cli/check';

export function range(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

export function loc(file: string, sl: number, sc: number, el = sl, ec = sc): Location {
  return { file, range: range(sl, sc, el, ec) };
}

export interface IfaceSpec {
  id: string | StrPattern;
  at: Location;
  type?: string | null;
  mac?: string | StrPattern | null;
  vm?: string | null;
  host?: string | null;
}

export function iface(spec: IfaceSpec): MicrovmInterface {
  const asPattern = (v: string | StrPattern) => (typeof v === 'string' ? known(v) : v);
  return {
    type: spec.type === undefined ? 'tap' : spec.type,
    id: { value: asPattern(spec.id), location: spec.at },
    mac: spec.mac == null ? null : { value: asPattern(spec.mac), location: spec.at },
    bridge: null,
    location: spec.at,
    vm: spec.vm === undefined ? 'web' : spec.vm,
    host: spec.host === undefined ? 'h1' : spec.host,
    hypervisor: null,
    guest: `${spec.host ?? 'h1'}/${spec.vm ?? 'web'}`,
  };
}

/** An outcome; like the engine's, never without a reason (one naming the status by default). */
export function outcome(spec: IfaceSpec & { status: OutcomeStatus; bridge?: string | null; via?: Via; reasons?: Reason[]; unplaced?: string }): Outcome {
  const made = iface(spec);
  if (spec.unplaced !== undefined) made.unplaced = spec.unplaced;
  return { interface: made, status: spec.status, bridge: spec.bridge ?? null, via: spec.via, reasons: spec.reasons ?? [`the test says ${spec.status}`] };
}

export function diag(code: string, severity: Severity, message: string, at: Location, related: Diagnostic['related'] = [], about?: Outcome): Diagnostic {
  return { code, severity, message, location: at, related, ...(about ? { outcome: about } : {}) };
}

export function holed(prefix: string): StrPattern {
  return pattern([prefix, HOLE]);
}

/** A configuration as far as the report needs one: its name. */
export function host(name: string, at: Location): HostFacts {
  return {
    name,
    location: at,
    networkdEnabled: true,
    networkdLocation: null,
    importsExternalModules: false,
    gaps: [],
    vms: null,
    isMicrovmHost: true,
    isSystem: true,
  };
}

export function snapshot(parts: {
  outcomes?: Outcome[];
  diagnostics?: Diagnostic[];
  files?: FileReport[];
  hosts?: HostFacts[];
  stats?: Partial<AnalysisSnapshot['stats']>;
}): AnalysisSnapshot {
  const diagnostics = new Map<string, Diagnostic[]>();
  for (const d of parts.diagnostics ?? []) {
    diagnostics.set(d.location.file, [...(diagnostics.get(d.location.file) ?? []), d]);
  }
  return {
    facts: {
      hosts: parts.hosts ?? [],
      interfaces: (parts.outcomes ?? []).map((o) => o.interface),
      units: [],
      bridges: [],
      scripts: [],
      microvmLastModified: null,
      files: parts.files ?? [],
      gaps: [],
    },
    outcomes: parts.outcomes ?? [],
    diagnostics,
    stats: { files: 3, nixFiles: 2, networkdFiles: 1, ms: 5, ...parts.stats },
  };
}

export interface FakeServiceOptions {
  /** Called on every analyze(); may read the disk to reflect applied fixes. */
  analyze: () => AnalysisSnapshot;
  fixes?: (file: string, range: Range) => Fix[];
  scan?: ScanReport;
  progress?: ScanProgress[];
  /** Thrown from scan(), to test internal-error handling. */
  failScan?: Error;
}

export class FakeService implements LanguageService {
  readonly calls: string[] = [];
  disposed = false;
  constructor(private readonly opts: FakeServiceOptions) {}

  async scan(onProgress?: (p: ScanProgress) => void): Promise<ScanReport> {
    this.calls.push('scan');
    if (this.opts.failScan) throw this.opts.failScan;
    for (const p of this.opts.progress ?? []) onProgress?.(p);
    return this.opts.scan ?? { files: 3, truncated: 0, skipped: [] };
  }
  openDocument(): void {}
  changeDocument(): void {}
  closeDocument(): void {}
  fileChanged(file: string): void {
    this.calls.push(`changed ${file}`);
  }
  fileDeleted(): void {}
  analyze(): AnalysisSnapshot {
    this.calls.push('analyze');
    return this.opts.analyze();
  }
  hover(): HoverResult | null {
    return null;
  }
  fixes(file: string, r: Range): Fix[] {
    return this.opts.fixes ? this.opts.fixes(file, r) : [];
  }
  definition(): Location[] {
    return [];
  }
  references(): Location[] {
    return [];
  }
  documentSymbols(): SymbolInfo[] {
    return [];
  }
  workspaceSymbols(): SymbolInfo[] {
    return [];
  }
  codeLenses(): CodeLensInfo[] {
    return [];
  }
  completions(_file: string, _position: Position): CompletionInfo[] {
    return [];
  }
  inlayHints() {
    return [];
  }
  prepareRename() {
    return null;
  }
  rename() {
    return null;
  }
  explain() {
    return [];
  }
  dispose(): void {
    this.disposed = true;
  }
}

export class MemoryStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface Harness {
  io: CliIo & { stdout: MemoryStream; stderr: MemoryStream };
  created: ServiceOptions[];
  deps: { createService(options: ServiceOptions): Promise<LanguageService> };
}

export function harness(
  service: LanguageService | (() => LanguageService),
  opts: { cwd: string; env?: Record<string, string | undefined>; stdoutTTY?: boolean; stderrTTY?: boolean },
): Harness {
  const created: ServiceOptions[] = [];
  let t = 1000;
  return {
    io: {
      stdout: new MemoryStream(opts.stdoutTTY ?? false),
      stderr: new MemoryStream(opts.stderrTTY ?? false),
      env: opts.env ?? {},
      cwd: opts.cwd,
      // Each call advances 7 ms, so reported `ms` is deterministic.
      now: () => (t += 7),
    },
    created,
    deps: {
      async createService(options) {
        created.push(options);
        return typeof service === 'function' ? service() : service;
      },
    },
  };
}

export function tempDir(t: { after(fn: () => void): void }, prefix = 'microvm-net-cli-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function write(dir: string, rel: string, text: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
