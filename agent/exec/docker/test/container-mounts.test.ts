// The engine mounts and swap settings a task's container is created with, as dockerd's swarm
// executor builds them: every mount option the spec keeps reaches the engine, swap only under a
// memory limit.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mount, Task } from '../../../../api/objects/index.js';
import { makeTask } from '../../test/task-fixture.js';
import { containerCreateOptions } from '../container-config.js';

const NONE = { networkMode: 'none', endpoints: [] };

function mountsOf(mounts: Mount[]): unknown {
  return containerCreateOptions(makeTask({ container: { mounts } }), NONE).HostConfig?.Mounts;
}

test('bind flags, Consistency, a volume Subpath and tmpfs Options reach the engine mount', () => {
  assert.deepEqual(
    mountsOf([
      {
        type: 'bind',
        source: '/srv/data',
        target: '/data',
        readOnly: true,
        consistency: 'cached',
        bindOptions: {
          propagation: 'rslave',
          nonRecursive: true,
          createMountpoint: true,
          readOnlyNonRecursive: true,
        },
      },
      {
        type: 'volume',
        source: 'vol',
        target: '/v',
        readOnly: false,
        volumeOptions: { noCopy: false, labels: { a: 'b' }, subpath: 'dir/sub' },
      },
      {
        type: 'tmpfs',
        target: '/t',
        readOnly: false,
        tmpfsOptions: { sizeBytes: 1 << 20, mode: 0o1777, options: [['noexec'], ['exec', '']] },
      },
    ]),
    [
      {
        Type: 'bind',
        Source: '/srv/data',
        Target: '/data',
        ReadOnly: true,
        Consistency: 'cached',
        BindOptions: {
          Propagation: 'rslave',
          NonRecursive: true,
          CreateMountpoint: true,
          ReadOnlyNonRecursive: true,
        },
      },
      {
        Type: 'volume',
        Source: 'vol',
        Target: '/v',
        ReadOnly: false,
        VolumeOptions: {
          NoCopy: false,
          Labels: { a: 'b' },
          DriverConfig: { Name: '', Options: {} },
          Subpath: 'dir/sub',
        },
      },
      {
        Type: 'tmpfs',
        Source: '',
        Target: '/t',
        ReadOnly: false,
        TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777, Options: [['noexec'], ['exec', '']] },
      },
    ],
  );
});

test('a mount stored before the new fields existed reaches the engine as before', () => {
  assert.deepEqual(
    mountsOf([
      { type: 'bind', source: '/a', target: '/b', readOnly: false, bindOptions: { propagation: 'rprivate' } },
      { type: 'tmpfs', target: '/t', readOnly: false, tmpfsOptions: { sizeBytes: 0, mode: 0 } },
    ]),
    [
      { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: false, BindOptions: { Propagation: 'rprivate' } },
      { Type: 'tmpfs', Source: '', Target: '/t', ReadOnly: false, TmpfsOptions: { SizeBytes: 0, Mode: 0 } },
    ],
  );
});

function swapOf(resources: Task['spec']['resources']): { swap?: number; swappiness?: number } {
  const hc = containerCreateOptions(makeTask({ spec: { resources } }), NONE).HostConfig ?? {};
  const out: { swap?: number; swappiness?: number } = {};
  if (hc.MemorySwap !== undefined) out.swap = hc.MemorySwap;
  if (hc.MemorySwappiness !== undefined) out.swappiness = hc.MemorySwappiness;
  return out;
}

test("swap is the engine's memory plus swap, -1 unlimited, and only under a memory limit", () => {
  const mib = 1 << 20;
  const limits = { nanoCPUs: 0, memoryBytes: 64 * mib, generic: [] };
  assert.deepEqual(swapOf({ limits, swapBytes: 32 * mib }), { swap: 96 * mib });
  assert.deepEqual(swapOf({ limits, swapBytes: 0 }), { swap: 64 * mib });
  assert.deepEqual(swapOf({ limits, swapBytes: -1, memorySwappiness: 10 }), { swap: -1, swappiness: 10 });
  // Without a memory limit swap is not set; without limits at all neither is swappiness.
  const cpuOnly = { nanoCPUs: 1e9, memoryBytes: 0, generic: [] };
  assert.deepEqual(swapOf({ limits: cpuOnly, swapBytes: 5, memorySwappiness: 0 }), { swappiness: 0 });
  assert.deepEqual(swapOf({ memorySwappiness: 60 }), {});
  assert.deepEqual(swapOf({ limits }), {});
});
