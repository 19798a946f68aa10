// Writing from a control loop: transactions are batched (many objects per proposal, but bounded
// so one Raft entry stays small), and the refusals a leader-only loop expects (a write raced
// with another, leadership moved, a proposal timed out) are reported instead of thrown, so the
// loop can note the work as dirty again. Anything else is a bug and is thrown.
//
// Within a batch every item is isolated (`WriteTx.attempt`): an item whose work throws (a spec
// that slipped past validation, a bug that only one object triggers) has its writes undone, is
// logged with its IDs and dropped, and the other items of the batch still commit. One bad object
// never wedges a loop for every other object.

import type { Logger } from 'pino';
import { NotLeaderError, ProposalDroppedError } from '../../api/errors.js';
import { StoreError, StoreInvariantError, TxClosedError } from '../store/errors.js';
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
    if (
      (e instanceof StoreError && !(e instanceof StoreInvariantError)) ||
      e instanceof NotLeaderError ||
      e instanceof ProposalDroppedError
    ) {
      logger.debug({ err: e, code: e.code }, `${what}: write refused; will retry`);
      return false;
    }
    throw e;
  }
}

type Ids = Readonly<Record<string, unknown>>;

/**
 * Runs `fn` inside `tx` as one unit: if it throws, its writes are undone, the failure is logged
 * (error level, with `ids` naming the object; a function is called only then) and undefined
 * returned; the transaction goes on.
 */
export function isolated<R>(
  tx: WriteTx,
  logger: Logger,
  what: string,
  ids: Ids | (() => Ids),
  fn: () => R,
): R | undefined {
  try {
    return tx.attempt(fn);
  } catch (e: unknown) {
    if (e instanceof TxClosedError) throw e;
    const named = typeof ids === 'function' ? ids() : ids;
    logger.error(
      { ...named, err: e },
      `${what}: failed on this object; skipped it, going on with the others`,
    );
    return undefined;
  }
}

/** What `writeEach` did with the items. */
export interface EachOutcome<T, R> {
  /** Items whose transaction committed, with what `fn` returned (failed items are left out). */
  readonly committed: { readonly item: T; readonly result: R }[];
  /** Items whose transaction the store refused (retry them later). */
  readonly refused: T[];
}

export interface EachOptions<T> {
  /** Most items per transaction (default MAX_WRITES_PER_TX). */
  readonly perTx?: number;
  /** Stop adding items to a transaction once it holds this many writes (default MAX_WRITES_PER_TX). */
  readonly writesPerTx?: number;
  /** The IDs logged when the item fails (default: none). */
  readonly describe?: (item: T) => Ids;
}

/**
 * Applies `fn` to every item, each isolated (see `isolated`), in transactions of at most
 * `perTx` items that stop taking items once they hold `writesPerTx` writes (an item that writes
 * a lot closes its transaction, so one Raft entry stays bounded). An item for which `fn`
 * returns undefined (or throws) yields no result.
 */
export async function writeEach<T, R>(
  store: MemoryStore,
  logger: Logger,
  what: string,
  items: readonly T[],
  fn: (tx: WriteTx, item: T) => R | undefined,
  o: EachOptions<T> = {},
): Promise<EachOutcome<T, R>> {
  const perTx = Math.max(1, o.perTx ?? MAX_WRITES_PER_TX);
  const writesPerTx = Math.max(1, o.writesPerTx ?? MAX_WRITES_PER_TX);
  const describe = o.describe ?? ((): Ids => ({}));
  const outcome: EachOutcome<T, R> = { committed: [], refused: [] };
  let next = 0;
  while (next < items.length) {
    const start = next;
    let taken = 0;
    const results: { item: T; result: R }[] = [];
    const ok = await tryUpdate(store, logger, what, (tx) => {
      while (start + taken < items.length && taken < perTx && (taken === 0 || tx.writes < writesPerTx)) {
        const item = items[start + taken]!;
        taken++;
        const result = isolated(
          tx,
          logger,
          what,
          () => describe(item),
          () => fn(tx, item),
        );
        if (result !== undefined) results.push({ item, result });
      }
    });
    // A callback that threw outside every item (a closed tx) takes at least one item, so this
    // always moves on.
    next = start + Math.max(1, taken);
    if (ok) for (const r of results) outcome.committed.push(r);
    else for (let i = start; i < next; i++) outcome.refused.push(items[i]!);
  }
  return outcome;
}

/**
 * Applies `fn` to every item, `perTx` items per transaction, each isolated. Resolves with the
 * items whose transaction was refused (the caller retries them later).
 */
export async function updateInBatches<T>(
  store: MemoryStore,
  logger: Logger,
  what: string,
  items: readonly T[],
  fn: (tx: WriteTx, item: T) => void,
  perTx = MAX_WRITES_PER_TX,
  describe?: (item: T) => Ids,
): Promise<T[]> {
  const { refused } = await writeEach(
    store,
    logger,
    what,
    items,
    (tx, item) => {
      fn(tx, item);
      return true;
    },
    { perTx, writesPerTx: Number.MAX_SAFE_INTEGER, ...(describe === undefined ? {} : { describe }) },
  );
  return refused;
}
