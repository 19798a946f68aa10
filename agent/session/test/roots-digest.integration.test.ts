// The roots digest of a session message is taken from the manager only when it is one
// (64 hex digits): anything else (too long, not hex, absent) is as if the manager did not say,
// and never ends the session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import {
  dispatcherServiceDefinition as def,
  newHeartbeatResponse,
  newSessionMessage,
} from '../../../api/wire/service.js';
import { newNode } from '../../../api/objects/test/fixtures.js';
import { rootsDigest } from '../../../ca/cluster-roots.js';
import { AgentSession, type SessionInfo } from '../index.js';

const GOOD = rootsDigest('root', undefined);
const SENT = ['x'.repeat(64), `${GOOD}00`, GOOD.toUpperCase(), '', GOOD];

test('a session message with a malformed roots digest is read without one, in the same session', async (t) => {
  const server = new grpc.Server();
  const unimplemented = { code: grpc.status.UNIMPLEMENTED };
  let sessions = 0;
  server.addService(def, {
    session: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      sessions++;
      for (const rootsDigest of SENT)
        call.write(
          newSessionMessage({
            sessionId: 's1',
            nodeId: 'n1',
            managers: [],
            heartbeatPeriodMs: 5000,
            rootsDigest,
          }),
        );
    },
    heartbeat: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, newHeartbeatResponse({ periodMs: 5000 })),
    updateTaskStatus: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(unimplemented),
    assignments: () => undefined,
    logSubscriptions: (call: grpc.ServerWritableStream<unknown, unknown>) =>
      call.emit('error', unimplemented),
    publishLogs: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(unimplemented),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const infos: SessionInfo[] = [];
  const description = newNode('n1').description;
  if (description === undefined) throw new Error('fixture node has no description');
  const agent = new AgentSession({
    managers: [`127.0.0.1:${port}`],
    credentials: grpc.credentials.createInsecure(),
    nodeDescription: description,
    onAssignments: () => undefined,
    onSession: (i) => i && infos.push(i),
    logger: pino({ level: 'silent' }),
    backoff: { initialMs: 20, maxMs: 200 },
  });
  agent.start();
  t.after(async () => {
    await agent.stop();
    server.forceShutdown();
  });
  const end = Date.now() + 5000;
  while (infos.length < SENT.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(
    infos.map((i) => i.rootsDigest),
    [undefined, undefined, undefined, undefined, GOOD],
  );
  assert.equal(sessions, 1, 'one session throughout');
});
