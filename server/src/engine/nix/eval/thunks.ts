/**
 * Memoised, blackholing thunks: forcing one while it is being forced gives `unknown` ("infinite
 * recursion") instead of looping, and a thrown JS error becomes `unknown` too.
 */
import type { NixNode } from '../ast';
import type { Location } from '../../text';
import { unknown, type Thunk, type Value } from '../value';
import type { Env, FileCtx } from './env';
import type { Evaluator } from './evaluator';

const FORCING = 1;
const DONE = 2;

/** A memoised, blackholing thunk for an expression in an environment. */
export class ExprThunk implements Thunk {
  private state = 0;
  private value: Value | undefined;
  constructor(
    private readonly ev: Evaluator,
    private readonly node: NixNode,
    private env: Env | null,
    private readonly ctx: FileCtx,
  ) {}

  get location(): Location {
    return this.ev.locationOf(this.node, this.ctx);
  }

  force(): Value {
    if (this.state === DONE) return this.value!;
    if (this.state === FORCING) return unknown('infinite recursion');
    this.state = FORCING;
    let v: Value;
    try {
      v = this.ev.evalNode(this.node, this.env!);
    } catch (e) {
      v = this.ev.internalError(e);
    }
    if (this.ev.budgetExhausted) {
      // Not memoised: a later run with a fresh budget may get further.
      this.state = 0;
      return v;
    }
    this.state = DONE;
    this.value = v;
    this.env = null;
    return v;
  }
}

/** A memoised thunk around a JS computation (nested attrsets, builtin results). */
export class LazyThunk implements Thunk {
  private state = 0;
  private value: Value | undefined;
  constructor(
    private compute: (() => Value) | null,
    readonly location?: Location,
  ) {}
  force(): Value {
    if (this.state === DONE) return this.value!;
    if (this.state === FORCING) return unknown('infinite recursion');
    this.state = FORCING;
    let v: Value;
    try {
      v = this.compute!();
    } catch (e) {
      v = e instanceof RangeError ? unknown('stack overflow') : unknown(`internal error: ${(e as Error)?.message ?? e}`);
    }
    this.state = DONE;
    this.value = v;
    this.compute = null;
    return v;
  }
}
