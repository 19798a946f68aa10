// Building blocks of the Docker Engine API's JSON (PascalCase). Every field is optional, as
// Go's decoder treats a missing field as its zero value; nulls are dropped before validation
// (Go decodes null as "absent" too). Integers Go declares unsigned refuse negatives, and every
// integer is bounded: JSON numbers beyond 2^53 reach JavaScript rounded, so counts and sizes
// must be safe integers; only durations (int64 nanoseconds, where 2^53 is 104 days and
// precision below a microsecond does not matter, the store keeps milliseconds) take Go's
// whole int64 range. Beyond its range, Go's decoder answers "cannot unmarshal number", as here.

import { Type, type TObject, type TOptional, type TSchema } from '@sinclair/typebox';

/** A string-to-string map (Labels, Options, Sysctls). */
export const StringMap = Type.Record(Type.String(), Type.String(), { goType: 'map[string]string' });

/** A Go int64 count or size, within the integers JSON carries exactly. */
export const Int64 = Type.Integer({
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
  goType: 'int64',
});
/** A Go time.Duration: int64 nanoseconds. */
export const Duration = Type.Integer({ minimum: -(2 ** 63), exclusiveMaximum: 2 ** 63, goType: 'int64' });
/** A Go uint64, within the integers JSON carries exactly. */
export const Uint = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, goType: 'uint64' });
/** A Go uint32 (ports, file modes). */
export const Uint32 = Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, goType: 'uint32' });

export const Str = Type.String();
export const Bool = Type.Boolean();
export const StrList = Type.Array(Type.String(), { goType: '[]string' });

/** Makes every property optional, as Go's decoder does. */
export function Struct<T extends Record<string, TSchema>>(
  goType: string,
  properties: T,
): TObject<{ [K in keyof T]: TOptional<T[K]> }> {
  const optional: Record<string, TSchema> = {};
  for (const [key, schema] of Object.entries(properties)) optional[key] = Type.Optional(schema);
  return Type.Object(optional, { goType }) as TObject<{ [K in keyof T]: TOptional<T[K]> }>;
}

export const DriverSchema = Struct('swarm.Driver', { Name: Str, Options: StringMap });

/** A field a response may leave out (response schemas name their required fields). */
export function Opt<T extends TSchema>(schema: T): TOptional<T> {
  return Type.Optional(schema) as TOptional<T>;
}
