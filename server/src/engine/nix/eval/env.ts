/** Lexical environments and the per-file context they carry. */
import type { ParsedNixFile } from '../ast';
import type { Location } from '../../text';
import type { Thunk } from '../value';

/** Per-file evaluation context (positions, relative paths). */
export interface FileCtx {
  readonly file: string;
  readonly dir: string;
  readonly parsed: ParsedNixFile;
  readonly locs: Map<object, Location>;
}

/** A lexical scope; `withThunk` scopes are consulted only after all lexical ones. */
export class Env {
  constructor(
    public vars: Map<string, Thunk> | null,
    readonly parent: Env | null,
    readonly withThunk: Thunk | null,
    readonly ctx: FileCtx,
  ) {}
}
