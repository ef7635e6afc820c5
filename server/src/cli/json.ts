/**
 * `--format json`: exactly the docs/cli.md §4 object, keys in contract order, nothing else.
 * Anything outside the contract (every notice instance, the fix log) goes to stderr.
 */
import { REPORT_VERSION, type CheckReport, type ReportData, type ReportDiagnostic, type ReportInterface, type ReportNotice } from './report';

function projectInterface(i: ReportInterface): ReportInterface {
  return {
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
    ...(i.via ? { via: { kind: i.via.kind, unit: i.via.unit, file: i.via.file, line: i.via.line } } : {}),
    reasons: [...i.reasons],
  };
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

function projectNotice(n: ReportNotice): ReportNotice {
  return { kind: n.kind, count: n.count, message: n.message, files: [...n.files] };
}

/** The contract object, rebuilt key by key so no extra property can leak into the output. */
export function toJsonObject(report: CheckReport): ReportData {
  const { data } = report;
  return {
    version: REPORT_VERSION,
    interfaces: data.interfaces.map(projectInterface),
    diagnostics: data.diagnostics.map(projectDiagnostic),
    notices: data.notices.map(projectNotice),
    stats: {
      files: data.stats.files,
      nixFiles: data.stats.nixFiles,
      networkdFiles: data.stats.networkdFiles,
      configurations: data.stats.configurations,
      ms: data.stats.ms,
    },
  };
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJsonObject(report), null, 2)}\n`;
}
