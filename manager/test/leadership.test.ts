import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { LeaderLoops, type LeadershipSource } from '../loop/leadership.js';
import type { LeadershipChange } from '../raft/driver/raft-node.js';

/** A Raft stand-in whose leadership and read barrier the test drives. */
class FakeRaft implements LeadershipSource {
  leader = false;
  barriers: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #listeners: ((c: LeadershipChange) => void)[] = [];

  isLeader(): boolean {
    return this.leader;
  }
  onLeadershipChange(fn: (c: LeadershipChange) => void): () => void {
    this.#listeners.push(fn);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== fn));
  }
  readBarrier(): Promise<void> {
    return new Promise((resolve, reject) => this.barriers.push({ resolve, reject }));
  }
  setLeader(leader: boolean): void {
    this.leader = leader;
    for (const l of this.#listeners)
      l({ lead: leader ? 1 : 0, role: leader ? 'leader' : 'follower', term: 2 });
  }
}

function recordingLoop(events: string[]) {
  return {
    name: 'recording',
    run: async (signal: AbortSignal): Promise<void> => {
      events.push('started');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      events.push('stopped');
    },
  };
}

const quiet = pino({ level: 'silent' });

test('loops start only after the read barrier: a new leader first applies what was committed before it', async () => {
  const raft = new FakeRaft();
  const events: string[] = [];
  const loops = new LeaderLoops(raft, [recordingLoop(events)], quiet);
  loops.start();
  raft.setLeader(true);
  await delay(10);
  assert.deepEqual(events, [], 'nothing runs while the barrier is pending');
  assert.equal(raft.barriers.length, 1);
  raft.barriers[0]?.resolve();
  await delay(10);
  assert.deepEqual(events, ['started']);
  raft.setLeader(false);
  await delay(10);
  assert.deepEqual(events, ['started', 'stopped']);
  await loops.stop();
});

test('a failed barrier is retried; losing leadership meanwhile starts nothing', async () => {
  const raft = new FakeRaft();
  const events: string[] = [];
  const loops = new LeaderLoops(raft, [recordingLoop(events)], quiet);
  loops.start();
  raft.setLeader(true);
  await delay(5);
  raft.barriers[0]?.reject(new Error('read barrier timed out'));
  await delay(150);
  assert.equal(raft.barriers.length, 2, 'retried after the back-off');
  assert.deepEqual(events, []);
  raft.setLeader(false);
  raft.barriers[1]?.resolve();
  await delay(10);
  assert.deepEqual(events, [], 'no loop starts once leadership is gone');
  await loops.stop();
});

test('stop() during the back-off returns at once', async () => {
  const raft = new FakeRaft();
  const loops = new LeaderLoops(raft, [recordingLoop([])], quiet);
  raft.leader = true;
  loops.start();
  raft.barriers[0]?.reject(new Error('read barrier timed out'));
  await delay(5);
  const t0 = performance.now();
  await loops.stop();
  assert.ok(performance.now() - t0 < 50, 'not held by the back-off');
});

test('many loops with watchers and restarts add no listener per loop to a shared signal (no MaxListenersExceededWarning)', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const raft = new FakeRaft();
    let failures = 0;
    // 24 loops (a manager has a dozen), each holding three listeners on its signal as a watch
    // loop does (its abort promise, a watcher, a sleep); every other one fails once and restarts.
    const loops = Array.from({ length: 24 }, (_, i) => ({
      name: `loop-${i}`,
      run: async (signal: AbortSignal): Promise<void> => {
        for (let k = 0; k < 3; k++) signal.addEventListener('abort', () => undefined, { once: true });
        if (i % 2 === 0 && failures < 12) {
          failures++;
          throw new Error('fails once');
        }
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
    }));
    const leaderLoops = new LeaderLoops(raft, loops, quiet);
    leaderLoops.start();
    raft.setLeader(true);
    raft.barriers[0]?.resolve();
    await delay(300); // the failed runs restart after their 100 ms back-off
    assert.equal(failures, 12);
    raft.setLeader(false);
    await leaderLoops.stop();
    await delay(10); // warnings are emitted on the next tick
    assert.deepEqual(
      warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')),
      [],
    );
  } finally {
    process.off('warning', onWarning);
  }
});
