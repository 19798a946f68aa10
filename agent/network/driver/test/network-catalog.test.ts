import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriverError } from '../errors.js';
import { MapNetworkCatalog, type AttachableNetwork } from '../network-catalog.js';

const net: AttachableNetwork = { id: 'n1', name: 'front', vni: 4097, subnet: '10.0.1.0/24', internal: false };

test('answers a known network at once', async () => {
  const c = new MapNetworkCatalog();
  c.set(net);
  assert.equal(await c.network('n1'), net);
});

test('waits for a network the node has not heard of yet', async () => {
  const c = new MapNetworkCatalog();
  const waiting = c.network('n1');
  c.set(net);
  assert.equal(await waiting, net);
});

test('gives up after its bound', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = new MapNetworkCatalog(5_000);
  const waiting = c.network('n1');
  t.mock.timers.tick(5_000);
  await assert.rejects(
    waiting,
    (e: unknown) => e instanceof DriverError && e.code === 'ATTACH_UNKNOWN_NETWORK',
  );
});

test('stops waiting when the task is cancelled', async () => {
  const c = new MapNetworkCatalog();
  const ac = new AbortController();
  const waiting = c.network('n1', ac.signal);
  ac.abort();
  await assert.rejects(waiting, /cancelled/);
  c.set(net); // a late answer goes nowhere
  assert.equal(c.get('n1'), net);
});
