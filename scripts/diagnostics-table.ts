/**
 * The README's "Diagnostics" table, rendered from the diagnostic registry
 * (server/src/engine/checks/codes.ts). `npm run docs:diagnostics` rewrites the table between the
 * markers; test/unit/checks/registry.test.ts fails while the README differs from the registry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_DEFINITIONS, type DiagnosticDefinition } from '../server/src/engine/checks/codes';

export const TABLE_START = '<!-- diagnostics-table:start (generated from server/src/engine/checks/codes.ts: npm run docs:diagnostics) -->';
export const TABLE_END = '<!-- diagnostics-table:end -->';

export const README_PATH = join(__dirname, '..', 'README.md');

function severityCell(d: DiagnosticDefinition): string {
  return d.otherSeverity ? `${d.severity} (${d.otherSeverity.severity} when ${d.otherSeverity.when})` : d.severity;
}

/** A `|` inside a cell would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function diagnosticsTableRow(d: DiagnosticDefinition): string {
  const code = `<a id="${d.docsAnchor}"></a>\`${d.code}\``;
  return `| ${code} | ${cell(severityCell(d))} | ${d.fixable ? 'yes' : 'no'} | ${cell(d.reportedWhen)} |`;
}

export function renderDiagnosticsTable(definitions: readonly DiagnosticDefinition[] = DIAGNOSTIC_DEFINITIONS): string {
  return ['| code | severity | quick fix | when |', '|---|---|---|---|', ...definitions.map(diagnosticsTableRow)].join('\n');
}

/** The text between the markers; null when the README has no (well-ordered) markers. */
export function tableInReadme(readme: string): string | null {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) return null;
  return readme.slice(start + TABLE_START.length, end).trim();
}

export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`README.md: the markers ${TABLE_START} … ${TABLE_END} are missing`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const readme = readFileSync(README_PATH, 'utf8');
  const next = withTable(readme, renderDiagnosticsTable());
  if (next === readme) {
    console.log('README.md: the diagnostics table is up to date');
  } else {
    writeFileSync(README_PATH, next);
    console.log('README.md: diagnostics table rewritten from the registry');
  }
}
