/**
 * A LanguageService with fixed, text-driven behaviour, so the protocol plumbing can be tested
 * without the engine. It mirrors its state into what it reports, which is how tests see it
 * from the other side of the JSON-RPC pipe:
 * - every open document gets a hint `fake-text` whose message is `v<version>:<text>`;
 * - each `TAP` in an open document is a `tap-without-bridge` warning with one related location,
 *   fixed by replacing it with `BRIDGED` (preferred) or by creating `10-new.network` (snippet);
 * - hover answers JSON of the roots, settings, and how settings arrived.
 */
import { dirname, join } from 'node:path';
import type { Diagnostic, Outcome } from '../../../server/src/engine/model';
import { known } from '../../../server/src/engine/pattern';
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
import { LineIndex, rangeContains, type Location, type Position, type Range } from '../../../server/src/engine/text';
import type { Settings } from '../../../server/src/protocol/settings';

export interface FakeOptions {
  roots: string[];
  settings: Settings;
  log?: (msg: string) => void;
  /** Leave out `updateSettings` so the server has to recreate the service. */
  noLiveSettings?: boolean;
  /** Milliseconds per scan step (3 steps). */
  scanStepMs?: number;
}

let instances = 0;

export class FakeService implements LanguageService {
  private readonly texts = new Map<string, { text: string; version: number }>();
  private readonly instance = ++instances;
  private settingsUpdates = 0;
  private scans = 0;
  updateSettings?: (settings: Settings) => void;

  constructor(private readonly opts: FakeOptions) {
    if (!opts.noLiveSettings) {
      this.updateSettings = (settings) => {
        this.opts.settings = settings;
        this.settingsUpdates++;
      };
    }
  }

  async scan(onProgress?: (p: ScanProgress) => void, isCancelled?: () => boolean): Promise<ScanReport> {
    this.scans++;
    for (let done = 0; done < 3; done++) {
      if (isCancelled?.()) break;
      onProgress?.({ done, total: 3, message: `step ${done + 1}` });
      await new Promise((r) => setTimeout(r, this.opts.scanStepMs ?? 120));
    }
    return { files: 3, truncated: 0, skipped: [{ file: join(this.opts.roots[0] ?? '/', 'big.nix'), kind: 'file-too-large', message: 'too large' }] };
  }

  openDocument(file: string, text: string, version: number): void {
    this.texts.set(file, { text, version });
  }

  changeDocument(file: string, version: number, changes: { range?: Range; text: string }[]): void {
    const doc = this.texts.get(file);
    if (!doc) return;
    let text = doc.text;
    for (const change of changes) {
      if (!change.range) {
        text = change.text;
        continue;
      }
      const index = new LineIndex(text);
      text = text.slice(0, index.offsetAt(change.range.start)) + change.text + text.slice(index.offsetAt(change.range.end));
    }
    this.texts.set(file, { text, version });
  }

  closeDocument(file: string): void {
    this.texts.delete(file);
  }

  fileChanged(file: string): void {
    this.opts.log?.(`fake: changed ${file}`);
  }

  fileDeleted(file: string): void {
    this.opts.log?.(`fake: deleted ${file}`);
  }

  analyze(): AnalysisSnapshot {
    const diagnostics = new Map<string, Diagnostic[]>();
    const outcomes: Outcome[] = [];
    for (const [file, { text, version }] of this.texts) {
      const list: Diagnostic[] = [
        { code: 'fake-text', severity: 'hint', message: `v${version}:${text}`, location: at(file, { line: 0, character: 0 }, 0), related: [] },
      ];
      for (const tap of this.taps(file)) {
        list.push({
          code: 'tap-without-bridge',
          severity: 'warning',
          message: 'TAP is on no bridge',
          location: tap,
          related: [{ location: at(join(dirname(file), 'net work.nix'), { line: 1, character: 2 }, 3), message: 'the uplink unit' }],
        });
        outcomes.push(outcomeAt(tap));
      }
      // Like the engine: `microvmNet.severity` is applied here, not by the LSP layer.
      const severity = this.opts.settings.severity ?? {};
      diagnostics.set(
        file,
        list.flatMap((d) => (severity[d.code] === 'off' ? [] : [severity[d.code] ? { ...d, severity: severity[d.code] as Diagnostic['severity'] } : d])),
      );
    }
    return { facts: emptyFacts(), outcomes, diagnostics, stats: { files: 3, nixFiles: 2, networkdFiles: 1, ms: 1 } };
  }

  hover(file: string, position: Position): HoverResult | null {
    return {
      range: { start: position, end: position },
      markdown: JSON.stringify({
        instance: this.instance,
        roots: this.opts.roots,
        settings: this.opts.settings,
        settingsUpdates: this.settingsUpdates,
        scans: this.scans,
        file,
      }),
    };
  }

  fixes(file: string, range: Range): Fix[] {
    return this.taps(file)
      .filter((tap) => rangeContains(tap.range, range.start) || rangeContains(range, tap.range.start))
      .flatMap((tap): Fix[] => [
        {
          title: 'Replace TAP with BRIDGED',
          diagnosticCode: 'tap-without-bridge',
          diagnosticLocation: tap,
          preferred: true,
          edit: { changes: [{ file, edits: [{ range: tap.range, newText: 'BRIDGED' }] }], creates: [] },
        },
        {
          title: 'Create 10-new.network',
          diagnosticCode: 'tap-without-bridge',
          diagnosticLocation: tap,
          preferred: false,
          isSnippet: true,
          edit: {
            changes: [],
            creates: [{ file: join(dirname(file), '10-new.network'), text: '[Match]\nName=${1:vm-*}\n\n[Network]\nBridge=${2:br0}\\$x\n' }],
          },
        },
      ]);
  }

  definition(file: string, position: Position): Location[] {
    return [at(file, position, 1)];
  }

  references(file: string, position: Position): Location[] {
    return [at(file, position, 1), at(join(dirname(file), 'other.nix'), { line: 0, character: 0 }, 1)];
  }

  documentSymbols(file: string): SymbolInfo[] {
    const loc = at(file, { line: 0, character: 0 }, 3);
    return [{ name: 'web', kind: 'vm', location: loc, selectionRange: loc.range, children: [{ name: 'vm-web', kind: 'tap', location: loc, selectionRange: loc.range }] }];
  }

  workspaceSymbols(query: string): SymbolInfo[] {
    const loc = at(join(this.opts.roots[0] ?? '/', 'x.nix'), { line: 0, character: 0 }, 1);
    return [{ name: `match-${query}`, kind: 'bridge', location: loc, selectionRange: loc.range }];
  }

  codeLenses(file: string): CodeLensInfo[] {
    const loc = at(file, { line: 0, character: 0 }, 1);
    return [
      { range: loc.range, title: 'bridges 1 tap', targets: [loc] },
      { range: loc.range, title: 'label only', targets: [] },
    ];
  }

  completions(_file: string, position: Position): CompletionInfo[] {
    return [{ label: 'br0', detail: 'bridge', range: { start: position, end: position } }];
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
    this.texts.clear();
  }

  private taps(file: string): Location[] {
    const doc = this.texts.get(file);
    if (!doc) return [];
    const index = new LineIndex(doc.text);
    const out: Location[] = [];
    for (let i = doc.text.indexOf('TAP'); i !== -1; i = doc.text.indexOf('TAP', i + 3)) {
      out.push({ file, range: index.rangeAt(i, i + 3) });
    }
    return out;
  }
}

function at(file: string, start: Position, length: number): Location {
  return { file, range: { start, end: { line: start.line, character: start.character + length } } };
}

function outcomeAt(location: Location): Outcome {
  return {
    interface: {
      type: 'tap',
      id: { value: known('vm-fake'), location },
      mac: null,
      bridge: null,
      location,
      vm: 'fake',
      host: 'hv',
      hypervisor: null,
      guest: 'fake',
    },
    status: 'unmanaged',
    bridge: null,
    reasons: ['no unit matches'],
  };
}

function emptyFacts(): AnalysisSnapshot['facts'] {
  return { hosts: [], interfaces: [], units: [], bridges: [], scripts: [], microvmLastModified: null, files: [], gaps: [] };
}
