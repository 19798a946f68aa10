// Resolving the patches of a decoded command against the tables: each becomes the update it
// stands for, with the whole object it makes. The stored object at the named version is the
// same on every replica, so the object a patch makes is too. That object is checked whole
// (`checkObject`) like any update before the transaction goes on, so a patch that would make
// a bad object (a status removed, a state that does not exist) is refused and changes nothing.

import { checkObject } from '../../api/objects/shape.js';
import type { StoredObject } from '../../api/objects/index.js';
import type { DecodedOp, PatchOp, TxnOp } from './command.js';
import { ConflictError, MalformedCommandError, NotFoundError, type StoreError } from './errors.js';
import type { Tables } from './tables.js';

/** The object `patch` makes of `base` (unfrozen at the top; its fields are frozen). */
export function patched(
  base: StoredObject,
  patch: Pick<PatchOp, 'version' | 'updatedAt' | 'set' | 'unset'>,
): StoredObject {
  const object: Record<string, unknown> = { ...base, ...patch.set };
  for (const key of patch.unset) delete object[key];
  object['meta'] = { version: patch.version, createdAt: base.meta.createdAt, updatedAt: patch.updatedAt };
  return object as unknown as StoredObject;
}

/**
 * Turns every patch into an update of the object it makes; refuses (as an update would) a
 * patch of an object that is missing or at another version, and (as a malformed command) one
 * that makes an object that is not valid.
 */
export function resolvePatches(tables: Tables, ops: readonly DecodedOp[]): TxnOp[] | StoreError {
  const out: TxnOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op !== 'patch') {
      out.push(op);
      continue;
    }
    const base = tables.any(op.table).get(op.id);
    if (base === undefined) return new NotFoundError(op.table, op.id);
    if (base.meta.version !== op.version)
      return new ConflictError(op.table, op.id, op.version, base.meta.version);
    const object = patched(base, op);
    const problem = checkObject(op.table, object);
    if (problem !== undefined)
      return new MalformedCommandError(`ops[${i}] makes an object that is not valid: ${problem}`);
    out.push({ op: 'update', table: op.table, object });
  }
  return out;
}
