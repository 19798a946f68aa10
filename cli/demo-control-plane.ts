// `npm run demo`: a local three-manager control plane on loopback, built the way `swarm init`
// and `swarm join` build one (the first manager bootstraps Raft, the others join as learners
// and are promoted once caught up). It creates a service, shows every manager holding the same
// state, stops the leader, and shows the survivors electing a new one and taking writes.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ReplicatedStore } from '../manager/replication/replicated-store.js';
import { generateId } from '../manager/store/index.js';
import { containerSpecFor, type NewObject } from '../api/objects/index.js';

const logger = pino({ level: process.env['SHOAL_LOG'] ?? 'silent' });

function say(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function webService(replicas: number): NewObject<'services'> {
  return {
    id: generateId(),
    spec: {
      name: 'web',
      labels: {},
      mode: { kind: 'replicated', replicas },
      taskTemplate: {
        containerSpec: containerSpecFor('nginx:1.25'),
        resources: { reservations: { nanoCPUs: 0, memoryBytes: 0, generic: [] } },
        restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
        placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
        networks: [],
        forceUpdate: 0,
      },
    },
    pendingDelete: false,
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-demo-'));
  const managers = new Map<number, ReplicatedStore>();
  try {
    const open = (
      id: number,
      extra: Partial<Parameters<typeof ReplicatedStore.open>[0]>,
    ): Promise<ReplicatedStore> =>
      ReplicatedStore.open({
        id,
        dataDir: join(root, `manager-${id}`),
        listen: '127.0.0.1:0',
        logger,
        ...extra,
      });

    let t = Date.now();
    const first = await open(1, { bootstrap: new Map([[1, '']]) });
    managers.set(1, first);
    await until(() => first.raft.isLeader(), 10_000);
    say(`manager 1 initialized a new cluster at ${first.address} and leads it (${Date.now() - t} ms)`);

    for (const id of [2, 3]) {
      t = Date.now();
      const m = await open(id, { join: new Map([[1, first.address]]) });
      managers.set(id, m);
      await first.raft.addMember(id, m.address);
      say(
        `manager ${id} joined at ${m.address}: learner, caught up, promoted to voter (${Date.now() - t} ms)`,
      );
    }

    t = Date.now();
    const svc = await first.store.update((tx) => tx.create('services', webService(2)));
    say(`\ncreated service web (${svc.id}) with 2 replicas through Raft (${Date.now() - t} ms)`);
    await until(
      () =>
        [...managers.values()].every(
          (m) => m.store.view((tx) => tx.getByName('services', 'web')) !== undefined,
        ),
      5_000,
    );
    for (const [id, m] of managers) {
      const s = m.store.view((tx) => tx.getByName('services', 'web'));
      say(
        `  manager ${id}: web v${s?.meta.version} replicas=${s?.spec.mode.kind === 'replicated' ? s.spec.mode.replicas : '?'} store-hash=${m.store.hash().slice(0, 12)}`,
      );
    }

    const leader = [...managers.values()].find((m) => m.raft.isLeader())!;
    say(`\nstopping the leader (manager ${leader.raft.id})…`);
    t = Date.now();
    await leader.close();
    managers.delete(leader.raft.id);
    await until(() => [...managers.values()].some((m) => m.raft.isLeader()), 10_000);
    const next = [...managers.values()].find((m) => m.raft.isLeader())!;
    say(`manager ${next.raft.id} was elected leader ${Date.now() - t} ms later`);

    t = Date.now();
    await next.store.update((tx) => {
      const s = tx.getByName('services', 'web')!;
      tx.update('services', { ...s, spec: { ...s.spec, mode: { kind: 'replicated', replicas: 3 } } });
    });
    say(`scaled web to 3 replicas on the new leader (${Date.now() - t} ms)`);
    await until(() => new Set([...managers.values()].map((m) => m.store.hash())).size === 1, 5_000);
    for (const [id, m] of managers) {
      const s = m.store.view((tx) => tx.getByName('services', 'web'));
      say(
        `  manager ${id}: web v${s?.meta.version} replicas=${s?.spec.mode.kind === 'replicated' ? s.spec.mode.replicas : '?'} store-hash=${m.store.hash().slice(0, 12)}`,
      );
    }
    say('\nthe two remaining managers hold identical state. (Set SHOAL_LOG=info to see Raft at work.)');
  } finally {
    for (const m of managers.values()) await m.close().catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
