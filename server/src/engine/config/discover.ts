/**
 * Which `microvm-net.toml` serves each root, and reading it.
 *
 * The nearest file upwards from each root wins, as with ESLint or ruff, so `check hosts/` in a
 * repository reads the repository's file. Upwards stops at the project boundary: the nearest
 * directory at or above the root holding `flake.nix` or `.git`. With no such directory above
 * the root, only the root itself is looked at: a workspace opened somewhere in a home directory
 * must not pick up whatever file lies in `~` or `/`. The file is read with the bounded reader,
 * and its real path must stay inside the directory the search ended at (a symlink out of the
 * project is refused). It is data only: nothing in it is executed, and the names it gives are
 * quoted like any workspace name where a fix writes them. An explicit file (`--config FILE`)
 * is the user's choice and is read from wherever it is, still bounded.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWorkspaceFile } from '../files';
import { insideRoots, RootGuard } from '../roots';
import type { Location } from '../text';
import { emptyProjectConfig, parseProjectFile, PROJECT_FILE_NAME, type Assumption, type ProjectConfig, type SeverityLevel } from './projectFile';

const BOUNDARY_MARKERS = ['flake.nix', '.git'];

/** The directories searched for `root`, nearest first, ending at the project boundary. */
export function searchedDirectories(root: string): string[] {
  const dirs: string[] = [];
  for (let dir = root; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (BOUNDARY_MARKERS.some((m) => existsSync(join(dir, m)))) return dirs;
    if (dirname(dir) === dir) return [root];
  }
}

/**
 * The project file serving `root` and the directory its real path must stay in, or null. An
 * editor buffer of one counts before it is saved.
 */
export function findProjectFile(root: string, buffers?: ReadonlyMap<string, string>): { file: string; boundary: string } | null {
  const dirs = searchedDirectories(root);
  for (const dir of dirs) {
    const file = join(dir, PROJECT_FILE_NAME);
    if (buffers?.has(file)) return { file, boundary: dirs[dirs.length - 1] };
    try {
      if (statSync(file).isFile()) return { file, boundary: dirs[dirs.length - 1] };
    } catch {
      // absent: look further up
    }
  }
  return null;
}

export function readProjectFile(file: string, maxFileSize: number, boundary?: string, buffer?: string): ProjectConfig {
  if (buffer !== undefined) return parseProjectFile(file, buffer);
  const read = readWorkspaceFile(file, maxFileSize, boundary === undefined ? undefined : new RootGuard([boundary]));
  if (read.text === null) {
    const config = emptyProjectConfig(file);
    const at: Location = { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    config.problems.push({ message: `${PROJECT_FILE_NAME} not read: ${read.problem?.message ?? 'unreadable'}`, location: at });
    return config;
  }
  return parseProjectFile(file, read.text);
}

/**
 * The project files of a set of roots: each root's own (or one explicit file for all), merged
 * into what the analysis needs. Settings a user gives (editor settings, CLI flags) override it.
 */
export class ProjectConfigs {
  private constructor(private readonly byRoot: readonly { root: string; config: ProjectConfig | null }[]) {}

  static none(): ProjectConfigs {
    return new ProjectConfigs([]);
  }

  static load(
    roots: readonly string[],
    options: { explicit?: string; maxFileSize: number; previous?: ProjectConfigs; buffers?: ReadonlyMap<string, string> },
  ): ProjectConfigs {
    const loaded = new Map<string, ProjectConfig>();
    const read = (file: string, boundary?: string) => {
      let config = loaded.get(file);
      if (!config) {
        config = readProjectFile(file, options.maxFileSize, boundary, options.buffers?.get(file));
        // The same text keeps the same config object, so analyses that compare by identity reuse.
        const before = options.previous?.files.find((c) => c.file === file);
        if (before && sameConfig(before, config)) config = before;
        loaded.set(file, config);
      }
      return config;
    };
    const byRoot = roots.map((root) => {
      if (options.explicit !== undefined) return { root, config: read(options.explicit) };
      const found = findProjectFile(root, options.buffers);
      return { root, config: found ? read(found.file, found.boundary) : null };
    });
    // Nothing changed: the same object, so the assumption stage keeps its memo (config/assume.ts).
    const previous = options.previous;
    if (previous && previous.byRoot.length === byRoot.length && previous.byRoot.every((r, i) => r.root === byRoot[i].root && r.config === byRoot[i].config)) {
      return previous;
    }
    return new ProjectConfigs(byRoot);
  }

  private filesMemo: ProjectConfig[] | null = null;
  private assumptionsMemo: Assumption[] | null = null;

  /** Each distinct project file once. */
  get files(): ProjectConfig[] {
    this.filesMemo ??= [...new Set(this.byRoot.flatMap((r) => (r.config ? [r.config] : [])))];
    return this.filesMemo;
  }

  isProjectFile(path: string): boolean {
    return this.files.some((c) => c.file === path);
  }

  /** The file serving `path`: the deepest root holding it, or the project file itself. */
  configFor(path: string): ProjectConfig | null {
    const own = this.files.find((c) => c.file === path);
    if (own) return own;
    const holding = this.byRoot.filter((r) => insideRoots([r.root], path)).sort((a, b) => b.root.length - a.root.length)[0];
    return holding?.config ?? null;
  }

  severity(path: string, code: string): SeverityLevel | undefined {
    return this.configFor(path)?.severity[code];
  }

  get exclude(): string[] {
    return [...new Set(this.files.flatMap((c) => c.exclude))];
  }

  get defaultBridge(): string | null {
    return this.files.find((c) => c.defaultBridge)?.defaultBridge ?? null;
  }

  get assumptions(): Assumption[] {
    this.assumptionsMemo ??= this.files.flatMap((c) => c.assumptions);
    return this.assumptionsMemo;
  }
}

function sameConfig(a: ProjectConfig, b: ProjectConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
