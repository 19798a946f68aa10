import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { NotLeaderError } from '../../../api/errors.js';
import { MemoryStore, type Proposer } from '../../store/index.js';
import { ForwardOutcomeUnknownError, LeaderNotReachedError } from '../control-errors.js';
import { toHttpFailure } from '../errors.js';
import type { ForwardRetry } from '../forward.js';
import { forwardable } from '../routes/forwardable.js';
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
    unlock: () => l.unlock(),
    taskLogs: (ids, opts) => l.taskLogs(ids, opts),
    store: () => followerStore,
    leaderRaftId: () => 1,
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

/** A retry policy on a fake clock: sleeping advances it at once, and is recorded. */
function fakeRetry(budgetMs = 3_000): ForwardRetry & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    budgetMs,
    firstPauseMs: 100,
    maxPauseMs: 1_000,
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
  };
}

/**
 * One forwardable write route on a follower whose handler runs `local` each attempt (throw
 * NotLeaderError to be a follower) and whose forwards are answered by `forward` in turn.
 */
async function forwardingApp(
  local: () => Promise<unknown>,
  forward: ((req: ForwardedRequest) => Promise<ForwardedResponse>)[],
  retry: ForwardRetry,
): Promise<{ app: FastifyInstance; forwarded: ForwardedRequest[] }> {
  const forwarded: ForwardedRequest[] = [];
  const control = {
    forwardToLeader: (req: ForwardedRequest): Promise<ForwardedResponse> => {
      const answer = forward[forwarded.length] ?? forward[forward.length - 1]!;
      forwarded.push(req);
      return answer(req);
    },
  } as Pick<SwarmControl, 'forwardToLeader'> as SwarmControl;
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    const f = toHttpFailure(error);
    return reply.code(f.statusCode).send({ message: f.message });
  });
  app.post('/services/create', forwardable(control, local, retry));
  await app.ready();
  return { app, forwarded };
}

const follower = (): Promise<unknown> => Promise.reject(new NotLeaderError());
const created: ForwardedResponse = {
  status: 201,
  headers: { 'content-type': 'application/json' },
  body: new TextEncoder().encode('{"ID":"svc"}'),
};
const NO_LEADER =
  "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

test('a forward that reached no leader is retried across the election, then relayed', async () => {
  const retry = fakeRetry();
  const { app, forwarded } = await forwardingApp(
    follower,
    [
      () => Promise.reject(new LeaderNotReachedError('the swarm has no leader')),
      () => Promise.reject(new LeaderNotReachedError('127.0.0.1:2377 is no longer the leader')),
      () => Promise.resolve(created),
    ],
    retry,
  );
  try {
    const res = await app.inject({ method: 'POST', url: '/services/create', payload: { Name: 'web' } });
    assert.equal(res.statusCode, 201);
    assert.equal(res.body, '{"ID":"svc"}');
    assert.equal(forwarded.length, 3);
    assert.deepEqual(retry.slept, [100, 200]);
  } finally {
    await app.close();
  }
});

test('with no leader for the whole budget, a write gets Docker\'s "does not have a leader" 503, bounded', async () => {
  const retry = fakeRetry(3_000);
  const { app, forwarded } = await forwardingApp(
    follower,
    [() => Promise.reject(new LeaderNotReachedError('the swarm has no leader'))],
    retry,
  );
  try {
    const res = await app.inject({ method: 'POST', url: '/services/create', payload: {} });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { message: NO_LEADER });
    assert.ok(retry.slept.reduce((a, b) => a + b, 0) <= 3_000, `waited ${retry.slept.join('+')} ms`);
    assert.deepEqual(retry.slept, [100, 200, 400, 800, 1000]);
    assert.equal(forwarded.length, 6);
  } finally {
    await app.close();
  }
});

test('a manager elected meanwhile runs the write itself on the next attempt', async () => {
  let runs = 0;
  const becomesLeader = (): Promise<unknown> =>
    ++runs === 1 ? Promise.reject(new NotLeaderError()) : Promise.resolve({ ran: 'here' });
  const { app, forwarded } = await forwardingApp(
    becomesLeader,
    [() => Promise.reject(new LeaderNotReachedError('this manager has just become the leader'))],
    fakeRetry(),
  );
  try {
    const res = await app.inject({ method: 'POST', url: '/services/create', payload: {} });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ran: 'here' });
    assert.equal(runs, 2);
    assert.equal(forwarded.length, 1);
  } finally {
    await app.close();
  }
});

test('a forward that may have reached the leader is never sent again: 503 that says to check first', async () => {
  const retry = fakeRetry();
  const lost = new ForwardOutcomeUnknownError(
    'rpc error: code = Unavailable desc = the leader at 10.0.0.1:2377 stopped answering before it replied (Unavailable: Connection dropped); the request may have been applied: check the current state before retrying',
  );
  const { app, forwarded } = await forwardingApp(follower, [() => Promise.reject(lost)], retry);
  try {
    const res = await app.inject({ method: 'POST', url: '/services/create', payload: {} });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<{ message: string }>().message, lost.message);
    assert.doesNotMatch(res.body, /14 UNAVAILABLE/);
    assert.equal(forwarded.length, 1, 'not replayed');
    assert.deepEqual(retry.slept, []);
  } finally {
    await app.close();
  }
});
