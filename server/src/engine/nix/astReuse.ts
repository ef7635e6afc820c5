/**
 * Incremental AST conversion of an edited buffer. After `tree.edit` and an incremental parse,
 * tree-sitter keeps every subtree the edit did not touch: the new tree holds the very same
 * subtree (the same WASM allocation) wherever the text of it is unchanged. So a conversion of
 * the old tree records, per subtree allocation, the value it built; the conversion of the new
 * tree takes that value for any subtree it meets again, with its offsets moved by how far the
 * subtree moved, instead of walking it.
 *
 * A recorded value may only depend on the subtree and the text under it. That holds for every
 * node the conversion builds (astRepairs.ts reads no text outside the node it repairs) except
 * where the surroundings matter, and such subtrees are never recorded: ones holding an ERROR or
 * MISSING node (whether it is a syntax error depends on the ancestors, `isGrammarGap`), a path
 * the repairs re-parse, or a `->` chain whose parent regroups pipes (`cx.chains`).
 *
 * Allocation addresses are only compared while both trees are alive (the old tree is freed only
 * after the new parse), so an address seen again is the same subtree, not a reused one; the table
 * keeps only the subtrees of the tree it was made from and is used only with that tree.
 */
import type { RawCursorApi } from './parser';

export interface ReusedValue {
  /** The tree-sitter type id (aliases included) the value was built for. */
  typeId: number;
  /** Where the subtree started when the value was built (its offsets are relative to that). */
  start: number;
  length: number;
  val: unknown;
}

/** Converted values of one tree's subtrees, by the address of the subtree's allocation. */
export type ReuseTable = Map<number, ReusedValue>;

/**
 * The heap address of the subtree under the cursor (in the transfer buffer), or 0 when it has
 * none (small leaves are stored inline in their parent) or the layout is not the one expected.
 * `ts_tree_cursor_current_node_wasm` writes the node over the cursor, so the cursor is put back.
 */
export function subtreeAddress(api: RawCursorApi, treePtr: number, length: number): number {
  const heap = api.HEAP32;
  const base = api.transferBuffer >> 2;
  const c0 = heap[base];
  const c1 = heap[base + 1];
  const c2 = heap[base + 2];
  const c3 = heap[base + 3];
  api.currentNode(treePtr);
  const h = api.HEAP32;
  // The node id is the address of the `Subtree` slot in the parent; the slot holds the pointer,
  // or inline data (lowest bit set).
  const slot = h[base];
  h[base] = c0;
  h[base + 1] = c1;
  h[base + 2] = c2;
  h[base + 3] = c3;
  if (slot <= 0 || (slot & 3) !== 0) return 0;
  const ptr = h[slot >> 2];
  if (ptr <= 0 || (ptr & 3) !== 0 || ptr + 20 > h.length * 4) return 0;
  // SubtreeHeapData: ref_count, padding (bytes, row, column), size (bytes, ...): the size in
  // bytes of the UTF-16 input is twice the length. Anything else means another layout: no reuse.
  return h[(ptr + 16) >> 2] === 2 * length ? ptr : 0;
}

/**
 * A copy of a converted value with every `start`/`end` moved by `delta` (the value itself when
 * it did not move). Key order and the sharing of interpolated nodes between a string's `parts`
 * and `pieces` are kept, so the copy is what converting the moved text builds.
 */
export function shiftedValue<T>(val: T, delta: number): T {
  return delta === 0 ? val : (shifted(val, delta, undefined) as T);
}

function shifted(v: unknown, delta: number, shared: Map<object, unknown> | undefined): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const known = shared?.get(v);
  if (known !== undefined) return known;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = shifted(v[i], delta, shared);
    return out;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let inner: Map<object, unknown> | undefined;
  for (const k in o) {
    const x = o[k];
    if (k === 'start' || k === 'end') out[k] = (x as number) + delta;
    else if (typeof x !== 'object' || x === null) out[k] = x;
    else if (k === 'parts' && 'pieces' in o && o.pieces) {
      inner = new Map();
      const parts = x as unknown[];
      const copy = new Array<unknown>(parts.length);
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        copy[i] = shifted(p, delta, shared);
        if (typeof p === 'object' && p !== null) inner.set(p, copy[i]);
      }
      out[k] = copy;
    } else out[k] = shifted(x, delta, k === 'pieces' ? inner ?? shared : shared);
  }
  return out;
}
