// A real AgentSession against a scripted dispatcher over loopback gRPC that sends malformed
// entries among good ones: the good ones reach the worker, the unreadable task is reported
// rejected with the reason, and the session is neither torn down nor opened again. A network
// view that cannot be read makes the agent ask for a fresh set on a new assignments stream
// (after a wait), in the same session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import type { AssignmentChange } from '../../../api/wire/assignments.js';
import { decodeTaskStatus, encodeJson, MAX_OBJECT_BYTES } from '../../../api/wire/json-codec.js';
import {
  AssignmentsType,
  dispatcherServiceDefinition as def,
  newAssignmentsMessage,
  newHeartbeatResponse,
  newSessionMessage,
  newUpdateTaskStatusResponse,
  type PbAssignmentsMessage,
} from '../../../api/wire/service.js';
import type { Task, TaskStatus } from '../../../api/objects/index.js';
import { newNode, newTask } from '../../../api/objects/test/fixtures.js';
import { AgentSession } from '../agent-session.js';
import { UNREADABLE_MESSAGE } from '../assignments-decoder.js';

const silent = pino({ level: 'silent' });
const meta = { version: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };
const task = (id: string): Task => ({ ...newTask(id, 's1', 1, 'n1'), meta });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function waitFor(fn: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A dispatcher that plays `script(n)` on the n-th assignments stream (0-based) and records reports. */
async function scriptedDispatcher(script: (n: number) => PbAssignmentsMessage[]) {
  const seen = { sessions: 0, assignmentStreams: 0, reports: new Map<string, TaskStatus>() };
  const server = new grpc.Server();
  const unimplemented = { code: grpc.status.UNIMPLEMENTED };
  server.addService(def, {
    session: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      seen.sessions++;
      call.write(
        newSessionMessage({
          sessionId: `s${seen.sessions}`,
          nodeId: 'n1',
          managers: [],
          heartbeatPeriodMs: 5000,
        }),
      );
    },
    heartbeat: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, newHeartbeatResponse({ periodMs: 5000 })),
    updateTaskStatus: (
      call: grpc.ServerUnaryCall<
        { ok: boolean; value?: { updates: { taskId: string; status: Uint8Array }[] } },
        unknown
      >,
      cb: grpc.sendUnaryData<unknown>,
    ) => {
      for (const u of call.request.value?.updates ?? [])
        seen.reports.set(u.taskId, decodeTaskStatus(u.status));
      cb(null, newUpdateTaskStatusResponse({ applied: call.request.value?.updates.length ?? 0 }));
    },
    assignments: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      for (const m of script(seen.assignmentStreams++)) call.write(m);
    },
    logSubscriptions: (call: grpc.ServerWritableStream<unknown, unknown>) =>
      call.emit('error', unimplemented),
    publishLogs: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(unimplemented),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { server, seen, addr: `127.0.0.1:${port}` };
}

function agent(addr: string, changes: AssignmentChange[], readNetworkViews = true): AgentSession {
  const description = newNode('n1').description;
  if (description === undefined) throw new Error('fixture node has no description');
  const a = new AgentSession({
    managers: [addr],
    credentials: grpc.credentials.createInsecure(),
    nodeDescription: description,
    onAssignments: (c) => {
      changes.push(c);
    },
    logger: silent,
    backoff: { initialMs: 20, maxMs: 200 },
    resyncBackoff: { initialMs: 20, maxMs: 200 },
    readNetworkViews,
  });
  a.start();
  return a;
}

test('malformed entries among good ones: the good ones are applied, the bad task reported rejected, one session', async (t) => {
  const huge = task('tbig');
  huge.spec.containerSpec.labels = { big: 'x'.repeat(MAX_OBJECT_BYTES + 1) };
  const d = await scriptedDispatcher(() => [
    newAssignmentsMessage({
      type: AssignmentsType.COMPLETE,
      updatedTasks: [
        encodeJson(task('t1')),
        encodeJson(huge),
        bytes('{"id":"tbad","spec":'),
        encodeJson(task('t2')),
      ],
      secrets: [bytes('not json')],
      removedTasks: ['../../etc/passwd'],
    }),
    newAssignmentsMessage({ type: AssignmentsType.INCREMENTAL, updatedTasks: [encodeJson(task('t3'))] }),
  ]);
  const changes: AssignmentChange[] = [];
  const a = agent(d.addr, changes);
  t.after(async () => {
    await a.stop();
    d.server.forceShutdown();
  });
  await waitFor(() => changes.length === 2, 'both changes');
  assert.deepEqual(
    changes[0]?.updated.map((x) => x.id),
    ['t1', 't2'],
  );
  assert.equal(changes[0]?.full, true);
  assert.deepEqual(
    changes[1]?.updated.map((x) => x.id),
    ['t3'],
  );
  await waitFor(() => d.seen.reports.size === 2, 'the rejections');
  const big = d.seen.reports.get('tbig');
  assert.equal(big?.state, 'rejected');
  assert.equal(big?.message, UNREADABLE_MESSAGE);
  assert.match(big?.err ?? '', /task is \d+ bytes, more than the limit of 2097152/);
  assert.equal(d.seen.reports.get('tbad')?.state, 'rejected');
  assert.equal(d.seen.sessions, 1, 'the session was never torn down');
  assert.equal(d.seen.assignmentStreams, 1);
});

test('a network view that cannot be read: a fresh set on a new assignments stream, same session', async (t) => {
  const d = await scriptedDispatcher((n) => [
    newAssignmentsMessage({
      type: AssignmentsType.COMPLETE,
      updatedTasks: [encodeJson(task('t1'))],
      // The first stream's view is not this node's; the second's is.
      networkView: bytes(JSON.stringify({ nodeId: n === 0 ? 'n2' : 'n1', networks: [] })),
    }),
  ]);
  const changes: AssignmentChange[] = [];
  const a = agent(d.addr, changes);
  t.after(async () => {
    await a.stop();
    d.server.forceShutdown();
  });
  await waitFor(() => changes.some((c) => c.networks !== undefined), 'a readable view');
  // The first set's tasks were applied at once, without the view; the fresh set brought it.
  assert.equal(changes[0]?.networks, undefined);
  assert.deepEqual(
    changes[0]?.updated.map((x) => x.id),
    ['t1'],
  );
  assert.equal(changes[1]?.networks?.nodeId, 'n1');
  assert.equal(d.seen.assignmentStreams, 2);
  assert.equal(d.seen.sessions, 1);
});

test('a node that reads no network views: tasks applied, views dropped unread (even unreadable ones), one stream', async (t) => {
  const d = await scriptedDispatcher(() => [
    newAssignmentsMessage({
      type: AssignmentsType.COMPLETE,
      updatedTasks: [encodeJson(task('t1'))],
      networkView: bytes(JSON.stringify({ nodeId: 'n1', networks: [] })),
    }),
    newAssignmentsMessage({
      type: AssignmentsType.INCREMENTAL,
      updatedTasks: [encodeJson(task('t2'))],
      networkViewUpdate: bytes('not json'),
    }),
  ]);
  const changes: AssignmentChange[] = [];
  const a = agent(d.addr, changes, false);
  t.after(async () => {
    await a.stop();
    d.server.forceShutdown();
  });
  await waitFor(() => changes.length === 2, 'both changes');
  assert.deepEqual(
    changes.map((c) => [c.updated.map((x) => x.id), c.networks]),
    [
      [['t1'], undefined],
      [['t2'], undefined],
    ],
  );
  assert.equal(d.seen.assignmentStreams, 1, 'no resync: the unreadable update was never read');
  assert.equal(d.seen.sessions, 1);
});
