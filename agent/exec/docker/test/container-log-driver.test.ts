// The container's log driver, as dockerd's swarm executor picks it: the service's own, else the
// cluster default the task was stamped with when it was created, else the engine's default.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTask } from '../../test/task-fixture.js';
import { containerCreateOptions } from '../container-config.js';

const NONE = { networkMode: 'none', endpoints: [] };
const CLUSTER_DEFAULT = { name: 'json-file', options: { 'max-size': '10m' } };

test("the service's log driver wins over the task's cluster default", () => {
  const t = {
    ...makeTask({ spec: { logDriver: { name: 'syslog', options: { tag: 'web' } } } }),
    logDriver: CLUSTER_DEFAULT,
  };
  assert.deepEqual(containerCreateOptions(t, NONE).HostConfig?.LogConfig, {
    Type: 'syslog',
    Config: { tag: 'web' },
  });
});

test("without one, the cluster default stamped on the task; without either, the engine's", () => {
  const t = { ...makeTask(), logDriver: CLUSTER_DEFAULT };
  assert.deepEqual(containerCreateOptions(t, NONE).HostConfig?.LogConfig, {
    Type: 'json-file',
    Config: { 'max-size': '10m' },
  });
  // A service log driver with no name is none.
  const unnamed = {
    ...makeTask({ spec: { logDriver: { name: '', options: {} } } }),
    logDriver: CLUSTER_DEFAULT,
  };
  assert.equal(containerCreateOptions(unnamed, NONE).HostConfig?.LogConfig?.Type, 'json-file');
  assert.equal(containerCreateOptions(makeTask(), NONE).HostConfig?.LogConfig, undefined);
});
