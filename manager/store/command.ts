// The wire form of a transaction: the bytes a writer proposes and every replica applies.
//
//   {"v":1,"ops":[{"op":"create","table":"tasks","object":{...}},
//                 {"op":"update","table":"services","object":{...}},
//                 {"op":"delete","table":"nodes","id":"...","version":12}]}
//
// An update names the version it read in object.meta.version; a delete in `version`. Every
// (table, id) appears at most once. Decoding checks all of it: a command that fails is refused
// with MalformedCommandError and changes nothing, on every replica alike.

import { MalformedCommandError } from './errors.js';
import { isTableName, type StoredObject, type TableName } from '../../api/objects/index.js';
import { freezeWithin } from './freeze.js';
import { checkObject, isRecord, isValidId, MAX_DEPTH } from '../../api/objects/shape.js';

export const COMMAND_VERSION = 1;

export type TxnOp =
  | { readonly op: 'create'; readonly table: TableName; readonly object: StoredObject }
  | { readonly op: 'update'; readonly table: TableName; readonly object: StoredObject }
  | { readonly op: 'delete'; readonly table: TableName; readonly id: string; readonly version: number };

/** An op whose object is already serialized (a WriteTx serializes each object once, when written). */
export type EncodableOp =
  | { readonly op: 'create' | 'update'; readonly table: TableName; readonly json: string }
  | { readonly op: 'delete'; readonly table: TableName; readonly id: string; readonly version: number };

export function opId(op: TxnOp): string {
  return op.op === 'delete' ? op.id : op.object.id;
}

export function encodeCommand(ops: readonly EncodableOp[]): Uint8Array {
  const parts = ops.map((op) =>
    op.op === 'delete'
      ? JSON.stringify({ op: op.op, table: op.table, id: op.id, version: op.version })
      : `{"op":"${op.op}","table":"${op.table}","object":${op.json}}`,
  );
  return Buffer.from(`{"v":${COMMAND_VERSION},"ops":[${parts.join(',')}]}`, 'utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hasOnlyKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

function decodeOp(raw: unknown, i: number): TxnOp | string {
  if (!isRecord(raw)) return `ops[${i}] must be an object`;
  const { op, table } = raw;
  if (!isTableName(table)) return `ops[${i}].table must name a table`;
  if (op === 'create' || op === 'update') {
    if (!hasOnlyKeys(raw, ['op', 'table', 'object'])) return `ops[${i}] has unknown fields`;
    const object = raw['object'];
    const problem = checkObject(table, object);
    if (problem !== undefined) return `ops[${i}].object: ${problem}`;
    if (!freezeWithin(object, MAX_DEPTH)) return `ops[${i}].object nests deeper than ${MAX_DEPTH} levels`;
    return { op, table, object: object as StoredObject };
  }
  if (op === 'delete') {
    if (!hasOnlyKeys(raw, ['op', 'table', 'id', 'version'])) return `ops[${i}] has unknown fields`;
    const { id, version } = raw;
    if (!isValidId(id)) return `ops[${i}].id must be a valid ID`;
    if (!Number.isSafeInteger(version) || (version as number) < 0) {
      return `ops[${i}].version must be an integer >= 0`;
    }
    return { op, table, id, version: version as number };
  }
  return `ops[${i}].op must be create, update or delete`;
}

/** Decodes and checks a command; never throws for bad input. Decoded objects are deeply frozen. */
export function decodeCommand(bytes: Uint8Array): TxnOp[] | MalformedCommandError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch (e: unknown) {
    const why = e instanceof TypeError ? 'not UTF-8' : 'not JSON';
    return new MalformedCommandError(why);
  }
  if (!isRecord(parsed)) return new MalformedCommandError('not a JSON object');
  if (parsed['v'] !== COMMAND_VERSION)
    return new MalformedCommandError(`unsupported version ${String(parsed['v'])}`);
  if (!hasOnlyKeys(parsed, ['v', 'ops'])) return new MalformedCommandError('unknown envelope fields');
  const rawOps = parsed['ops'];
  if (!Array.isArray(rawOps) || rawOps.length === 0) {
    return new MalformedCommandError('ops must be a non-empty array');
  }
  const ops: TxnOp[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < rawOps.length; i++) {
    const op = decodeOp(rawOps[i], i);
    if (typeof op === 'string') return new MalformedCommandError(op);
    const key = `${op.table}/${opId(op)}`;
    if (seen.has(key)) return new MalformedCommandError(`ops[${i}] touches ${key} a second time`);
    seen.add(key);
    ops.push(op);
  }
  return ops;
}
