/**
 * `microvm-net parse FILE...`: each file's expression as our parser reads it (the AST the
 * evaluator uses), printed in the form `nix-instantiate --parse` prints, so the two can be
 * compared directly. A diagnostic aid for parser bugs, not part of the analysis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWorkspaceFile } from '../engine/files';
import { parseNixFile } from '../engine/nix/ast';
import { DEFAULT_SETTINGS } from '../protocol/settings';
import { showAsNixParse } from '../engine/nix/nixShow';
import type { NixParser } from '../engine/nix/parser';
import { UsageError } from './args';
import type { CliIo } from './check';
import { TOOL_NAME } from './meta';

/**
 * The file Nix would read for `arg` (its `resolveExprPath`): a symlink is followed one link at a
 * time, so relative paths resolve against the target's directory; a directory means its
 * default.nix.
 */
export function nixExprPath(arg: string, cwd: string): string {
  let file = path.resolve(cwd, arg);
  for (let links = 0; ; links++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      throw new UsageError(`no such file or directory: ${arg}`);
    }
    if (stat.isSymbolicLink() && links < 1024) {
      file = path.resolve(path.dirname(file), fs.readlinkSync(file));
      continue;
    }
    return stat.isDirectory() ? path.join(file, 'default.nix') : file;
  }
}

export async function runParse(files: readonly string[], io: CliIo, createParser: () => Promise<NixParser>): Promise<number> {
  const resolved = files.map((f) => ({ arg: f, file: nixExprPath(f, io.cwd) }));
  const home = io.env.HOME || os.homedir();
  const parser = await createParser();
  let status = 0;
  try {
    for (const { arg, file } of resolved) {
      // The same bounded reader as the analysis: a FIFO or a device named on the command line
      // is refused, not waited on or read without end.
      const read = readWorkspaceFile(file, DEFAULT_SETTINGS.maxFileSize);
      if (read.text === null) {
        io.stderr.write(`${TOOL_NAME}: ${arg}: ${read.problem?.message ?? 'cannot be read'}\n`);
        status = 1;
        continue;
      }
      const text = read.text;
      const parsed = parseNixFile(parser, file, text);
      if (parsed.problem || parsed.syntaxErrors > 0) {
        const first = parsed.errorRanges[0]?.start;
        const where = first ? `:${first.line + 1}:${first.character + 1}` : '';
        const why = parsed.problem ?? `${parsed.syntaxErrors} syntax error${parsed.syntaxErrors === 1 ? '' : 's'}`;
        io.stderr.write(`${TOOL_NAME}: ${arg}${where}: does not parse (${why})\n`);
        status = 1;
        continue;
      }
      let shown: string;
      try {
        shown = showAsNixParse(parsed, { baseDir: path.dirname(file), home });
      } catch (error) {
        // A nesting deeper than the stack (the conversion itself has no such limit).
        io.stderr.write(`${TOOL_NAME}: ${arg}: cannot be printed (${error instanceof Error ? error.message : String(error)})\n`);
        status = 1;
        continue;
      }
      io.stdout.write(`${shown}\n`);
    }
  } finally {
    parser.delete();
  }
  return status;
}
