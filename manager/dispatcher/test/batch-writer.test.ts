import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createLocalStore, MemoryStore } from '../../store/index.js';
import { newNode, ReplicatingProposer } from '../../store/test/fixtures.js';
import { BatchWriter } from '../batch-writer.js';

const logger = pino({ level: 'silent' });

test('submissions made while a transaction is in flight share the next one', async () => {
  const proposer = new ReplicatingProposer(true);
  const store = new MemoryStore(proposer);
  proposer.replicas.push(store);
  const seen: number[][] = [];
  const writer = new BatchWriter<number, number>({
    store,
    logger,
    apply: (tx, items) => {
      seen.push([...items]);
      tx.create('nodes', newNode(`n${items.join('-')}`));
      return items.map((i) => i * 10);
    },
  });
  const first = writer.submit([1]);
  const rest = [writer.submit([2]), writer.submit([3, 4])];
  proposer.flush();
  assert.deepEqual(await first, [10]);
  await Promise.resolve();
  proposer.flush();
  assert.deepEqual(await Promise.all(rest), [[20], [30, 40]]);
  assert.deepEqual(seen, [[1], [2, 3, 4]]);
  assert.equal(writer.transactions, 2);
});

test('a batch refused for a conflict is rebuilt and retried', async () => {
  const proposer = new ReplicatingProposer(true);
  const store = new MemoryStore(proposer);
  proposer.replicas.push(store);
  const createNode = store.update((tx) => tx.create('nodes', newNode('n1')));
  proposer.flush();
  await createNode;
  const writer = new BatchWriter<string, string>({
    store,
    logger,
    apply: (tx, items) => {
      const n = tx.get('nodes', 'n1');
      if (n === undefined) throw new Error('missing');
      tx.update('nodes', { ...n, spec: { ...n.spec, labels: { ...n.spec.labels, [items[0] ?? 'x']: 'y' } } });
      return ['ok'];
    },
  });
  // Another writer's change of the same node commits first: the batch, built on the same
  // version, is refused at apply.
  const other = store.update((tx) => {
    const n = tx.get('nodes', 'n1');
    if (n !== undefined) tx.update('nodes', { ...n, spec: { ...n.spec, availability: 'drain' } });
  });
  const mine = writer.submit(['a']);
  assert.equal(proposer.pending, 2);
  proposer.flush();
  assert.equal(proposer.pending, 0);
  await other;
  for (let i = 0; i < 20 && proposer.pending < 1; i++) await Promise.resolve();
  assert.equal(proposer.pending, 1);
  proposer.flush();
  assert.deepEqual(await mine, ['ok']);
  const node = store.view((tx) => tx.get('nodes', 'n1'));
  assert.equal(node?.spec.availability, 'drain');
  assert.equal(node?.spec.labels['a'], 'y');
  assert.equal(writer.transactions, 2);
});

test('close fails what is queued and what comes later', async () => {
  const store = createLocalStore();
  const writer = new BatchWriter<number, number>({ store, logger, apply: (_tx, items) => [...items] });
  writer.close(new Error('stopped'));
  await assert.rejects(writer.submit([1]), /stopped/);
  assert.deepEqual(
    await new BatchWriter<number, number>({ store, logger, apply: (_tx, i) => [...i] }).submit([]),
    [],
  );
});
