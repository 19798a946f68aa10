// decideAccess as a table: each caller's certificate and standing in the cluster, against each
// kind of method, with the error (class and gRPC status) or the identity it gets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import {
  decideAccess,
  type CallerAccess,
  type CallerCertificate,
  type ClusterMembership,
  type NodeStanding,
} from '../caller-authorizer.js';
import { ClusterError } from '../../../api/errors.js';
import { CaError } from '../../../ca/errors.js';

const CLUSTER = 'c1';
const RAFT_MEMBERS = new Set([1, 2]);

function membership(standing: NodeStanding): ClusterMembership {
  return { clusterId: CLUSTER, standing: () => standing, isRaftMember: (id) => RAFT_MEMBERS.has(id) };
}

const NOT_BEFORE = new Date(Date.parse('2026-12-01T11:00:00Z'));
const manager: CallerCertificate = {
  nodeId: 'n1',
  role: 'manager',
  clusterId: CLUSTER,
  notBefore: NOT_BEFORE,
};
const worker: CallerCertificate = { nodeId: 'n1', role: 'worker', clusterId: CLUSTER, notBefore: NOT_BEFORE };
/** Issued at ISSUED (notBefore is backdated an hour by the CA); records change after, or before. */
const ISSUED = Date.parse('2026-12-01T12:00:00Z');
const CHANGED_AFTER = ISSUED + 60_000;
const CHANGED_BEFORE = ISSUED - 60_000;
const member = (
  role: 'worker' | 'manager',
  desiredRole: 'worker' | 'manager',
  raftId?: number,
  changedAt = CHANGED_AFTER,
): NodeStanding => ({
  kind: 'member',
  role,
  desiredRole,
  changedAt,
  ...(raftId !== undefined ? { raftId } : {}),
});

type Outcome =
  | 'ok'
  | 'UnauthenticatedError'
  | 'PermissionDeniedError'
  | 'NodeRemovedError'
  | 'UnknownNodeError'
  | 'NodeDemotedError';

// prettier-ignore
const TABLE: [string, CallerCertificate | undefined, NodeStanding, Record<CallerAccess, Outcome>][] = [
  ['no certificate', undefined, member('manager', 'manager'),
    { node: 'UnauthenticatedError', manager: 'UnauthenticatedError', raft: 'UnauthenticatedError' }],
  ['another cluster', { ...manager, clusterId: 'c2' }, member('manager', 'manager'),
    { node: 'PermissionDeniedError', manager: 'PermissionDeniedError', raft: 'PermissionDeniedError' }],
  ['removed', manager, { kind: 'removed' },
    { node: 'NodeRemovedError', manager: 'NodeRemovedError', raft: 'NodeRemovedError' }],
  // Raft hears it: this store may lag behind managers that joined since.
  ['unknown to the store', manager, { kind: 'unknown' },
    { node: 'UnknownNodeError', manager: 'UnknownNodeError', raft: 'ok' }],
  ['worker certificate unknown to the store', worker, { kind: 'unknown' },
    { node: 'UnknownNodeError', manager: 'PermissionDeniedError', raft: 'PermissionDeniedError' }],
  ['worker', worker, member('worker', 'worker'),
    { node: 'ok', manager: 'PermissionDeniedError', raft: 'PermissionDeniedError' }],
  ['worker certificate of a node being promoted', worker, member('manager', 'manager'),
    { node: 'ok', manager: 'PermissionDeniedError', raft: 'PermissionDeniedError' }],
  ['manager joining (no Raft member yet)', manager, member('manager', 'manager'),
    { node: 'ok', manager: 'ok', raft: 'ok' }],
  ['manager in the Raft group', manager, member('manager', 'manager', 2),
    { node: 'ok', manager: 'ok', raft: 'ok' }],
  ['manager that left the Raft group', manager, member('manager', 'manager', 9),
    { node: 'ok', manager: 'ok', raft: 'PermissionDeniedError' }],
  // The demotion committed; the role manager has not taken it out of the Raft group yet: Raft
  // still hears it (its acknowledgement may be needed to commit its own removal).
  ['demoted, still in the Raft group', manager, member('manager', 'worker', 2),
    { node: 'ok', manager: 'NodeDemotedError', raft: 'ok' }],
  ['demoted, out of the Raft group', manager, member('worker', 'worker'),
    { node: 'ok', manager: 'NodeDemotedError', raft: 'NodeDemotedError' }],
  // This store's record predates the certificate: the node was promoted again since (a lagging
  // follower). Raft hears it; the leader-only Control decides with its current store.
  ['worker in a record older than its manager certificate', manager, member('worker', 'worker', undefined, CHANGED_BEFORE),
    { node: 'ok', manager: 'NodeDemotedError', raft: 'ok' }],
  ['left the Raft group in a record older than its certificate', manager, member('manager', 'manager', 9, CHANGED_BEFORE),
    { node: 'ok', manager: 'ok', raft: 'ok' }],
];

const GRPC: Record<Exclude<Outcome, 'ok'>, status> = {
  UnauthenticatedError: status.UNAUTHENTICATED,
  PermissionDeniedError: status.PERMISSION_DENIED,
  NodeRemovedError: status.PERMISSION_DENIED,
  UnknownNodeError: status.PERMISSION_DENIED,
  NodeDemotedError: status.PERMISSION_DENIED,
};

for (const [name, identity, standing, expected] of TABLE) {
  test(`decideAccess: ${name}`, () => {
    for (const access of ['node', 'manager', 'raft'] as const) {
      const want = expected[access];
      let got: Outcome;
      try {
        const who = decideAccess(identity, membership(standing), access, '/test/Method');
        assert.deepEqual(who, {
          nodeId: identity?.nodeId,
          role: identity?.role,
          clusterId: identity?.clusterId,
        });
        got = 'ok';
      } catch (e: unknown) {
        assert.ok(e instanceof CaError || e instanceof ClusterError, `${access}: ${String(e)}`);
        got = e.name as Outcome;
        if (want !== 'ok') assert.equal(e.grpcStatus, GRPC[want], `${access}: gRPC status`);
      }
      assert.equal(got, want, `${name}, ${access} access`);
    }
  });
}
