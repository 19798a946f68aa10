// Mount options and swap: refused with 400 and the engine's (or dockerd's) words before anything
// is proposed, bounded by limits.ts, and accepted at their limits.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mount, ServiceSpec } from '../../store/index.js';
import { taskSpec } from '../../store/test/fixtures.js';
import { checkServiceSpec, Refusal } from '../index.js';
import { isLocalPath } from '../mount-checks.js';
import {
  MAX_PATH_BYTES,
  MAX_SHORT_STRING_BYTES,
  MAX_TMPFS_OPTION_STRINGS,
  MAX_TMPFS_OPTIONS,
} from '../limits.js';

const MIB = 1024 * 1024;

function spec(change: (s: ServiceSpec) => void): ServiceSpec {
  const s: ServiceSpec = {
    name: 'web',
    labels: {},
    taskTemplate: taskSpec('busybox'),
    mode: { kind: 'replicated', replicas: 1 },
  };
  change(s);
  return s;
}

const withMount = (m: Mount) => (s: ServiceSpec) => void (s.taskTemplate.containerSpec.mounts = [m]);
const bind = (readOnly: boolean, flags: Partial<NonNullable<Mount['bindOptions']>>): Mount => ({
  type: 'bind',
  source: '/srv',
  target: '/data',
  readOnly,
  bindOptions: { propagation: 'rprivate', ...flags },
});
const volume = (source: string | undefined, subpath: string): Mount => ({
  type: 'volume',
  ...(source === undefined ? {} : { source }),
  target: '/v',
  readOnly: false,
  volumeOptions: { noCopy: false, labels: {}, subpath },
});
const tmpfs = (options: string[][]): Mount => ({
  type: 'tmpfs',
  target: '/t',
  readOnly: false,
  tmpfsOptions: { sizeBytes: 0, mode: 0, options },
});

/** [what, change, exact message (dockerd's own words, not wrapped in gRPC's)]. */
const REFUSED: [string, (s: ServiceSpec) => void, string][] = [
  [
    'ReadOnlyNonRecursive on a writable mount',
    withMount(bind(false, { readOnlyNonRecursive: true })),
    'mount options conflict: !ReadOnly && BindOptions.ReadOnlyNonRecursive',
  ],
  [
    'ReadOnlyForceRecursive on a writable mount',
    withMount(bind(false, { readOnlyForceRecursive: true })),
    'mount options conflict: !ReadOnly && BindOptions.ReadOnlyForceRecursive',
  ],
  [
    'both read-only recursions',
    withMount(bind(true, { readOnlyNonRecursive: true, readOnlyForceRecursive: true })),
    'mount options conflict: ReadOnlyNonRecursive && BindOptions.ReadOnlyForceRecursive',
  ],
  [
    'bind options on a volume',
    withMount({ ...volume('v', 'a'), bindOptions: { propagation: 'rprivate' } }),
    'invalid mount config for type "volume": field BindOptions must not be specified',
  ],
  [
    'volume options on a tmpfs',
    withMount({ ...tmpfs([]), volumeOptions: { noCopy: true, labels: {} } }),
    'invalid mount config for type "tmpfs": field VolumeOptions must not be specified',
  ],
  [
    'tmpfs options on a bind',
    withMount({ ...bind(false, {}), tmpfsOptions: { sizeBytes: 1, mode: 0 } }),
    'invalid mount config for type "bind": field TmpfsOptions must not be specified',
  ],
  [
    'a subpath of an anonymous volume',
    withMount(volume(undefined, 'a')),
    'invalid mount config for type "volume": must not set Subpath when using anonymous volumes',
  ],
  [
    'a subpath escaping the volume',
    withMount(volume('v', 'a/../../etc')),
    'invalid mount config for type "volume": subpath must be a relative path within the volume',
  ],
  [
    'an absolute subpath',
    withMount(volume('v', '/etc')),
    'invalid mount config for type "volume": subpath must be a relative path within the volume',
  ],
  [
    'a tmpfs option the engine does not pass on',
    withMount(tmpfs([['noexec'], ['uid', '0']])),
    'invalid mount config for type "tmpfs": invalid option: uid',
  ],
  [
    'an empty tmpfs option',
    withMount(tmpfs([[]])),
    'invalid mount config for type "tmpfs": invalid option array length',
  ],
  [
    'a tmpfs option of three strings',
    withMount(tmpfs([['exec', 'a', 'b']])),
    'invalid mount config for type "tmpfs": invalid option array length',
  ],
  [
    'swap without a memory limit',
    (s) => void (s.taskTemplate.resources = { swapBytes: MIB }),
    'memory swap provided, but no memory-limit was set',
  ],
  [
    'swap with a CPU limit only',
    (s) =>
      void (s.taskTemplate.resources = {
        limits: { nanoCPUs: 1e9, memoryBytes: 0, generic: [] },
        swapBytes: 0,
      }),
    'memory swap provided, but no memory-limit was set',
  ],
  [
    'a swappiness above 100',
    (s) => void (s.taskTemplate.resources = { memorySwappiness: 101 }),
    'Invalid value: 101, valid memory swappiness range is 0-100',
  ],
  [
    'a swappiness below -1',
    (s) => void (s.taskTemplate.resources = { memorySwappiness: -2 }),
    'Invalid value: -2, valid memory swappiness range is 0-100',
  ],
];

/** [what, change, message]: shoal's own bounds (limits.ts), with swarmkit's gRPC wording. */
const OVER_LIMITS: [string, (s: ServiceSpec) => void, RegExp][] = [
  [
    'a subpath over PATH_MAX',
    withMount(volume('v', 'a'.repeat(MAX_PATH_BYTES + 1))),
    new RegExp(
      `VolumeOptions.Subpath is ${MAX_PATH_BYTES + 1} bytes, more than the limit of ${MAX_PATH_BYTES}$`,
    ),
  ],
  [
    'too many tmpfs options',
    withMount(tmpfs(Array.from({ length: MAX_TMPFS_OPTIONS + 1 }, () => ['noexec']))),
    new RegExp(
      `TmpfsOptions.Options has ${MAX_TMPFS_OPTIONS + 1} entries, more than the limit of ${MAX_TMPFS_OPTIONS}$`,
    ),
  ],
  [
    'a tmpfs option of too many strings',
    withMount(tmpfs([Array.from({ length: MAX_TMPFS_OPTION_STRINGS + 1 }, () => 'exec')])),
    new RegExp(`TmpfsOptions.Options has ${MAX_TMPFS_OPTION_STRINGS + 1} entries`),
  ],
  [
    'a tmpfs option value over its limit',
    withMount(tmpfs([['exec', 'x'.repeat(MAX_SHORT_STRING_BYTES + 1)]])),
    new RegExp(`TmpfsOptions.Options entry is ${MAX_SHORT_STRING_BYTES + 1} bytes`),
  ],
  [
    'a swap below -1',
    (s) =>
      void (s.taskTemplate.resources = {
        limits: { nanoCPUs: 0, memoryBytes: 64 * MIB, generic: [] },
        swapBytes: -2,
      }),
    /Resources: SwapBytes -2 is out of range: it must be between -1 and/,
  ],
  [
    'a swappiness that is no integer',
    (s) => void (s.taskTemplate.resources = { memorySwappiness: 1.5 }),
    /Resources: MemorySwappiness must be an integer$/,
  ],
];

function refusal(change: (s: ServiceSpec) => void): Refusal {
  try {
    checkServiceSpec(spec(change));
  } catch (e: unknown) {
    if (e instanceof Refusal) return e;
    throw e;
  }
  assert.fail('accepted');
}

test("mount options and swap breaking the engine's rules are refused with 400 and its words", () => {
  for (const [what, change, message] of REFUSED) {
    const e = refusal(change);
    assert.equal(e.statusCode, 400, what);
    assert.equal(e.message, message, what);
  }
});

test('mount options and swap beyond their limits are refused with 400', () => {
  for (const [what, change, message] of OVER_LIMITS) {
    const e = refusal(change);
    assert.equal(e.statusCode, 400, what);
    assert.match(
      e.message,
      /^rpc error: code = InvalidArgument desc = ContainerSpec: Mounts|^rpc error: code = InvalidArgument desc = Resources/,
      what,
    );
    assert.match(e.message, message, what);
  }
});

test('mount options and swap within the rules and at their limits are accepted', () => {
  checkServiceSpec(
    spec((s) => {
      s.taskTemplate.containerSpec.mounts = [
        bind(true, { nonRecursive: true, createMountpoint: true, readOnlyNonRecursive: true }),
        { ...bind(true, { readOnlyForceRecursive: true }), target: '/data2', consistency: 'delegated' },
        volume('v', `${'a/'.repeat(MAX_PATH_BYTES / 2 - 1)}b`),
        {
          ...tmpfs(
            Array.from({ length: MAX_TMPFS_OPTIONS }, (_, i) => (i % 2 === 0 ? ['noexec'] : ['exec', ''])),
          ),
        },
      ];
      s.taskTemplate.resources = {
        limits: { nanoCPUs: 0, memoryBytes: 64 * MIB, generic: [] },
        swapBytes: -1,
        memorySwappiness: -1,
      };
    }),
  );
  for (const [swapBytes, memorySwappiness] of [
    [0, 0],
    [Number.MAX_SAFE_INTEGER, 100],
  ] as const) {
    checkServiceSpec(
      spec((s) => {
        s.taskTemplate.resources = {
          limits: { nanoCPUs: 0, memoryBytes: 64 * MIB, generic: [] },
          swapBytes,
          memorySwappiness,
        };
      }),
    );
  }
  // Swappiness alone needs no memory limit (only swap does).
  checkServiceSpec(spec((s) => void (s.taskTemplate.resources = { memorySwappiness: 60 })));
});

test("a subpath is local as Go's filepath.IsLocal says", () => {
  for (const p of ['a', 'a/b', './a', 'a/../b', 'a/..', 'a//b/', '..a', 'a/..b'])
    assert.ok(isLocalPath(p), p);
  for (const p of ['', '/a', '..', '../a', 'a/../..', 'a/../../b', './..', 'a/./../../b']) {
    assert.ok(!isLocalPath(p), p);
  }
});
