/**
 * The server's own file watching, for clients that cannot watch for it (no dynamic
 * `workspace/didChangeWatchedFiles` registration: Neovim before 0.9, Helix, Emacs' eglot by
 * default). Without it an edit made on disk — `git checkout`, another editor — would stay unseen
 * until a re-scan. One recursive `fs.watch` per root; only the files the engine reads are passed
 * on, excluded paths never are, and a burst of events is folded into one report per file.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { classifyFile } from '../engine/files';
import { compileGlobs } from '../engine/glob';

export interface DiskChanges {
  changed(file: string): void;
  deleted(file: string): void;
  /** Called once after a burst of changes has been reported. */
  settled(): void;
}

export class DiskWatcher {
  private watchers: FSWatcher[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: DiskChanges,
    private readonly log: (msg: string) => void,
  ) {}

  watch(roots: readonly string[], exclude: readonly string[]): void {
    this.dispose();
    const excluded = compileGlobs(exclude);
    for (const root of roots) {
      try {
        const watcher = watch(root, { recursive: true, persistent: false }, (_event, name) => {
          if (typeof name !== 'string') return;
          const file = join(root, name);
          const rel = relative(root, file).split(sep).join('/');
          if (excluded(rel) || classifyFile(file) === null) return;
          this.pending.add(file);
          // Folds the several events one save makes (write, rename, chmod) into one report.
          this.timer ??= setTimeout(() => this.flush(), 100);
        });
        watcher.on('error', (e) => this.log(`watching ${root} stopped: ${e.message}`));
        this.watchers.push(watcher);
      } catch (e) {
        this.log(`cannot watch ${root} for changes on disk: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private flush(): void {
    this.timer = null;
    const files = [...this.pending];
    this.pending.clear();
    for (const file of files) {
      if (existsSync(file)) this.sink.changed(file);
      else this.sink.deleted(file);
    }
    if (files.length) this.sink.settled();
  }

  dispose(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
