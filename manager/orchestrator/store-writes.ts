// Writing from a control loop: transactions are batched (many objects per proposal, but bounded
// so one Raft entry stays small), and the refusals a leader-only loop expects (a write raced
// with another, leadership moved, a proposal timed out) are reported instead of thrown, so the
// loop can note the work as dirty again. Anything else is a bug and is thrown.

import type { Logger } from 'pino';
import { StoreError, StoreInvariantError } from '../store/errors.js';
import type { MemoryStore } from '../store/store.js';
import type { WriteTx } from '../store/write-tx.js';

/** Most objects a loop writes in one transaction. */
export const MAX_WRITES_PER_TX = 500;

/** Runs one transaction; resolves false (after logging) if the store refused it. */
export async function tryUpdate(
  store: MemoryStore,
  logger: Logger,
  what: string,
  fn: (tx: WriteTx) => void,
): Promise<boolean> {
  try {
    await store.update(fn);
    return true;
  } catch (e: unknown) {
    if (e instanceof StoreError && !(e instanceof StoreInvariantError)) {
      logger.debug({ err: e, code: e.code }, `${what}: write refused; will retry`);
      return false;
    }
    throw e;
  }
}

/**
 * Applies `fn` to every item, `perTx` items per transaction. Resolves with the items whose
 * transaction was refused (the caller retries them later).
 */
export async function updateInBatches<T>(
  store: MemoryStore,
  logger: Logger,
  what: string,
  items: readonly T[],
  fn: (tx: WriteTx, item: T) => void,
  perTx = MAX_WRITES_PER_TX,
): Promise<T[]> {
  const failed: T[] = [];
  for (let i = 0; i < items.length; i += perTx) {
    const batch = items.slice(i, i + perTx);
    const ok = await tryUpdate(store, logger, what, (tx) => {
      for (const item of batch) fn(tx, item);
    });
    if (!ok) failed.push(...batch);
  }
  return failed;
}
