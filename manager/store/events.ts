// What the watch queue publishes: one event per changed object, then one commit event per
// applied transaction (or restored snapshot).

import type { ObjectOf, TableName } from '../../api/objects/index.js';

export type ChangeAction = 'create' | 'update' | 'delete';

type ChangeEventOf<K extends TableName> =
  | { readonly action: 'create'; readonly table: K; readonly object: ObjectOf<K> }
  | {
      readonly action: 'update';
      readonly table: K;
      readonly object: ObjectOf<K>;
      /** The object as it was before this transaction. */
      readonly oldObject: ObjectOf<K>;
    }
  | {
      readonly action: 'delete';
      readonly table: K;
      /** The object as it was when deleted. */
      readonly object: ObjectOf<K>;
    };

/** A change to one object; narrowing on `table` narrows `object`. */
export type ChangeEvent = { [K in TableName]: ChangeEventOf<K> }[TableName];

/** Closes the changes of one transaction: everything up to Raft index `index` has been applied. */
export interface CommitEvent {
  readonly action: 'commit';
  readonly index: number;
}

export type StoreEvent = ChangeEvent | CommitEvent;
