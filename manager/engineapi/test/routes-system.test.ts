import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, startHarness } from './harness.js';

test('/_ping answers GET and HEAD with the headers the docker CLI negotiates from', async () => {
  const h = await startHarness();
  try {
    for (const method of ['GET', 'HEAD']) {
      for (const url of ['/_ping', '/v1.41/_ping', '/v1.24/_ping']) {
        const res = await h.request(method, url);
        assert.equal(res.statusCode, 200, `${method} ${url}`);
        assert.equal(res.headers['api-version'], '1.41');
        assert.equal(res.headers['docker-experimental'], 'false');
        assert.equal(res.headers['ostype'], 'linux');
        assert.equal(res.headers['server'], 'shoal/0.1.0-test');
        assert.equal(res.headers['swarm'], 'active/manager');
        assert.equal(res.body, method === 'GET' ? 'OK' : '');
      }
    }
  } finally {
    await h.close();
  }
});

test('API versions: prefixed and bare paths, too new and too old versions refused', async () => {
  const h = await startHarness();
  try {
    const table: [string, number, string?][] = [
      ['/version', 200],
      ['/v1.41/version', 200],
      ['/v1.12/version', 200],
      ['/v1.42/version', 400, 'client version 1.42 is too new. Maximum supported API version is 1.41'],
      [
        '/v1.11/version',
        400,
        'client version 1.11 is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version',
      ],
      ['/v1.41/nothing-here', 404, 'page not found'],
      ['/nothing-here', 404, 'page not found'],
    ];
    for (const [url, status, message] of table) {
      const res = await h.request('GET', url);
      assert.equal(res.statusCode, status, url);
      assert.equal(res.headers['content-type'], 'application/json', url);
      if (message !== undefined) assert.deepEqual(json(res), { message }, url);
    }
  } finally {
    await h.close();
  }
});

test('/version names shoal and the API versions', async () => {
  const h = await startHarness();
  try {
    const v = json(await h.request('GET', '/v1.41/version'));
    assert.equal(v['Version'], '0.1.0-test');
    assert.equal(v['ApiVersion'], '1.41');
    assert.equal(v['MinAPIVersion'], '1.12');
    assert.equal(v['GitCommit'], 'abc123');
    assert.equal(v['Os'], 'linux');
    assert.deepEqual(v['Platform'], { Name: 'shoal' });
    const components = v['Components'] as { Name: string; Details: Record<string, string> }[];
    assert.equal(components[0]?.Name, 'Engine');
    assert.equal(components[0]?.Details['ApiVersion'], '1.41');
  } finally {
    await h.close();
  }
});

test('/info carries the Swarm section: inactive before init, the cluster on a manager', async () => {
  const h = await startHarness({ init: false });
  try {
    const before = json<{ Swarm: Record<string, unknown> }>(await h.request('GET', '/info'));
    assert.deepEqual(before.Swarm, {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    });
    const nodeId = await h.control.init({
      listenAddr: '0.0.0.0:2377',
      advertiseAddr: '10.1.0.5',
      forceNewCluster: false,
    });
    const after = json<{ Swarm: Record<string, unknown>; Name: string }>(
      await h.request('GET', '/v1.41/info'),
    );
    const swarm = after.Swarm;
    assert.equal(after.Name, 'node-1');
    assert.equal(swarm['NodeID'], nodeId);
    assert.equal(swarm['NodeAddr'], '10.1.0.5');
    assert.equal(swarm['LocalNodeState'], 'active');
    assert.equal(swarm['ControlAvailable'], true);
    assert.deepEqual(swarm['RemoteManagers'], [{ NodeID: nodeId, Addr: '10.1.0.5:2377' }]);
    assert.equal(swarm['Nodes'], 1);
    assert.equal(swarm['Managers'], 1);
    const cluster = swarm['Cluster'] as Record<string, unknown>;
    assert.equal(typeof cluster['ID'], 'string');
    assert.deepEqual((cluster['Spec'] as Record<string, unknown>)['Orchestration'], {
      TaskHistoryRetentionLimit: 5,
    });
    assert.equal(cluster['DataPathPort'], 4789);
    assert.equal('JoinTokens' in cluster, false);
  } finally {
    await h.close();
  }
});
