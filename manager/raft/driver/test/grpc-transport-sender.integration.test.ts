// A Raft stream speaks for one member: the transport drops every message whose `from` the
// authorize hook refuses (a caller speaking as another member), pins each stream to the first
// sender it carried, refuses a snapshot whose header names a refused sender, and warns about
// drops at a bounded rate.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { messageToProto } from '../codec.js';
import { GrpcTransport, type GrpcTransportOptions } from '../grpc-transport.js';
import {
  newBatch,
  newChunk,
  raftServiceDefinition,
  type PbAck,
  type PbSnapshotAck,
} from '../grpc-service.js';
import { message, MessageType, type Message } from '../../types.js';

const SELF = 1;
/** The caller's own member in these tests. */
const CALLER = 2;
const OTHER = 3;

interface Receiver {
  readonly transport: GrpcTransport;
  readonly received: Message[];
  readonly warnings: string[];
  readonly client: grpc.Client;
}

async function receiver(authorize?: GrpcTransportOptions['authorize']): Promise<Receiver> {
  const received: Message[] = [];
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.includes('sent as another member')) warnings.push(line);
      }
      done();
    },
  });
  const transport = await GrpcTransport.listen({
    id: SELF,
    listen: '127.0.0.1:0',
    logger: pino({ level: 'warn' }, sink),
    ...(authorize ? { authorize } : {}),
  });
  transport.start({
    receive: (m) => received.push(m),
    reportUnreachable: () => {},
    reportSnapshot: () => {},
  });
  const client = new grpc.Client(`127.0.0.1:${transport.port}`, grpc.credentials.createInsecure());
  return { transport, received, warnings, client };
}

const heartbeatResp = (from: number, term = 1): Message =>
  message({ type: MessageType.HeartbeatResp, to: SELF, from, term });

/**
 * Opens a Raft stream to `r`; `send` writes one batch and resolves once the receiver has taken
 * every message of it, delivered or dropped (it answers only some batches, so its answers
 * cannot say when one was handled).
 */
function openStream(r: Receiver): { send(ms: Message[]): Promise<void>; close(): void } {
  const s = r.client.makeBidiStreamRequest(
    raftServiceDefinition.stream.path,
    raftServiceDefinition.stream.requestSerialize,
    raftServiceDefinition.stream.responseDeserialize,
  );
  s.on('data', (_ack: PbAck) => {});
  s.on('error', () => {});
  const taken = (): number => r.received.length + r.transport.droppedSenders;
  return {
    send: async (ms) => {
      const want = taken() + ms.length;
      s.write(newBatch(ms.map(messageToProto)));
      while (taken() < want) await new Promise((resolve) => setTimeout(resolve, 1));
    },
    close: () => s.cancel(),
  };
}

function sendSnapshot(client: grpc.Client, from: number): Promise<PbSnapshotAck> {
  const header = message({
    type: MessageType.Snap,
    to: SELF,
    from,
    term: 1,
    snapshot: {
      metadata: { index: 1, term: 1, confState: { voters: [SELF], learners: [] } },
      data: new Uint8Array(0),
    },
  });
  return new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(
      raftServiceDefinition.sendSnapshot.path,
      raftServiceDefinition.sendSnapshot.requestSerialize,
      raftServiceDefinition.sendSnapshot.responseDeserialize,
      (err: grpc.ServiceError | null, ack?: PbSnapshotAck) =>
        ack ? resolve(ack) : reject(err ?? new Error('no answer')),
    );
    call.write(
      newChunk({
        header: messageToProto(header),
        offset: 0,
        data: new Uint8Array([1, 2, 3]),
        last: true,
        totalSize: 3,
      }),
    );
    call.end();
  });
}

const receivers: Receiver[] = [];
let checked: Receiver;
let open: Receiver;

before(async () => {
  // The hook stands for manager.ts's: the caller is member CALLER, and nobody else.
  checked = await receiver(
    () => (from) => (from === CALLER ? undefined : `the caller is member ${CALLER}, not ${from}`),
  );
  open = await receiver();
  receivers.push(checked, open);
});

after(async () => {
  for (const r of receivers) {
    r.client.close();
    await r.transport.close();
  }
});

test("a caller's messages as another member are dropped; its own pass", async () => {
  const s = openStream(checked);
  await s.send([heartbeatResp(CALLER), heartbeatResp(OTHER), heartbeatResp(SELF), heartbeatResp(CALLER, 2)]);
  s.close();
  assert.deepEqual(
    checked.received.map((m) => [m.from, m.term]),
    [
      [CALLER, 1],
      [CALLER, 2],
    ],
  );
  assert.equal(checked.transport.droppedSenders, 2);
});

test('a snapshot whose header names another member is refused', async () => {
  const before = checked.received.length;
  const ack = await sendSnapshot(checked.client, OTHER);
  assert.equal(ack.rejected, true);
  assert.match(ack.reason, /the caller is member 2, not 3/);
  assert.equal(checked.received.length, before, 'nothing delivered');
  const own = await sendSnapshot(checked.client, CALLER);
  assert.equal(own.rejected, false);
  assert.equal(checked.received.at(-1)?.from, CALLER);
});

test('each stream speaks for the first sender it carried, even without an authorize hook', async () => {
  const first = openStream(open);
  await first.send([heartbeatResp(CALLER)]);
  await first.send([heartbeatResp(OTHER), heartbeatResp(CALLER, 3)]);
  first.close();
  const second = openStream(open);
  await second.send([heartbeatResp(OTHER)]);
  second.close();
  assert.deepEqual(
    open.received.map((m) => [m.from, m.term]),
    [
      [CALLER, 1],
      [CALLER, 3],
      [OTHER, 1],
    ],
  );
  assert.equal(open.transport.droppedSenders, 1);
});

test('drops are warned about once, then at a bounded rate', async () => {
  const r = await receiver(() => () => 'refused');
  receivers.push(r);
  const s = openStream(r);
  for (let i = 0; i < 50; i++) await s.send([heartbeatResp(OTHER, i + 1)]);
  s.close();
  assert.equal(r.received.length, 0);
  assert.equal(r.transport.droppedSenders, 50);
  assert.equal(r.warnings.length, 1, 'one warning for 50 drops within the interval');
});

test("a stream's first batch is answered at once (the sender resets its back-off), later ones at a bounded rate", async () => {
  const r = await receiver();
  receivers.push(r);
  const s = r.client.makeBidiStreamRequest(
    raftServiceDefinition.stream.path,
    raftServiceDefinition.stream.requestSerialize,
    raftServiceDefinition.stream.responseDeserialize,
  );
  let acks = 0;
  const first = new Promise<void>((resolve) => s.on('data', () => (acks++, resolve())));
  s.on('error', () => {});
  for (let i = 0; i < 20; i++) s.write(newBatch([messageToProto(heartbeatResp(CALLER, i + 1))]));
  await first;
  while (r.received.length < 20) await new Promise((resolve) => setTimeout(resolve, 1));
  s.cancel();
  assert.equal(acks, 1, 'one answer for 20 batches within the interval');
});
