/**
 * `microvm-net explain TAP-ID [PATH]`: the decision chain behind one tap's outcome, step by step,
 * each step with the `file:line` it rests on (relative to PATH). Several taps may share an id
 * (one per VM that writes it, or generated ones): each is explained. Exit 1 when none has it.
 */
import * as path from 'node:path';
import { explanationText } from '../engine/explain';
import type { CliDeps, CliIo } from './check';
import { resolvePaths } from './paths';
import { mergeSettings } from '../protocol/settings';
import { TOOL_NAME } from './meta';

export async function runExplain(tap: string, paths: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const resolved = resolvePaths(paths, io.cwd);
  const service = await deps.createService({ roots: resolved.roots, settings: mergeSettings(undefined) });
  try {
    await service.scan();
    const explanations = service.explain({ tap });
    if (explanations.length === 0) {
      io.stderr.write(`${TOOL_NAME}: no interface with id ${JSON.stringify(tap)} under ${resolved.checked.map((p) => path.relative(io.cwd, p) || '.').join(', ')}\n`);
      return 1;
    }
    const relative = (file: string) => path.relative(resolved.base, file) || file;
    io.stdout.write(explanations.map((e) => explanationText(e, relative)).join('\n\n') + '\n');
    return 0;
  } finally {
    service.dispose();
  }
}
