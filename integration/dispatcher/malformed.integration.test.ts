// Hostile or broken peers: garbage bytes on every method, malformed objects inside valid
// protobuf, no identity. Each is refused with a status, and the server keeps serving.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  dispatcherServiceDefinition as def,
  newSessionRequest,
  newUpdateTaskStatusRequest,
} from '../../api/wire/service.js';
import { encodeJson } from '../../api/wire/json-codec.js';
import {
  assignedTask,
  clusterStore,
  identityOptions,
  startAgent,
  status,
  TestManager,
  waitFor,
} from './harness.js';

const identity = (b: Buffer): Buffer => b;

function unary(client: grpc.Client, path: string, body: Buffer): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, body, { deadline: Date.now() + 5000 }, (err) =>
      resolve(err ?? undefined),
    );
  });
}

function serverStream(
  client: grpc.Client,
  path: string,
  body: Buffer,
): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, body, {
      deadline: Date.now() + 5000,
    });
    call.on('data', () => undefined);
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('end', () => resolve(undefined));
  });
}

function clientStream(
  client: grpc.Client,
  path: string,
  body: Buffer,
): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest(
      path,
      identity,
      identity,
      { deadline: Date.now() + 5000 },
      (err) => resolve(err ?? undefined),
    );
    call.write(body);
    call.end();
  });
}

const garbage: Buffer[] = [
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0x0a, 0x7f, 0x01]),
  Buffer.from([0x12, 0x05]),
  Buffer.from('this is not protobuf at all, just text'),
  Buffer.alloc(0),
];

test('garbage on every method gets INVALID_ARGUMENT and the server keeps serving', async (t) => {
  const store = await clusterStore(5000, ['n1', 'n2']);
  await store.update((tx) => tx.create('tasks', assignedTask('t1', 'n2')));
  const m = await TestManager.start(store);
  m.lead();
  const client = new grpc.Client(m.addr, grpc.credentials.createInsecure(), identityOptions('n1'));
  t.after(async () => {
    client.close();
    await m.shutdown();
  });

  for (const body of garbage) {
    for (const [name, call] of [
      ['Heartbeat', unary(client, def.heartbeat.path, body)],
      ['UpdateTaskStatus', unary(client, def.updateTaskStatus.path, body)],
      ['Session', serverStream(client, def.session.path, body)],
      ['Assignments', serverStream(client, def.assignments.path, body)],
      ['LogSubscriptions', serverStream(client, def.logSubscriptions.path, body)],
      ['PublishLogs', clientStream(client, def.publishLogs.path, body)],
    ] as const) {
      const err = await call;
      assert.equal(
        err?.code,
        grpc.status.INVALID_ARGUMENT,
        `${name} with ${body.toString('hex')}: ${err?.details}`,
      );
    }
  }

  // Valid protobuf, malformed objects inside.
  const badDescription = newSessionRequest({ description: new TextEncoder().encode('{"hostname": 7}') });
  const sessionErr = await serverStream(
    client,
    def.session.path,
    def.session.requestSerialize(badDescription),
  );
  assert.equal(sessionErr?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(sessionErr?.details ?? '', /description\.platform must be an object/);
  const badStatus = newUpdateTaskStatusRequest({
    sessionId: 'whatever',
    updates: [{ taskId: 't1', status: encodeJson({ state: 'running' }) }],
  });
  const statusErr = await unary(
    client,
    def.updateTaskStatus.path,
    def.updateTaskStatus.requestSerialize(badStatus),
  );
  assert.equal(statusErr?.code, grpc.status.INVALID_ARGUMENT);
  const badId = newUpdateTaskStatusRequest({
    sessionId: 'whatever',
    updates: [{ taskId: '../../etc', status: encodeJson(status('running')) }],
  });
  assert.equal(
    (await unary(client, def.updateTaskStatus.path, def.updateTaskStatus.requestSerialize(badId)))?.code,
    grpc.status.INVALID_ARGUMENT,
  );

  // A well-formed call naming a session that is not the caller's.
  const notMine = newUpdateTaskStatusRequest({ sessionId: 'someone-else', updates: [] });
  assert.equal(
    (await unary(client, def.updateTaskStatus.path, def.updateTaskStatus.requestSerialize(notMine)))?.code,
    grpc.status.NOT_FOUND,
  );

  // Nothing of that reached the store, and a real agent is served as usual.
  assert.equal(store.view((tx) => tx.get('tasks', 't1'))?.status.state, 'assigned');
  const { agent, view } = startAgent('n2', [m.addr]);
  t.after(() => agent.stop());
  await waitFor(() => view.tasks.has('t1'), 'the full set after the garbage');
  agent.reportStatus([{ taskId: 't1', status: status('running') }]);
  await waitFor(() => store.view((tx) => tx.get('tasks', 't1'))?.status.state === 'running', 't1 running');
});

test('a caller without a node identity gets UNAUTHENTICATED; a follower without a leader UNAVAILABLE', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  const m = await TestManager.start(store);
  const anonymous = new grpc.Client(m.addr, grpc.credentials.createInsecure());
  t.after(async () => {
    anonymous.close();
    await m.shutdown();
  });
  const hb = def.heartbeat.requestSerialize({ sessionId: 'x' } as Parameters<
    typeof def.heartbeat.requestSerialize
  >[0]);
  assert.equal((await unary(anonymous, def.heartbeat.path, hb))?.code, grpc.status.UNAUTHENTICATED);

  const client = new grpc.Client(m.addr, grpc.credentials.createInsecure(), identityOptions('n1'));
  t.after(() => client.close());
  const err = await unary(client, def.heartbeat.path, hb);
  assert.equal(err?.code, grpc.status.UNAVAILABLE);
  assert.match(err?.details ?? '', /not the leader/);
});
