// Issue 9, break 2: a manager is demoted, leaves and is removed (`node demote`, `swarm leave
// --force`, `node rm --force`), and someone kept its certificate (OU swarm-manager, valid for
// 90 days). Before the fix it still ran API requests through Control.Forward, added Raft
// learners with Control.JoinRaft and opened Raft streams. Now the demotion takes its manager
// powers away the moment it commits, the removal everything, and an open stream is cut.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { shoal } from '../../proto/gen/control.js';
import { generateNodeKeyAndCsr } from '../../ca/node-certificate.js';
import { markNodeRemoved } from '../ca/removed-nodes.js';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { newRenewRequest, nodeCaServiceDefinition } from '../../ca/ca-service.js';
import { controlServiceDefinition } from '../control/control-service.js';
import { encodeJson } from '../../api/wire/json-codec.js';
import { dispatcherServiceDefinition, newSessionRequest } from '../../api/wire/service.js';
import { newBatch, raftServiceDefinition, type PbAck } from '../raft/driver/grpc-service.js';
import { newNode } from '../store/test/fixtures.js';
import {
  clientOf,
  memberNode,
  nodeCertificate,
  SELF_NODE_ID,
  startSecuredManager,
  type SecuredManager,
} from './secured-manager.js';

const EX = 'ex-manager';
const EX_RAFT_ID = 5;

let m: SecuredManager;
let exCert: NodeCredentials;
let ex: grpc.Client;

before(async () => {
  m = await startSecuredManager();
  await m.manager.store.update((tx) => tx.create('nodes', memberNode(EX, 'manager', 'manager')));
  exCert = await nodeCertificate(m, EX, 'manager');
  ex = clientOf(m, exCert);
});

after(async () => {
  ex.close();
  await m.close();
});

function unary<Req>(
  client: grpc.Client,
  def: { path: string; requestSerialize: (r: Req) => Buffer },
  request: Req,
): Promise<{ code: grpc.status; details: string }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      (b: Buffer) => b,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (e) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '' }),
    );
  });
}

const forward = (client: grpc.Client): ReturnType<typeof unary> =>
  unary(
    client,
    controlServiceDefinition.forward,
    shoal.control.ForwardRequest.create({ method: 'GET', url: '/v1.41/swarm', headers: {} }),
  );

const joinRaft = (client: grpc.Client, raftId: number): ReturnType<typeof unary> =>
  unary(
    client,
    controlServiceDefinition.joinRaft,
    shoal.control.JoinRaftRequest.create({ raftId, addr: '127.0.0.1:1', nodeId: EX }),
  );

/** An open Raft stream: `send` writes a batch and resolves with the next ack or the stream's error. */
function raftStream(client: grpc.Client): {
  send(): Promise<{ code: grpc.status; details: string }>;
  close(): void;
} {
  const call = client.makeBidiStreamRequest(
    raftServiceDefinition.stream.path,
    raftServiceDefinition.stream.requestSerialize,
    raftServiceDefinition.stream.responseDeserialize,
  );
  let ended: { code: grpc.status; details: string } | undefined;
  const waiting: ((r: { code: grpc.status; details: string }) => void)[] = [];
  call.on('data', (_ack: PbAck) => waiting.shift()?.({ code: grpc.status.OK, details: '' }));
  call.on('error', (e: grpc.ServiceError) => {
    ended = { code: e.code, details: e.details };
    for (const w of waiting.splice(0)) w(ended);
  });
  return {
    send: () =>
      new Promise((resolve) => {
        if (ended) {
          resolve(ended);
          return;
        }
        waiting.push(resolve);
        call.write(newBatch([]));
      }),
    close: () => call.cancel(),
  };
}

/** An agent session: `first` is its first message (or the error), `end` the status it ends with. */
function openSession(client: grpc.Client): {
  first: Promise<'message' | { code: grpc.status; details: string }>;
  end: Promise<{ code: grpc.status; details: string }>;
} {
  const d = dispatcherServiceDefinition.session;
  const description = newNode(EX).description!;
  const call = client.makeServerStreamRequest(
    d.path,
    d.requestSerialize,
    (b: Buffer) => b,
    newSessionRequest({ description: encodeJson(description) }),
  );
  const end = new Promise<{ code: grpc.status; details: string }>((resolve) => {
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('end', () => resolve({ code: grpc.status.OK, details: 'ended' }));
  });
  const first = new Promise<'message' | { code: grpc.status; details: string }>((resolve) => {
    call.once('data', () => resolve('message'));
    void end.then(resolve);
  });
  return { first, end };
}

function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

test('a demoted, then removed manager keeps no power: Control.Forward, JoinRaft, Raft.Stream, renewal, session', async () => {
  const store = m.manager.store;
  const raft = m.manager.replicated.raft;

  // While a manager, its certificate works: it joins the Raft group and forwards a request.
  assert.deepEqual(await joinRaft(ex, EX_RAFT_ID), { code: grpc.status.OK, details: '' });
  assert.ok(raft.status().confState.learners.includes(EX_RAFT_ID));
  assert.equal(
    store.view((tx) => tx.get('nodes', EX)?.managerStatus?.raftId),
    EX_RAFT_ID,
  );
  assert.equal((await forward(ex)).code, grpc.status.OK);
  assert.equal(m.forwarded.length, 1);
  const stream = raftStream(ex);
  assert.equal((await stream.send()).code, grpc.status.OK, 'a member opens a Raft stream');

  // `node demote`: manager calls are refused as soon as the demotion commits.
  await store.update((tx) => {
    const n = tx.get('nodes', EX)!;
    tx.update('nodes', { ...n, spec: { ...n.spec, role: 'worker' } });
  });
  const demoted = await forward(ex);
  assert.equal(demoted.code, grpc.status.PERMISSION_DENIED);
  assert.match(demoted.details, /node ex-manager was demoted to worker/);
  // The role manager takes it out of the Raft group, then records it as a worker.
  await waitFor(() => store.view((tx) => tx.get('nodes', EX)?.role) === 'worker', 'the demotion to complete');
  assert.ok(!raft.status().confState.learners.includes(EX_RAFT_ID));
  assert.equal((await raftStream(ex).send()).code, grpc.status.PERMISSION_DENIED);

  // As a worker it still has an agent session (until it leaves); the removal must end it.
  const session = openSession(ex);
  assert.equal(await session.first, 'message');

  // `swarm leave --force` happens on the node; `node rm --force` on a manager:
  await store.update((tx) => {
    tx.delete('nodes', EX);
    markNodeRemoved(tx, EX);
  });

  const refusedForward = await forward(ex);
  assert.equal(refusedForward.code, grpc.status.PERMISSION_DENIED);
  assert.match(refusedForward.details, /node ex-manager was removed from the swarm/);
  const refusedJoin = await joinRaft(ex, EX_RAFT_ID + 1);
  assert.equal(refusedJoin.code, grpc.status.PERMISSION_DENIED);
  assert.match(refusedJoin.details, /was removed/);
  assert.ok(!raft.status().confState.learners.includes(EX_RAFT_ID + 1), 'no learner was added');
  const newStream = await raftStream(ex).send();
  assert.equal(newStream.code, grpc.status.PERMISSION_DENIED);
  assert.match(newStream.details, /was removed/);
  // The stream it opened while a manager is cut at its next message.
  const cut = await stream.send();
  assert.equal(cut.code, grpc.status.PERMISSION_DENIED);
  stream.close();
  assert.equal(m.forwarded.length, 1, 'no request ran after the demotion');

  const sessionEnd = await session.end;
  assert.equal(sessionEnd.code, grpc.status.PERMISSION_DENIED, 'its open session is ended');

  // It cannot renew its certificate, nor open an agent session.
  const again = await openSession(ex).first;
  assert.equal(typeof again === 'object' && again.code, grpc.status.PERMISSION_DENIED);
  const key = await generateNodeKeyAndCsr();
  const renew = await unary(
    ex,
    nodeCaServiceDefinition.renewNodeCertificate,
    newRenewRequest({ csr: key.csrPem }),
  );
  assert.equal(renew.code, grpc.status.PERMISSION_DENIED);
  assert.match(renew.details, /was removed/);

  // And no manager's CA brings it back: a record for it is refused in the transaction.
  const self = clientOf(m, await nodeCertificate(m, SELF_NODE_ID, 'manager'));
  const record = await unary(
    self,
    controlServiceDefinition.recordCertificate,
    shoal.control.RecordCertificateRequest.create({
      nodeId: EX,
      role: 'manager',
      certificate: exCert.certPem,
      csr: key.csrPem,
      reason: 'renew',
      peer: 'ipv4:127.0.0.1:1',
      issuedAt: new Date().toISOString(),
    }),
  );
  self.close();
  assert.equal(record.code, grpc.status.PERMISSION_DENIED);
  assert.equal(
    store.view((tx) => tx.get('nodes', EX)),
    undefined,
  );
});

test('a worker certificate on a manager method gets PERMISSION_DENIED, not INTERNAL', async () => {
  await m.manager.store.update((tx) => tx.create('nodes', memberNode('plain-worker', 'worker', 'worker')));
  const worker = clientOf(m, await nodeCertificate(m, 'plain-worker', 'worker'));
  try {
    const r = await forward(worker);
    assert.equal(r.code, grpc.status.PERMISSION_DENIED);
    assert.match(r.details, /node plain-worker is a worker, and this call is for manager nodes only/);
  } finally {
    worker.close();
  }
});
