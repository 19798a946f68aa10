// Building blocks of the Docker Engine API's JSON (PascalCase). Every field is optional, as
// Go's decoder treats a missing field as its zero value; nulls are dropped before validation
// (Go decodes null as "absent" too). Integers Go declares unsigned refuse negatives.

import { Type, type TObject, type TOptional, type TSchema } from '@sinclair/typebox';

/** A string-to-string map (Labels, Options, Sysctls). */
export const StringMap = Type.Record(Type.String(), Type.String(), { goType: 'map[string]string' });

/** A Go int64 (durations are int64 nanoseconds). */
export const Int64 = Type.Integer({ goType: 'int64' });
/** A Go uint64/uint32. */
export const Uint = Type.Integer({ minimum: 0, goType: 'uint64' });

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
