// A manager join that fails after the leader added this node's Raft member (here: its manager
// cannot start, its port is taken) must take that member out of the Raft group again: the node
// forgets its Raft ID when the join is abandoned, and a learner nobody claims stays for good.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { startSecuredManager, type SecuredManager } from '../../manager/test/secured-manager.js';
import { DEFAULT_CONFIG } from '../config.js';
import { SwarmNode } from '../swarm-node.js';

const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** A port something else listens on; `close` also drops the connections the leader opened to it. */
function occupiedPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, server }),
    );
  });
}

test('a manager join abandoned after JoinRaft leaves the Raft group again', async () => {
  const leader: SecuredManager = await startSecuredManager();
  cleanup.push(() => leader.close());
  const dataRoot = await mkdtemp(join(tmpdir(), 'shoal-abandoned-join-'));
  cleanup.push(() => rm(dataRoot, { recursive: true, force: true }));
  const taken = await occupiedPort();
  cleanup.push(() => new Promise((r) => taken.server.close(r)));
  const node = new SwarmNode({
    config: { ...DEFAULT_CONFIG, dataRoot },
    logger: pino({ level: 'silent' }),
    runApiRequest: () => Promise.reject(new Error('not used')),
    hostname: 'joiner',
  });
  const token = leader.manager.store.view((tx) => tx.list('clusters')[0]?.rootCA.joinTokens.manager);
  assert.ok(token);
  const raft = leader.manager.replicated.raft;
  const added: number[] = [];
  const stop = raft.onApplied(() => {
    for (const l of raft.status().confState.learners) if (!added.includes(l)) added.push(l);
  });
  cleanup.push(() => Promise.resolve(stop()));
  await assert.rejects(
    node.join({
      listenAddr: `127.0.0.1:${taken.port}`,
      remoteAddrs: [leader.target],
      joinToken: token,
    }),
  );
  assert.equal(added.length, 1, 'the leader had added the joining member as a learner');
  assert.deepEqual(raft.status().confState, { voters: [1], learners: [] });
});
