// One round trip over every field of Docker's swarm request types: a value is generated for
// each leaf of the TypeBox schema (a field added to a schema later is covered without work),
// translated to the store's object and back, and every leaf must read back as sent, unless it
// is listed below with the reason shoal does not keep it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import {
  ServiceSpecSchema,
  type DockerContainerSpec,
  type DockerMount,
  type DockerPrivileges,
  type DockerServiceSpec,
  type DockerTaskSpec,
} from '../../../../api/docker/service-spec.js';
import { SwarmSpecSchema, type DockerSwarmSpec } from '../../../../api/docker/swarm.js';
import { newClusterObject } from '../../../cluster-defaults.js';
import { serviceForVersion, serviceSpecForVersion } from '../api-version-spec.js';
import { serviceSpecFromStore, serviceSpecToStore } from '../service-spec.js';
import { swarmSpecFromStore, swarmSpecToStore } from '../cluster.js';
import type { RootCA } from '../../../../ca/root-ca.js';

type Json = Record<string, unknown>;

/** Values the schema alone cannot choose: enumerations and fields with rules between them. */
const CHOSEN: Readonly<Record<string, unknown>> = {
  Mode: { Replicated: { Replicas: 3 } },
  'TaskTemplate.Runtime': 'container',
  'TaskTemplate.RestartPolicy.Condition': 'on-failure',
  'TaskTemplate.ContainerSpec.Image': 'busybox:1.36',
  'TaskTemplate.ContainerSpec.Mounts.Type': 'bind',
  'TaskTemplate.ContainerSpec.Mounts.BindOptions.Propagation': 'rslave',
  'TaskTemplate.ContainerSpec.Mounts.Consistency': 'delegated',
  'TaskTemplate.Resources.SwapBytes': 0,
  'TaskTemplate.Resources.MemorySwappiness': 60,
  'TaskTemplate.ContainerSpec.Isolation': 'hyperv',
  'TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode': 'custom',
  // A []byte field: base64 (of a JSON profile, as the control layer wants for "custom").
  'TaskTemplate.ContainerSpec.Privileges.Seccomp.Profile': Buffer.from(
    '{"defaultAction":"SCMP_ACT_ALLOW"}',
  ).toString('base64'),
  'TaskTemplate.ContainerSpec.Privileges.AppArmor.Mode': 'disabled',
  // Docker takes exactly one credential spec source.
  'TaskTemplate.ContainerSpec.Privileges.CredentialSpec': { Registry: 'gmsa-web' },
  'TaskTemplate.ContainerSpec.Ulimits': [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
  'TaskTemplate.ContainerSpec.OomScoreAdj': -500,
  'TaskTemplate.Resources.Limits.Pids': 100,
  'UpdateConfig.FailureAction': 'rollback',
  'UpdateConfig.Order': 'start-first',
  'RollbackConfig.FailureAction': 'continue',
  'RollbackConfig.Order': 'start-first',
  'UpdateConfig.MaxFailureRatio': 0.25,
  'RollbackConfig.MaxFailureRatio': 0.5,
  'EndpointSpec.Mode': 'dnsrr',
  // A generic resource is either named or discrete: one of each.
  'TaskTemplate.Resources.Reservations.GenericResources': [
    { NamedResourceSpec: { Kind: 'gpu', Value: 'gpu-0' } },
    { DiscreteResourceSpec: { Kind: 'ssd', Value: 2 } },
  ],
  'EndpointSpec.Ports.Protocol': 'udp',
  'EndpointSpec.Ports.PublishMode': 'host',
  'CAConfig.ExternalCAs.Protocol': 'cfssl',
  'Raft.ElectionTick': 12,
  'Raft.HeartbeatTick': 2,
};

/** A value for every leaf of `schema`, within its bounds; durations are odd nanoseconds. */
function generate(schema: TSchema, path: string, counter: { n: number }): unknown {
  if (Object.hasOwn(CHOSEN, path)) return CHOSEN[path];
  const n = ++counter.n;
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (props !== undefined) {
    const out: Json = {};
    for (const [k, s] of Object.entries(props)) {
      out[k] = generate(s, path === '' ? k : `${path}.${k}`, counter);
    }
    return out;
  }
  if ((schema as { patternProperties?: unknown }).patternProperties !== undefined) {
    return { [`key${n}`]: `value${n}` };
  }
  switch (schema['type']) {
    case 'array':
      return [generate((schema as unknown as { items: TSchema }).items, path, counter)];
    case 'string':
      return `s${n}`;
    case 'boolean':
      return true;
    case 'number':
      return n / 8;
    case 'integer': {
      const max = (schema as { maximum?: number }).maximum;
      // Durations (int64 nanoseconds) are given as a value no millisecond store keeps.
      if (max === undefined) return 1_000_000_000 * n + 5;
      return Math.min(n, max);
    }
    default:
      return {};
  }
}

/** Every leaf of `value` as path -> value (arrays by index; empty objects are leaves). */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, path === '' ? k : `${path}.${k}`, out);
  } else out.set(path, value);
  return out;
}

function unindexed(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

function lost(sent: unknown, back: unknown, notKept: Readonly<Record<string, string>>): string[] {
  const got = leaves(back, '', new Map());
  const missing: string[] = [];
  for (const [path, value] of leaves(sent, '', new Map())) {
    const field = unindexed(path);
    if (Object.keys(notKept).some((p) => field === p || field.startsWith(`${p}.`))) continue;
    if (!got.has(path) || !Object.is(got.get(path), value)) {
      missing.push(`${path}: sent ${JSON.stringify(value)}, read back ${JSON.stringify(got.get(path))}`);
    }
  }
  return missing;
}

/** Fields of ServiceSpec shoal does not keep, and why. */
const SERVICE_NOT_KEPT: Readonly<Record<string, string>> = {
  Networks: 'deprecated: moved into TaskTemplate.Networks or ignored by API version (tests below)',
  'TaskTemplate.PluginSpec': 'plugin runtime: refused (experimental in Docker)',
  'TaskTemplate.NetworkAttachmentSpec': 'attachment runtime: internal to swarmkit, never in a service',
  'TaskTemplate.ContainerSpec.Configs.Runtime': 'Windows credential-spec configs only',
};

/** Fields of the swarm Spec shoal does not keep, and why. */
const SWARM_NOT_KEPT: Readonly<Record<string, string>> = {
  'CAConfig.SigningCACert': 'consumed by root CA rotation, never read back (as in Docker)',
  'CAConfig.SigningCAKey': 'consumed by root CA rotation, never read back (as in Docker)',
};

test('every field of ServiceSpec reads back as sent (durations to the nanosecond)', () => {
  const sent = generate(ServiceSpecSchema, '', { n: 0 }) as DockerServiceSpec;
  const back = serviceSpecFromStore(serviceSpecToStore(sent, 'generated'));
  assert.deepEqual(lost(sent, back, SERVICE_NOT_KEPT), []);
});

test('every field of the swarm Spec reads back as sent through swarm update', () => {
  const ca = { certPem: 'pem', keyPem: 'key', digest: `sha256:${'0'.repeat(64)}` } as unknown as RootCA;
  const current = newClusterObject('c', ca).spec;
  const sent = generate(SwarmSpecSchema, '', { n: 0 }) as DockerSwarmSpec;
  const back = swarmSpecFromStore(swarmSpecToStore(sent, current));
  assert.deepEqual(lost(sent, back, SWARM_NOT_KEPT), []);
});

test('the deprecated ServiceSpec.Networks: moved into TaskTemplate.Networks below API 1.44, ignored from 1.44', () => {
  const nets = [{ Target: 'n1', Aliases: ['a'], DriverOpts: { k: 'v' } }];
  const sent = { TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Networks: nets };
  const at = (version: string, spec: DockerServiceSpec): DockerServiceSpec =>
    serviceSpecFromStore(serviceSpecToStore(serviceSpecForVersion(version, spec), 'x'));
  for (const version of ['1.24', '1.41', '1.43']) {
    const back = at(version, sent);
    assert.deepEqual(back.TaskTemplate?.Networks, nets, version);
    assert.equal(back.Networks, undefined, version);
  }
  for (const version of ['1.44', '1.45']) {
    const back = at(version, sent);
    assert.equal(back.TaskTemplate?.Networks, undefined, version);
    assert.equal(back.Networks, undefined, version);
  }
  // TaskTemplate.Networks wins when both are given, at every version.
  const both = { ...sent, TaskTemplate: { ...sent.TaskTemplate, Networks: [{ Target: 'n2' }] } };
  for (const version of ['1.43', '1.44']) {
    assert.deepEqual(at(version, both).TaskTemplate?.Networks, [{ Target: 'n2' }], version);
  }
});

test('a client below API 1.25 reads Spec.Networks (and PreviousSpec.Networks) back', () => {
  const spec = serviceSpecFromStore(
    serviceSpecToStore(
      { TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Networks: [{ Target: 'n1' }] } },
      'x',
    ),
  );
  const meta = {
    Version: { Index: 1 },
    CreatedAt: '2030-01-01T00:00:00Z',
    UpdatedAt: '2030-01-01T00:00:00Z',
  };
  const service = { ID: 'id', ...meta, Spec: spec, PreviousSpec: spec };
  const old = serviceForVersion('1.24', service);
  assert.deepEqual(old.Spec?.Networks, [{ Target: 'n1' }]);
  assert.deepEqual(old.PreviousSpec?.Networks, [{ Target: 'n1' }]);
  assert.equal(serviceForVersion('1.25', service).Spec?.Networks, undefined);
});

test('fields older clients did not have are dropped from their requests, as dockerd does', () => {
  const sent: DockerServiceSpec = {
    TaskTemplate: {
      ContainerSpec: {
        Image: 'busybox',
        Sysctls: { 'net.core.somaxconn': '1024' },
        CapabilityAdd: ['CAP_NET_ADMIN'],
        Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }],
      },
      Resources: { Limits: { Pids: 100 } },
      Placement: { MaxReplicas: 2 },
    },
  };
  const at = (version: string): DockerTaskSpec | undefined =>
    serviceSpecFromStore(serviceSpecToStore(serviceSpecForVersion(version, sent), 'x')).TaskTemplate;
  const v141 = at('1.41');
  assert.deepEqual(v141?.ContainerSpec?.Ulimits, [{ Name: 'nofile', Soft: 1, Hard: 2 }]);
  assert.deepEqual(v141?.ContainerSpec?.CapabilityAdd, ['CAP_NET_ADMIN']);
  assert.equal(v141?.Resources?.Limits?.Pids, 100);
  const v140 = at('1.40');
  assert.equal(v140?.ContainerSpec?.Ulimits, undefined);
  assert.equal(v140?.ContainerSpec?.CapabilityAdd, undefined);
  assert.equal(v140?.Resources?.Limits?.Pids, undefined);
  assert.deepEqual(v140?.ContainerSpec?.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.equal(v140?.Placement?.MaxReplicas, 2);
  const v139 = at('1.39');
  assert.equal(v139?.ContainerSpec?.Sysctls, undefined);
  assert.equal(v139?.Placement?.MaxReplicas, undefined);
});

test('Privileges read back as Docker shows them: modes default to "default", NoNewPrivileges always', () => {
  const back = (p: DockerPrivileges): DockerPrivileges | undefined =>
    serviceSpecFromStore(
      serviceSpecToStore({ TaskTemplate: { ContainerSpec: { Image: 'busybox', Privileges: p } } }, 'x'),
    ).TaskTemplate?.ContainerSpec?.Privileges;
  assert.deepEqual(back({}), { NoNewPrivileges: false });
  assert.deepEqual(back({ Seccomp: {}, AppArmor: { Mode: '' } }), {
    Seccomp: { Mode: 'default' },
    AppArmor: { Mode: 'default' },
    NoNewPrivileges: false,
  });
  assert.deepEqual(back({ SELinuxContext: { Type: 'svirt_lxc_net_t' }, NoNewPrivileges: true }), {
    SELinuxContext: { Disable: false, User: '', Role: '', Type: 'svirt_lxc_net_t', Level: '' },
    NoNewPrivileges: true,
  });
});

test('unknown Privileges modes, Isolation and credential specs are refused with 400', () => {
  const refused: [DockerContainerSpec, RegExp][] = [
    [{ Privileges: { Seccomp: { Mode: 'unconfind' } } }, /^invalid SeccompMode: "unconfind"$/],
    [{ Privileges: { AppArmor: { Mode: 'off' } } }, /^invalid AppArmorMode: "off"$/],
    [{ Privileges: { Seccomp: { Mode: 'custom', Profile: 'not base64!' } } }, /illegal base64 data/],
    [{ Isolation: 'vm' }, /^invalid isolation: "vm"$/],
    [
      { Privileges: { CredentialSpec: {} } },
      /^invalid CredentialSpec: must either provide "file", "registry", or "config" for credential spec$/,
    ],
    [
      { Privileges: { CredentialSpec: { File: 'a.json', Registry: 'r' } } },
      /^invalid CredentialSpec: cannot specify both "file" and "registry" credential specs$/,
    ],
    [
      { Privileges: { CredentialSpec: { Config: 'c', File: 'a.json', Registry: 'r' } } },
      /^invalid CredentialSpec: cannot specify both "config", "file", and "registry" credential specs$/,
    ],
  ];
  for (const [container, message] of refused) {
    const spec = { TaskTemplate: { ContainerSpec: { Image: 'busybox', ...container } } };
    assert.throws(
      () => serviceSpecToStore(spec, 'x'),
      (e: unknown) =>
        e instanceof Error && message.test(e.message) && (e as { statusCode?: number }).statusCode === 400,
      JSON.stringify(container),
    );
  }
  // Case does not matter to Docker; it reads back lower case.
  const hyperv = serviceSpecToStore(
    { TaskTemplate: { ContainerSpec: { Image: 'b', Isolation: 'HyperV' } } },
    'x',
  );
  assert.equal(serviceSpecFromStore(hyperv).TaskTemplate?.ContainerSpec?.Isolation, 'hyperv');
});

test('RestartPolicy reads back exactly what was given, nanoseconds included', () => {
  const cases = [
    {},
    { Delay: 5 },
    { Window: 0 },
    { Condition: 'none', Delay: 1_500_000_001, Window: 7, MaxAttempts: 2 },
  ];
  for (const given of cases) {
    const spec = { TaskTemplate: { ContainerSpec: { Image: 'busybox' }, RestartPolicy: given } };
    const back = serviceSpecFromStore(serviceSpecToStore(spec, 'x')).TaskTemplate?.RestartPolicy;
    // A Delay left out reads back as swarmkit's default, 5 s.
    assert.deepEqual(back, { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0, ...given });
  }
});

test('UpdateConfig.Delay: 5 stays 5 ns; the store keeps the rounded milliseconds for the loops', () => {
  const store = serviceSpecToStore(
    { TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, UpdateConfig: { Delay: 5, Monitor: 2_000_000 } },
    'x',
  );
  assert.equal(store.updateConfig?.delay, 0);
  assert.equal(store.updateConfig?.monitor, 2);
  assert.equal(store.updateConfig?.monitorNs, undefined);
  const back = serviceSpecFromStore(store).UpdateConfig;
  assert.equal(back?.Delay, 5);
  assert.equal(back?.Monitor, 2_000_000);
});

test('mount options read back only where given; an unknown Consistency is refused with 400', () => {
  const back = (m: DockerMount): DockerMount | undefined =>
    serviceSpecFromStore(
      serviceSpecToStore({ TaskTemplate: { ContainerSpec: { Image: 'busybox', Mounts: [m] } } }, 'x'),
    ).TaskTemplate?.ContainerSpec?.Mounts?.[0];
  // Go's omitempty: false flags, an empty Consistency, Subpath or Options read back absent.
  assert.deepEqual(
    back({
      Type: 'bind',
      Source: '/a',
      Target: '/b',
      Consistency: '',
      BindOptions: { NonRecursive: false, CreateMountpoint: true, ReadOnlyForceRecursive: false },
    }),
    {
      Type: 'bind',
      Source: '/a',
      Target: '/b',
      BindOptions: { Propagation: 'rprivate', CreateMountpoint: true },
    },
  );
  assert.deepEqual(back({ Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { Subpath: '' } }), {
    Type: 'volume',
    Source: 'v',
    Target: '/v',
    VolumeOptions: {},
  });
  assert.deepEqual(back({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { Options: [] } }), {
    Type: 'tmpfs',
    Target: '/t',
    TmpfsOptions: {},
  });
  assert.deepEqual(
    back({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { Options: [['noexec'], ['exec', '']] } }),
    {
      Type: 'tmpfs',
      Target: '/t',
      TmpfsOptions: { Options: [['noexec'], ['exec', '']] },
    },
  );
  for (const c of ['default', 'consistent', 'cached', 'delegated']) {
    assert.equal(back({ Type: 'bind', Source: '/a', Target: '/b', Consistency: c })?.Consistency, c);
  }
  assert.throws(
    () =>
      serviceSpecToStore(
        {
          TaskTemplate: {
            ContainerSpec: { Image: 'b', Mounts: [{ Type: 'bind', Consistency: 'eventual' }] },
          },
        },
        'x',
      ),
    (e: unknown) =>
      e instanceof Error &&
      e.message === 'invalid MountConsistency: "eventual"' &&
      (e as { statusCode?: number }).statusCode === 400,
  );
});

test('SwapBytes and MemorySwappiness read back as given, a given 0 included', () => {
  const back = (r: NonNullable<DockerTaskSpec['Resources']>): DockerTaskSpec['Resources'] =>
    serviceSpecFromStore(
      serviceSpecToStore({ TaskTemplate: { ContainerSpec: { Image: 'b' }, Resources: r } }, 'x'),
    ).TaskTemplate?.Resources;
  assert.deepEqual(back({ Limits: { MemoryBytes: 8 << 20 }, SwapBytes: 0, MemorySwappiness: 0 }), {
    Limits: { MemoryBytes: 8 << 20 },
    SwapBytes: 0,
    MemorySwappiness: 0,
  });
  assert.deepEqual(back({ MemorySwappiness: -1 }), { MemorySwappiness: -1 });
  assert.deepEqual(back({ Limits: { MemoryBytes: 8 << 20 } }), { Limits: { MemoryBytes: 8 << 20 } });
});
