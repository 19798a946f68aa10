// The single-member proposer, and ID generation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalProposer } from '../local-proposer.js';
import { ProposalDroppedError } from '../../../api/errors.js';
import { ProposalAbortedError } from '../errors.js';
import { generateId, ID_LENGTH } from '../../../api/objects/ids.js';
import type { StateMachine } from '../../state-machine.js';

class Recorder implements StateMachine {
  readonly seen: number[] = [];
  appliedIndex = 0;
  apply(index: number): unknown {
    this.seen.push(index);
    this.appliedIndex = index;
    return `applied ${index}`;
  }
  snapshot(): Uint8Array {
    return new Uint8Array();
  }
  restore(index: number): void {
    this.appliedIndex = index;
  }
}

test('commands are applied at once, in order, with consecutive indexes', async () => {
  const sm = new Recorder();
  const p = new LocalProposer(sm);
  const results = await Promise.all([p.propose(new Uint8Array([1])), p.propose(new Uint8Array([2]))]);
  assert.deepEqual(results, ['applied 1', 'applied 2']);
  assert.deepEqual(sm.seen, [1, 2]);
  assert.equal(p.lastIndex, 2);
});

test('indexes continue after the state machine jumped ahead (snapshot restore)', async () => {
  const sm = new Recorder();
  const p = new LocalProposer(sm, 0);
  sm.restore(41);
  await p.propose(new Uint8Array());
  assert.deepEqual(sm.seen, [42]);
});

test('typed rejections: no state machine, aborted signal', async () => {
  await assert.rejects(new LocalProposer().propose(new Uint8Array()), ProposalDroppedError);
  const ac = new AbortController();
  ac.abort();
  const sm = new Recorder();
  await assert.rejects(new LocalProposer(sm).propose(new Uint8Array(), ac.signal), ProposalAbortedError);
  assert.deepEqual(sm.seen, []);
});

test('generated IDs look like Swarm IDs and do not repeat', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => generateId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, new RegExp(`^[0-9a-z]{${ID_LENGTH}}$`));
});
