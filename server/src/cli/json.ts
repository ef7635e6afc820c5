/**
 * `--format json`: exactly the design.md §5 object, keys in contract order, nothing else.
 * Anything outside the contract (broken-file notices, the fix log) goes to stderr.
 */
import type { CheckReport, ReportData, ReportDiagnostic, ReportInterface } from './report';

function projectInterface(i: ReportInterface): ReportInterface {
  const out: ReportInterface = {
    host: i.host,
    vm: i.vm,
    id: i.id,
    idKnown: i.idKnown,
    type: i.type,
    mac: i.mac,
    file: i.file,
    line: i.line,
    column: i.column,
    status: i.status,
    bridge: i.bridge,
  };
  if (i.via) out.via = { kind: i.via.kind, unit: i.via.unit, file: i.via.file, line: i.via.line };
  return out;
}

function projectDiagnostic(d: ReportDiagnostic): ReportDiagnostic {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

/** The contract object, rebuilt key by key so no extra property can leak into the output. */
export function toJsonObject(report: CheckReport): ReportData {
  const { data } = report;
  return {
    version: 1,
    interfaces: data.interfaces.map(projectInterface),
    diagnostics: data.diagnostics.map(projectDiagnostic),
    stats: {
      files: data.stats.files,
      nixFiles: data.stats.nixFiles,
      networkdFiles: data.stats.networkdFiles,
      ms: data.stats.ms,
    },
  };
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJsonObject(report), null, 2)}\n`;
}
