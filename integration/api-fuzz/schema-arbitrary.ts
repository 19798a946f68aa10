// fast-check arbitraries derived from the API's TypeBox (JSON Schema) request schemas, so a
// field added to a schema is fuzzed without touching the fuzzer: values the schema accepts,
// the same with hostile values sprinkled in (plus unknown and case-variant keys), and every
// path into the schema with a hostile value that suits what the path expects.

import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import type { FuzzJson } from './fuzz-json.js';
import {
  anyHostile,
  deepNesting,
  hostileNumber,
  hostileString,
  longArray,
  wideObject,
  wrongType,
} from './hostile-values.js';

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, TSchema>>;
  readonly patternProperties?: Readonly<Record<string, TSchema>>;
  readonly items?: TSchema;
  readonly minimum?: number;
  readonly minLength?: number;
}

function node(schema: TSchema): SchemaNode {
  return schema as SchemaNode;
}

/** A map's value schema (TypeBox's Record is an object with one pattern property). */
function mapValues(schema: TSchema): TSchema | undefined {
  const patterns = node(schema).patternProperties;
  return patterns === undefined ? undefined : Object.values(patterns)[0];
}

const MAX_DEPTH = 12;

/** The keys a record arbitrary chose to include (the type has them optional). */
function present(obj: { [key: string]: FuzzJson | undefined }): { [key: string]: FuzzJson } {
  const out: { [key: string]: FuzzJson } = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

/** Values the schema accepts (small ones: a few items, short strings). */
export function validValue(schema: TSchema, depth = 0): fc.Arbitrary<FuzzJson> {
  const n = node(schema);
  switch (n.type) {
    case 'string':
      return fc.oneof(
        fc.string({ minLength: n.minLength ?? 0, maxLength: 12 }),
        fc.constantFrom('a', 'web', 'busybox:latest', 'overlay', 'any', 'tcp', 'ingress', 'replicated'),
      );
    case 'integer':
      return fc.integer({ min: Math.max(n.minimum ?? -1000, -1000), max: 1000 });
    case 'number':
      return fc.double({ min: n.minimum ?? -10, max: 10, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (depth >= MAX_DEPTH || n.items === undefined) return fc.constant([]);
      return fc.array(validValue(n.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const values = mapValues(schema);
      if (values !== undefined) {
        return fc.dictionary(fc.string({ maxLength: 8 }), validValue(values, depth + 1), { maxKeys: 3 });
      }
      const props = n.properties ?? {};
      if (depth >= MAX_DEPTH || Object.keys(props).length === 0) return fc.constant({});
      const model: Record<string, fc.Arbitrary<FuzzJson>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = validValue(s, depth + 1);
      return fc.record(model, { requiredKeys: [] }).map(present);
    }
    default:
      return fc.constant(null);
  }
}

/** A hostile value for a place that expects `schema`. */
export function hostileFor(schema: TSchema, depth = 0): fc.Arbitrary<FuzzJson> {
  const n = node(schema);
  switch (n.type) {
    case 'integer':
    case 'number':
      return fc.oneof({ weight: 4, arbitrary: hostileNumber() }, { weight: 1, arbitrary: wrongType() });
    case 'string':
      return fc.oneof({ weight: 4, arbitrary: hostileString() }, { weight: 1, arbitrary: wrongType() });
    case 'boolean':
      return fc.oneof(wrongType(), hostileNumber());
    case 'array': {
      const items = n.items;
      const element =
        items === undefined || depth >= MAX_DEPTH ? fc.constant(null) : hostileFor(items, depth + 1);
      return fc.oneof(
        { weight: 2, arbitrary: fc.array(element, { minLength: 1, maxLength: 3 }) },
        {
          weight: 1,
          arbitrary: (items === undefined
            ? fc.constant<FuzzJson>('a')
            : validValue(items, MAX_DEPTH - 1)
          ).chain((v) => longArray(v)),
        },
        { weight: 1, arbitrary: wrongType() },
        { weight: 1, arbitrary: deepNesting() },
      );
    }
    case 'object': {
      const values = mapValues(schema);
      if (values !== undefined) {
        return fc.oneof(
          { weight: 2, arbitrary: wideObject() },
          {
            weight: 2,
            arbitrary: fc.dictionary(
              fc.oneof(
                hostileString().filter((s): s is string => typeof s === 'string'),
                fc.string(),
              ),
              hostileFor(values, depth + 1),
              { minKeys: 1, maxKeys: 3 },
            ),
          },
          { weight: 1, arbitrary: wrongType() },
          { weight: 1, arbitrary: deepNesting() },
        );
      }
      return fc.oneof(
        { weight: 2, arbitrary: sprinkled(schema, depth) },
        { weight: 1, arbitrary: wrongType() },
        { weight: 1, arbitrary: deepNesting() },
        { weight: 1, arbitrary: wideObject() },
      );
    }
    default:
      return anyHostile();
  }
}

/** A key the schema does not know: an unknown name or a known one in other letter case. */
function strangeKey(known: readonly string[]): fc.Arbitrary<string> {
  const variants = known.flatMap((k) => [k.toLowerCase(), k.toUpperCase(), ` ${k}`, `${k}\u0000`]);
  return fc.oneof(
    fc.constantFrom('Unknown', '__proto__', 'constructor', 'prototype', '', 'x'.repeat(300)),
    ...(variants.length > 0 ? [fc.constantFrom(...variants)] : []),
  );
}

/**
 * Values shaped by the schema with hostile values in some places (about one node in eight),
 * and unknown or case-variant keys in some objects.
 */
export function sprinkled(schema: TSchema, depth = 0): fc.Arbitrary<FuzzJson> {
  const n = node(schema);
  const here = (s: TSchema): fc.Arbitrary<FuzzJson> =>
    depth >= MAX_DEPTH
      ? validValue(s, MAX_DEPTH)
      : fc.oneof(
          { weight: 7, arbitrary: sprinkled(s, depth + 1) },
          { weight: 1, arbitrary: hostileFor(s, depth + 1) },
        );
  if (n.type === 'array' && n.items !== undefined) return fc.array(here(n.items), { maxLength: 3 });
  if (n.type !== 'object' || mapValues(schema) !== undefined) return validValue(schema, depth);
  const props = n.properties ?? {};
  const model: Record<string, fc.Arbitrary<FuzzJson>> = {};
  for (const [k, s] of Object.entries(props)) model[k] = here(s);
  const known = Object.keys(props);
  return fc
    .tuple(
      fc.record(model, { requiredKeys: [] }).map(present),
      fc.option(fc.dictionary(strangeKey(known), anyHostile(), { minKeys: 1, maxKeys: 2 }), { freq: 4 }),
    )
    .map(([obj, extra]) => {
      if (extra === null) return obj;
      const out: { [key: string]: FuzzJson } = { ...obj };
      for (const [k, v] of Object.entries(extra))
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    });
}

export interface SchemaPath {
  readonly path: readonly string[];
  readonly schema: TSchema;
}

/** Every place in the schema a value can go (array items as index 0, map values as key "k"). */
export function schemaPaths(schema: TSchema, prefix: readonly string[] = [], depth = 0): SchemaPath[] {
  if (depth > MAX_DEPTH) return [];
  const n = node(schema);
  const out: SchemaPath[] = prefix.length === 0 ? [] : [{ path: prefix, schema }];
  if (n.type === 'array' && n.items !== undefined)
    out.push(...schemaPaths(n.items, [...prefix, '0'], depth + 1));
  if (n.type === 'object') {
    const values = mapValues(schema);
    if (values !== undefined) out.push(...schemaPaths(values, [...prefix, 'k'], depth + 1));
    for (const [k, s] of Object.entries(n.properties ?? {}))
      out.push(...schemaPaths(s, [...prefix, k], depth + 1));
  }
  return out;
}
