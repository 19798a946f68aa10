// SnapshotWriter with a state machine that encodes off the Ready loop (captureSnapshot): the
// snapshot written is the one captured, at the captured index, with the members as of then; the
// hard state goes with it only once it is written; and an encode under way is dropped, with
// nothing written and no failure, when the node stops or installs the leader's snapshot.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { StateMachine } from '../../../state-machine.js';
import type { ConfState, HardState, RaftId } from '../../types.js';
import { decodeSnapshotEnvelope } from '../envelope.js';
import { LevelStorage } from '../level-storage.js';
import { SnapshotWriter } from '../snapshot-writer.js';
import { ents, tempDir } from './level-fixtures.js';

const conf: ConfState = { voters: [1, 2, 3], learners: [] };
const log = pino({ level: 'silent' });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A state machine whose encode waits until the test releases it (or its signal aborts). */
class GatedMachine implements StateMachine {
  appliedIndex = 0;
  captures = 0;
  syncSnapshots = 0;
  aborted: unknown;
  #release: ((data: Uint8Array) => void) | undefined;

  apply(): unknown {
    return undefined;
  }
  snapshot(): Uint8Array {
    this.syncSnapshots++;
    return bytes('sync');
  }
  restore(): void {}
  captureSnapshot(): (signal: AbortSignal) => Promise<Uint8Array> {
    this.captures++;
    return (signal) =>
      new Promise((resolve, reject) => {
        this.#release = resolve;
        signal.addEventListener(
          'abort',
          () => {
            const why: unknown = signal.reason;
            this.aborted = why;
            reject(why instanceof Error ? why : new Error(String(why)));
          },
          { once: true },
        );
      });
  }
  release(data: Uint8Array): void {
    this.#release!(data);
  }
}

interface Setup {
  readonly storage: LevelStorage;
  readonly writer: SnapshotWriter;
  readonly failures: unknown[];
  readonly taken: number[];
}

/** A storage holding entries 1..30 (term 1), and a writer over it keeping 5 entries. */
async function setup(t: TestContext, machine: StateMachine, pending?: HardState): Promise<Setup> {
  const storage = await LevelStorage.open(await tempDir(t));
  t.after(() => storage.close());
  await storage.save({ entries: ents(1, 30, 1), hardState: { term: 1, vote: 1, commit: 25 } }, true);
  const failures: unknown[] = [];
  const taken: number[] = [];
  const unsaved = {
    take: (): HardState | undefined => {
      taken.push(Date.now());
      return pending;
    },
  };
  const writer = new SnapshotWriter(
    { storage, stateMachine: machine, keepAfterSnapshot: 5 },
    unsaved,
    log,
    (e) => failures.push(e),
  );
  return { storage, writer, failures, taken };
}

async function idle(writer: SnapshotWriter): Promise<void> {
  for (let i = 0; i < 500 && writer.busy; i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal(writer.busy, false, 'the writer finished');
}

test('the captured snapshot is written at its index once encoded, with the members of then', async (t) => {
  const machine = new GatedMachine();
  const pending: HardState = { term: 1, vote: 1, commit: 30 };
  const { storage, writer, failures, taken } = await setup(t, machine, pending);
  const members = new Map<RaftId, string>([
    [1, 'a:1'],
    [2, 'b:2'],
  ]);
  writer.start(20, conf, members);
  members.set(3, 'c:3'); // a member added after the capture is not in this snapshot
  assert.equal(machine.captures, 1);
  assert.equal(writer.busy, true, 'busy while encoding: no second snapshot starts');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(storage.memory.snapshot().metadata.index, 0, 'nothing written before the encode ends');
  assert.equal(taken.length, 0, 'the unsaved hard state is left for the loop meanwhile');
  machine.release(bytes('state@20'));
  await idle(writer);
  const snap = storage.memory.snapshot();
  assert.equal(snap.metadata.index, 20);
  assert.deepEqual(snap.metadata.confState, conf);
  const env = decodeSnapshotEnvelope(snap.data);
  assert.deepEqual(Buffer.from(env.app).toString(), 'state@20');
  assert.deepEqual(
    [...env.members],
    [
      [1, 'a:1'],
      [2, 'b:2'],
    ],
  );
  assert.equal(taken.length, 1);
  assert.deepEqual(storage.memory.initialState().hardState, pending, 'the hard state went with it');
  assert.equal(storage.memory.firstIndex(), 16, 'compacted up to index - keepAfterSnapshot');
  assert.deepEqual(failures, []);
});

test('a snapshot from the leader installed meanwhile drops the encode: nothing written, no failure', async (t) => {
  const machine = new GatedMachine();
  const { storage, writer, failures, taken } = await setup(t, machine);
  writer.start(20, conf, new Map());
  writer.cancel();
  await idle(writer);
  assert.match(String(machine.aborted), /leader/);
  assert.equal(storage.memory.snapshot().metadata.index, 0);
  assert.equal(taken.length, 0);
  assert.deepEqual(failures, []);
  // The next one is taken as usual.
  writer.start(25, conf, new Map());
  machine.release(bytes('state@25'));
  await idle(writer);
  assert.equal(storage.memory.snapshot().metadata.index, 25);
  assert.deepEqual(failures, []);
});

test('stopping drops the encode under way and resolves at once', async (t) => {
  const machine = new GatedMachine();
  const { storage, writer, failures } = await setup(t, machine);
  writer.start(20, conf, new Map());
  await writer.stop();
  assert.match(String(machine.aborted), /stopped/);
  assert.equal(writer.busy, false);
  assert.equal(storage.memory.snapshot().metadata.index, 0);
  assert.deepEqual(failures, []);
});

test('a failed encode stops the node (reported once as a failure)', async (t) => {
  const broken: StateMachine = {
    appliedIndex: 0,
    apply: () => undefined,
    snapshot: () => bytes(''),
    restore: () => {},
    captureSnapshot: () => () => Promise.reject(new Error('encoder bug')),
  };
  const { storage, writer, failures } = await setup(t, broken);
  writer.start(20, conf, new Map());
  await idle(writer);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /encoder bug/);
  assert.equal(storage.memory.snapshot().metadata.index, 0);
});

test('a state machine without captureSnapshot is serialized at the capture, synchronously', async (t) => {
  const machine = new GatedMachine();
  const sync: StateMachine = {
    appliedIndex: 0,
    apply: () => undefined,
    snapshot: () => machine.snapshot(),
    restore: () => {},
  };
  const { storage, writer, failures } = await setup(t, sync);
  writer.start(20, conf, new Map());
  assert.equal(machine.syncSnapshots, 1, 'taken before start returns');
  await idle(writer);
  assert.equal(Buffer.from(decodeSnapshotEnvelope(storage.memory.snapshot().data).app).toString(), 'sync');
  assert.deepEqual(failures, []);
});
