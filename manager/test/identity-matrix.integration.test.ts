// The gRPC identity matrix: every method on a real manager's cluster port (mutual TLS on
// loopback, real CA, real store) called by every kind of caller, with the status each must get.
// Identity is checked against the cluster's current state on every call, not only against the
// certificate: removed, unknown and demoted nodes keep a cryptographically valid certificate.
// (The moment between a demotion's commit and the node's removal from the Raft group, when
// Control already refuses it and Raft still hears it, is transient: caller-authorizer.test.ts
// has it, and removed-manager.integration.test.ts checks Control refuses it at once.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { markNodeRemoved } from '../ca/removed-nodes.js';
import { generateNodeKeyAndCsr } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { certifiedNode } from '../../ca/test/support/pki-fixtures.js';
import { messageToProto } from '../raft/driver/codec.js';
import { newBatch, raftServiceDefinition, type PbAck } from '../raft/driver/grpc-service.js';
import { message, MessageType } from '../raft/types.js';
import { newNode } from '../store/test/fixtures.js';
import { clusterPortProbes, type ProbeResult } from './cluster-port-probes.js';
import {
  clientOf,
  memberNode,
  nodeCertificate,
  SECURED_CLUSTER_ID,
  SELF_RAFT_ID,
  startSecuredManager,
  type SecuredManager,
} from './secured-manager.js';

/** The callers, in the order of the matrix's columns. */
const CALLERS = [
  'noCert', // no client certificate
  'selfSigned', // a self-signed certificate
  'foreignCa', // a manager certificate from another swarm's CA
  'worker', // worker certificate, worker in the store
  'manager', // manager certificate, manager in the store (not yet in the Raft group)
  'removed', // manager certificate of a node removed with `node rm` (listed in removedNodes)
  'demoted', // manager certificate; `node demote` done (worker in the store, out of the Raft group)
  'leftRaft', // manager certificate; a manager that left the Raft group (`swarm leave --force`)
  'unknown', // manager certificate of a node ID the store does not know (Raft hears it: a lagging
  //            store does not know the managers that joined since; see caller-authorizer.ts)
  'otherCluster', // manager certificate of the same CA naming another cluster ID
] as const;
type Caller = (typeof CALLERS)[number];

/** A cell: the method's own answer past authorization, or one of the refusals. */
type Cell = 'pass' | 'UNAUTH' | 'WORKER' | 'REMOVED' | 'DEMOTED' | 'LEFT' | 'UNKNOWN' | 'CLUSTER';

const REFUSALS: Record<Exclude<Cell, 'pass'>, { code: grpc.status; details: RegExp }> = {
  UNAUTH: {
    code: grpc.status.UNAUTHENTICATED,
    details: /needs a node certificate signed by the swarm's root CA/,
  },
  WORKER: {
    code: grpc.status.PERMISSION_DENIED,
    details: /node worker-1 is a worker, and this call is for manager/,
  },
  REMOVED: { code: grpc.status.PERMISSION_DENIED, details: /node removed-mgr was removed from the swarm/ },
  DEMOTED: { code: grpc.status.PERMISSION_DENIED, details: /node demoted was demoted to worker/ },
  LEFT: {
    code: grpc.status.PERMISSION_DENIED,
    details: /node left-raft is a manager that left the Raft group/,
  },
  UNKNOWN: { code: grpc.status.PERMISSION_DENIED, details: /node stranger is not a member of this swarm/ },
  CLUSTER: { code: grpc.status.PERMISSION_DENIED, details: /member of cluster otherc1uster/ },
};

/** What each method answers a caller it lets through (harmless requests: see cluster-port-probes). */
const PASS: Record<string, { code: grpc.status; details?: RegExp }> = {
  'Raft/Stream': { code: grpc.status.OK },
  'Raft/SendSnapshot': { code: grpc.status.OK },
  'NodeCA/GetRootCACertificate': { code: grpc.status.OK },
  'NodeCA/IssueNodeCertificate': { code: grpc.status.OK },
  'NodeCA/RenewNodeCertificate': { code: grpc.status.OK },
  'Dispatcher/Session': { code: grpc.status.OK },
  'Dispatcher/Heartbeat': { code: grpc.status.NOT_FOUND, details: /session "no-such-session" is not valid/ },
  'Dispatcher/UpdateTaskStatus': { code: grpc.status.NOT_FOUND, details: /is not valid/ },
  'Dispatcher/Assignments': { code: grpc.status.NOT_FOUND, details: /is not valid/ },
  'Dispatcher/LogSubscriptions': { code: grpc.status.NOT_FOUND, details: /is not valid/ },
  'Dispatcher/PublishLogs': { code: grpc.status.OK },
  'Control/Forward': { code: grpc.status.OK },
  'Control/JoinRaft': { code: grpc.status.INVALID_ARGUMENT, details: /invalid raft id 0/ },
  'Control/LeaveRaft': { code: grpc.status.PERMISSION_DENIED, details: /Raft member 424242 is not node / },
  'Control/RecordCertificate': { code: grpc.status.INVALID_ARGUMENT, details: /unknown role "admin"/ },
};

const p = 'pass';
// prettier-ignore
const MATRIX: Record<string, readonly Cell[]> = {
  //                               noCert    selfSigned foreignCa worker    manager removed    demoted    leftRaft unknown   otherCluster
  'Raft/Stream':                  ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', 'LEFT', p,         'CLUSTER'],
  'Raft/SendSnapshot':            ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', 'LEFT', p,         'CLUSTER'],
  'NodeCA/GetRootCACertificate':  [p,        p,        p,        p,        p,      p,         p,         p,      p,         p],
  'NodeCA/IssueNodeCertificate':  [p,        p,        p,        p,        p,      p,         p,         p,      p,         p],
  'NodeCA/RenewNodeCertificate':  ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/Session':           ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/Heartbeat':         ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/UpdateTaskStatus':  ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/Assignments':       ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/LogSubscriptions':  ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Dispatcher/PublishLogs':       ['UNAUTH', 'UNAUTH', 'UNAUTH', p,        p,      'REMOVED', p,         p,      'UNKNOWN', 'CLUSTER'],
  'Control/Forward':              ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', p,      'UNKNOWN', 'CLUSTER'],
  'Control/JoinRaft':             ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', p,      'UNKNOWN', 'CLUSTER'],
  'Control/LeaveRaft':            ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', p,      'UNKNOWN', 'CLUSTER'],
  'Control/RecordCertificate':    ['UNAUTH', 'UNAUTH', 'UNAUTH', 'WORKER', p,      'REMOVED', 'DEMOTED', p,      'UNKNOWN', 'CLUSTER'],
};

let m: SecuredManager;
const clients = new Map<Caller, grpc.Client>();

before(async () => {
  m = await startSecuredManager();
  // The certificates were issued before the records changed (the demotion, the removal...).
  const otherCa = await RootCA.create();
  const selfSigned = await RootCA.create();
  const identities: Record<Caller, { certPem: string; keyPem: string } | undefined> = {
    noCert: undefined,
    selfSigned: { certPem: selfSigned.certPem, keyPem: selfSigned.keyPem ?? '' },
    foreignCa: await certifiedNode(otherCa, 'manager', {
      nodeId: 'manager-2',
      clusterId: SECURED_CLUSTER_ID,
    }),
    worker: await nodeCertificate(m, 'worker-1', 'worker'),
    manager: await nodeCertificate(m, 'manager-2', 'manager'),
    removed: await nodeCertificate(m, 'removed-mgr', 'manager'),
    demoted: await nodeCertificate(m, 'demoted', 'manager'),
    leftRaft: await nodeCertificate(m, 'left-raft', 'manager'),
    unknown: await nodeCertificate(m, 'stranger', 'manager'),
    otherCluster: await nodeCertificate(m, 'manager-2', 'manager', 'otherc1uster0000000000000'),
  };
  await m.manager.store.update((tx) => {
    tx.create('nodes', memberNode('worker-1', 'worker', 'worker'));
    tx.create('nodes', memberNode('manager-2', 'manager', 'manager'));
    tx.create('nodes', memberNode('demoted', 'worker', 'worker'));
    tx.create('nodes', {
      ...memberNode('left-raft', 'manager', 'manager'),
      managerStatus: { raftId: 77, addr: '127.0.0.1:1', leader: false, reachability: 'unreachable' },
    });
    tx.create('nodes', memberNode('removed-mgr', 'worker', 'worker'));
  });
  // `node rm`: the record goes and the ID is listed as removed, in one transaction.
  await m.manager.store.update((tx) => {
    tx.delete('nodes', 'removed-mgr');
    markNodeRemoved(tx, 'removed-mgr');
  });
  for (const caller of CALLERS) clients.set(caller, clientOf(m, identities[caller]));
});

after(async () => {
  for (const c of clients.values()) c.close();
  await m.close();
});

function cellOf(method: string, r: ProbeResult): string {
  const pass = PASS[method];
  if (pass !== undefined && r.code === pass.code && (pass.details?.test(r.details) ?? true)) return 'pass';
  for (const [name, refusal] of Object.entries(REFUSALS)) {
    if (r.code === refusal.code && refusal.details.test(r.details)) return name;
  }
  return `${grpc.status[r.code]}: ${r.details}`;
}

test('every method of the cluster port answers every kind of caller as the matrix says', async () => {
  const key = await generateNodeKeyAndCsr();
  const joinToken = m.manager.store.view((tx) => tx.list('clusters')[0]?.rootCA.joinTokens.worker) ?? '';
  const description = newNode('probe').description;
  assert.ok(description !== undefined);
  const probes = clusterPortProbes({ joinToken, csrPem: key.csrPem, description });
  assert.deepEqual([...probes.keys()].sort(), Object.keys(MATRIX).sort(), 'the matrix covers every method');

  const actual: Record<string, string[]> = {};
  for (const [method, probe] of probes) {
    const row: string[] = [];
    for (const caller of CALLERS) row.push(cellOf(method, await probe(clients.get(caller)!)));
    actual[method] = row;
  }
  assert.deepEqual(actual, MATRIX);
  assert.equal(
    m.forwarded.length,
    2,
    'Control.Forward ran only for the manager and the manager that left Raft',
  );
});

// Last in this file: the manager steps down when its own message passes (it re-elects itself).
test('Raft.Stream: a manager certificate speaking as another member is dropped; as itself it is heard', async () => {
  const raft = m.manager.replicated.raft;
  const term = raft.status().term;
  // manager-2 has no Raft ID recorded yet (it joined moments ago), so 5 may be its own;
  // 77 is left-raft's recorded member, and SELF_RAFT_ID is the manager's own.
  const heartbeat = (from: number, bump: number): ReturnType<typeof messageToProto> =>
    messageToProto(message({ type: MessageType.Heartbeat, to: SELF_RAFT_ID, from, term: term + bump }));
  const stream = clients
    .get('manager')!
    .makeBidiStreamRequest(
      raftServiceDefinition.stream.path,
      raftServiceDefinition.stream.requestSerialize,
      raftServiceDefinition.stream.responseDeserialize,
    );
  stream.on('error', () => {});
  const acked: (() => void)[] = [];
  stream.on('data', (_ack: PbAck) => acked.shift()?.());
  const send = (batch: ReturnType<typeof messageToProto>[]): Promise<void> =>
    new Promise((resolve) => {
      acked.push(resolve);
      stream.write(newBatch(batch));
    });
  // A heartbeat of a higher term makes Raft follow its sender: these would depose the leader.
  await send([heartbeat(77, 100), heartbeat(SELF_RAFT_ID, 200)]);
  assert.equal(raft.status().term, term, 'messages as another member were dropped');
  assert.ok(raft.isLeader());
  // A stream's first batch is answered at once, later ones at most once a second: wait for
  // the effect instead.
  stream.write(newBatch([heartbeat(5, 300)]));
  const end = Date.now() + 10_000;
  while (raft.status().term !== term + 300 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.equal(raft.status().term, term + 300, "the caller's own message reached Raft");
  stream.cancel();
});
