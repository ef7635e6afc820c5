/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. One run; one rule per code
 * used; results point at the diagnostic range with `uriBaseId: "%SRCROOT%"` and relative URIs
 * (relative as docs/cli.md §3 says, so run the check from the repository root for GitHub to
 * place them). Columns are 1-based and count UTF-16 code units, which the run declares with
 * `columnKind: "utf16CodeUnits"`; `endColumn` is exclusive, as SARIF defines it.
 * A result about where a tap ends up carries the outcome's reasons in its message's markdown.
 * What the analysis could not do becomes tool execution notifications, one per kind.
 * A finding an inline `# microvm-net: ignore` comment silences is still a result, with a
 * `suppressions` entry of kind `inSource` whose justification is the comment's reason: code
 * scanning shows it as dismissed instead of losing track of it.
 */
import { createHash } from 'node:crypto';
import { definitionOf } from '../engine/checks/codes';
import type { Severity } from '../engine/model';
import { codeDocsUrl } from '../protocol/docs';
import { TOOL_HOME, TOOL_NAME, TOOL_VERSION } from './meta';
import type { CheckReport, ReportRange } from './report';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'microvmNet/v1';
const SRCROOT = '%SRCROOT%';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** Percent-encodes what a relative URI reference cannot hold literally; keeps `/`. */
export function toUri(relPath: string): string {
  return relPath
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function physicalLocation(range: ReportRange) {
  return {
    artifactLocation: { uri: toUri(range.file), uriBaseId: SRCROOT },
    region: {
      startLine: range.line,
      startColumn: range.column,
      endLine: range.endLine,
      endColumn: range.endColumn,
    },
  };
}

/**
 * Reasons and messages quote names in backticks on purpose (code spans); what markdown would
 * otherwise read as emphasis, links or HTML is escaped.
 */
export function escapeMarkdown(text: string): string {
  // Odd parts are the code spans the split keeps: their content is literal already.
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\*_[\]<>#|]/g, (c) => `\\${c}`)))
    .join('');
}

export function fingerprint(code: string, file: string, message: string): string {
  return createHash('sha256').update(`${code}\0${file}\0${message}`).digest('hex').slice(0, 32);
}

interface RuleText {
  short: string;
  full: string;
  severity: Severity;
}

/** From the diagnostic registry; a code it lacks gets generic text and its first result's level. */
function ruleText(code: string, firstSeverity: Severity): RuleText {
  const definition = definitionOf(code);
  if (definition) return { short: definition.shortDescription, full: definition.fullDescription, severity: definition.severity };
  return { short: code, full: `microvm-net diagnostic ${code}.`, severity: firstSeverity };
}

export interface SarifOptions {
  toolVersion?: string;
  informationUri?: string;
}

export function toSarif(report: CheckReport, options: SarifOptions = {}) {
  const shown = report.data.diagnostics.map((d, i) => ({ diagnostic: d, reasons: report.reasons[i] ?? [], related: report.related[i] ?? [], justification: undefined as string | undefined }));
  const entries = [...shown, ...(report.suppressed ?? [])];
  const diagnostics = entries.map((e) => e.diagnostic);

  const firstSeverity = new Map<string, Severity>();
  for (const d of diagnostics) if (!firstSeverity.has(d.code)) firstSeverity.set(d.code, d.severity);
  const ruleIds = [...firstSeverity.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const info = ruleText(id, firstSeverity.get(id)!);
    return {
      id,
      name: id,
      shortDescription: { text: info.short },
      fullDescription: { text: info.full },
      defaultConfiguration: { level: sarifLevel(info.severity) },
      ...(codeDocsUrl(id) ? { helpUri: codeDocsUrl(id) } : {}),
    };
  });

  const occurrences = new Map<string, number>();
  const results = diagnostics.map((d, i) => {
    const hash = fingerprint(d.code, d.file, d.message);
    const n = (occurrences.get(hash) ?? 0) + 1;
    occurrences.set(hash, n);
    const reasons = entries[i].reasons;
    const message: Record<string, string> = { text: d.message };
    if (reasons.length > 0) message.markdown = [escapeMarkdown(d.message), '', ...reasons.map((r) => `- ${escapeMarkdown(r)}`)].join('\n');
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code)!,
      level: sarifLevel(d.severity),
      message,
      locations: [{ physicalLocation: physicalLocation(d) }],
      partialFingerprints: { [FINGERPRINT_KEY]: `${hash}:${n}` },
    };
    const justification = entries[i].justification;
    if (justification !== undefined) result.suppressions = [{ kind: 'inSource', ...(justification ? { justification } : {}) }];
    const related = entries[i].related;
    if (related.length > 0) {
      result.relatedLocations = related.map((r, k) => ({
        id: k + 1,
        physicalLocation: physicalLocation(r),
        message: { text: r.message },
      }));
    }
    return result;
  });

  const informationUri = options.informationUri ?? TOOL_HOME;
  const driver: Record<string, unknown> = {
    name: TOOL_NAME,
    version: options.toolVersion ?? TOOL_VERSION,
    semanticVersion: options.toolVersion ?? TOOL_VERSION,
  };
  if (informationUri) driver.informationUri = informationUri;
  driver.rules = rules;

  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (report.data.notices.length > 0) {
    invocation.toolExecutionNotifications = report.data.notices.map((n) => {
      const text = n.count === 1 ? n.message : `${n.message} (${n.count} times)`;
      const notification: Record<string, unknown> = { level: 'warning', message: { text }, descriptor: { id: n.kind } };
      if (n.files.length > 0) {
        notification.locations = n.files.map((file) => ({ physicalLocation: { artifactLocation: { uri: toUri(file), uriBaseId: SRCROOT } } }));
      }
      return notification;
    });
  }

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver },
        columnKind: 'utf16CodeUnits' as const,
        invocations: [invocation],
        results,
      },
    ],
  };
}

export function formatSarif(report: CheckReport, options?: SarifOptions): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}
