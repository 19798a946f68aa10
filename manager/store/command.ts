// The wire form of a transaction: the bytes a writer proposes and every replica applies.
//
//   {"v":1,"ops":[{"op":"create","table":"tasks","object":{...}},
//                 {"op":"update","table":"services","object":{...}},
//                 {"op":"patch","table":"tasks","id":"...","version":12,"updatedAt":"...",
//                  "set":{"status":{...},"nodeId":"..."},"unset":["jobIteration"]},
//                 {"op":"delete","table":"nodes","id":"...","version":12}]}
//
// An update names the version it read in object.meta.version; a patch and a delete in
// `version`. A patch is an update that carries only the top-level fields that changed: `set`
// replaces fields, `unset` removes them, everything else is the stored object at `version`.
// Since an object at a given version is the same on every replica, the patched object is too;
// it is built against the tables and checked whole before it is applied (patch.ts). Status
// and node changes of a task thus carry a few hundred bytes instead of the whole task spec.
//
// A task spec that several tasks of one command share (the tasks an orchestrator creates from
// one service template) travels once: the envelope's `specs` lists such specs, and a create or
// update op whose object has no `spec` names its index in `spec` ("spec":0). Decoding gives
// those objects the one decoded (checked, frozen) spec, so they share it in memory too.
//
// Every (table, id) appears at most once. Decoding checks all of it: a command that fails is
// refused with MalformedCommandError and changes nothing, on every replica alike.

import { MalformedCommandError } from './errors.js';
import { isTableName, type StoredObject, type TableName } from '../../api/objects/index.js';
import { freezeWithin } from './freeze.js';
import { checkObject, isRecord, isValidId, MAX_DEPTH, rememberChecked } from '../../api/objects/shape.js';

export const COMMAND_VERSION = 1;

export type TxnOp =
  | { readonly op: 'create'; readonly table: TableName; readonly object: StoredObject }
  | { readonly op: 'update'; readonly table: TableName; readonly object: StoredObject }
  | { readonly op: 'delete'; readonly table: TableName; readonly id: string; readonly version: number };

/** An update that names only the top-level fields that change (resolved by patch.ts). */
export interface PatchOp {
  readonly op: 'patch';
  readonly table: TableName;
  readonly id: string;
  readonly version: number;
  readonly updatedAt: string;
  /** Top-level fields replaced (never `id` or `meta`), deeply frozen. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Top-level fields removed (never `id`, `meta`, or a field of `set`). */
  readonly unset: readonly string[];
}

/** An op as decoded from a command: patches still to be resolved against the tables. */
export type DecodedOp = TxnOp | PatchOp;

/** An op whose object is already serialized (a WriteTx serializes each object once, when written). */
export type EncodableOp =
  | {
      readonly op: 'create' | 'update';
      readonly table: TableName;
      readonly json: string;
      /** Index in the command's shared specs of the object's `spec` (left out of `json`). */
      readonly spec?: number;
    }
  | {
      readonly op: 'patch';
      readonly table: TableName;
      readonly id: string;
      readonly version: number;
      readonly updatedAt: string;
      /** The `set` object, serialized. */
      readonly json: string;
      readonly unset: readonly string[];
    }
  | { readonly op: 'delete'; readonly table: TableName; readonly id: string; readonly version: number };

/** Top-level fields a patch never names: identity and meta are the store's. */
export const UNPATCHABLE: readonly string[] = ['id', 'meta'];

export function opId(op: DecodedOp): string {
  return op.op === 'delete' || op.op === 'patch' ? op.id : op.object.id;
}

function encodeOp(op: EncodableOp): string {
  switch (op.op) {
    case 'delete':
      return JSON.stringify({ op: op.op, table: op.table, id: op.id, version: op.version });
    case 'patch': {
      // Written out field by field (the same text as stringifying them as one object): a
      // scheduler pass encodes thousands of these.
      const unset = op.unset.length === 0 ? '' : `,"unset":${JSON.stringify(op.unset)}`;
      return (
        `{"op":"patch","table":"${op.table}","id":${JSON.stringify(op.id)},"version":${JSON.stringify(op.version)},` +
        `"updatedAt":${JSON.stringify(op.updatedAt)},"set":${op.json}${unset}}`
      );
    }
    default: {
      const spec = op.spec === undefined ? '' : `,"spec":${op.spec}`;
      return `{"op":"${op.op}","table":"${op.table}","object":${op.json}${spec}}`;
    }
  }
}

/** The command's bytes; `specs` are the serialized shared specs ops name by index. */
export function encodeCommand(ops: readonly EncodableOp[], specs: readonly string[] = []): Uint8Array {
  const shared = specs.length === 0 ? '' : `"specs":[${specs.join(',')}],`;
  return Buffer.from(`{"v":${COMMAND_VERSION},${shared}"ops":[${ops.map(encodeOp).join(',')}]}`, 'utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hasOnlyKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const k in o) if (!keys.includes(k)) return false;
  return true;
}

function decodePatch(raw: Record<string, unknown>, table: TableName, i: number): PatchOp | string {
  if (!hasOnlyKeys(raw, ['op', 'table', 'id', 'version', 'updatedAt', 'set', 'unset'])) {
    return `ops[${i}] has unknown fields`;
  }
  const { id, version, updatedAt, set } = raw;
  const unset = raw['unset'] ?? [];
  if (!isValidId(id)) return `ops[${i}].id must be a valid ID`;
  if (!Number.isSafeInteger(version) || (version as number) < 0) {
    return `ops[${i}].version must be an integer >= 0`;
  }
  if (typeof updatedAt !== 'string') return `ops[${i}].updatedAt must be a string`;
  if (!isRecord(set)) return `ops[${i}].set must be an object`;
  for (const key of UNPATCHABLE) if (Object.hasOwn(set, key)) return `ops[${i}].set must not name ${key}`;
  if (!Array.isArray(unset)) return `ops[${i}].unset must be an array`;
  for (const key of unset as unknown[]) {
    if (typeof key !== 'string') return `ops[${i}].unset must hold strings`;
    if (UNPATCHABLE.includes(key) || Object.hasOwn(set, key)) return `ops[${i}].unset must not name ${key}`;
  }
  // `set` stands where the object would: its fields nest as deep as the object's.
  if (!freezeWithin(set, MAX_DEPTH)) return `ops[${i}].set nests deeper than ${MAX_DEPTH} levels`;
  return { op: 'patch', table, id, version: version as number, updatedAt, set, unset: unset as string[] };
}

/** The object of a create or update op, with its shared spec put in; frozen. */
function decodeObject(
  raw: Record<string, unknown>,
  table: TableName,
  i: number,
  specs: readonly Record<string, unknown>[],
): StoredObject | string {
  const object = raw['object'];
  const ref = raw['spec'];
  if (ref === undefined) {
    const problem = checkObject(table, object);
    if (problem !== undefined) return `ops[${i}].object: ${problem}`;
    if (!freezeWithin(object, MAX_DEPTH)) return `ops[${i}].object nests deeper than ${MAX_DEPTH} levels`;
    return object as StoredObject;
  }
  if (!Number.isSafeInteger(ref) || (ref as number) < 0 || (ref as number) >= specs.length) {
    return `ops[${i}].spec must be the index of one of the command's specs`;
  }
  if (!isRecord(object)) return `ops[${i}].object: object must be a JSON object`;
  if (Object.hasOwn(object, 'spec')) return `ops[${i}] has both object.spec and spec`;
  // The shared spec is frozen (and bounded) already: bound and freeze the rest, then put it in.
  if (!freezeWithin(object, MAX_DEPTH)) return `ops[${i}].object nests deeper than ${MAX_DEPTH} levels`;
  const whole = Object.freeze({ ...object, spec: specs[ref as number] });
  const problem = checkObject(table, whole);
  if (problem !== undefined) return `ops[${i}].object: ${problem}`;
  // The shared spec passed with this object: the other objects naming it skip checking it again
  // (it is frozen; only this command's objects can hold it, so nothing else ever asks).
  rememberChecked(table, whole);
  return whole as unknown as StoredObject;
}

function decodeOp(raw: unknown, i: number, specs: readonly Record<string, unknown>[]): DecodedOp | string {
  if (!isRecord(raw)) return `ops[${i}] must be an object`;
  const { op, table } = raw;
  if (!isTableName(table)) return `ops[${i}].table must name a table`;
  if (op === 'create' || op === 'update') {
    if (!hasOnlyKeys(raw, ['op', 'table', 'object', 'spec'])) return `ops[${i}] has unknown fields`;
    const object = decodeObject(raw, table, i, specs);
    return typeof object === 'string' ? object : { op, table, object };
  }
  if (op === 'patch') return decodePatch(raw, table, i);
  if (op === 'delete') {
    if (!hasOnlyKeys(raw, ['op', 'table', 'id', 'version'])) return `ops[${i}] has unknown fields`;
    const { id, version } = raw;
    if (!isValidId(id)) return `ops[${i}].id must be a valid ID`;
    if (!Number.isSafeInteger(version) || (version as number) < 0) {
      return `ops[${i}].version must be an integer >= 0`;
    }
    return { op, table, id, version: version as number };
  }
  return `ops[${i}].op must be create, update, patch or delete`;
}

/**
 * Decodes and checks a command; never throws for bad input. Decoded objects are deeply frozen.
 * Patches are checked as far as they can be alone; `resolvePatches` checks what they make.
 */
export function decodeCommand(bytes: Uint8Array): DecodedOp[] | MalformedCommandError {
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
  if (!hasOnlyKeys(parsed, ['v', 'specs', 'ops']))
    return new MalformedCommandError('unknown envelope fields');
  const specs = parsed['specs'] ?? [];
  if (!Array.isArray(specs)) return new MalformedCommandError('specs must be an array');
  for (let i = 0; i < specs.length; i++) {
    const spec: unknown = specs[i];
    if (!isRecord(spec)) return new MalformedCommandError(`specs[${i}] must be an object`);
    // A spec stands one level down in the objects that name it.
    if (!freezeWithin(spec, MAX_DEPTH - 1)) {
      return new MalformedCommandError(`specs[${i}] nests deeper than ${MAX_DEPTH - 1} levels`);
    }
  }
  const rawOps = parsed['ops'];
  if (!Array.isArray(rawOps) || rawOps.length === 0) {
    return new MalformedCommandError('ops must be a non-empty array');
  }
  const ops: DecodedOp[] = [];
  // IDs seen per table (no "table/id" string built per op).
  const seen = new Map<TableName, Set<string>>();
  for (let i = 0; i < rawOps.length; i++) {
    const op = decodeOp(rawOps[i], i, specs as Record<string, unknown>[]);
    if (typeof op === 'string') return new MalformedCommandError(op);
    const id = opId(op);
    let ids = seen.get(op.table);
    if (ids === undefined) seen.set(op.table, (ids = new Set()));
    if (ids.has(id)) return new MalformedCommandError(`ops[${i}] touches ${op.table}/${id} a second time`);
    ids.add(id);
    ops.push(op);
  }
  return ops;
}
