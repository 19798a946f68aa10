// The set of all tables of one store state. Replaced wholesale by a snapshot restore.

import { INDEXES, type IndexDef } from './indexes.js';
import { TABLE_NAMES, type ObjectOf, type StoredObject, type TableName } from '../../api/objects/index.js';
import { SHARED_FIELDS, type SharedFieldDef } from './shared-parts.js';
import { Table } from './table.js';

export class Tables {
  readonly #tables = new Map<TableName, Table<StoredObject>>();

  constructor() {
    for (const name of TABLE_NAMES) {
      const defs = INDEXES[name] as Readonly<Record<string, IndexDef<StoredObject>>>;
      const shared = SHARED_FIELDS[name] as readonly SharedFieldDef<StoredObject>[];
      this.#tables.set(name, new Table<StoredObject>(name, defs, shared));
    }
  }

  /** The table `name`, typed by what it holds. */
  get<K extends TableName>(name: K): Table<ObjectOf<K>> {
    return this.any(name) as unknown as Table<ObjectOf<K>>;
  }

  /** The table `name` as a table of any stored object (for code generic over tables). */
  any(name: TableName): Table<StoredObject> {
    const table = this.#tables.get(name);
    if (table === undefined) throw new RangeError(`unknown table ${String(name)}`);
    return table;
  }

  /** Total number of objects over all tables. */
  get size(): number {
    let n = 0;
    for (const table of this.#tables.values()) n += table.size;
    return n;
  }
}
