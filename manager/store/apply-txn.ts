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
  // Ops by table/ID, for the unique-key check below: only tables with unique keys need them
  // (a bulk task write builds no such map).
  const touched = new Map<string, TxnOp>();
  for (const op of ops) {
    const table = tables.any(op.table);
    const id = opId(op);
    if (table.uniqueIndexes().length > 0) touched.set(`${op.table}/${id}`, op);
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
  // Take out everything that is deleted, or updated in a table with unique keys, first, so
  // unique keys being released are free before the new objects claim them; an update in a table
  // without unique keys replaces its object in one step (only the index keys that change move).
  // Every step is journalled: if one throws (a broken invariant the check did not foresee), the
  // tables are put back as they were and the error rethrown, so a transaction is applied whole
  // or not at all even then.
  const journal: Step[] = [];
  const previous = new Map<string, StoredObject>();
  const events: ChangeEvent[] = [];
  try {
    for (const op of ops) {
      if (op.op === 'create' || (op.op === 'update' && inPlace(tables, op.table))) continue;
      const old = tables.any(op.table).delete(opId(op));
      journal.push({ kind: 'removed', table: op.table, object: old });
      previous.set(`${op.table}/${opId(op)}`, old);
    }
    for (const op of ops) {
      const table = tables.any(op.table);
      if (op.op === 'delete') {
        const old = previous.get(`${op.table}/${op.id}`);
        events.push({ action: 'delete', table: op.table, object: old } as ChangeEvent);
        continue;
      }
      const replacing = op.op === 'update' && inPlace(tables, op.table);
      const old =
        op.op === 'create'
          ? undefined
          : replacing
            ? table.get(op.object.id)
            : previous.get(`${op.table}/${op.object.id}`);
      // op.object's fields are already deeply frozen by decoding; the new top level is handed
      // to the table to own, which puts in the parts it shares and freezes it.
      const built: StoredObject = {
        ...op.object,
        meta: Object.freeze({
          version: index,
          createdAt: old === undefined ? op.object.meta.createdAt : old.meta.createdAt,
          updatedAt: op.object.meta.updatedAt,
        }),
      };
      if (replacing) {
        table.replace(built, true);
        journal.push({ kind: 'replaced', table: op.table, object: old! });
      } else {
        table.insert(built, true);
        journal.push({ kind: 'inserted', table: op.table, object: built });
      }
      const stored = table.get(built.id)!; // the table's copy shares equal parts
      rememberChecked(op.table, stored);
      events.push(
        (old === undefined
          ? { action: 'create', table: op.table, object: stored }
          : { action: 'update', table: op.table, object: stored, oldObject: old }) as ChangeEvent,
      );
    }
  } catch (e: unknown) {
    undo(tables, journal);
    throw e;
  }
  return events;
}

/** An update of `table` replaces its object in one step (see Table.replace). */
function inPlace(tables: Tables, table: TableName): boolean {
  return tables.any(table).uniqueIndexes().length === 0;
}

/** One change `applyTransaction` made: an object taken out, put in, or put in place of `object`. */
interface Step {
  readonly kind: 'removed' | 'inserted' | 'replaced';
  readonly table: TableName;
  readonly object: StoredObject;
}

/** Puts back what a failed `applyTransaction` changed, latest change first. */
function undo(tables: Tables, journal: readonly Step[]): void {
  for (let i = journal.length - 1; i >= 0; i--) {
    const { kind, table, object } = journal[i]!;
    if (kind === 'inserted') tables.any(table).delete(object.id);
    else if (kind === 'removed') tables.any(table).insert(object);
    else tables.any(table).replace(object);
  }
}
