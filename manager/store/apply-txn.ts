// Checking and applying one transaction against the tables. Deterministic: the outcome depends
// only on the tables and the ops, so every replica accepts or refuses a transaction alike.
//
// A transaction is checked completely before anything changes, so applying it is all or
// nothing. Unique keys (names) are checked against the state the whole transaction leads to:
// renaming A away from "web" and creating B as "web" in one transaction is fine in any order.

import { ConflictError, ExistsError, NameConflictError, NotFoundError, type StoreError } from './errors.js';
import type { ChangeEvent } from './events.js';
import type { StoredObject, TableName } from '../../api/objects/index.js';
import type { Tables } from './tables.js';
import { opId, type TxnOp } from './command.js';
import { rememberChecked } from '../../api/objects/shape.js';

/** Returns the error the transaction must be refused with, or undefined if it applies. */
export function checkTransaction(tables: Tables, ops: readonly TxnOp[]): StoreError | undefined {
  const touched = new Map<string, TxnOp>();
  for (const op of ops) {
    const table = tables.any(op.table);
    const id = opId(op);
    touched.set(`${op.table}/${id}`, op);
    const current = table.get(id);
    if (op.op === 'create') {
      if (current !== undefined) return new ExistsError(op.table, id);
      continue;
    }
    if (current === undefined) return new NotFoundError(op.table, id);
    const named = op.op === 'delete' ? op.version : op.object.meta.version;
    if (named !== current.meta.version) return new ConflictError(op.table, id, named, current.meta.version);
  }

  const claims = new Map<string, string>();
  for (const op of ops) {
    if (op.op === 'delete') continue;
    const table = tables.any(op.table);
    for (const index of table.uniqueIndexes()) {
      const key = index.keyOf(op.object);
      if (key === undefined) continue;
      const value = index.def.value(op.object) ?? key;
      const claim = `${op.table}/${index.name}/${key}`;
      const rival = claims.get(claim);
      if (rival !== undefined) return new NameConflictError(op.table, index.name, value, rival);
      claims.set(claim, op.object.id);
      const owner = index.owner(key);
      if (owner === undefined || owner === op.object.id) continue;
      const ownerOp = touched.get(`${op.table}/${owner}`);
      const released =
        ownerOp !== undefined && (ownerOp.op === 'delete' || index.keyOf(ownerOp.object) !== key);
      if (!released) return new NameConflictError(op.table, index.name, value, owner);
    }
  }
  return undefined;
}

/**
 * Applies a transaction that `checkTransaction` accepted, stamping every written object with
 * version `index`, and returns one change event per op, in op order.
 */
export function applyTransaction(tables: Tables, ops: readonly TxnOp[], index: number): ChangeEvent[] {
  // Take out everything that is updated or deleted first, so unique keys being released are
  // free before the new objects claim them. Every step is journalled: if one throws (a broken
  // invariant the check did not foresee), the tables are put back as they were and the error
  // rethrown, so a transaction is applied whole or not at all even then.
  const removed: Journalled[] = [];
  const inserted: Journalled[] = [];
  const previous = new Map<string, StoredObject>();
  const events: ChangeEvent[] = [];
  try {
    for (const op of ops) {
      if (op.op === 'create') continue;
      const old = tables.any(op.table).delete(opId(op));
      removed.push({ table: op.table, object: old });
      previous.set(`${op.table}/${opId(op)}`, old);
    }
    for (const op of ops) {
      const old = previous.get(`${op.table}/${opId(op)}`);
      if (op.op === 'delete') {
        events.push({ action: 'delete', table: op.table, object: old } as ChangeEvent);
        continue;
      }
      // op.object is already deeply frozen by decoding; only the new top level needs freezing.
      const built = Object.freeze({
        ...op.object,
        meta: Object.freeze({
          version: index,
          createdAt: old === undefined ? op.object.meta.createdAt : old.meta.createdAt,
          updatedAt: op.object.meta.updatedAt,
        }),
      });
      tables.any(op.table).insert(built);
      const stored = tables.any(op.table).get(built.id)!; // the table's copy shares equal parts
      rememberChecked(op.table, stored);
      inserted.push({ table: op.table, object: stored });
      events.push(
        (old === undefined
          ? { action: 'create', table: op.table, object: stored }
          : { action: 'update', table: op.table, object: stored, oldObject: old }) as ChangeEvent,
      );
    }
  } catch (e: unknown) {
    undo(tables, removed, inserted);
    throw e;
  }
  return events;
}

interface Journalled {
  readonly table: TableName;
  readonly object: StoredObject;
}

/** Puts back what a failed `applyTransaction` changed: takes out `inserted`, re-inserts `removed`. */
function undo(tables: Tables, removed: readonly Journalled[], inserted: readonly Journalled[]): void {
  for (let i = inserted.length - 1; i >= 0; i--) {
    const { table, object } = inserted[i]!;
    tables.any(table).delete(object.id);
  }
  for (let i = removed.length - 1; i >= 0; i--) {
    const { table, object } = removed[i]!;
    tables.any(table).insert(object);
  }
}
