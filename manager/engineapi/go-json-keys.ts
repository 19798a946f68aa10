// Object keys as Go's encoding/json reads them. Docker decodes request bodies into Go structs,
// and Go matches a JSON key to a struct field by its exact name or, failing that, by a
// case-insensitive match: {"mode":{"replicated":{"replicas":5}}} is a 5-replica service to
// Docker. Here a parsed body is rewritten, following its TypeBox schema, so every key that
// names a known field carries the field's canonical spelling before the schema checks it.
//
// Go applies the members of an object one after the other, in the order they come: when two
// keys reach the same field, the later one is decoded into the value the earlier one left
// (golang/go#14750, #43664). So a scalar is replaced, a struct is merged field by field, a
// map keeps its earlier entries and takes the later ones, and a slice is decoded element by
// element into the earlier slice and cut to the later one's length. A null clears a map, a
// slice or a struct (Docker's nested structs are pointers) and leaves a scalar as it was.
// JSON.parse has already kept only the last of two byte-identical keys; that case alone is
// not merged as Go would.
//
// Map keys (Labels, Options, ...) are data and are kept as given. Keys the schema does not
// name are kept untouched (Go ignores them; the schema allows them). The walk visits each
// value of the body at most once and merges only along the later value's own members, so
// the work is linear in the body, whose size and depth json-limits.ts already bounds.

import type { TSchema } from '@sinclair/typebox';

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, also for a key such as "__proto__" (plain assignment would not). */
function put(target: Json, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Go's key folding (encoding/json's foldName): ASCII letters by case, any other character by
 * its simple lower-then-upper case mapping. JavaScript's case mappings are the full ones, so a
 * character whose mapping is not a single character keeps itself (Go's simple mapping would
 * too), except U+0130 (İ), whose simple lower case is "i".
 */
export function foldKey(key: string): string {
  let out = '';
  for (const ch of key) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      out += code >= 0x61 && code <= 0x7a ? String.fromCharCode(code - 0x20) : ch;
      continue;
    }
    if (code === 0x130) {
      out += 'I';
      continue;
    }
    const lower = ch.toLowerCase();
    const folded = [...lower].length === 1 ? lower.toUpperCase() : ch;
    out += [...folded].length === 1 ? folded : ch;
  }
  return out;
}

interface StructFields {
  readonly properties: Readonly<Record<string, TSchema>>;
  readonly folded: ReadonlyMap<string, string>;
}

const structCache = new WeakMap<TSchema, StructFields | null>();

/** The named fields of an object schema (of every object alternative of a union), or null. */
function structFields(schema: TSchema): StructFields | null {
  const cached = structCache.get(schema);
  if (cached !== undefined) return cached;
  const properties: Record<string, TSchema> = {};
  const collect = (s: TSchema): void => {
    const props = (s as { properties?: Record<string, TSchema> }).properties;
    if (s['type'] === 'object' && props !== undefined) {
      for (const [name, child] of Object.entries(props)) properties[name] ??= child;
    }
    for (const alt of (s as { anyOf?: TSchema[] }).anyOf ?? []) collect(alt);
  };
  collect(schema);
  const names = Object.keys(properties);
  let fields: StructFields | null = null;
  if (names.length > 0) {
    // Two fields whose names fold alike: the first declared wins a folded match (Go takes
    // the first too); none of Docker's types has such a pair.
    const folded = new Map<string, string>();
    for (const name of names) if (!folded.has(foldKey(name))) folded.set(foldKey(name), name);
    fields = { properties, folded };
  }
  structCache.set(schema, fields);
  return fields;
}

/** The schema of a map's values (Type.Record), or undefined when `schema` is no map. */
function mapValues(schema: TSchema): TSchema | undefined {
  const patterns = (schema as { patternProperties?: Record<string, TSchema> }).patternProperties;
  if (patterns === undefined) return undefined;
  return Object.values(patterns)[0];
}

function arrayItems(schema: TSchema): TSchema | undefined {
  if (schema['type'] !== 'array') return undefined;
  return (schema as { items?: TSchema }).items;
}

function isScalarSchema(schema: TSchema | undefined): boolean {
  if (schema === undefined) return false;
  const type: unknown = schema['type'];
  return type === 'string' || type === 'integer' || type === 'number' || type === 'boolean';
}

/**
 * Decodes `later` into `earlier` as Go does when two keys reach one field. `earlier` is a
 * value canonicalKeys built (never shared), so it is changed in place: the cost is that of
 * walking `later`, however large `earlier` is.
 */
function decodeInto(earlier: unknown, later: unknown, schema: TSchema | undefined): unknown {
  if (later === null) return isScalarSchema(schema) ? earlier : null;
  if (schema === undefined) return later;
  if (Array.isArray(earlier) && Array.isArray(later)) {
    const items = arrayItems(schema);
    const into = earlier as unknown[];
    (later as unknown[]).forEach((v, i) => {
      into[i] = i < into.length ? decodeInto(into[i], v, items) : v;
    });
    into.length = later.length;
    return earlier;
  }
  if (!isPlainObject(earlier) || !isPlainObject(later)) return later;
  const fields = structFields(schema);
  const isMap = mapValues(schema) !== undefined;
  for (const [k, v] of Object.entries(later)) {
    // A map's entries are decoded afresh (Go zeroes each map element), a struct's merged.
    const merge = !isMap && fields !== null && Object.hasOwn(earlier, k);
    put(earlier, k, merge ? decodeInto(earlier[k], v, fields.properties[k]) : v);
  }
  return earlier;
}

/**
 * Returns `value` with every key that names a field of `schema` spelled as the schema spells
 * it, recursively; duplicates that fold to one field are combined as Go's decoder does.
 */
export function canonicalKeys(value: unknown, schema: TSchema): unknown {
  // Every object and array returned is a new one (decodeInto changes them in place).
  if (Array.isArray(value)) {
    const items = arrayItems(schema);
    return items === undefined
      ? [...(value as unknown[])]
      : value.map((v: unknown) => canonicalKeys(v, items));
  }
  if (!isPlainObject(value)) return value;
  const fields = structFields(schema);
  if (fields === null) {
    const values = mapValues(schema);
    const out: Json = {};
    for (const [k, v] of Object.entries(value))
      put(out, k, values === undefined ? v : canonicalKeys(v, values));
    return out;
  }
  const out: Json = {};
  for (const [key, raw] of Object.entries(value)) {
    const name = Object.hasOwn(fields.properties, key) ? key : fields.folded.get(foldKey(key));
    if (name === undefined) {
      put(out, key, raw);
      continue;
    }
    const child = fields.properties[name]!;
    const decoded = canonicalKeys(raw, child);
    put(out, name, Object.hasOwn(out, name) ? decodeInto(out[name], decoded, child) : decoded);
  }
  return out;
}
