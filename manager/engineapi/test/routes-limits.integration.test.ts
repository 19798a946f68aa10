// Hostile requests at the HTTP level: each is refused with 400 (or 413) in Docker's error shape,
// quickly, and proposes nothing (the store's applied index does not move).

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { JSON_BODY_MAX_BYTES, JSON_MAX_DEPTH } from '../json-limits.js';
import { listenApiServer } from '../server.js';
import { json, serviceBody, startHarness, type ApiHarness } from './harness.js';

async function refusedWithoutProposal(
  h: ApiHarness,
  method: string,
  url: string,
  body: unknown,
  status: number,
  message: RegExp,
): Promise<number> {
  const before = h.store().appliedIndex;
  const started = performance.now();
  const res = await h.request(method, url, body);
  const ms = performance.now() - started;
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.match(json<{ message: string }>(res).message, message);
  assert.equal(h.store().appliedIndex, before, `${url}: nothing may be proposed`);
  return ms;
}

test('the poison request (a billion replicas) is refused with 400 and proposes nothing', async () => {
  const h = await startHarness();
  try {
    const poison =
      '{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"Replicated":{"Replicas":1000000000}}}';
    await refusedWithoutProposal(
      h,
      'POST',
      '/v1.41/services/create',
      poison,
      400,
      /^rpc error: code = InvalidArgument desc = Mode: Replicas 1000000000 is out of range: it must be between 0 and 100000$/,
    );
    assert.equal(
      h.store().view((tx) => tx.count('services')),
      0,
    );
    // The same through update, and the other counts a spec carries.
    const created = await h.request('POST', '/services/create', serviceBody('web'));
    assert.equal(created.statusCode, 201);
    const id = json<{ ID: string }>(created).ID;
    const version = h.store().view((tx) => tx.get('services', id)!.meta.version);
    const update = `/services/${id}/update?version=${version}`;
    const variants: [Record<string, unknown>, RegExp][] = [
      [{ Mode: { Replicated: { Replicas: 1e9 } } }, /Mode: Replicas/],
      [
        { Mode: { Replicated: { Replicas: 1e300 } } },
        /cannot unmarshal number 1e\+300 into Go struct field ServiceSpec.Mode.Replicated.Replicas of type uint64/,
      ],
      [{ Mode: { Replicated: { Replicas: 2 ** 53 + 2 } } }, /cannot unmarshal number .* of type uint64/],
      [{ Mode: { Replicated: { Replicas: 2.5 } } }, /cannot unmarshal number 2.5/],
      [
        { TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Placement: { MaxReplicas: 1e9 } } },
        /Placement: MaxReplicas/,
      ],
      [{ UpdateConfig: { Parallelism: 1e9 } }, /UpdateConfig: Parallelism/],
      [
        { TaskTemplate: { ContainerSpec: { Image: 'busybox', StopGracePeriod: 1e30 } } },
        /StopGracePeriod of type int64/,
      ],
      [
        { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 70000 }] } },
        /published port 70000 is out of range/,
      ],
      [{ EndpointSpec: { Ports: [{ TargetPort: 2 ** 40 }] } }, /TargetPort of type uint32/],
    ];
    for (const [change, message] of variants) {
      await refusedWithoutProposal(h, 'POST', update, serviceBody('web', change), 400, message);
    }
    await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      serviceBody('job', { Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1e9 } } }),
      400,
      /TotalCompletions/,
    );
  } finally {
    await h.close();
  }
});

test('a service with a 2.5 MB label is refused with 400 (a task must fit a dispatcher message)', async () => {
  const h = await startHarness();
  try {
    await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      serviceBody('big', { Labels: { big: 'x'.repeat(2_500_000) } }),
      400,
      /service spec is \d+ bytes, more than the limit of 524288/,
    );
    // Many labels each under the per-label limit: the whole spec's limit still holds.
    const labels = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, 'x'.repeat(60_000)]));
    await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      serviceBody('big', { Labels: labels }),
      400,
      /service spec is/,
    );
    await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      serviceBody('env', {
        TaskTemplate: {
          ContainerSpec: { Image: 'busybox', Env: Array.from({ length: 20_000 }, () => 'A=1') },
        },
      }),
      400,
      /ContainerSpec: Env has 20000 entries/,
    );
  } finally {
    await h.close();
  }
});

test('node, network and swarm specs are bounded too', async () => {
  const h = await startHarness();
  try {
    const nodeId = h.store().view((tx) => tx.list('nodes')[0]!.id);
    const nodeVersion = h.store().view((tx) => tx.get('nodes', nodeId)!.meta.version);
    await refusedWithoutProposal(
      h,
      'POST',
      `/nodes/${nodeId}/update?version=${nodeVersion}`,
      { Role: 'manager', Availability: 'active', Labels: { a: 'x'.repeat(100_000) } },
      400,
      /Labels: value of "a" is 100000 bytes/,
    );
    await refusedWithoutProposal(
      h,
      'POST',
      '/networks/create',
      {
        Name: 'n',
        Driver: 'overlay',
        IPAM: { Config: Array.from({ length: 100 }, (_, i) => ({ Subnet: `10.${i}.0.0/24` })) },
      },
      400,
      /IPAM: Config has 100 entries/,
    );
    const swarm = json<{ Version: { Index: number }; Spec: Record<string, unknown> }>(
      await h.request('GET', '/swarm'),
    );
    await refusedWithoutProposal(
      h,
      'POST',
      `/swarm/update?version=${swarm.Version.Index}`,
      { ...swarm.Spec, Raft: { ElectionTick: 1e6 } },
      400,
      /Raft: ElectionTick/,
    );
    await refusedWithoutProposal(
      h,
      'POST',
      `/swarm/update?version=${swarm.Version.Index}`,
      { ...swarm.Spec, Dispatcher: { HeartbeatPeriod: -1 } },
      400,
      /invalid heartbeat period: must be positive/,
    );
  } finally {
    await h.close();
  }
});

test('deep JSON is refused with 400 before it is parsed, in milliseconds', async () => {
  const h = await startHarness();
  try {
    const timings: string[] = [];
    for (const levels of [JSON_MAX_DEPTH + 1, 100_000, 3_000_000]) {
      const body = '['.repeat(levels) + ']'.repeat(levels);
      const ms = await refusedWithoutProposal(
        h,
        'POST',
        '/services/create',
        body,
        400,
        /nested deeper than the limit of 64 levels/,
      );
      timings.push(`${levels} levels: ${ms.toFixed(1)} ms`);
      assert.ok(ms < 1000, `${levels} levels took ${ms} ms`);
    }
    const objects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    await refusedWithoutProposal(h, 'POST', '/networks/create', objects, 400, /nested deeper/);
    // Brackets inside strings do not count, nor escaped quotes.
    const inString = serviceBody('s', { Labels: { deep: '[{'.repeat(1000) + '\\"' } });
    const res = await h.request('POST', '/services/create', inString);
    assert.equal(res.statusCode, 201, res.body);
    // Exactly at the limit parses (and fails on shape, not depth).
    const atLimit = '['.repeat(JSON_MAX_DEPTH) + ']'.repeat(JSON_MAX_DEPTH);
    const shape = await h.request('POST', '/services/create', atLimit);
    assert.equal(shape.statusCode, 400);
    assert.doesNotMatch(shape.body, /nested deeper/);
    console.log(`deep JSON refused: ${timings.join(', ')}`);
  } finally {
    await h.close();
  }
});

test('a body over the limit is refused with 413 in Docker shape', async () => {
  const h = await startHarness();
  try {
    const body = JSON.stringify(serviceBody('huge', { Labels: { big: 'x'.repeat(JSON_BODY_MAX_BYTES) } }));
    await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      body,
      413,
      /request body is larger than the limit of 4194304 bytes/,
    );
  } finally {
    await h.close();
  }
});

test('the filters query parameter is bounded in size and depth', async () => {
  const h = await startHarness();
  try {
    const deep = encodeURIComponent('{"name":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}');
    const res = await h.request('GET', `/services?filters=${deep}`);
    assert.equal(res.statusCode, 400);
    assert.match(
      json<{ message: string }>(res).message,
      /invalid filter: nested deeper than the limit of 4 levels/,
    );
    const long = encodeURIComponent(JSON.stringify({ name: { ['x'.repeat(70_000)]: true } }));
    const res2 = await h.request('GET', `/nodes?filters=${long}`);
    assert.equal(res2.statusCode, 400);
    assert.match(
      json<{ message: string }>(res2).message,
      /invalid filter: longer than the limit of 65536 characters/,
    );
    const ok = await h.request('GET', `/services?filters=${encodeURIComponent('{"name":{"web":true}}')}`);
    assert.equal(ok.statusCode, 200);
  } finally {
    await h.close();
  }
});

test('a service name built to make a backtracking pattern explode is refused at once', async () => {
  const h = await startHarness();
  try {
    const ms = await refusedWithoutProposal(
      h,
      'POST',
      '/services/create',
      serviceBody(`${'a'.repeat(60)}!`),
      400,
      /name must be valid as a DNS name component/,
    );
    assert.ok(ms < 500, `took ${ms} ms`);
  } finally {
    await h.close();
  }
});

test('a deep body sent in pieces over a real socket is answered 400', async () => {
  const h = await startHarness();
  const listening = await listenApiServer(h.app, { tcp: { host: '127.0.0.1', port: 0 } });
  try {
    // 600 KB, too deep from its first bytes, sent in pieces: the client finishes sending and
    // reads the refusal. (The long fuzz run, seed 77 with the full sweep, once got a broken pipe
    // here when the server answered before reading the rest; it now reads and drops the rest.)
    const body = JSON.stringify({ Name: 'deep', Options: 0 }).replace(
      '0',
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
    );
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: listening.tcp!.port,
          method: 'POST',
          path: '/networks/create',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
      req.end();
    });
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, /nested deeper than the limit of 64 levels/);
  } finally {
    await listening.close();
    await h.close();
  }
});
