import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, startHarness } from './harness.js';

const NOT_IN_SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

test('swarm init returns the node ID as a JSON string; a second init is refused', async () => {
  const h = await startHarness({ init: false });
  try {
    assert.deepEqual(json(await h.request('GET', '/swarm')), { message: NOT_IN_SWARM });
    assert.equal((await h.request('GET', '/swarm')).statusCode, 503);
    const res = await h.request('POST', '/v1.41/swarm/init', {
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: '10.1.0.5:2377',
      Spec: {
        Orchestration: { TaskHistoryRetentionLimit: 3 },
        Dispatcher: { HeartbeatPeriod: 2_000_000_000 },
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    const nodeId = JSON.parse(res.body) as string;
    assert.equal(nodeId, h.control.nodeId());
    const swarm = json<{
      Spec: { Orchestration: unknown; Dispatcher: unknown };
      JoinTokens: { Worker: string };
    }>(await h.request('GET', '/swarm'));
    assert.deepEqual(swarm.Spec.Orchestration, { TaskHistoryRetentionLimit: 3 });
    assert.deepEqual(swarm.Spec.Dispatcher, { HeartbeatPeriod: 2_000_000_000 });
    assert.match(swarm.JoinTokens.Worker, /^SWMTKN-1-/);
    const again = await h.request('POST', '/swarm/init', {});
    assert.equal(again.statusCode, 503);
    assert.match(json<{ message: string }>(again).message, /already part of a swarm/);
  } finally {
    await h.close();
  }
});

test('swarm init and join: bad bodies get 400 with a Docker-like message', async () => {
  const h = await startHarness({ init: false });
  try {
    const table: [string, unknown, string][] = [
      [
        '/swarm/init',
        { ListenAddr: 5 },
        'json: cannot unmarshal number 5 into Go struct field InitRequest.ListenAddr of type string',
      ],
      ['/swarm/init', { Availability: 'sometimes' }, 'invalid Availability: "sometimes"'],
      ['/swarm/init', [1], 'json: cannot unmarshal array into Go value of type swarm.InitRequest'],
      ['/swarm/join', { JoinToken: 'SWMTKN-1-x-y' }, 'at least 1 RemoteAddr is required to join'],
      [
        '/swarm/join',
        { RemoteAddrs: 'a' },
        'json: cannot unmarshal string into Go struct field JoinRequest.RemoteAddrs of type []string',
      ],
      ['/swarm/init', '{"ListenAddr":', 'invalid JSON: Unexpected end of JSON input'],
    ];
    for (const [url, body, message] of table) {
      const res = await h.request('POST', url, body);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}`);
      assert.deepEqual(json(res), { message });
    }
    assert.equal(h.control.localNodeState(), 'inactive');
  } finally {
    await h.close();
  }
});

test('swarm leave: a manager needs force; a node in no swarm cannot leave', async () => {
  const h = await startHarness();
  try {
    const refused = await h.request('POST', '/swarm/leave');
    assert.equal(refused.statusCode, 503);
    assert.match(
      json<{ message: string }>(refused).message,
      /^You are attempting to leave the swarm on a node that is participating as a manager/,
    );
    assert.equal((await h.request('POST', '/swarm/leave?force=1')).statusCode, 200);
    assert.equal(h.control.localNodeState(), 'inactive');
    const again = await h.request('POST', '/swarm/leave?force=true');
    assert.equal(again.statusCode, 503);
    assert.deepEqual(json(again), { message: 'This node is not part of a swarm' });
    assert.equal((await h.request('GET', '/nodes')).statusCode, 503);
  } finally {
    await h.close();
  }
});

test('swarm update: version checks, spec merge, token rotation', async () => {
  const h = await startHarness();
  try {
    const before = json<{
      Version: { Index: number };
      Spec: Record<string, unknown>;
      JoinTokens: { Worker: string; Manager: string };
    }>(await h.request('GET', '/swarm'));
    const spec = { ...before.Spec, Orchestration: { TaskHistoryRetentionLimit: 10 } };
    const table: [string, number, string?][] = [
      ['/swarm/update', 400, 'invalid swarm version \'\': strconv.ParseUint: parsing "": invalid syntax'],
      [
        '/swarm/update?version=abc',
        400,
        'invalid swarm version \'abc\': strconv.ParseUint: parsing "abc": invalid syntax',
      ],
      [
        `/swarm/update?version=${before.Version.Index}&rotateWorkerToken=maybe`,
        400,
        'invalid value for rotateWorkerToken: maybe',
      ],
      [
        `/swarm/update?version=${before.Version.Index + 7}`,
        409,
        'rpc error: code = Unknown desc = update out of sequence',
      ],
    ];
    for (const [url, status, message] of table) {
      const res = await h.request('POST', url, spec);
      assert.equal(res.statusCode, status, url);
      if (message !== undefined) assert.deepEqual(json(res), { message }, url);
    }
    const ok = await h.request(
      'POST',
      `/v1.41/swarm/update?version=${before.Version.Index}&rotateWorkerToken=true`,
      spec,
    );
    assert.equal(ok.statusCode, 200);
    const after = json<{
      Version: { Index: number };
      Spec: Record<string, unknown>;
      JoinTokens: { Worker: string; Manager: string };
    }>(await h.request('GET', '/swarm'));
    assert.deepEqual(after.Spec['Orchestration'], { TaskHistoryRetentionLimit: 10 });
    assert.deepEqual(after.Spec['Dispatcher'], before.Spec['Dispatcher']);
    assert.notEqual(after.JoinTokens.Worker, before.JoinTokens.Worker);
    assert.equal(after.JoinTokens.Manager, before.JoinTokens.Manager);
    assert.ok(after.Version.Index > before.Version.Index);
  } finally {
    await h.close();
  }
});

test('swarm unlock key and unlock: Docker answers without autolock', async () => {
  const h = await startHarness();
  try {
    const key = await h.request('GET', '/swarm/unlockkey');
    assert.equal(key.statusCode, 404);
    assert.deepEqual(json(key), { message: 'no unlock key is set' });
    const unlock = await h.request('POST', '/swarm/unlock', { UnlockKey: 'SWMKEY-1-x' });
    assert.equal(unlock.statusCode, 409);
    assert.deepEqual(json(unlock), { message: 'swarm is not locked' });
  } finally {
    await h.close();
  }
});

test('swarm init: DataPathPort in Docker range and TaskDefaults.LogDriver are kept and read back', async () => {
  const h = await startHarness({ init: false });
  try {
    for (const port of [80, 1023, 49152]) {
      const refused = await h.request('POST', '/swarm/init', { DataPathPort: port });
      assert.equal(refused.statusCode, 400, String(port));
      assert.equal(
        json<{ message: string }>(refused).message,
        `Datapath port number is not in valid range (1024-49151) : ${port}`,
      );
    }
    const res = await h.request('POST', '/swarm/init', {
      DataPathPort: 7789,
      Spec: { TaskDefaults: { LogDriver: { Name: 'json-file', Options: { 'max-size': '10m' } } } },
    });
    assert.equal(res.statusCode, 200, res.body);
    type Swarm = { DataPathPort: number; Spec: { TaskDefaults: unknown }; Version: { Index: number } };
    const swarm = json<Swarm>(await h.request('GET', '/swarm'));
    assert.equal(swarm.DataPathPort, 7789);
    assert.deepEqual(swarm.Spec.TaskDefaults, {
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m' } },
    });
    // swarm update sends the whole spec: a LogDriver left out clears the default, as in Docker.
    const cleared = await h.request('POST', `/swarm/update?version=${swarm.Version.Index}`, {
      ...json<{ Spec: object }>(await h.request('GET', '/swarm')).Spec,
      TaskDefaults: {},
    });
    assert.equal(cleared.statusCode, 200, cleared.body);
    const after = json<Swarm>(await h.request('GET', '/swarm'));
    assert.deepEqual(after.Spec.TaskDefaults, {});
    assert.equal(after.DataPathPort, 7789, 'the port is not part of the spec');
  } finally {
    await h.close();
  }
});
