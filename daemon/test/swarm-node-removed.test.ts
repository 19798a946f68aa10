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
import { NodeRemovedError } from '../../api/errors.js';
import { ERROR_CODE_KEY } from '../../api/wire/errors.js';
import { CaCallError, PermissionDeniedError, toGrpcStatus } from '../../ca/errors.js';
import { swarmInfo } from '../../manager/engineapi/routes/swarm-info.js';
import type { Manager } from '../../manager/manager.js';
import type { Agent } from '../../agent/agent.js';
import { DEFAULT_CONFIG } from '../config.js';
import { NodeSwarmControl } from '../node-swarm-control.js';
import { isRemovedRefusal, REMOVED_FROM_SWARM_ERROR } from '../node-removal.js';
import { SwarmNode } from '../swarm-node.js';

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

/** The CaCallError a CA client gets when the manager answers `refusal` (as the CA server does). */
function refusedWith(refusal: Error): CaCallError {
  const answer = toGrpcStatus(refusal);
  const code = answer.metadata?.get(ERROR_CODE_KEY)[0];
  return new CaCallError('m1:2377', 'RenewNodeCertificate', answer.code, answer.details, code?.toString());
}

test('a renewal refused with NodeRemovedError is recognized as a removal, by its code; other refusals are not', () => {
  const removed = refusedWith(new NodeRemovedError('n1'));
  assert.equal(removed.grpcStatus, grpc.status.PERMISSION_DENIED);
  assert.equal(isRemovedRefusal(removed), true);
  // Another PERMISSION_DENIED is not a removal, even worded like one.
  const worker = refusedWith(new PermissionDeniedError('n1', 'worker', ['manager']));
  assert.equal(isRemovedRefusal(worker), false);
  assert.equal(
    isRemovedRefusal(
      new CaCallError('m1:2377', 'RenewNodeCertificate', grpc.status.PERMISSION_DENIED, removed.message),
    ),
    false,
  );
  assert.equal(
    isRemovedRefusal(
      new CaCallError(
        'm1:2377',
        'RenewNodeCertificate',
        grpc.status.UNAVAILABLE,
        removed.message,
        'NODE_REMOVED',
      ),
    ),
    false,
  );
  // A gRPC error as grpc-js hands it over, with the trailer.
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_KEY, 'NODE_REMOVED');
  assert.equal(
    isRemovedRefusal(
      Object.assign(new Error('x'), { code: grpc.status.PERMISSION_DENIED, details: 'x', metadata }),
    ),
    true,
  );
  assert.equal(isRemovedRefusal(new Error('boom')), false);
});
