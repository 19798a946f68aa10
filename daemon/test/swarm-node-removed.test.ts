// A node the managers removed (`docker node rm`) stops cleanly: renewal, manager and agent are
// closed, /info reports it in Swarm.Error, and `swarm leave` (no --force needed, even on a
// former manager) clears it. The manager and agent here are stand-ins that record their calls.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { NodeRemovedError } from '../../ca/errors.js';
import { swarmInfo } from '../../manager/engineapi/routes/swarm-info.js';
import type { Manager } from '../../manager/manager.js';
import type { Agent } from '../../agent/agent.js';
import { DEFAULT_CONFIG } from '../config.js';
import { NodeSwarmControl } from '../node-swarm-control.js';
import { isRemovedRefusal, REMOVED_FROM_SWARM_ERROR, SwarmNode } from '../swarm-node.js';

test('a removed node closes its manager and agent, reports it, and can leave', async () => {
  const dataRoot = await mkdtemp(join(tmpdir(), 'shoal-removed-'));
  try {
    const calls: string[] = [];
    const node = new SwarmNode({
      config: { ...DEFAULT_CONFIG, dataRoot },
      logger: pino({ level: 'silent' }),
      runApiRequest: () => Promise.reject(new Error('not used')),
    });
    node.state = {
      version: 1,
      nodeId: 'n1',
      clusterId: 'c1',
      role: 'manager',
      raftId: 7,
      listenAddr: '127.0.0.1:2377',
      advertiseAddr: '127.0.0.1:2377',
      managers: [],
    };
    node.manager = {
      close: () => {
        calls.push('manager.close');
        return Promise.resolve();
      },
    } as unknown as Manager;
    node.agent = {
      close: () => {
        calls.push('agent.close');
        return Promise.resolve();
      },
      leave: () => {
        calls.push('agent.leave');
        return Promise.resolve();
      },
    } as unknown as Agent;

    await node.nodeRemoved();
    await node.nodeRemoved(); // reported again (session and renewal both): stopped once
    assert.deepEqual(calls, ['agent.close', 'manager.close']);
    assert.equal(node.manager, undefined);
    assert.equal(node.agent, undefined);
    assert.equal(node.nodeState, 'error');
    assert.equal(node.error, REMOVED_FROM_SWARM_ERROR);
    // What `docker info` shows.
    const info = swarmInfo(new NodeSwarmControl(node, join(dataRoot, 'no-engine.sock')));
    assert.equal(info.LocalNodeState, 'error');
    assert.equal(info.Error, REMOVED_FROM_SWARM_ERROR);
    assert.equal(info.ControlAvailable, false);

    // A former manager leaves without --force: its manager is stopped and out of the group.
    await node.leave(false);
    assert.equal(node.state, undefined);
    assert.equal(node.nodeState, 'inactive');
    assert.equal(node.error, '');
  } finally {
    await rm(dataRoot, { recursive: true, force: true });
  }
});

test("a renewal refused with the CA's NodeRemovedError is recognized as a removal; other refusals are not", () => {
  const removed = { code: grpc.status.PERMISSION_DENIED, details: new NodeRemovedError('n1').message };
  assert.equal(isRemovedRefusal(removed), true);
  assert.equal(
    isRemovedRefusal({ code: grpc.status.PERMISSION_DENIED, details: 'node n1 is a worker' }),
    false,
  );
  assert.equal(isRemovedRefusal({ code: grpc.status.UNAVAILABLE, details: removed.details }), false);
  assert.equal(isRemovedRefusal(new Error('boom')), false);
});
