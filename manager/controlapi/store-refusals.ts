// The store's own refusals of a decision's writes, as swarmkit words them: a stale ?version=
// and a name another object holds are found by the store (at once, when the callback returns,
// or when the proposal applies), not by a rule; the control layer still owns what the user
// reads.

import { ConflictError, NameConflictError } from '../store/errors.js';
import { alreadyExists, grpcWording, Refusal } from './refusal.js';

/** The refusal a store error means to the user, or undefined for any other error. */
export function storeRefusal(e: unknown): Refusal | undefined {
  if (e instanceof ConflictError) {
    // Docker answers a stale ?version= with swarmkit's "update out of sequence" (as a 500);
    // shoal keeps the wording and uses the status that says what happened.
    return new Refusal('conflict', grpcWording('Unknown', 'update out of sequence'));
  }
  if (e instanceof NameConflictError) {
    const kind = e.table === 'services' ? 'service' : e.table.replace(/s$/, '');
    return alreadyExists(`name conflicts with an existing object: ${kind} ${e.value} already exists`);
  }
  return undefined;
}
