/** Writes a `check` report in the chosen format; fix log and notices go to stderr beside JSON/SARIF. */
import type { CheckOptions } from './args';
import type { CliIo } from './check';
import { formatFixLog, type FixLogEntry } from './fix';
import { formatJson } from './json';
import type { CheckReport } from './report';
import { formatSarif } from './sarif';
import { formatText, sideLines } from './text';

export function useColor(options: CheckOptions, io: CliIo): boolean {
  if (options.noColor) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdout.isTTY === true;
}

export function render(report: CheckReport, options: CheckOptions, io: CliIo, fixLog: FixLogEntry[]): void {
  const side: string[] = fixLog.map((entry) => formatFixLog(entry));
  if (options.format === 'text') {
    let out = '';
    if (!options.quiet && side.length > 0) out += `${side.join('\n')}\n\n`;
    out += formatText(report, { color: useColor(options, io), quiet: options.quiet, verbose: options.verbose });
    io.stdout.write(out);
    return;
  }
  const out = options.format === 'json' ? formatJson(report) : formatSarif(report);
  const err = options.quiet ? [] : [...side, ...sideLines(report, options.verbose)];
  // Both composed before anything is written: a failure leaves no half-written output behind.
  io.stdout.write(out);
  if (err.length > 0) io.stderr.write(`${err.join('\n')}\n`);
}
