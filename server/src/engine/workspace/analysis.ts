/**
 * One analysis, as stages each handing its value to the next:
 * files → Nix facts → reports → workspace facts → outcomes → diagnostics.
 * What it keeps between runs is only what lets the next run skip work: the last listing, the
 * incremental Nix fact extraction, the loaded unit files and the per-host outcomes.
 */
import type { Settings } from '../../protocol/settings';
import { AssumptionStage } from '../config/assume';
import type { ProjectConfigs } from '../config/discover';
import { classifyFile } from '../files';
import { SuppressionCache, suppressionOf } from '../suppressions/comments';
import { refineHelperBridges } from '../bridgeHelper';
import { HostFindingsCache, runChecks } from '../checks';
import type { Diagnostic, HostFacts, UnitDefinition, WorkspaceFacts } from '../model';
import { loadUnitFiles, type UnitFileInput } from '../networkd';
import type { Evaluator } from '../nix/eval';
import { IncrementalNixFacts, type NixFacts } from '../nix/facts';
import { LiteralsFound } from '../nix/facts/unplaced';
import type { AnalysisSnapshot, SuppressedDiagnostic } from '../service';
import type { DocumentStore } from './documentStore';
import { countSyntaxErrors, listFiles, reportsWithProblems, type FileListing } from './fileListing';
import { OutcomeCache } from './outcomeCache';
import { etcTextUnits, placeUnitFiles } from '../unitPlacement';
import { nameMentions, type MentionSource } from '../mentions';
import type { ParseCache } from './parseCache';
import type { PendingChanges } from './pendingChanges';

/** How an analysis got its Nix facts (benchmarks and tests look at it). */
export type NixFactsReuse = 'full' | 'incremental' | 'reused';

export interface AnalysisInputs {
  store: DocumentStore;
  parses: ParseCache;
  evaluator: Evaluator;
  roots: string[];
}

export class Analysis {
  private listing: FileListing | null = null;
  private nixFacts: IncrementalNixFacts | null = null;
  private readonly unitFiles = new UnitFileCache();
  private readonly outcomes = new OutcomeCache();
  private readonly hostFindings = new HostFindingsCache();
  private readonly assumptions = new AssumptionStage();
  private readonly suppressions = new SuppressionCache();
  private readonly literals = new LiteralsFound();
  private readonly texts = new TextsRead();
  private readonly etcUnits = new WeakMap<HostFacts, UnitDefinition[]>();
  private lastPlacement: { fileUnits: readonly UnitDefinition[]; hosts: readonly string[]; placement: Placement } | null = null;
  lastNixFacts: NixFactsReuse = 'full';

  constructor(private readonly inputs: AnalysisInputs) {}

  run(changes: PendingChanges, settings: Settings, project: ProjectConfigs): AnalysisSnapshot {
    const started = performance.now();
    const { store, parses } = this.inputs;
    const files = listFiles(store, changes, this.listing);
    const nix = this.extractNixFacts(changes, files.listing.nixFiles);
    const listing = countSyntaxErrors(files, parses);
    this.listing = listing;
    const texts = this.texts.of(store, listing, changes);
    const seen = this.workspaceFacts(listing, nix, this.unitFiles.load(listing.unitInputs), texts);
    seen.suppressions = this.suppressions.comments(texts, (file) => (classifyFile(file) === 'nix' ? 'nix' : 'unit'), this.texts.patch ?? undefined);
    const facts = this.assumptions.apply(seen, project.assumptions, project.files.flatMap((c) => c.problems));
    const outcomes = refineHelperBridges(this.outcomes.resolve(facts, this.unitFiles.loaded), facts);
    const findings = runChecks({ facts, outcomes, worldInputs: (host) => this.outcomes.worldInputs(host) }, this.hostFindings);
    const { diagnostics, suppressed } = diagnose(facts, findings, settings, project);
    return {
      facts,
      outcomes,
      diagnostics,
      suppressed,
      stats: {
        files: store.size,
        nixFiles: listing.nixFiles.length,
        networkdFiles: listing.unitInputs.length,
        ms: Math.round(performance.now() - started),
      },
    };
  }

  /** The last extraction brought up to date when only Nix texts changed, else a full one. */
  private extractNixFacts(changes: PendingChanges, nixFiles: string[]): NixFacts {
    // Which texts the interface literals must be looked for in again (nix/facts/unplaced.ts).
    if (changes.structural) this.literals.anyChanged();
    else this.literals.textsChanged([...changes.changedNix, ...changes.changedOther]);
    if (this.nixFacts && !changes.structural) {
      // A unit file the evaluation read as text is as much a Nix input as a Nix file.
      const inputs = new Set([...changes.changedNix, ...changes.changedOther]);
      const changed = inputs.size > 0;
      this.lastNixFacts = changed ? 'incremental' : 'reused';
      // undefined: the change reached beyond the changed files' own facts.
      const updated = changed ? this.nixFacts.update(inputs) : this.nixFacts.facts;
      if (updated) return updated;
    }
    this.lastNixFacts = 'full';
    const { evaluator, roots } = this.inputs;
    evaluator.resetBudget();
    const scannedText = (file: string) => this.inputs.store.textOf(file);
    this.nixFacts = IncrementalNixFacts.full({ evaluator, nixFiles, roots, literals: this.literals, scannedText });
    return this.nixFacts.facts;
  }

  private workspaceFacts(listing: FileListing, nix: NixFacts, fileUnits: readonly UnitDefinition[], texts: readonly MentionSource[]): WorkspaceFacts {
    return {
      hosts: nix.hosts,
      interfaces: nix.interfaces,
      units: [...fileUnits, ...nix.units, ...nix.hosts.flatMap((h) => this.etcUnitsOf(h))],
      placement: this.placement(fileUnits, nix.hosts),
      bridges: nix.bridges,
      scripts: nix.scripts,
      addresses: nix.addresses,
      links: nix.links,
      interfaceDeclarations: nix.interfaceDeclarations,
      guestNetworks: nix.guestNetworks,
      hostServices: nix.hostServices,
      microvmLastModified: listing.microvmLastModified,
      files: reportsWithProblems(listing, nix.problems),
      gaps: nix.gaps,
      mentions: nameMentions(texts),
    };
  }

  /** A host's `environment.etc` units, the same objects while the host's facts are (the caches downstream compare by identity). */
  private etcUnitsOf(host: HostFacts): UnitDefinition[] {
    let units = this.etcUnits.get(host);
    if (!units) this.etcUnits.set(host, (units = host.etcUnits?.length ? etcTextUnits([host]) : []));
    return units;
  }

  /**
   * Where each unit file goes (unitPlacement.ts): a function of the unit files and what placement
   * reads of each host, kept while both are the same (an edit of a host's VMs keeps it).
   */
  private placement(fileUnits: readonly UnitDefinition[], hosts: readonly HostFacts[]): Placement {
    const last = this.lastPlacement;
    const keys = hosts.map(placementKey);
    if (last && last.fileUnits === fileUnits && last.hosts.length === keys.length && last.hosts.every((k, i) => k === keys[i])) return last.placement;
    const placement = placeUnitFiles(fileUnits, hosts, (file) => relativeToRoots(this.inputs.roots, file));
    this.lastPlacement = { fileUnits, hosts: keys, placement };
    return placement;
  }

  dispose(): void {
    this.nixFacts = null;
    this.listing = null;
  }
}

/**
 * Every text the analysis read, as it is now (strings do not change under the snapshot). While
 * the file listing is the same, an edit replaces only the changed files' entries, in a copy: the
 * last snapshot's mentions keep reading the list they were given.
 */
class TextsRead {
  private last: { nixFiles: readonly string[]; unitInputs: readonly UnitFileInput[]; texts: MentionSource[]; at: Map<string, number> } | null = null;
  /** The last `of` as the list before it with some entries replaced (null: built anew). */
  patch: { from: MentionSource[]; replaced: MentionSource[] } | null = null;

  of(store: DocumentStore, listing: FileListing, changes: PendingChanges): MentionSource[] {
    const last = this.last;
    if (last && last.nixFiles === listing.nixFiles && last.unitInputs === listing.unitInputs && !changes.structural && changes.changedOther.size === 0) {
      const texts = last.texts.slice();
      const replaced: MentionSource[] = [];
      let complete = true;
      for (const file of changes.changedNix) {
        const at = last.at.get(file);
        const text = store.textOf(file);
        // A file whose text appeared or went shifts the list: built again below.
        if (at === undefined || text === null) {
          complete = false;
          break;
        }
        texts[at] = { file, text };
        replaced.push(texts[at]);
      }
      if (complete) {
        this.patch = { from: last.texts, replaced };
        this.last = { ...last, texts };
        return texts;
      }
    }
    const texts: MentionSource[] = [];
    const at = new Map<string, number>();
    for (const file of listing.nixFiles) {
      const text = store.textOf(file);
      if (text === null) continue;
      at.set(file, texts.length);
      texts.push({ file, text });
    }
    for (const unit of listing.unitInputs) if (unit.text !== null) texts.push({ file: unit.path, text: unit.text });
    this.patch = null;
    this.last = { nixFiles: listing.nixFiles, unitInputs: listing.unitInputs, texts, at };
    return texts;
  }
}

/**
 * The checks' findings by file: those a suppression comment silences set apart, then the
 * severity overrides applied (the user's settings over the project file's).
 */
function diagnose(
  facts: WorkspaceFacts,
  findings: readonly Diagnostic[],
  settings: Settings,
  project: ProjectConfigs,
): { diagnostics: Map<string, Diagnostic[]>; suppressed: SuppressedDiagnostic[] } {
  const diagnostics = new Map<string, Diagnostic[]>();
  const suppressed: SuppressedDiagnostic[] = [];
  const comments = facts.suppressions ?? [];
  for (const d of findings) {
    const severity = settings.severity[d.code] ?? project.severity(d.location.file, d.code);
    if (severity === 'off') continue;
    const comment = comments.length ? suppressionOf(d, comments) : undefined;
    if (comment) {
      suppressed.push({ ...d, ...(severity ? { severity } : {}), suppression: { justification: comment.reason, location: comment.location } });
      continue;
    }
    const final = severity ? { ...d, severity } : d;
    const list = diagnostics.get(d.location.file) ?? [];
    list.push(final);
    diagnostics.set(d.location.file, list);
  }
  return { diagnostics, suppressed };
}

/**
 * Unit files, re-loaded only when one of their texts (or the set) changed. Keeping the same
 * array while nothing changed is what lets the outcome cache recognise them by identity.
 */
class UnitFileCache {
  private last: { inputs: UnitFileInput[]; units: UnitDefinition[] } | null = null;

  get loaded(): readonly UnitDefinition[] {
    return this.last?.units ?? [];
  }

  load(inputs: UnitFileInput[]): UnitDefinition[] {
    const last = this.last;
    if (last && last.inputs.length === inputs.length && last.inputs.every((u, i) => u.path === inputs[i].path && u.text === inputs[i].text)) {
      return last.units;
    }
    const units = loadUnitFiles(inputs);
    this.last = { inputs, units };
    return units;
  }
}

/** A path relative to the root holding it, for messages. */
function relativeToRoots(roots: readonly string[], file: string): string {
  const root = roots.filter((r) => file.startsWith(`${r.replace(/\/+$/, '')}/`)).sort((a, b) => b.length - a.length)[0];
  return root ? file.slice(root.replace(/\/+$/, '').length + 1) : file;
}

type Placement = NonNullable<WorkspaceFacts['placement']>;

/** All that placeUnitFiles reads of a host: its name, its directory and the paths its `environment.etc` installs. */
function placementKey(host: HostFacts): string {
  let key = placementKeys.get(host);
  if (key === undefined) {
    key = JSON.stringify([host.name, host.directory ?? null, (host.etcUnits ?? []).map((e) => [e.sourcePath ?? null, e.name === null])]);
    placementKeys.set(host, key);
  }
  return key;
}

const placementKeys = new WeakMap<HostFacts, string>();
