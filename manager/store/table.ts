// One table: objects by ID plus its secondary indexes, maintained incrementally on every
// insert and delete (a change touches only the keys of the object that changed).

import type { IndexDef } from './indexes.js';
import { StoreInvariantError } from './errors.js';
import type { StoredObjectBase, TableName } from '../../api/objects/index.js';

/** One secondary index: key → IDs of the objects with that key. */
export class SecondaryIndex<T extends StoredObjectBase> {
  readonly name: string;
  readonly def: IndexDef<T>;
  readonly #ids = new Map<string, Set<string>>();

  constructor(name: string, def: IndexDef<T>) {
    this.name = name;
    this.def = def;
  }

  get unique(): boolean {
    return this.def.unique;
  }

  /** The key an object is filed under, or undefined if it is not in this index. */
  keyOf(obj: T): string | undefined {
    const value = this.def.value(obj);
    return value === undefined ? undefined : this.normalize(value);
  }

  /** Turns a query value into a key (e.g. lower-cases names). */
  normalize(value: string): string {
    return this.def.normalize === undefined ? value : this.def.normalize(value);
  }

  /** IDs filed under `key` (live: do not hold across changes). */
  ids(key: string): ReadonlySet<string> | undefined {
    return this.#ids.get(key);
  }

  /** For unique indexes: the ID holding `key`, if any. */
  owner(key: string): string | undefined {
    const ids = this.#ids.get(key);
    if (ids === undefined) return undefined;
    for (const id of ids) return id;
    return undefined;
  }

  count(key: string): number {
    return this.#ids.get(key)?.size ?? 0;
  }

  add(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    let ids = this.#ids.get(key);
    if (ids === undefined) {
      ids = new Set();
      this.#ids.set(key, ids);
    } else if (this.unique && ids.size > 0) {
      throw new StoreInvariantError(`unique index ${this.name} already holds key ${key}`);
    }
    ids.add(obj.id);
  }

  remove(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    const ids = this.#ids.get(key);
    if (ids === undefined || !ids.delete(obj.id)) {
      throw new StoreInvariantError(`index ${this.name} lost ${obj.id} under key ${key}`);
    }
    if (ids.size === 0) this.#ids.delete(key);
  }
}

export class Table<T extends StoredObjectBase> {
  readonly name: TableName;
  readonly #rows = new Map<string, T>();
  readonly #indexes = new Map<string, SecondaryIndex<T>>();
  readonly #unique: SecondaryIndex<T>[] = [];

  constructor(name: TableName, defs: Readonly<Record<string, IndexDef<T>>>) {
    this.name = name;
    for (const [indexName, def] of Object.entries(defs)) {
      const index = new SecondaryIndex(indexName, def);
      this.#indexes.set(indexName, index);
      if (def.unique) this.#unique.push(index);
    }
  }

  get size(): number {
    return this.#rows.size;
  }

  get(id: string): T | undefined {
    return this.#rows.get(id);
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  values(): IterableIterator<T> {
    return this.#rows.values();
  }

  index(name: string): SecondaryIndex<T> {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new StoreInvariantError(`table ${this.name} has no index ${name}`);
    return index;
  }

  /** The unique indexes, checked before every create and update. */
  uniqueIndexes(): readonly SecondaryIndex<T>[] {
    return this.#unique;
  }

  /** Objects whose `index` key is `query` (normalized as the index does). Unordered. */
  find(index: string, query: string): T[] {
    const ids = this.index(index).ids(this.index(index).normalize(query));
    const out: T[] = [];
    if (ids === undefined) return out;
    for (const id of ids) out.push(this.#rows.get(id)!);
    return out;
  }

  /** Adds a new object. The caller has checked that its ID and unique keys are free. */
  insert(obj: T): void {
    if (this.#rows.has(obj.id)) throw new StoreInvariantError(`${this.name} already holds ${obj.id}`);
    const added: SecondaryIndex<T>[] = [];
    try {
      for (const index of this.#indexes.values()) {
        index.add(obj);
        added.push(index);
      }
    } catch (e: unknown) {
      // All or nothing: an index that refuses the object leaves no trace of it in the others.
      for (const index of added) index.remove(obj);
      throw e;
    }
    this.#rows.set(obj.id, obj);
  }

  /** Removes an object and returns it. The caller has checked that it exists. */
  delete(id: string): T {
    const obj = this.#rows.get(id);
    if (obj === undefined) throw new StoreInvariantError(`${this.name} does not hold ${id}`);
    for (const index of this.#indexes.values()) index.remove(obj);
    this.#rows.delete(id);
    return obj;
  }
}
