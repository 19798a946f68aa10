import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceSpecSchema } from '../../../api/docker/service-spec.js';
import { InitRequestSchema } from '../../../api/docker/swarm.js';
import { canonicalKeys, foldKey } from '../go-json-keys.js';
import { compileValidator } from '../schema-validator.js';

const validateSpec = compileValidator(ServiceSpecSchema, 'body');

function spec(body: unknown): unknown {
  const r = validateSpec(body);
  if ('error' in r) throw r.error;
  return r.value;
}

test('foldKey folds as Go: ASCII by case, the Kelvin sign and long s to K and S, İ to I', () => {
  assert.equal(foldKey('replicas'), 'REPLICAS');
  assert.equal(foldKey('\u212Aind'), 'KIND');
  assert.equal(foldKey('\u017FecretID'), 'SECRETID');
  assert.equal(foldKey('\u0130D'), 'ID');
  // Full case mappings (ß -> SS, ﬀ -> FF) are not Go's simple ones: the character stays.
  assert.equal(foldKey('ß'), 'ß');
  assert.equal(foldKey('\uFB00'), '\uFB00');
});

test('keys in any case reach their field; map keys stay as given', () => {
  assert.deepEqual(
    spec({
      name: 'web',
      LABELS: { Tier: 'front', tier: 'x' },
      taskTemplate: { containerspec: { image: 'busybox', sysctls: { 'Net.Core': '1' } } },
      mode: { replicated: { replicas: 5 } },
    }),
    {
      Name: 'web',
      Labels: { Tier: 'front', tier: 'x' },
      TaskTemplate: { ContainerSpec: { Image: 'busybox', Sysctls: { 'Net.Core': '1' } } },
      Mode: { Replicated: { Replicas: 5 } },
    },
  );
  assert.deepEqual(spec({ Mode: { global: {} } }), { Mode: { Global: {} } });
  // Unknown keys are kept untouched (Go ignores them).
  assert.deepEqual(spec({ Mystery: { mode: 1 } }), { Mystery: { mode: 1 } });
});

test("a folded key's type error names the canonical field, as Go's decoder does", () => {
  const r = validateSpec({ mode: { replicated: { replicas: 'two' } } });
  assert.ok('error' in r);
  assert.equal(
    r.error.message,
    'json: cannot unmarshal string into Go struct field ServiceSpec.Mode.Replicated.Replicas of type uint64',
  );
});

test('two keys reaching one field combine as in Go: scalars replaced, structs merged, maps added to', () => {
  assert.deepEqual(canonicalKeys({ name: 'a', Name: 'b' }, ServiceSpecSchema), { Name: 'b' });
  assert.deepEqual(
    canonicalKeys(
      {
        UpdateConfig: { Parallelism: 2, Delay: 5 },
        updateconfig: { delay: 7, order: 'start-first' },
      },
      ServiceSpecSchema,
    ),
    { UpdateConfig: { Parallelism: 2, Delay: 7, Order: 'start-first' } },
  );
  assert.deepEqual(canonicalKeys({ Labels: { a: '1', b: '2' }, labels: { b: '3' } }, ServiceSpecSchema), {
    Labels: { a: '1', b: '3' },
  });
  // A slice is decoded element by element into the earlier one and cut to the later length.
  assert.deepEqual(
    canonicalKeys(
      {
        EndpointSpec: { Ports: [{ TargetPort: 80, Protocol: 'udp' }, { TargetPort: 81 }] },
        endpointSpec: { ports: [{ targetPort: 90 }] },
      },
      ServiceSpecSchema,
    ),
    { EndpointSpec: { Ports: [{ TargetPort: 90, Protocol: 'udp' }] } },
  );
  // A later null clears a struct, map or slice and leaves a scalar.
  assert.deepEqual(spec({ Name: 'x', name: null, Labels: { a: '1' }, labels: null }), { Name: 'x' });
  assert.deepEqual(spec({ labels: null, Labels: { a: '1' } }), { Labels: { a: '1' } });
});

test('every request body folds, also the swarm spec nested in swarm init', () => {
  assert.deepEqual(
    canonicalKeys(
      { listenaddr: '0.0.0.0:2377', spec: { raft: { snapshotinterval: 100 }, caconfig: { forcerotate: 1 } } },
      InitRequestSchema,
    ),
    { ListenAddr: '0.0.0.0:2377', Spec: { Raft: { SnapshotInterval: 100 }, CAConfig: { ForceRotate: 1 } } },
  );
});

test('a "__proto__" key is kept as data and never becomes a prototype', () => {
  const body = JSON.parse('{"Labels":{"__proto__":"x"},"__proto__":{"polluted":true}}') as unknown;
  const out = spec(body) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out['Labels'] as object), ['__proto__']);
  assert.equal((out as { polluted?: unknown }).polluted, undefined);
});

test('folding is linear: every case variant of a key with a large map is merged quickly', () => {
  const labels: Record<string, string> = {};
  for (let i = 0; i < 10_000; i++) labels[`k${i}`] = 'v';
  const body: Record<string, unknown> = {};
  // All 64 spellings of "labels", each with the whole map: 64 merges of 10,000 entries.
  for (let mask = 0; mask < 64; mask++) {
    body[[...'labels'].map((c, i) => ((mask >> i) & 1 ? c.toUpperCase() : c)).join('')] = labels;
  }
  const start = process.hrtime.bigint();
  const out = canonicalKeys(body, ServiceSpecSchema) as Record<string, unknown>;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.deepEqual(Object.keys(out), ['Labels']);
  assert.deepEqual(out['Labels'], labels);
  assert.ok(ms < 2000, `took ${ms} ms`);
});
