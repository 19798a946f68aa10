// Small fixtures shared by the table tests of the Raft core's building blocks.

import { NO_LIMIT } from '../../log.js';
import { MemoryStorage } from '../../storage.js';
import { EntryType, type Entry, type RaftId, type Snapshot } from '../../types.js';
import { bytes } from './harness.js';

export function ent(index: number, term: number, data = ''): Entry {
  return { index, term, type: EntryType.Normal, data: bytes(data) };
}

export function ids(es: readonly Entry[]): string[] {
  return es.map((e) => `${e.index}:${e.term}`);
}

export function snapshot(index: number, term: number, voters: RaftId[] = [1, 2, 3]): Snapshot {
  return { metadata: { index, term, confState: { voters, learners: [] } }, data: new Uint8Array(0) };
}

/** A MemoryStorage holding (3,3) as its snapshot point and entries 4:4, 5:5 (etcd's fixture). */
export function storage345(): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot(snapshot(3, 3));
  s.append([ent(4, 4), ent(5, 5)]);
  return s;
}

export function storedIds(s: MemoryStorage): string[] {
  const out = [`${s.firstIndex() - 1}:${s.term(s.firstIndex() - 1)}`];
  if (s.lastIndex() >= s.firstIndex())
    out.push(...ids(s.entries(s.firstIndex(), s.lastIndex() + 1, NO_LIMIT)));
  return out;
}
