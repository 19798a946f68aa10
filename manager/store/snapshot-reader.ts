// What decoding a snapshot of either version shares: reading lines, and admitting each object
// into fresh tables with the checks a command's object gets (see snapshot.ts for what is
// refused whole and what is skipped).

import { MalformedSnapshotError } from './errors.js';
import { freezeWithin } from './freeze.js';
import { isTableName, type StoredObject } from '../../api/objects/index.js';
import { checkObject, isRecord, isValidId, MAX_DEPTH, rememberChecked } from '../../api/objects/shape.js';
import { Tables } from './tables.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Calls `fn` with each line of `data` from `start` on (the last may lack its newline), parsed,
 * with its number and length in bytes.
 */
export function forEachLine(
  data: Uint8Array,
  start: number,
  firstLineNo: number,
  fn: (value: unknown, lineNo: number, bytes: number) => void,
): number {
  let lineNo = firstLineNo - 1;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    lineNo++;
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(data.subarray(start, end)));
    } catch {
      throw new MalformedSnapshotError(`line ${lineNo} is not UTF-8 JSON`);
    }
    const bytes = end - start;
    start = end + 1;
    fn(value, lineNo, bytes);
  }
  return lineNo;
}

/** A line of a snapshot that was left out, and why. */
export interface SkippedLine {
  readonly line: number;
  readonly table: string;
  /** The object's ID when it has a printable one. */
  readonly id: string | undefined;
  readonly reason: string;
}

export interface DecodedSnapshot {
  /** The applied index the snapshot was taken at. */
  readonly index: number;
  readonly tables: Tables;
  /** Objects left out (see snapshot.ts); empty for a snapshot this version wrote. */
  readonly skipped: readonly SkippedLine[];
}

/** Most skipped lines listed one by one (the rest are only counted). */
const MAX_SKIPS_LISTED = 100;

function printableId(obj: unknown): string | undefined {
  const id = isRecord(obj) ? obj['id'] : undefined;
  return isValidId(id) ? id : undefined;
}

/** The header's index: an integer >= 0. */
export function headerIndex(header: Record<string, unknown>): number {
  const index = header['index'];
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw new MalformedSnapshotError('header index must be an integer >= 0');
  }
  return index as number;
}

/** Fills fresh tables with the objects of one snapshot taken at `index`. */
export class SnapshotReader {
  readonly #index: number;
  readonly #tables = new Tables();
  readonly #skipped: SkippedLine[] = [];
  #unlisted = 0;
  #lastLine = 1;

  constructor(index: number) {
    this.#index = index;
  }

  /**
   * Admits object `obj` of table `name` (line `lineNo`), or skips it with the reason. `known`:
   * values in it that are frozen already, with their depth (see freezeWithin).
   */
  admit(name: string, obj: unknown, lineNo: number, known?: ReadonlyMap<object, number>): void {
    this.#lastLine = lineNo;
    if (!isTableName(name)) return this.#skip(lineNo, name.slice(0, 64), obj, 'no such table');
    const table = this.#tables.any(name);
    const problem = checkObject(table.name, obj);
    if (problem !== undefined) return this.#skip(lineNo, name, obj, problem);
    if (!freezeWithin(obj, MAX_DEPTH, known)) {
      return this.#skip(lineNo, name, obj, `nested deeper than ${MAX_DEPTH} levels`);
    }
    const stored = obj as StoredObject;
    if (stored.meta.version < 1 || stored.meta.version > this.#index) {
      return this.#skip(lineNo, name, obj, `version ${stored.meta.version} outside 1..${this.#index}`);
    }
    if (table.has(stored.id)) return this.#skip(lineNo, name, obj, `duplicate ${table.name}/${stored.id}`);
    const taken = table.uniqueIndexes().find((unique) => {
      const key = unique.keyOf(stored);
      return key !== undefined && unique.owner(key) !== undefined;
    });
    if (taken !== undefined) {
      return this.#skip(lineNo, name, obj, `duplicate ${table.name} ${taken.name} ${taken.keyOf(stored)}`);
    }
    table.insert(stored);
    // Checked whole above: a later write holding the table's spec need not check it again.
    rememberChecked(table.name, table.get(stored.id)!);
  }

  #skip(line: number, table: string, obj: unknown, reason: string): void {
    if (this.#skipped.length < MAX_SKIPS_LISTED)
      this.#skipped.push({ line, table, id: printableId(obj), reason });
    else this.#unlisted++;
  }

  finish(): DecodedSnapshot {
    const skipped = [...this.#skipped];
    if (this.#unlisted > 0) {
      const reason = `and ${this.#unlisted} more lines skipped`;
      skipped.push({ line: this.#lastLine, table: '', id: undefined, reason });
    }
    return { index: this.#index, tables: this.#tables, skipped };
  }
}
