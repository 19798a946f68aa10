// Reading the store. A ReadTx is only valid inside the `view`/`update` callback that received
// it: applies happen between callbacks, never during one, so a callback sees one consistent
// state. Returned objects are deeply frozen and shared; copy before changing.

import { TxClosedError } from './errors.js';
import type { IndexName, NamedTable } from './indexes.js';
import type { ObjectOf, TableName } from '../../api/objects/index.js';
import type { Tables } from './tables.js';

export interface ReadTx {
  /** The object with this ID, or undefined. */
  get<K extends TableName>(table: K, id: string): ObjectOf<K> | undefined;
  /** Every object of the table. Unordered. */
  list<K extends TableName>(table: K): ObjectOf<K>[];
  /**
   * Objects whose `index` key equals `key`, e.g. find('tasks', 'serviceId', id) or
   * find('tasks', 'serviceSlot', serviceSlotKey(id, 3)). Unordered.
   */
  find<K extends TableName>(table: K, index: IndexName<K>, key: string): ObjectOf<K>[];
  /** The object with this name (case-insensitive), or undefined. */
  getByName<K extends NamedTable>(table: K, name: string): ObjectOf<K> | undefined;
  /** Number of objects in the table. */
  count<K extends TableName>(table: K): number;
  /** Number of objects under one key of an index. */
  count<K extends TableName>(table: K, index: IndexName<K>, key: string): number;
}

/** A ReadTx over the committed tables, as handed to `view` callbacks. */
export class TablesReadTx implements ReadTx {
  readonly #tables: Tables;
  #closed = false;

  constructor(tables: Tables) {
    this.#tables = tables;
  }

  close(): void {
    this.#closed = true;
  }

  #open(): Tables {
    if (this.#closed) throw new TxClosedError();
    return this.#tables;
  }

  get<K extends TableName>(table: K, id: string): ObjectOf<K> | undefined {
    return this.#open().get(table).get(id);
  }

  list<K extends TableName>(table: K): ObjectOf<K>[] {
    return [...this.#open().get(table).values()];
  }

  find<K extends TableName>(table: K, index: IndexName<K>, key: string): ObjectOf<K>[] {
    return this.#open().get(table).find(index, key);
  }

  getByName<K extends NamedTable>(table: K, name: string): ObjectOf<K> | undefined {
    return this.#open().get(table).find('name', name)[0];
  }

  count<K extends TableName>(table: K): number;
  count<K extends TableName>(table: K, index: IndexName<K>, key: string): number;
  count<K extends TableName>(table: K, index?: IndexName<K>, key?: string): number {
    const t = this.#open().get(table);
    if (index === undefined || key === undefined) return t.size;
    const idx = t.index(index);
    return idx.count(idx.normalize(key));
  }
}
