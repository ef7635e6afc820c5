/**
 * A small JSON Schema validator for the subset report.schema.json uses: type (incl. arrays of
 * types), const, enum, properties, required, additionalProperties (boolean), items, minItems,
 * minimum, minLength, pattern, anyOf, and local `$ref`s (`#/$defs/...`). Unknown keywords are an error,
 * so the schema cannot silently use something this validator ignores.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', '$defs', 'title', 'description',
  'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'minItems',
  'minimum', 'minLength', 'pattern', 'anyOf', '$ref',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

export function validate(root: Schema, value: unknown): string[] {
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Schema)[part];
    if (!node || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const check = (schema: Schema, v: unknown, at: string, errors: string[]): void => {
    for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`schema keyword not supported: ${key} at ${at}`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), v, at, errors);
    if (schema.type !== undefined) {
      const wanted = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!wanted.some((t) => typeMatches(typeOf(v), t))) {
        errors.push(`${at}: expected ${wanted.join(' or ')}, got ${typeOf(v)}`);
        return;
      }
    }
    if ('const' in schema && v !== schema.const) errors.push(`${at}: expected ${JSON.stringify(schema.const)}`);
    if (Array.isArray(schema.enum) && !schema.enum.includes(v)) errors.push(`${at}: ${JSON.stringify(v)} not in enum`);
    if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.minLength === 'number' && typeof v === 'string' && v.length < schema.minLength) errors.push(`${at}: too short`);
    if (typeof schema.pattern === 'string' && typeof v === 'string' && !new RegExp(schema.pattern, 'u').test(v)) {
      errors.push(`${at}: ${JSON.stringify(v)} does not match ${schema.pattern}`);
    }
    if (Array.isArray(schema.anyOf)) {
      const ok = (schema.anyOf as Schema[]).some((sub) => {
        const local: string[] = [];
        check(sub, v, at, local);
        return local.length === 0;
      });
      if (!ok) errors.push(`${at}: matches none of anyOf`);
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) errors.push(`${at}: missing ${key}`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [key, sub] of Object.entries(obj)) {
        if (key in props) check(props[key], sub, `${at}.${key}`, errors);
        else if (schema.additionalProperties === false) errors.push(`${at}: unexpected property ${key}`);
      }
    }
    if (typeof schema.minItems === 'number' && Array.isArray(v) && v.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeOf(v) === 'array' && schema.items) {
      (v as unknown[]).forEach((item, i) => check(schema.items as Schema, item, `${at}[${i}]`, errors));
    }
  };
  const errors: string[] = [];
  check(root, value, '$', errors);
  return errors;
}
