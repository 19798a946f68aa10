// The transport writes a peer's queue as batches, each one gRPC message: a batch over the gRPC
// message limit fails the whole stream (and drops the queue). A leader pipelining full appends
// to a member catching up (maxInflightMsgs × maxSizePerMsg) must have them split by bytes.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { GrpcTransport, encodedSizeBound } from '../grpc-transport.js';
import { encodeMessage } from '../codec.js';
import { EntryType, message, MessageType, type Message } from '../../types.js';

const transports: GrpcTransport[] = [];
after(async () => {
  for (const t of transports) await t.close();
});

const LIMIT = 4 * 1024 * 1024;

function append(i: number, bytes: number): Message {
  return message({
    type: MessageType.App,
    to: 2,
    from: 1,
    term: 1,
    index: i,
    logTerm: 1,
    commit: i,
    entries: [{ type: EntryType.Normal, term: 1, index: i + 1, data: new Uint8Array(bytes).fill(i % 251) }],
  });
}

test('appends queued together over the gRPC limit all arrive, in order, on one stream', async () => {
  const logger = pino({ level: 'silent' });
  const receiver = await GrpcTransport.listen({
    id: 2,
    listen: '127.0.0.1:0',
    logger,
    maxMessageSize: LIMIT,
  });
  const sender = await GrpcTransport.listen({ id: 1, listen: '127.0.0.1:0', logger, maxMessageSize: LIMIT });
  transports.push(receiver, sender);
  const received: Message[] = [];
  let unreachable = 0;
  receiver.start({ receive: (m) => received.push(m), reportUnreachable: () => {}, reportSnapshot: () => {} });
  sender.start({ receive: () => {}, reportUnreachable: () => unreachable++, reportSnapshot: () => {} });
  sender.addPeer(2, `127.0.0.1:${receiver.port}`);
  // 24 appends of ~1 MB sent in one turn of the event loop: ~24 MB for a 4 MB limit.
  const sent = Array.from({ length: 24 }, (_, i) => append(i, 1024 * 1024 - 200));
  sender.send(sent);
  for (let i = 0; i < 500 && received.length < sent.length; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(unreachable, 0, 'the stream never failed');
  assert.deepEqual(
    received.map((m) => m.index),
    sent.map((m) => m.index),
  );
});

test('the size bound is never below the real encoded size', () => {
  for (const bytes of [0, 1, 127, 128, 16_383, 16_384, 1_000_000]) {
    const m = {
      ...append(2 ** 40, bytes),
      term: 2 ** 52,
      commit: 2 ** 52,
      context: new Uint8Array(bytes % 300),
    };
    assert.ok(encodedSizeBound(m) >= encodeMessage(m).byteLength + 6, `bound for ${bytes} bytes`);
  }
});
