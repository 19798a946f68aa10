import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedQueue } from '../keyed-queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('runs operations on one key one after the other, in order', async () => {
  const q = new KeyedQueue();
  const log: string[] = [];
  const g = gate();
  const first = q.run('a', async () => {
    log.push('first starts');
    await g.promise;
    log.push('first ends');
  });
  const second = q.run('a', () => {
    log.push('second');
    return Promise.resolve(2);
  });
  await Promise.resolve();
  assert.deepEqual(log, ['first starts']);
  g.open();
  assert.equal(await second, 2);
  await first;
  assert.deepEqual(log, ['first starts', 'first ends', 'second']);
  await Promise.resolve();
  assert.equal(q.busy, 0);
});

test('runs different keys side by side', async () => {
  const q = new KeyedQueue();
  const g = gate();
  const blocked = q.run('a', () => g.promise);
  assert.equal(await q.run('b', () => Promise.resolve('b done')), 'b done');
  g.open();
  await blocked;
});

test('a failed operation rejects its caller and does not block the next', async () => {
  const q = new KeyedQueue();
  await assert.rejects(
    q.run('a', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await q.run('a', () => Promise.resolve('next')), 'next');
});
