import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore, NotLeaderError, type Proposer } from '../../store/index.js';
import { createApiServer } from '../server.js';
import type { ForwardedRequest, ForwardedResponse, SwarmControl } from '../swarm-control.js';
import { json, serviceBody, startHarness } from './harness.js';

/** What a follower manager's store does with a write: refuse it, naming the leader. */
class FollowerProposer implements Proposer {
  propose(): Promise<unknown> {
    return Promise.reject(new NotLeaderError('node-1'));
  }
}

test('a follower forwards writes refused with NotLeaderError to the leader and relays its answer', async () => {
  const leader = await startHarness();
  const followerStore = new MemoryStore(new FollowerProposer());
  const forwarded: ForwardedRequest[] = [];
  const l = leader.control;
  const control: SwarmControl = {
    localNodeState: () => l.localNodeState(),
    nodeId: () => 'follower-node',
    nodeAddr: () => '10.1.0.2',
    isManager: () => true,
    remoteManagers: () => l.remoteManagers(),
    engine: () => l.engine(),
    init: (r) => l.init(r),
    join: (r) => l.join(r),
    leave: (f) => l.leave(f),
    joinTokens: () => l.joinTokens(),
    rotateJoinToken: (r) => l.rotateJoinToken(r),
    unlockKey: () => l.unlockKey(),
    removeNode: (id, force) => l.removeNode(id, force),
    taskLogs: (ids, opts) => l.taskLogs(ids, opts),
    store: () => followerStore,
    forwardToLeader: async (req: ForwardedRequest): Promise<ForwardedResponse> => {
      forwarded.push(req);
      const res = await leader.app.inject({
        method: req.method as 'POST',
        url: req.url,
        headers: req.headers,
        payload: Buffer.from(req.body),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
      return { status: res.statusCode, headers, body: res.rawPayload };
    },
  };
  const follower = createApiServer({ control, build: { version: '0.1.0-test' } });
  try {
    const body = JSON.stringify(serviceBody('web'));
    const res = await follower.inject({
      method: 'POST',
      url: '/v1.41/services/create',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 201);
    const id = json<{ ID: string }>(res).ID;
    assert.equal(forwarded.length, 1);
    assert.equal(forwarded[0]?.url, '/v1.41/services/create');
    assert.equal(Buffer.from(forwarded[0].body).toString(), body);
    assert.equal(json<{ ID: string }>(await leader.request('GET', `/services/${id}`)).ID, id);

    const conflict = await follower.inject({
      method: 'POST',
      url: '/services/create',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(conflict.statusCode, 409, "the leader's refusal is relayed as it came");
    assert.match(json<{ message: string }>(conflict).message, /name conflicts with an existing object/);
    const reads = await follower.inject({ method: 'GET', url: '/services' });
    assert.deepEqual(json(reads), [], "reads are served from the follower's own store");
  } finally {
    await follower.close();
    await leader.close();
  }
});
