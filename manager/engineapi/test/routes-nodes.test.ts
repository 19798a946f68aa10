import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateId } from '../../store/index.js';
import { json, startHarness, type ApiHarness } from './harness.js';

async function addWorker(
  h: ApiHarness,
  hostname: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const id = generateId();
  await h.store().update((tx) => {
    tx.create('nodes', {
      id,
      spec: { labels: {}, role: 'worker', availability: 'active' },
      role: 'worker',
      description: {
        hostname,
        platform: { architecture: 'x86_64', os: 'linux' },
        resources: { nanoCPUs: 1e9, memoryBytes: 1 << 30, generic: [] },
        engine: { engineVersion: '20.10.24', labels, plugins: [] },
      },
      status: { state: 'down', message: 'heartbeat failure', addr: '10.1.0.9' },
      attachments: [],
    });
  });
  return id;
}

test('GET /nodes with filters; GET /nodes/{id} by ID, prefix or hostname', async () => {
  const h = await startHarness();
  try {
    const self = h.control.nodeId()!;
    const worker = await addWorker(h, 'worker-1', { zone: 'a' });
    const ids = async (filters?: unknown): Promise<string[]> => {
      const url =
        filters === undefined ? '/nodes' : `/nodes?filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const res = await h.request('GET', url);
      assert.equal(res.statusCode, 200, url);
      return json<{ ID: string }[]>(res)
        .map((n) => n.ID)
        .sort();
    };
    const table: [unknown, string[]][] = [
      [undefined, [self, worker].sort()],
      [{ role: { manager: true } }, [self]],
      [{ role: ['worker'] }, [worker]],
      [{ name: { worker: true } }, [worker]],
      [{ name: { 'node-1': true } }, [self]],
      [{ id: { [worker.slice(0, 6)]: true } }, [worker]],
      [{ label: { 'zone=a': true } }, [worker]],
      [{ label: { 'zone=b': true } }, []],
      [{ membership: { accepted: true } }, [self, worker].sort()],
    ];
    for (const [filters, want] of table) assert.deepEqual(await ids(filters), want, JSON.stringify(filters));

    const bad: [string, string][] = [
      ['{"colour":{"x":true}}', "invalid filter 'colour'"],
      ['{"role":{"boss":true}}', 'Invalid role filter value: boss'],
      ['{"membership":{"maybe":true}}', 'Invalid membership filter value: maybe'],
      ['not json', 'invalid filter: Unexpected token \'o\', "not json" is not valid JSON'],
    ];
    for (const [filters, message] of bad) {
      const res = await h.request('GET', `/nodes?filters=${encodeURIComponent(filters)}`);
      assert.equal(res.statusCode, 400, filters);
      assert.deepEqual(json(res), { message });
    }

    for (const ref of [worker, worker.slice(0, 5), 'worker-1']) {
      const node = json<{ ID: string; Description: { Hostname: string }; Status: { State: string } }>(
        await h.request('GET', `/v1.41/nodes/${ref}`),
      );
      assert.equal(node.ID, worker);
      assert.equal(node.Description.Hostname, 'worker-1');
      assert.equal(node.Status.State, 'down');
    }
    const me = json<{ ManagerStatus: { Leader: boolean; Reachability: string } }>(
      await h.request('GET', `/nodes/${self}`),
    );
    assert.deepEqual(me.ManagerStatus, { Reachability: 'reachable', Addr: '127.0.0.1:2377', Leader: true });
    const missing = await h.request('GET', '/nodes/nope');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(json(missing), { message: 'node nope not found' });
  } finally {
    await h.close();
  }
});

test('POST /nodes/{id}/update: availability, labels, role, stale version, bad values', async () => {
  const h = await startHarness();
  try {
    const self = h.control.nodeId()!;
    const worker = await addWorker(h, 'worker-1');
    const version = async (id: string): Promise<number> =>
      json<{ Version: { Index: number } }>(await h.request('GET', `/nodes/${id}`)).Version.Index;
    const v = await version(worker);
    const ok = await h.request('POST', `/nodes/worker-1/update?version=${v}`, {
      Labels: { zone: 'b' },
      Role: 'worker',
      Availability: 'drain',
    });
    assert.equal(ok.statusCode, 200);
    const node = json<{ Spec: unknown }>(await h.request('GET', `/nodes/${worker}`));
    assert.deepEqual(node.Spec, { Labels: { zone: 'b' }, Role: 'worker', Availability: 'drain' });

    const table: [string, unknown, number, string][] = [
      [
        `/nodes/${worker}/update?version=${v}`,
        { Role: 'worker', Availability: 'active' },
        409,
        'rpc error: code = Unknown desc = update out of sequence',
      ],
      [
        `/nodes/${worker}/update?version=x`,
        { Role: 'worker', Availability: 'active' },
        400,
        'invalid node version \'x\': strconv.ParseUint: parsing "x": invalid syntax',
      ],
      [
        `/nodes/${worker}/update?version=${v + 1}`,
        { Role: 'boss', Availability: 'active' },
        400,
        'invalid Role: "boss"',
      ],
      [
        `/nodes/${worker}/update?version=${v + 1}`,
        { Role: 'worker', Availability: 'gone' },
        400,
        'invalid Availability: "gone"',
      ],
      [
        `/nodes/${worker}/update?version=${v + 1}`,
        { Role: 'worker', Labels: { a: 1 } },
        400,
        'json: cannot unmarshal number 1 into Go struct field NodeSpec.Labels.a of type string',
      ],
      [
        `/nodes/nope/update?version=1`,
        { Role: 'worker', Availability: 'active' },
        404,
        'node nope not found',
      ],
      [
        `/nodes/${self}/update?version=${await version(self)}`,
        { Role: 'worker', Availability: 'active' },
        400,
        'rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm',
      ],
    ];
    for (const [url, body, status, message] of table) {
      const res = await h.request('POST', url, body);
      assert.equal(res.statusCode, status, url);
      assert.deepEqual(json(res), { message }, url);
    }
  } finally {
    await h.close();
  }
});

test('DELETE /nodes/{id}: down workers go, managers and live nodes need demotion or force', async () => {
  const h = await startHarness();
  try {
    const self = h.control.nodeId()!;
    const worker = await addWorker(h, 'worker-1');
    const manager = await h.request('DELETE', `/nodes/${self}`);
    assert.equal(manager.statusCode, 400);
    assert.match(
      json<{ message: string }>(manager).message,
      /is a cluster manager and is a member of the raft cluster/,
    );
    assert.equal((await h.request('DELETE', '/nodes/worker-1')).statusCode, 200);
    assert.equal((await h.request('GET', `/nodes/${worker}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', '/nodes/worker-1')).statusCode, 404);
  } finally {
    await h.close();
  }
});
