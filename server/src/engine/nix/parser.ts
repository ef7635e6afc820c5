/**
 * tree-sitter-nix through web-tree-sitter (WASM only, no native addons).
 *
 * Offsets (verified on web-tree-sitter 0.25.8, see test/unit/nix/eval/parser.test.ts): a JS string
 * is parsed as UTF-16 and `startIndex` / `endIndex` / `startPosition.column` are reported in
 * UTF-16 *code units* (not bytes): in `"日本" + x` and `"😀" + x` the `x` starts at index 7,
 * column 7. So they are directly JS string offsets / LSP characters, and edits passed to
 * `parse` use the same units (`editFromUtf16` builds one).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser, type Edit, type Point, type Tree } from 'web-tree-sitter';

export type { Tree, Point, Edit };

const RUNTIME = 'tree-sitter.wasm';
const GRAMMAR = 'tree-sitter-nix.wasm';

function candidateDirs(wasmDir?: string): string[] {
  const dirs: string[] = [];
  if (wasmDir) dirs.push(wasmDir);
  // Bundled: dist/*.js next to the copied wasm files. Sources: walk up to the project root.
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    dirs.push(dir, join(dir, 'dist'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  dirs.push(join(process.cwd(), 'dist'));
  return dirs;
}

function locate(name: string, wasmDir?: string): string | undefined {
  for (const dir of candidateDirs(wasmDir)) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  // node_modules fallbacks (sources run with tsx, tests).
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const nm = join(dir, 'node_modules');
    const p =
      name === RUNTIME
        ? join(nm, 'web-tree-sitter', RUNTIME)
        : join(nm, '@cursorless', 'tree-sitter-wasms', 'out', GRAMMAR);
    if (existsSync(p)) return p;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let initPromise: Promise<Language> | undefined;
/** The emscripten Module object web-tree-sitter builds from our init options (HEAP8 lives on it). */
const moduleOptions: { locateFile?: (file: string) => string; HEAP8?: Int8Array } = {};

/** Bytes of WebAssembly memory the tree-sitter runtime currently holds (undefined before init). */
export function wasmHeapBytes(): number | undefined {
  return moduleOptions.HEAP8?.buffer.byteLength;
}

/**
 * The raw tree-cursor exports of the web-tree-sitter 0.25 runtime (its emscripten Module is the
 * object we passed to `Parser.init`). Each `*_wasm` cursor function reads the cursor from the
 * runtime's transfer buffer and the movers write it back there, so a walk that keeps the cursor
 * in the buffer needs no marshalling per call (the public TreeCursor re-marshals 4 words through
 * `setValue`/`getValue` on every property read). Undefined when the runtime does not look like
 * the one this was written against; callers then use the public API.
 */
export interface RawCursorApi {
  HEAP32: Int32Array;
  transferBuffer: number;
  typeId(tree: number): number;
  startIndex(tree: number): number;
  endIndex(tree: number): number;
  fieldId(tree: number): number;
  isMissing(tree: number): number;
  firstChild(tree: number): number;
  nextSibling(tree: number): number;
  parent(tree: number): number;
  /** Writes the cursor's node (id = address of its subtree slot first) over the transfer buffer. */
  currentNode(tree: number): void;
}

type RawModule = Record<string, unknown> & { HEAP32?: Int32Array };

let rawApi: RawCursorApi | null | undefined;

export function rawCursorApi(): RawCursorApi | undefined {
  if (rawApi === undefined) {
    const m = moduleOptions as unknown as RawModule;
    const names = [
      '_ts_init',
      '_ts_tree_cursor_current_node_type_id_wasm',
      '_ts_tree_cursor_start_index_wasm',
      '_ts_tree_cursor_end_index_wasm',
      '_ts_tree_cursor_current_field_id_wasm',
      '_ts_tree_cursor_current_node_is_missing_wasm',
      '_ts_tree_cursor_goto_first_child_wasm',
      '_ts_tree_cursor_goto_next_sibling_wasm',
      '_ts_tree_cursor_goto_parent_wasm',
      '_ts_tree_cursor_current_node_wasm',
    ];
    if (!m.HEAP32 || names.some((n) => typeof m[n] !== 'function')) {
      rawApi = null;
    } else {
      const f = (n: string) => m[n] as (tree: number) => number;
      rawApi = {
        get HEAP32() {
          return m.HEAP32!;
        },
        // ts_init only fills the buffer with version numbers and returns its (static) address.
        transferBuffer: (m._ts_init as () => number)(),
        typeId: f('_ts_tree_cursor_current_node_type_id_wasm'),
        startIndex: f('_ts_tree_cursor_start_index_wasm'),
        endIndex: f('_ts_tree_cursor_end_index_wasm'),
        fieldId: f('_ts_tree_cursor_current_field_id_wasm'),
        isMissing: f('_ts_tree_cursor_current_node_is_missing_wasm'),
        firstChild: f('_ts_tree_cursor_goto_first_child_wasm'),
        nextSibling: f('_ts_tree_cursor_goto_next_sibling_wasm'),
        parent: f('_ts_tree_cursor_goto_parent_wasm'),
        currentNode: f('_ts_tree_cursor_current_node_wasm'),
      };
    }
  }
  return rawApi ?? undefined;
}
const languageByDir = new Map<string, Promise<Language>>();

async function loadLanguage(wasmDir?: string): Promise<Language> {
  const key = wasmDir ?? '';
  let p = languageByDir.get(key);
  if (!p) {
    p = (async () => {
      const runtime = locate(RUNTIME, wasmDir);
      const grammar = locate(GRAMMAR, wasmDir);
      if (!runtime || !grammar) throw new Error(`cannot find ${RUNTIME} / ${GRAMMAR} (looked in ${wasmDir ?? 'dist/, node_modules'})`);
      if (!initPromise) {
        moduleOptions.locateFile = (file: string) => (file.endsWith('.wasm') ? runtime : file);
        initPromise = Parser.init(moduleOptions).then(() =>
          Language.load(grammar),
        );
        return initPromise;
      }
      await initPromise;
      return Language.load(grammar);
    })();
    languageByDir.set(key, p);
  }
  return p;
}

export interface TextEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/**
 * Same-length substitutions for what tree-sitter-nix lexes differently from Nix, so every offset
 * stays valid (string contents and names are read from the original text by the AST conversion):
 * - Nix ends a `#` comment at a lone CR too, the grammar only at LF: a lone CR becomes LF.
 * - `~/${x}` (a home path starting with an interpolation) is an ERROR to the grammar, `./${x}`
 *   is not: the path's text is read from the original, so it stays a home path.
 * - `|>` and `<|` (Nix >= 2.24) are unknown to the grammar: they become `->`, the operator with
 *   the lowest binary precedence, and the AST conversion regroups them (astRepairs.ts). Inside
 *   strings and comments these substitutions change nothing the conversion reads.
 */
export function forLexer(text: string): string {
  let out = text;
  if (out.includes('\r')) out = out.replace(/\r(?!\n)/g, '\n');
  if (out.includes('~/${')) out = out.replace(/~\/\$\{/g, './${');
  if (out.includes('|>') || out.includes('<|')) out = out.replace(/\|>|<\|/g, '->');
  return out;
}

/**
 * Time budget for one parse (wall clock and CPU): generous (typical files parse at well under 1 µs per
 * character) but finite, because a parse cannot be interrupted any other way.
 */
export function parseBudgetMs(length: number): number {
  return 1000 + length * 0.02;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const now = process.cpuUsage(start);
  return (now.user + now.system) / 1000;
}

export class NixParser {
  private constructor(
    private readonly parser: Parser,
    readonly language: Language,
  ) {}

  static async create(wasmDir?: string): Promise<NixParser> {
    const language = await loadLanguage(wasmDir);
    const parser = new Parser();
    parser.setLanguage(language);
    return new NixParser(parser, language);
  }

  /**
   * Parses `text`. With `previous`, the old tree is edited (`edits` in UTF-16 code units, see
   * `editFromUtf16`) and reused for an incremental parse; the caller still owns and
   * must delete the old tree.
   */
  parse(text: string, previous?: { tree: Tree; edits: TextEdit[] }): Tree {
    let old: Tree | null = null;
    if (previous) {
      for (const e of previous.edits) previous.tree.edit(e);
      old = previous.tree;
    }
    const lexed = forLexer(text);
    const budget = parseBudgetMs(text.length);
    const deadline = performance.now() + budget;
    this.lastParseAborted = false;
    // Past the wall-clock budget, the parse still gets the budget again in CPU time: a process
    // the machine's load keeps waiting is not parsing, and a small file must not be given up
    // because other work ran. (Reading the CPU clock on every parse costs more than the parse.)
    let cpuPastDeadline: NodeJS.CpuUsage | undefined;
    const overBudget = (): boolean => {
      if (performance.now() <= deadline) return false;
      cpuPastDeadline ??= process.cpuUsage();
      return cpuMsSince(cpuPastDeadline) > budget;
    };
    const tree = this.parser.parse(lexed, old, { progressCallback: overBudget });
    if (tree) return tree;
    // Over budget (tree-sitter-nix is superlinear on some inputs, e.g. long `1+1+…` runs with no
    // spaces): give up on this text and hand back the tree of an empty file of the same length,
    // so offsets stay valid and nothing is analysed from it.
    this.lastParseAborted = true;
    this.parser.reset();
    const empty = this.parser.parse(' '.repeat(text.length));
    if (!empty) throw new Error('tree-sitter returned no tree');
    return empty;
  }

  /** The last `parse` ran out of its time budget and returned an empty tree instead. */
  lastParseAborted = false;

  delete(): void {
    this.parser.delete();
  }
}

/** Builds a tree-sitter edit from UTF-16 code-unit offsets and LSP-style positions. */
export function editFromUtf16(e: {
  startOffset: number;
  oldEndOffset: number;
  newEndOffset: number;
  start: { line: number; character: number };
  oldEnd: { line: number; character: number };
  newEnd: { line: number; character: number };
}): TextEdit {
  const pt = (p: { line: number; character: number }): Point => ({ row: p.line, column: p.character });
  return {
    startIndex: e.startOffset,
    oldEndIndex: e.oldEndOffset,
    newEndIndex: e.newEndOffset,
    startPosition: pt(e.start),
    oldEndPosition: pt(e.oldEnd),
    newEndPosition: pt(e.newEnd),
  };
}
