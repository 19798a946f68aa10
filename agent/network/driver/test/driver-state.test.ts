import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EMPTY_STATE, FileStateStore, type DriverStateData } from '../driver-state.js';
import { DriverError } from '../errors.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-driver-state-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('no file yet: empty state', async () => {
  assert.deepEqual(await new FileStateStore(join(dir, 'none', 'state.json')).load(), EMPTY_STATE);
});

test('saves and loads networks and endpoints', async () => {
  const store = new FileStateStore(join(dir, 'sub', 'state.json'));
  const state: DriverStateData = {
    version: 1,
    networks: [
      {
        kind: 'overlay',
        dockerId: 'd1',
        subnet: '10.0.1.0/24',
        gateway: '10.0.1.1',
        clusterId: 'c1',
        vni: 4097,
        internal: false,
      },
      { kind: 'gateway', dockerId: 'd2', subnet: '172.18.0.0/16', gateway: '172.18.0.1' },
    ],
    endpoints: [{ id: 'e1', networkDockerId: 'd1', address: '10.0.1.5/24', mac: '02:42:0a:00:01:05' }],
  };
  await store.save(state);
  assert.deepEqual(await store.load(), state);
});

test('a damaged file is refused with a message naming it', async () => {
  const path = join(dir, 'bad.json');
  await writeFile(path, '{"version":1,');
  await assert.rejects(
    new FileStateStore(path).load(),
    (e: unknown) => e instanceof DriverError && e.code === 'DRIVER_STATE' && e.message.includes(path),
  );
  await writeFile(path, '{"version":2}');
  await assert.rejects(new FileStateStore(path).load(), DriverError);
});
