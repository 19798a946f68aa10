// What the control layer decides for a request: the writes to make, or a refusal. Deciding is
// pure (it reads a transaction, changes nothing); `applyDecision` makes the writes inside the
// store.update callback, so a refusal proposes nothing. Every refusal is a Refusal
// (refusal.ts), carrying the message Docker's users see.

import { markNodeRemoved } from '../ca/removed-nodes.js';
import type { NewObject, ObjectOf, TableName, WriteTx } from '../store/index.js';
import { Refusal } from './refusal.js';

export type Write = {
  [K in TableName]:
    | { readonly op: 'create'; readonly table: K; readonly object: NewObject<K> }
    | { readonly op: 'update'; readonly table: K; readonly object: ObjectOf<K> }
    | { readonly op: 'delete'; readonly table: K; readonly id: string };
}[TableName];

export type Decision = { readonly writes: readonly Write[] } | { readonly refusal: Refusal };

/** Runs a rule set; a Refusal it throws becomes the decision, anything else propagates. */
export function decide(rules: () => readonly Write[]): Decision {
  try {
    return { writes: rules() };
  } catch (e: unknown) {
    if (e instanceof Refusal) return { refusal: e };
    throw e;
  }
}

/** The writes of a decision, or its refusal thrown. */
export function writesOf(decision: Decision): readonly Write[] {
  if ('refusal' in decision) throw decision.refusal;
  return decision.writes;
}

function applyWrite<K extends TableName>(tx: WriteTx, w: Write & { table: K }): void {
  switch (w.op) {
    case 'create':
      tx.create(w.table, w.object as NewObject<K>);
      return;
    case 'update':
      tx.update(w.table, w.object as ObjectOf<K>);
      return;
    case 'delete':
      // A node deleted is a node removed from the swarm: its certificate stays valid until it
      // expires, so the cluster lists it as removed, in the same transaction and before the
      // delete (the record says when that certificate expires).
      if (w.table === 'nodes') markNodeRemoved(tx, w.id);
      tx.delete(w.table, w.id);
      return;
  }
}

/** Makes a decision's writes in `tx`, or throws its refusal (before anything is written). */
export function applyDecision(tx: WriteTx, decision: Decision): readonly Write[] {
  const writes = writesOf(decision);
  for (const w of writes) applyWrite(tx, w);
  return writes;
}
