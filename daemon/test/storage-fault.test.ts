import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  StorageCorruptError,
  StorageFailedError,
  StorageLockedError,
  StorageWritesLostError,
} from '../../manager/raft/driver/storage-errors.js';
import {
  EXIT_STORAGE_FAILED,
  EXIT_STORE_REFUSED,
  StartRefusedError,
  startupStorageFault,
} from '../storage-fault.js';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: failed, write`), { code });
}

const cases: ReadonlyArray<{ name: string; error: unknown; exit: number | undefined; says?: RegExp }> = [
  {
    name: 'a log that lost acknowledged writes is refused for good, naming the store and the remedy',
    error: new StorageWritesLostError(
      '/var/lib/shoal/swarm/raft',
      '/var/lib/shoal/swarm/raft/SHOAL-WATERMARK',
      'ends at 7, mark 9',
    ),
    exit: EXIT_STORE_REFUSED,
    says: /refusing to start: raft storage at \/var\/lib\/shoal\/swarm\/raft has lost writes.*delete the `swarm` folder.*\(here: rm -rf \/var\/lib\/shoal\/swarm\)$/,
  },
  {
    name: 'a corrupt store, wrapped by the manager start, is refused for good',
    error: new Error('manager start failed', {
      cause: new StorageCorruptError('/d/swarm/raft', 'bad record'),
    }),
    exit: EXIT_STORE_REFUSED,
  },
  {
    name: 'a failed write exits to be restarted',
    error: new StorageFailedError('/d/swarm/raft', errno('ENOSPC')),
    exit: EXIT_STORAGE_FAILED,
    says: /disk fails writes.*restarts shoald/,
  },
  {
    name: 'ENOSPC from opening LevelDB exits to be restarted',
    error: errno('ENOSPC'),
    exit: EXIT_STORAGE_FAILED,
  },
  {
    name: 'a read-only disk exits to be restarted',
    error: new Error('open', { cause: errno('EROFS') }),
    exit: EXIT_STORAGE_FAILED,
  },
  { name: 'EIO exits to be restarted', error: errno('EIO'), exit: EXIT_STORAGE_FAILED },
  {
    name: 'a store held by another process keeps the API up',
    error: new StorageLockedError('/d', new Error('LOCK')),
    exit: undefined,
  },
  { name: 'an unreachable manager keeps the API up', error: errno('ECONNREFUSED'), exit: undefined },
  { name: 'a thrown string keeps the API up', error: 'nope', exit: undefined },
];

for (const c of cases) {
  test(c.name, () => {
    const refused = startupStorageFault(c.error, '/var/lib/shoal/swarm');
    if (c.exit === undefined) {
      assert.equal(refused, undefined);
      return;
    }
    assert.ok(refused instanceof StartRefusedError);
    assert.equal(refused.exitCode, c.exit);
    if (c.says) assert.match(refused.message, c.says);
  });
}

test('a cause chain that loops ends', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(startupStorageFault(a), undefined);
});
