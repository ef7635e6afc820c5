/**
 * Lazily computed attribute sets and memoised thunks for values the module system synthesises
 * (the `config` view, flake inputs): Nix is lazy, and configurations depend on it — a module may
 * read `config` while other modules are still being defined.
 */
import type { Location } from '../../text';
import { unknown } from './helpers';
import type { AttrsValue, Binding, Thunk, Value } from '../value';

/** A Map whose entries are computed on demand; iteration computes the full key list once. */
export class LazyMap extends Map<string, Binding> {
  private readonly cache = new Map<string, Binding | null>();
  private keyList: string[] | undefined;
  private loading = false;

  constructor(
    private readonly keysFn: () => string[],
    private readonly getFn: (key: string) => Binding | undefined,
    /** While true, nothing is cached (results computed then are provisional). */
    private readonly volatile: () => boolean = () => false,
  ) {
    super();
  }

  private allKeys(): string[] {
    if (this.keyList) return this.keyList;
    if (this.loading) return [];
    this.loading = true;
    try {
      const keys = [...new Set(this.keysFn())].sort();
      if (this.volatile()) return keys;
      this.keyList = keys;
    } finally {
      this.loading = false;
    }
    return this.keyList;
  }

  override get(key: string): Binding | undefined {
    if (this.cache.has(key)) return this.cache.get(key) ?? undefined;
    const b = this.getFn(key);
    if (!this.volatile()) this.cache.set(key, b ?? null);
    return b;
  }
  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  override get size(): number {
    return this.allKeys().length;
  }
  override keys(): MapIterator<string> {
    return this.allKeys()[Symbol.iterator]() as MapIterator<string>;
  }
  override *entries(): MapIterator<[string, Binding]> {
    for (const k of this.allKeys()) {
      const b = this.get(k);
      if (b) yield [k, b];
    }
  }
  override *values(): MapIterator<Binding> {
    for (const [, b] of this.entries()) yield b;
  }
  override [Symbol.iterator](): MapIterator<[string, Binding]> {
    return this.entries();
  }
  override forEach(cb: (value: Binding, key: string, map: Map<string, Binding>) => void, thisArg?: unknown): void {
    for (const [k, b] of this.entries()) cb.call(thisArg, b, k, this);
  }
  override set(key: string, value: Binding): this {
    this.cache.set(key, value);
    if (this.keyList && !this.keyList.includes(key)) this.keyList = [...this.keyList, key].sort();
    return this;
  }
  override delete(key: string): boolean {
    const had = this.has(key);
    this.cache.set(key, null);
    if (this.keyList) this.keyList = this.keyList.filter((k) => k !== key);
    return had;
  }
}

/** An attrset value backed by a LazyMap; `complete` is computed on first read. */
export function lazyAttrs(
  keysFn: () => string[],
  getFn: (key: string) => Binding | undefined,
  completeFn: () => boolean,
  location?: Location,
  volatile: () => boolean = () => false,
): AttrsValue {
  const map = new LazyMap(keysFn, getFn, volatile);
  let complete: boolean | undefined;
  const v = { kind: 'attrs', attrs: map, location } as unknown as AttrsValue;
  Object.defineProperty(v, 'complete', {
    enumerable: true,
    get: () => {
      if (complete !== undefined) return complete;
      const c = completeFn();
      if (!volatile()) complete = c;
      return c;
    },
    set: (c: boolean) => {
      complete = c;
    },
  });
  return v;
}

/** A memoised thunk with a re-entrance guard (re-entering yields `unknown`). */
export function lazyThunk(compute: () => Value, location?: Location): Thunk {
  let state: 0 | 1 | 2 = 0;
  let value: Value = unknown('recursion');
  return {
    location,
    force() {
      if (state === 2) return value;
      if (state === 1) return unknown('infinite recursion');
      state = 1;
      try {
        value = compute();
      } catch (e) {
        value = unknown(e instanceof RangeError ? 'stack overflow' : `internal error: ${(e as Error)?.message ?? e}`);
      }
      state = 2;
      return value;
    },
  };
}
