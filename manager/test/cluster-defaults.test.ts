// The cluster object `swarm init` makes: the data path port and the task defaults given, or
// Docker's defaults (port 4789, no default log driver).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RootCA } from '../../ca/root-ca.js';
import { DEFAULT_DATA_PATH_PORT, newClusterObject } from '../cluster-defaults.js';
import { checkInitRequest } from '../controlapi/index.js';

const CA = { certPem: 'pem', keyPem: 'key', digest: `sha256:${'0'.repeat(64)}` } as unknown as RootCA;

test('init keeps the data path port and the default log driver it was given', () => {
  const c = newClusterObject('c', CA, {
    dataPathPort: 7789,
    taskDefaults: { logDriver: { name: 'local', options: { 'max-file': '3' } } },
  });
  assert.equal(c.dataPathPort, 7789);
  assert.deepEqual(c.spec.taskDefaults, { logDriver: { name: 'local', options: { 'max-file': '3' } } });
  const plain = newClusterObject('c', CA);
  assert.equal(plain.dataPathPort, DEFAULT_DATA_PATH_PORT);
  assert.equal(plain.spec.taskDefaults, undefined);
});

test("the init request's bounds: Docker's port range, the log driver's name and options", () => {
  const init = (spec: NonNullable<Parameters<typeof checkInitRequest>[0]['spec']>): void =>
    checkInitRequest({ listenAddr: '0.0.0.0:2377', forceNewCluster: false, spec });
  for (const port of [1024, 4789, 49151]) init({ dataPathPort: port });
  for (const port of [0, 1023, 49152, 65535]) {
    assert.throws(
      () => init({ dataPathPort: port }),
      (e: { message?: string }) =>
        e.message === `Datapath port number is not in valid range (1024-49151) : ${port}`,
    );
  }
  assert.throws(
    () => init({ taskDefaults: { logDriver: { name: 'x'.repeat(100_000), options: {} } } }),
    (e: { message?: string }) => /TaskDefaults: LogDriver\.Name/.test(e.message ?? ''),
  );
});
