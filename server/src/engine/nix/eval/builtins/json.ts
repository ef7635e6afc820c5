/** `toJSON` / `fromJSON` (and `fromTOML`, which stays unknown). */
import { knownText } from '../../../pattern';
import { ready, unknown, type Binding, type Value } from '../../value';
import { NULL, bool, fn, force, int, list, str, unknownString } from '../helpers';
import { sortedKeys, toStringPattern } from '../ops';
import { asText, mkAttrs, thrown } from './support';

export function jsonBuiltins(): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('toJSON', fn('toJSON', (x) => {
    const j = toJson(force(x), 0);
    return j === undefined ? unknownString() : str(j);
  }));
  def('fromJSON', fn('fromJSON', (x) => {
    const t = asText(force(x));
    if (t === undefined) return unknown('fromJSON');
    try {
      return fromJs(JSON.parse(t));
    } catch {
      return thrown('fromJSON: invalid JSON');
    }
  }));
  def('fromTOML', fn('fromTOML', () => unknown('fromTOML')));

  return entries;
}

/** Converts a JSON-ish JS value to a Nix value. */
function fromJs(v: unknown): Value {
  if (v === null) return NULL;
  if (typeof v === 'boolean') return bool(v);
  if (typeof v === 'number') return Number.isInteger(v) ? int(v) : { kind: 'float', value: v };
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return list(v.map(fromJs));
  if (typeof v === 'object') {
    const m = new Map<string, Binding>();
    for (const [k, x] of Object.entries(v as object)) m.set(k, { thunk: ready(fromJs(x)) });
    return mkAttrs(m);
  }
  return unknown('json');
}

function toJson(v: Value, depth: number): string | undefined {
  if (depth > 64) return undefined;
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
    case 'float':
      return JSON.stringify(v.value);
    case 'string': {
      const t = knownText(v.value);
      return t === undefined ? undefined : JSON.stringify(t);
    }
    case 'path':
      return undefined; // copied to the store
    case 'list': {
      if (!v.complete) return undefined;
      const parts: string[] = [];
      for (const t of v.items) {
        const j = toJson(force(t), depth + 1);
        if (j === undefined) return undefined;
        parts.push(j);
      }
      return `[${parts.join(',')}]`;
    }
    case 'attrs': {
      if (!v.complete) return undefined;
      if (v.attrs.has('__toString') || v.attrs.has('outPath')) {
        const p = toStringPattern(v);
        const t = knownText(p);
        return t === undefined ? undefined : JSON.stringify(t);
      }
      const parts: string[] = [];
      for (const k of sortedKeys(v.attrs.keys())) {
        const j = toJson(force(v.attrs.get(k)!.thunk), depth + 1);
        if (j === undefined) return undefined;
        parts.push(`${JSON.stringify(k)}:${j}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}
