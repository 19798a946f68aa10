// A node that has not read what it was sent is not queued view after view: its view waits (the
// dispatcher offers it again), its tasks do not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import type { NodeAssignments } from '../assignment-set.js';
import { Session, type AssignmentsStream, type SessionStream, type SessionViews } from '../session.js';
import type { DigestedView } from '../network-views.js';

/** A server stream as a session uses it, whose backlog the test sets. */
class FakeStream extends EventEmitter {
  writableLength = 0;
  cancelled = false;
  writableEnded = false;
  readonly written: { networkView?: Uint8Array; networkViewUpdate?: Uint8Array }[] = [];
  write(m: { networkView?: Uint8Array; networkViewUpdate?: Uint8Array }): boolean {
    this.written.push(m);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
}

/** Views whose digest the test moves forward. */
function views(): SessionViews & { digest: string } {
  const v = {
    digest: 'd1',
    of(nodeId: string): DigestedView {
      return { view: { nodeId, networks: [] }, digest: v.digest, networkDigests: new Map() };
    },
    encodeBytes: (current: DigestedView) =>
      Buffer.from(JSON.stringify({ nodeId: current.view.nodeId, networks: [] })),
    encodedSize: (current: DigestedView) =>
      Buffer.byteLength(JSON.stringify({ nodeId: current.view.nodeId, networks: [] })),
    largestNetwork: () => undefined,
  };
  return v;
}

const empty = { updated: [], removed: [], secrets: [], configs: [] };

test('a backlogged node gets no view update; it is offered again once it has read', () => {
  const held: Session[] = [];
  const session = new Session(
    's1',
    'n1',
    new FakeStream() as unknown as SessionStream,
    pino({ level: 'silent' }),
    {
      closed: () => {},
      viewHeld: (s) => held.push(s),
    },
  );
  const v = views();
  session.views = v;
  const stream = new FakeStream();
  session.attachAssignments(stream as unknown as AssignmentsStream, {} as NodeAssignments, {
    full: true,
    ...empty,
    index: 1,
  });
  assert.equal(stream.written.length, 1);
  assert.ok((stream.written[0]!.networkView?.byteLength ?? 0) > 0, 'a full set carries the whole view');

  // The view changes while the node still holds an unread message.
  v.digest = 'd2';
  stream.writableLength = 1;
  assert.equal(session.refreshNetworkView(2), false, 'not sent: the node is behind');
  assert.equal(stream.written.length, 1);
  session.sendAssignments({ full: false, ...empty, index: 3 });
  assert.deepEqual(held, [session], 'the view left out of the assignments is reported');
  assert.equal(stream.written.length, 1, 'nothing else to tell the node');

  // The node has read everything: the view goes out, once.
  stream.writableLength = 0;
  assert.equal(session.refreshNetworkView(4), true);
  assert.equal(stream.written.length, 2);
  assert.ok((stream.written[1]!.networkViewUpdate?.byteLength ?? 0) > 0);
  assert.equal(session.refreshNetworkView(5), true, 'nothing new: nothing sent');
  assert.equal(stream.written.length, 2);
});

test('a full set always carries the view, however far behind the node is', () => {
  const session = new Session(
    's2',
    'n2',
    new FakeStream() as unknown as SessionStream,
    pino({ level: 'silent' }),
    {
      closed: () => {},
    },
  );
  session.views = views();
  const stream = new FakeStream();
  stream.writableLength = 5;
  session.attachAssignments(stream as unknown as AssignmentsStream, {} as NodeAssignments, {
    full: true,
    ...empty,
    index: 1,
  });
  assert.ok((stream.written[0]?.networkView?.byteLength ?? 0) > 0);
});
