// Public API of the replicated object store.

export { createLocalStore, LocalProposer } from './local-proposer.js';
export { MemoryStore, type AppliedTransaction, type ApplyResult, type MemoryStoreOptions } from './store.js';
export type { Proposer } from './proposer.js';
export type { ReadTx } from './read-tx.js';
export type { WriteTx } from './write-tx.js';
export { Watcher, DEFAULT_WATCH_BUFFER, type WatchOptions } from './watch.js';
export type { ChangeAction, ChangeEvent, CommitEvent, StoreEvent } from './events.js';
export { INDEXES, serviceNodeKey, serviceSlotKey, type IndexName, type NamedTable } from './indexes.js';
export { generateId } from '../../api/objects/ids.js';
export * from './errors.js';
export * from '../../api/objects/index.js';
