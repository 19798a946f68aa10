// Fastify's validator for every route schema: TypeBox's compiled checks, with Go-style
// messages for bodies ("json: cannot unmarshal string into Go struct field ...") so a client
// sees what Docker would tell it. A body's keys are first matched to the schema's fields as Go
// matches them (case-insensitively, go-json-keys.ts); then nulls are dropped, as Go's decoder
// treats them as absent.

import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ApiError } from './errors.js';
import { canonicalKeys } from './go-json-keys.js';

/** Removes null-valued object properties, recursively (array elements are kept). */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty: a "__proto__" key is data, not the object's prototype.
    if (v !== null)
      Object.defineProperty(out, k, {
        value: dropNulls(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function goTypeOf(schema: TSchema): string {
  const declared = (schema as { goType?: unknown }).goType;
  if (typeof declared === 'string') return declared;
  switch (schema['type']) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return 'int64';
    case 'number':
      return 'float64';
    case 'array': {
      const items = (schema as { items?: TSchema }).items;
      return `[]${items === undefined ? 'interface {}' : goTypeOf(items)}`;
    }
    default:
      return 'struct';
  }
}

/** The Go type name of a body's root schema, e.g. "swarm.ServiceSpec" → "ServiceSpec". */
function rootName(schema: TSchema): string {
  const goType = goTypeOf(schema);
  const dot = goType.lastIndexOf('.');
  return dot < 0 ? goType : goType.slice(dot + 1);
}

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** Compiles a route schema into a function returning the cleaned value or an ApiError (400). */
export function compileValidator(
  schema: TSchema,
  part: HttpPart,
): (data: unknown) => { value: unknown } | { error: Error } {
  // Compiled at a route's first request, not at registration: most routes of a node are never
  // called (a worker answers swarm calls with "not a manager"), and each compiled check is code
  // and closures every shoald would otherwise hold from start.
  let compiled: TypeCheck<TSchema> | undefined;
  return (data) => {
    const check = (compiled ??= TypeCompiler.Compile(schema));
    const value = part === 'body' ? dropNulls(canonicalKeys(data ?? {}, schema)) : data;
    if (check.Check(value)) return { value };
    const first = check.Errors(value).First();
    if (first === undefined) return { error: new ApiError(400, 'invalid request') };
    if (part !== 'body') {
      const name = first.path.replace(/^\//, '') || part;
      return {
        error: new ApiError(
          400,
          `invalid ${part === 'params' ? 'path' : 'query'} parameter ${name}: ${first.message}`,
        ),
      };
    }
    const path = first.path.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
    const target =
      path.length === 0
        ? `Go value of type ${goTypeOf(schema)}`
        : `Go struct field ${rootName(schema)}.${path.join('.')} of type ${goTypeOf(first.schema)}`;
    return { error: new ApiError(400, `json: cannot unmarshal ${jsonKind(first.value)} into ${target}`) };
  };
}
