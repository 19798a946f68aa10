import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterSpec, NodeSpec, ServiceSpec } from '../../store/index.js';
import type { DockerServiceSpec } from '../../../api/docker/service-spec.js';
import { swarmSpecFromStore, swarmSpecToStore } from '../translate/cluster.js';
import { msToNs, nsToMs } from '../translate/duration.js';
import { nodeSpecFromStore, nodeSpecToStore } from '../translate/node.js';
import { serviceSpecFromStore, serviceSpecToStore } from '../translate/service-spec.js';
import { serviceSpecForVersion } from '../translate/api-version-spec.js';
import { API_VERSION } from '../api-version.js';

const container = (
  over: Partial<ServiceSpec['taskTemplate']['containerSpec']> = {},
): ServiceSpec['taskTemplate']['containerSpec'] => ({
  image: 'shoal/busybox:latest',
  labels: {},
  command: [],
  args: [],
  env: [],
  groups: [],
  tty: false,
  openStdin: false,
  readOnly: false,
  mounts: [],
  hosts: [],
  secrets: [],
  configs: [],
  sysctls: {},
  capabilityAdd: [],
  capabilityDrop: [],
  ...over,
});

const task = (over: Partial<ServiceSpec['taskTemplate']> = {}): ServiceSpec['taskTemplate'] => ({
  containerSpec: container(),
  resources: {},
  restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
  placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
  networks: [],
  forceUpdate: 0,
  ...over,
});

const STORE_SPECS: [string, ServiceSpec][] = [
  [
    'minimal replicated',
    { name: 'web', labels: {}, taskTemplate: task(), mode: { kind: 'replicated', replicas: 2 } },
  ],
  ['global', { name: 'agent', labels: { a: 'b' }, taskTemplate: task(), mode: { kind: 'global' } }],
  [
    'replicated job',
    {
      name: 'job',
      labels: {},
      taskTemplate: task(),
      mode: { kind: 'replicatedJob', maxConcurrent: 2, totalCompletions: 6 },
    },
  ],
  ['global job', { name: 'gjob', labels: {}, taskTemplate: task(), mode: { kind: 'globalJob' } }],
  [
    'everything set',
    {
      name: 'full',
      labels: { tier: 'front' },
      taskTemplate: task({
        containerSpec: container({
          labels: { c: 'd' },
          command: ['/bin/sh'],
          args: ['-c', 'sleep 1000'],
          hostname: 'box',
          env: ['A=1', 'B=2'],
          dir: '/work',
          user: 'nobody',
          groups: ['wheel'],
          tty: true,
          openStdin: true,
          readOnly: true,
          mounts: [
            {
              type: 'bind',
              source: '/srv',
              target: '/srv',
              readOnly: true,
              bindOptions: { propagation: 'rshared' },
            },
            {
              type: 'volume',
              source: 'data',
              target: '/data',
              readOnly: false,
              volumeOptions: {
                noCopy: true,
                labels: { v: '1' },
                driverConfig: { name: 'local', options: { o: 'x' } },
              },
            },
            {
              type: 'tmpfs',
              target: '/tmp',
              readOnly: false,
              tmpfsOptions: { sizeBytes: 1 << 20, mode: 0o1777 },
            },
          ],
          stopSignal: 'SIGINT',
          stopGracePeriod: 20_000,
          healthcheck: {
            test: ['CMD', 'true'],
            interval: 1000,
            timeout: 2000,
            startPeriod: 3000,
            retries: 4,
          },
          hosts: ['10.0.0.1 db'],
          dnsConfig: { nameservers: ['1.1.1.1'], search: ['example.org'], options: ['ndots:2'] },
          secrets: [
            { secretId: 's1', secretName: 'pw', file: { name: 'pw', uid: '0', gid: '0', mode: 0o400 } },
          ],
          configs: [
            {
              configId: 'c1',
              configName: 'conf',
              file: { name: '/etc/conf', uid: '1', gid: '1', mode: 0o444 },
            },
          ],
          init: true,
          sysctls: { 'net.core.somaxconn': '1024' },
          capabilityAdd: ['NET_ADMIN'],
          capabilityDrop: ['MKNOD'],
        }),
        resources: {
          limits: { nanoCPUs: 2e9, memoryBytes: 256 << 20, generic: [] },
          reservations: {
            nanoCPUs: 5e8,
            memoryBytes: 64 << 20,
            generic: [
              { kind: 'discrete', resourceKind: 'gpu', value: 2 },
              { kind: 'named', resourceKind: 'ssd', value: 'fast' },
            ],
          },
        },
        restartPolicy: { condition: 'on-failure', delay: 1000, maxAttempts: 3, window: 60_000 },
        placement: {
          constraints: ['node.role==worker'],
          preferences: [{ spread: 'node.labels.zone' }],
          maxReplicas: 2,
          platforms: [{ architecture: 'amd64', os: 'linux' }],
        },
        networks: [{ target: 'net1', aliases: ['web'], driverOpts: { k: 'v' } }],
        logDriver: { name: 'json-file', options: { 'max-size': '1m' } },
        forceUpdate: 7,
      }),
      mode: { kind: 'replicated', replicas: 6 },
      updateConfig: {
        parallelism: 2,
        delay: 10_000,
        failureAction: 'rollback',
        monitor: 5000,
        maxFailureRatio: 0.25,
        order: 'start-first',
      },
      rollbackConfig: {
        parallelism: 1,
        delay: 0,
        failureAction: 'pause',
        monitor: 0,
        maxFailureRatio: 0,
        order: 'stop-first',
      },
      endpointSpec: {
        mode: 'vip',
        ports: [
          { name: 'http', protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
          { protocol: 'udp', targetPort: 53, publishedPort: 0, publishMode: 'host' },
        ],
      },
    },
  ],
];

test('service specs: store -> Docker -> store is the identity', () => {
  for (const [name, spec] of STORE_SPECS) {
    assert.deepEqual(serviceSpecToStore(serviceSpecFromStore(spec), 'unused'), spec, name);
  }
});

test('service specs: Docker specs as the CLI sends them survive Docker -> store -> Docker', () => {
  const table: [string, DockerServiceSpec, DockerServiceSpec][] = [
    [
      'docker service create --replicas 2',
      {
        Name: 'web',
        Labels: {},
        TaskTemplate: {
          ContainerSpec: {
            Image: 'shoal/busybox:latest',
            Args: ['sleep', '1000'],
            Init: false,
            DNSConfig: {},
          },
          Resources: { Limits: {}, Reservations: {} },
          Placement: {},
          ForceUpdate: 0,
        },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: { Mode: 'vip' },
      },
      {
        Name: 'web',
        Labels: {},
        TaskTemplate: {
          ContainerSpec: {
            Image: 'shoal/busybox:latest',
            Args: ['sleep', '1000'],
            Init: false,
            DNSConfig: {},
            // Docker reads Isolation back on every container spec.
            Isolation: 'default',
          },
          Resources: { Limits: {}, Reservations: {} },
          RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
          Placement: {},
          ForceUpdate: 0,
          Runtime: 'container',
        },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: { Mode: 'vip' },
      },
    ],
    [
      'mode defaults: an empty Mode is one replica, a bare ReplicatedJob is 1 of 1',
      { Name: 'j', TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Mode: { ReplicatedJob: {} } },
      {
        Name: 'j',
        Labels: {},
        TaskTemplate: {
          ContainerSpec: { Image: 'busybox', Isolation: 'default' },
          Resources: {},
          RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
          Placement: {},
          ForceUpdate: 0,
          Runtime: 'container',
        },
        Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
      },
    ],
    [
      'deprecated ServiceSpec.Networks move into the task template (API below 1.44)',
      { Name: 'n', TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Networks: [{ Target: 'net1' }] },
      {
        Name: 'n',
        Labels: {},
        TaskTemplate: {
          ContainerSpec: { Image: 'busybox', Isolation: 'default' },
          Resources: {},
          RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
          Placement: {},
          Networks: [{ Target: 'net1' }],
          ForceUpdate: 0,
          Runtime: 'container',
        },
        Mode: { Replicated: { Replicas: 1 } },
      },
    ],
  ];
  for (const [name, input, want] of table) {
    // As the route reads a request at shoal's API version.
    const spec = serviceSpecForVersion(API_VERSION, input);
    assert.deepEqual(serviceSpecFromStore(serviceSpecToStore(spec, 'unused')), want, name);
  }
});

test('durations: nanoseconds <-> milliseconds', () => {
  const table: [number, number][] = [
    [0, 0],
    [1_000_000, 1],
    [5_000_000_000, 5000],
    [1_499_999, 1],
    [1_500_000, 2],
    [7_776_000_000_000_000, 7_776_000_000],
  ];
  for (const [ns, ms] of table) assert.equal(nsToMs(ns), ms, String(ns));
  for (const ms of [0, 1, 5000, 7_776_000_000]) assert.equal(nsToMs(msToNs(ms)), ms);
});

test('node specs round trip; Role and Availability are checked', () => {
  const specs: NodeSpec[] = [
    { labels: {}, role: 'worker', availability: 'active' },
    { name: 'edge', labels: { zone: 'a' }, role: 'manager', availability: 'drain' },
  ];
  for (const spec of specs) assert.deepEqual(nodeSpecToStore(nodeSpecFromStore(spec)), spec);
  assert.throws(
    () => nodeSpecToStore({ Role: 'worker', Availability: 'off' }),
    /invalid Availability: "off"/,
  );
  assert.throws(() => nodeSpecToStore({ Availability: 'active' }), /invalid Role: ""/);
});

test('swarm specs round trip, and absent fields keep the current values', () => {
  const spec: ClusterSpec = {
    name: 'default',
    labels: { l: '1' },
    orchestration: { taskHistoryRetentionLimit: 5 },
    raft: {
      snapshotInterval: 10_000,
      keepOldSnapshots: 0,
      logEntriesForSlowFollowers: 500,
      electionTick: 10,
      heartbeatTick: 1,
    },
    dispatcher: { heartbeatPeriod: 5000 },
    caConfig: {
      nodeCertExpiry: 7_776_000_000,
      externalCAs: [{ protocol: 'cfssl', url: 'https://ca', options: {}, caCert: '' }],
      forceRotate: 2,
    },
    encryptionConfig: { autoLockManagers: true },
  };
  assert.deepEqual(swarmSpecToStore(swarmSpecFromStore(spec), spec), spec);
  const merged = swarmSpecToStore({ Name: 'default', Dispatcher: { HeartbeatPeriod: 2_000_000_000 } }, spec);
  assert.deepEqual(merged, { ...spec, labels: {}, dispatcher: { heartbeatPeriod: 2000 } });
  // Value ranges are the control layer's (controlapi/test/swarm-rules.test.ts).
  const short = swarmSpecToStore({ CAConfig: { NodeCertExpiry: 1_000_000_000 } }, spec);
  assert.equal(short.caConfig.nodeCertExpiry, 1000);
});
